/**
 * `npm run demo:announce`: seed 003's "speak typed messages into a live call"
 * on stasis-flows' TwiML wing, no Asterisk needed. A caller rings a TwiML app
 * whose voice URL puts them in a conference; the program (Node, inside this
 * script) drives the Twilio-compatible REST API with the `twilio` SDK: it
 * finds the conference, adds the callee muted (a listener), then speaks three
 * typed messages into the live call through the conference's AnnounceUrl,
 * whose route answers `<Say>`. Finally the callee is unmuted and the caller
 * hears them talk. Who hears what, each webhook and each REST call are
 * printed as they happen.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import twilio from 'twilio';
import { startApp } from '../../src/app.js';
import { voiceApiFlow } from '../../src/apps/voice-api/flow.js';
import { runCli } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startSimulator } from '../../src/simulator/index.js';
import { TestCaller, type TestCall } from '../support/caller.js';
import { ProgramServer, type ProgramReply } from '../support/program-server.js';
import { Sink } from '../support/sink.js';
import { answerPhone } from '../support/voice.js';
import { eventually, sleep } from '../support/wait.js';
import type { World } from '../support/world.js';

const t0 = Date.now();
const say = (text: string) => process.stdout.write(`${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s  ${text}\n`);
const SERVICE = '12025550123';
const CALLER = '447700900001';
const APP = 'announcer';
const ROOM = 'denwa-room';
// Each long enough (over 3 s of speech) to be told apart from a click or a beep.
const MESSAGES = [
  'Hello, this is the first message, typed while we are talking on the phone.',
  'Here is the second message, sent into the conference a little later.',
  'And this is the third message, the last one for now, thank you.',
];
/** How long each party listens after a message is sent: the whole message fits. */
const LISTEN_S = 6;

/** A TwiML reply. */
const twiml = (verbs: string): ProgramReply => ({ body: `<?xml version="1.0" encoding="UTF-8"?><Response>${verbs}</Response>`, headers: { 'Content-Type': 'text/xml' } });
const short = (sid: string) => `${sid.slice(0, 10)}…`;
const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Prints what a party hears on its own channel (a conference's announcements play on the bridge, so they show in listen() results instead). */
function narrate(who: string, call: TestCall): void {
  const seen = new Set<string>();
  const timer = setInterval(() => {
    for (const h of call.heard) {
      if (seen.has(h.playbackId + h.media)) continue;
      seen.add(h.playbackId + h.media);
      say(`${who} hears ${/\/tts\//.test(h.media) ? 'speech' : h.media} (on their channel)`);
    }
    if (call.isOver) clearInterval(timer);
  }, 50);
  timer.unref();
}

/** A scenario step that did not happen as seed 003 says: reported by its message alone. */
class DemoFailure extends Error {}

/** Fails the demo with a message a person understands. */
function expectThat(ok: boolean, message: string): void {
  if (!ok) throw new DemoFailure(message);
}

async function main(): Promise<void> {
  // Run in reverse at the end, whatever happened: each started thing registers its own stop.
  const cleanups: (() => Promise<unknown>)[] = [];
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'stasis-flows-demo-announce-'));
  cleanups.push(() => rm(tmp, { recursive: true, force: true }));
  try {
    await run(tmp, cleanups);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => process.stderr.write(`cleanup: ${String(err)}\n`));
  }
}

