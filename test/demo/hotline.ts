/**
 * `npm run demo:hotline`: seed 002's code-of-conduct hotline on stasis-flows,
 * no Asterisk needed. The hotline program (Node, inside this script) answers
 * the voice API's webhooks and drives its REST API with Vonage's own SDK: a
 * reporter calls, is greeted and waits with hold music in a recorded
 * conversation; two staff phones are called; Mariatta answers, is greeted by
 * name, the reporter hears "Mariatta is joining this call", Alan's ringing
 * call is hung up, they talk, Mariatta hangs up, and the recording is
 * downloaded with the application's token. Who hears what, each webhook and
 * each REST call are printed as they happen.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Vonage } from '@vonage/server-sdk';
import { exportPKCS8, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { startApp } from '../../src/app.js';
import { voiceApiFlow } from '../../src/apps/voice-api/flow.js';
import { runCli } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startSimulator } from '../../src/simulator/index.js';
import { TestCaller, type TestCall } from '../support/caller.js';
import { ProgramServer } from '../support/program-server.js';
import { Sink } from '../support/sink.js';
import { answerPhone } from '../support/voice.js';
import type { World } from '../support/world.js';

const t0 = Date.now();
const say = (text: string) => process.stdout.write(`${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s  ${text}\n`);
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const HOTLINE = '12025550100';

/** Prints what a party hears, as it starts. */
function narrate(who: string, call: TestCall): void {
  const seen = new Set<string>();
  const timer = setInterval(() => {
    for (const h of call.heard) {
      if (seen.has(h.playbackId + h.media)) continue;
      seen.add(h.playbackId + h.media);
      const what = /\/tts\//.test(h.media) ? 'speech' : /\/media\//.test(h.media) ? 'fetched audio (hold music)' : h.media;
      say(`${who} hears ${what}`);
    }
    if (call.isOver) clearInterval(timer);
  }, 50);
}