/** Seed 003's scenario, start to summary; registers a cleanup for everything it starts. */
async function run(tmp: string, cleanups: (() => Promise<unknown>)[]): Promise<void> {
  const recordingsDir = path.join(tmp, 'recording');
  await mkdir(recordingsDir);
  await mkdir(path.join(tmp, 'sounds'));
  const simulator = await startSimulator({ recordingsDir });
  cleanups.push(() => simulator.close());
  const env = {
    ARI_URL: simulator.url,
    ARI_USERNAME: 'asterisk',
    ARI_PASSWORD: 'asterisk',
    STASIS_FLOWS_DATA_DIR: path.join(tmp, 'data'),
    ASTERISK_SOUNDS_DIR: path.join(tmp, 'sounds'),
    STASIS_FLOWS_HTTP_PORT: '0',
    // Calls are hung up before stopping; a failed run should not wait the default 30 s.
    STASIS_FLOWS_DRAIN_MS: '2000',
    STASIS_FLOWS_VOICE_PHONE_ENDPOINT: 'Local/{number}@stasis-flows-test-phones/n',
  };
  const config = loadConfig(env);
  // The program first, so that it still answers the status callbacks a stopping app sends.
  const program = await ProgramServer.start();
  cleanups.push(() => program.close());
  const app = await startApp({ config, log: createLogger({ level: 'error', silent: true }), flows: [voiceApiFlow] });
  cleanups.push(() => app.stop());

  const out = new Sink();
  const err = new Sink();
  const argv = ['voice-app', 'add', APP, '--dialect', 'twiml', '--answer-url', program.url('/voice'), '--event-url', program.url('/status')];
  if ((await runCli(argv, { env, stdout: out, stderr: err })) !== 0) throw new Error(`voice-app add failed: ${err.text}`);
  const accountSid = /account_sid (AC[0-9a-f]{32})/.exec(out.text)?.[1];
  const authToken = /auth_token ([0-9a-f]{32})/.exec(out.text)?.[1];
  if (accountSid === undefined || authToken === undefined) throw new Error(`voice-app add printed no account_sid / auth_token:\n${out.text}`);
  say(`ARI simulator ${simulator.url}; service HTTP API ${app.http.url}; the program ${program.base}`);
  say(`$ stasis-flows voice-app add ${APP} --dialect twiml --answer-url …/voice --event-url …/status  → account_sid ${accountSid}, auth_token ${authToken.slice(0, 6)}…`);
  const client = twilio(accountSid, authToken);
  client.api.baseUrl = app.http.url;
  let restCalls = 0;
  /** Prints a REST call as the program makes it, then makes it. */
  const rest = <T>(what: string, sdk: string, call: () => Promise<T>): Promise<T> => {
    restCalls++;
    say(`   [program] REST: ${what} (${sdk})`);
    return call();
  };

  const world = { ariUrl: simulator.url, username: 'asterisk', password: 'asterisk', log: createLogger({ level: 'error', silent: true }) } as World;
  const callerPhone = await TestCaller.connect(world);
  cleanups.push(() => callerPhone.close());
  const calleePhone = await TestCaller.connectPhone(world);
  cleanups.push(() => calleePhone.close());

  // The program's webhooks: seed 003's index and message_res, and the status callback.
  program.route('/voice', (r) => {
    say(`   [program] voice URL: a call from ${r.form.From} to ${r.form.To} (${short(r.form.CallSid ?? '')}, ${r.form.CallStatus}) → <Dial><Conference>${ROOM}</Conference></Dial>`);
    return twiml(`<Dial><Conference startConferenceOnEnter="true" beep="false">${ROOM}</Conference></Dial>`);
  });
  program.route('/announce', (r) => {
    const text = r.query.text ?? 'nothing';
    say(`   [program] announce URL (${r.method}) → <Say>${text}</Say>`);
    return twiml(`<Say>${xmlEscape(text)}</Say>`);
  });
  program.route('/status', (r) => {
    say(`   [program] status callback: ${short(r.form.CallSid ?? '')} ${r.form.CallStatus}${r.form.CallDuration ? ` after ${r.form.CallDuration} s` : ''}`);
    return {};
  });

  say(`The caller (${CALLER}) dials the service: Stasis(${config.apps.voiceApi},${APP},${SERVICE})`);
  const caller = await callerPhone.dial(config.apps.voiceApi, { args: [APP, SERVICE], callerId: `Caller <${CALLER}>`, waitAnswer: false });
  cleanups.push(() => caller.hangup());
  narrate('The caller', caller);
  await program.waitFor((r) => r.path === '/voice', 'the voice URL', 15_000);

  let conference: Awaited<ReturnType<typeof client.conferences.list>>[number] | undefined;
  let polls = 0;
  say(`   [program] REST: GET /2010-04-01/Accounts/${short(accountSid)}/Conferences.json?FriendlyName=${ROOM}&Status=in-progress (client.conferences.list), until it is there`);
  await eventually(async () => {
    polls++;
    conference = (await client.conferences.list({ friendlyName: ROOM, status: 'in-progress' }))[0];
    return conference !== undefined;
  }, `conference "${ROOM}" to be in progress`, 15_000, 200);
  const sid = conference!.sid;
  say(`   [program] found conference ${ROOM}: ${sid} (status ${conference!.status}, after ${polls} ${polls === 1 ? 'poll' : 'polls'})`);

  const calleeNumber = calleePhone.phoneNumber('answers');
  const participant = await rest(
    `POST …/Conferences/${short(sid)}/Participants.json {To: ${calleeNumber}, From: ${SERVICE}, Muted: true, Beep: false}`,
    'client.conferences(sid).participants.create',
    () => client.conferences(sid).participants.create({ from: SERVICE, to: calleeNumber, muted: true, beep: 'false' }),
  );
  say(`   [program] the callee's leg is ${short(participant.callSid)}`);
  const callee = await answerPhone(calleePhone, 20_000);
  cleanups.push(() => callee.hangup());
  narrate('The callee', callee);
  say(`The callee's phone (${calleeNumber}) rings; they answer and join muted, to listen`);
  say(`   [program] REST: GET …/Conferences/${short(sid)}/Participants.json (client.conferences(sid).participants.list), until both are in`);
  let members: Awaited<ReturnType<ReturnType<typeof client.conferences>['participants']['list']>> = [];
  await eventually(async () => {
    polls++;
    members = await client.conferences(sid).participants.list();
    return members.length === 2;
  }, 'both parties in the conference', 15_000, 200);
  restCalls += polls; // each poll loop is printed once, not per request
  say(`   [program] in the conference: ${members.map((p) => `${short(p.callSid)}${p.muted ? ' (muted)' : ''}`).join(', ')}`);

  const heard: { text: string; caller: number; callee: number }[] = [];
  for (const [i, text] of MESSAGES.entries()) {
    await sleep(1000 + Math.floor(Math.random() * 1500)); // typed at moments apart
    say(`The callee types message ${i + 1}: "${text}"`);
    await rest(
      `POST …/Conferences/${short(sid)}.json {AnnounceUrl: …/announce?text=…}`,
      'client.conferences(sid).update',
      () => client.conferences(sid).update({ announceUrl: `${program.url('/announce')}?text=${encodeURIComponent(text)}` }),
    );
    const [a, b] = await Promise.all([caller.listen(LISTEN_S), callee.listen(LISTEN_S)]);
    say(`The caller heard speech (${a.talkingSeconds} s); the callee heard speech (${b.talkingSeconds} s)`);
    expectThat(a.talkingSeconds >= 2, `the caller did not hear message ${i + 1} (only ${a.talkingSeconds} s of talking in ${LISTEN_S} s)`);
    expectThat(b.talkingSeconds >= 2, `the callee did not hear message ${i + 1} (only ${b.talkingSeconds} s of talking in ${LISTEN_S} s)`);
    heard.push({ text, caller: a.talkingSeconds, callee: b.talkingSeconds });
  }

  /** The callee talks for 2 s; how much talking the caller hears meanwhile. */
  const calleeSpeaks = async () => {
    const [result] = await Promise.all([caller.listen(3), (async () => { await sleep(300); await callee.speak(2); })()]);
    return result.talkingSeconds;
  };
  say('The callee speaks for 2 s, still muted');
  const whileMuted = await calleeSpeaks();
  say(`The caller heard ${whileMuted} s of talking`);
  expectThat(whileMuted <= 1, `the caller heard the muted callee (${whileMuted} s of talking)`);
  await rest(
    `POST …/Conferences/${short(sid)}/Participants/${short(participant.callSid)}.json {Muted: false}`,
    'client.conferences(sid).participants(callSid).update',
    () => client.conferences(sid).participants(participant.callSid).update({ muted: false }),
  );
  say('The callee speaks for 2 s, unmuted');
  const unmuted = await calleeSpeaks();
  say(`The caller heard ${unmuted} s of talking: the callee's voice`);
  expectThat(unmuted >= 2, `the caller did not hear the unmuted callee (${unmuted} s of talking)`);

  say('The caller hangs up, then the callee');
  await caller.hangup();
  await caller.ended(10_000);
  await callee.hangup();
  await callee.ended(10_000);
  await program.waitFor((r) => r.path === '/status' && r.form.CallStatus === 'completed', "the caller's completed status callback", 10_000);
  await eventually(() => app.runtime.size === 0, 'every call to be over', 10_000);
  await sleep(300); // the last callbacks print before the summary

  const webhooks = (p: string) => program.to(p).length;
  process.stdout.write('\nSummary\n');
  process.stdout.write(`  conference "${ROOM}" ${sid}: the caller and the callee (joined muted, to listen)\n`);
  for (const [i, h] of heard.entries()) process.stdout.write(`  message ${i + 1}: caller heard ${h.caller} s, callee heard ${h.callee} s of "${h.text}"\n`);
  process.stdout.write(`  the callee talking 2 s: the caller heard ${whileMuted} s while muted, ${unmuted} s once unmuted\n`);
  process.stdout.write(`  webhooks: voice URL ${webhooks('/voice')}, announce URL ${webhooks('/announce')}, status callbacks ${webhooks('/status')}; REST calls ${restCalls} (${polls} of them polls for the conference and its participants)\n`);
}

main().then(
  () => process.stdout.write('\ndemo:announce OK\n'),
  (err: unknown) => {
    const detail = err instanceof DemoFailure ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`demo:announce failed: ${detail}\n`);
    process.exitCode = 1;
  },
);