async function main(): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'stasis-flows-demo-hotline-'));
  const recordingsDir = path.join(tmp, 'recording');
  await mkdir(recordingsDir);
  await mkdir(path.join(tmp, 'sounds'));
  const simulator = await startSimulator({ recordingsDir });
  const env = {
    ARI_URL: simulator.url,
    ARI_USERNAME: 'asterisk',
    ARI_PASSWORD: 'asterisk',
    STASIS_FLOWS_DATA_DIR: path.join(tmp, 'data'),
    ASTERISK_SOUNDS_DIR: path.join(tmp, 'sounds'),
    STASIS_FLOWS_HTTP_PORT: '0',
    STASIS_FLOWS_VOICE_PHONE_ENDPOINT: 'Local/{number}@stasis-flows-test-phones/n',
  };
  const config = loadConfig(env);
  const app = await startApp({ config, log: createLogger({ level: 'error', silent: true }), flows: [voiceApiFlow] });
  const program = await ProgramServer.start();
  const music = path.join(tmp, 'music.mp3');
  await run('sox', ['-n', '-r', '22050', '-c', '2', music, 'synth', '6', 'pluck', 'C4', 'pluck', 'E4', 'vol', '0.4']);
  const musicBody = await readFile(music);
  program.route('/music.mp3', () => ({ body: musicBody, headers: { 'Content-Type': 'audio/mpeg' } }));

  const keys = await generateKeyPair('RS256', { extractable: true });
  const keyFile = path.join(tmp, 'public.pem');
  await writeFile(keyFile, await exportSPKI(keys.publicKey));
  const out = new Sink();
  const err = new Sink();
  const argv = ['voice-app', 'add', 'hotline', '--answer-url', program.url('/webhook/answer/'), '--event-url', program.url('/webhook/event'), '--public-key', keyFile];
  if ((await runCli(argv, { env, stdout: out, stderr: err })) !== 0) throw new Error(err.text);
  const applicationId = /application_id ([0-9a-f-]{36})/.exec(out.text)![1]!;
  say(`ARI simulator ${simulator.url}; service HTTP API ${app.http.url}; the hotline program ${program.base}`);
  say(`$ stasis-flows voice-app add hotline --answer-url … --event-url … --public-key public.pem  → application_id ${applicationId}`);
  const vonage = new Vonage({ applicationId, privateKey: await exportPKCS8(keys.privateKey) }, { apiHost: app.http.url });

  const world = { ariUrl: simulator.url, username: 'asterisk', password: 'asterisk', log: createLogger({ level: 'error', silent: true }) } as World;
  const reporter = await TestCaller.connect(world);
  const mariatta = await TestCaller.connectPhone(world);
  const alan = await TestCaller.connectPhone(world);
  const staff = [
    { name: 'Mariatta', phone: mariatta.phoneNumber('answers') },
    { name: 'Alan', phone: alan.phoneNumber('unanswered') },
  ];
  const staffCalls: string[] = [];

  // The hotline program: seed 002's webhooks.
  program.route('/webhook/event', (r) => {
    const e = r.json as { status?: string; to?: string };
    say(`   [program] event: ${e.status} (to ${e.to})`);
    return {};
  });
  program.route('/webhook/recording', (r) => {
    say(`   [program] recording event: ${JSON.stringify(r.json)}`);
    return {};
  });
  program.route('/webhook/answer/', async (r) => {
    const conversationUuid = r.query.conversation_uuid!.trim();
    const callUuid = r.query.uuid!.trim();
    say(`   [program] answer webhook: a call from ${r.query.from}; conversation ${conversationUuid}`);
    program.route(`/webhook/answer_conference_call/${conversationUuid}/${callUuid}/`, async (s) => {
      const owner = staff.find((m) => m.phone === s.query.to)?.name;
      say(`   [program] ${owner} answered`);
      for (const other of staffCalls.filter((uuid) => uuid !== s.query.uuid)) {
        say(`   [program] REST: PUT /v1/calls/${other.slice(0, 8)}… {action: hangup} (vonage.voice.hangupCall)`);
        await vonage.voice.hangupCall(other).catch(() => undefined);
      }
      say(`   [program] REST: PUT /v1/calls/${callUuid.slice(0, 8)}…/talk "${owner} is joining this call." (vonage.voice.playTTS)`);
      await vonage.voice.playTTS(callUuid, { text: `${owner} is joining this call.` } as never);
      return {
        json: [
          { action: 'talk', text: `Hello ${owner}, connecting you to PyCascades hotline.` },
          { action: 'conversation', name: conversationUuid, startOnEnter: true, endOnExit: true },
        ],
      };
    });
    for (const member of staff) {
      say(`   [program] REST: POST /v1/calls to ${member.name} (${member.phone}) (vonage.voice.createOutboundCall)`);
      const created = await vonage.voice.createOutboundCall({
        to: [{ type: 'phone', number: member.phone }],
        from: { type: 'phone', number: HOTLINE },
        answerUrl: [program.url(`/webhook/answer_conference_call/${conversationUuid}/${callUuid}/`)],
      });
      staffCalls.push(created.uuid);
    }
    return {
      json: [
        { action: 'talk', text: "You've reached the PyCascades Code of Conduct Hotline. This call is recorded." },
        { action: 'conversation', name: conversationUuid, record: true, eventMethod: 'POST', musicOnHoldUrl: [program.url('/music.mp3')], eventUrl: [program.url('/webhook/recording')], endOnExit: false, startOnEnter: false },
      ],
    };
  });

  try {
    say(`The reporter dials the hotline: Stasis(${config.apps.voiceApi},hotline,${HOTLINE})`);
    const call = await reporter.dial(config.apps.voiceApi, { args: ['hotline', HOTLINE], callerId: 'Reporter <12025550177>', waitAnswer: false });
    narrate('The reporter', call);
    await call.hears(/\/media\//, 30_000);
    await sleep(2000);
    const staffLeg = await answerPhone(mariatta, 30_000);
    say("Mariatta's phone rang; she answers (Alan's keeps ringing)");
    narrate('Mariatta', staffLeg);
    // The speech sent into the reporter's leg is whispered over the hold music, not a playback of its own.
    const told = call.listen(4);
    await staffLeg.heardEnd(/\/tts\//, 20_000);
    say(`The reporter heard ${(await told).talkingSeconds} s of speech over the hold music ("Mariatta is joining this call.")`);
    await sleep(800);
    say('The reporter speaks for 2 s; Mariatta listens');
    const [heard] = await Promise.all([staffLeg.listen(3), (async () => { await sleep(300); await call.speak(2); })()]);
    say(`Mariatta heard ${heard.talkingSeconds} s of talking`);
    say('Mariatta hangs up (endOnExit): the conversation ends, the reporter is hung up');
    await staffLeg.hangup();
    await call.ended(10_000);
    const recording = await program.waitFor((r) => r.path === '/webhook/recording', 'the recording event', 20_000);
    const url = String((recording.json as { recording_url: string }).recording_url);
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ application_id: applicationId, iat: now, jti: crypto.randomUUID(), exp: now + 900 }).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).sign(keys.privateKey);
    const download = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    const bytes = (await download.arrayBuffer()).byteLength;
    say(`GET ${url} with the application's token: ${download.status}, ${download.headers.get('content-type')}, ${bytes} bytes`);
    await sleep(500);
  } finally {
    await reporter.close();
    await mariatta.close();
    await alan.close();
    await app.stop();
    await program.close();
    await simulator.close();
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
