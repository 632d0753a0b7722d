/**
 * `npm run demo`: a newcomer's tour, no Asterisk needed. Starts the ARI
 * simulator, the app, and scripted phones: a caller leaves a voicemail
 * message, then the mailbox owner logs in, listens, skips and deletes. Each
 * step a person would follow is printed: the state the call is in, what is
 * heard, which key is pressed, and where messages end up.
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { startApp } from '../../src/app.js';
import { productFlows } from '../../src/apps/index.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startSimulator } from '../../src/simulator/index.js';
import { v7 as uuidv7 } from 'uuid';
import { TestCaller } from '../support/caller.js';
import type { World } from '../support/world.js';

const MAILBOX = '305';
const PIN = '1234';
const t0 = Date.now();
const say = (text: string) => process.stdout.write(`${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s  ${text}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Turns the app's JSON state-transition log lines into printed steps. */
function stateNarrator(): Writable {
  let last = '';
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as { message?: string; state?: string };
        const top = entry.state?.replace(/^\{"([^"]+)".*$/, '$1');
        if (entry.message === 'state' && top && top !== last) {
          last = top;
          say(`   [app] the call is now in state "${top}"`);
        }
      }
      done();
    },
  });
}

async function main(): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'stasis-flows-demo-'));
  const recordingsDir = path.join(tmp, 'recording');
  await mkdir(recordingsDir);
  const simulator = await startSimulator({ recordingsDir });
  const config = loadConfig({ ARI_URL: simulator.url, ARI_USERNAME: 'asterisk', ARI_PASSWORD: 'asterisk', STASIS_FLOWS_DATA_DIR: path.join(tmp, 'data'), STASIS_FLOWS_VM_REVIEW_TIMEOUT_MS: '3000', STASIS_FLOWS_HTTP_PORT: '0' });
  const log = createLogger({ level: 'debug', stream: stateNarrator() });
  const app = await startApp({ config, log, flows: productFlows });
  await app.store.addMailbox({ id: MAILBOX, name: 'Front desk', pin: PIN });
  say(`ARI simulator on ${simulator.url}; apps "${config.apps.vmRecord}" and "${config.apps.vmPlayback}" registered; mailbox ${MAILBOX} "Front desk" (PIN ${PIN}) created`);

  const world = { ariUrl: simulator.url, username: 'asterisk', password: 'asterisk', log: createLogger({ level: 'error', silent: true }) } as World;
  const caller = await TestCaller.connect(world);
  try {
    // An earlier message, so the owner has two to go through.
    const earlier = uuidv7();
    await caller.makeRecording(`voicemail/${MAILBOX}/${earlier}`, 2);
    await app.store.addMessage({ id: earlier, mailbox: MAILBOX, recording: `voicemail/${MAILBOX}/${earlier}`, callerNumber: '2002', callerName: 'Bob', receivedAt: new Date(Date.now() - 3_600_000).toISOString(), durationSeconds: 2 });
    say(`Bob <2002> left a 2 s message an hour ago (seeded).`);

    say(`Caller "Alice <2001>" dials the voicemail of ${MAILBOX} (Stasis(${config.apps.vmRecord},${MAILBOX}))`);
    const call = await caller.dial(config.apps.vmRecord, { args: [MAILBOX], callerId: 'Alice <2001>' });
    await call.hears('sound:vm-intro');
    say('Caller hears the greeting: sound:vm-intro ("...please leave your message after the tone...")');
    await call.heardEnd('sound:vm-intro', 20_000);
    const started = await call.next((e) => e.type === 'RecordingStarted', 'the recording to start');
    const name = started.type === 'RecordingStarted' ? started.recording.name : '?';
    say(`Beep. Asterisk records the caller into ${name}`);
    await sleep(600);
    say('Caller speaks for 3 seconds (the script plays sound:tt-monkeys into the call)');
    await call.speak(3);
    say('Caller presses #: stop recording');
    await call.press('#');
    const finished = await call.next((e) => e.type === 'RecordingFinished', 'the recording to finish');
    const seconds = finished.type === 'RecordingFinished' ? finished.recording.duration : undefined;
    await call.hears(`recording:${name}`);
    say(`Caller hears the message played back: recording:${name} (${seconds ?? '?'} s)`);
    await sleep(1500);
    say('Caller presses #: keep it');
    await call.press('#');
    await call.hears('sound:vm-goodbye');
    say('Caller hears: sound:vm-goodbye');
    await call.ended();
    say('The app hangs up.');
    const message = (await app.store.listMessages(MAILBOX)).find((m) => m.recording === name);
    if (!message) throw new Error('the message was not kept');
    say(`Stored: ${path.join(simulator.recordingsDir, `${message.recording}.wav`)}`);
    say(`Database: message ${message.id} in mailbox ${MAILBOX}, from ${message.callerName} <${message.callerNumber}>, ${message.durationSeconds} s, folder "${message.folder}" (${path.join(config.dataDir, 'stasis-flows.db')})`);

    process.stdout.write('\n');
    say(`The owner of ${MAILBOX} dials voicemail (Stasis(${config.apps.vmPlayback},${MAILBOX}))`);
    const owner = await caller.dial(config.apps.vmPlayback, { args: [MAILBOX] });
    await owner.hears('sound:vm-password');
    say(`Owner hears: sound:vm-password. Types the PIN and #`);
    await owner.press(`${PIN}#`);
    await owner.hears('sound:vm-youhave');
    await owner.hears('sound:digits/2');
    say('Owner hears: "You have 2 new messages" (vm-youhave, digits/2, vm-INBOX, vm-messages) and presses # to skip');
    await owner.press('#');
    await owner.hears('sound:vm-message');
    await owner.hears('sound:digits/1');
    say('Owner hears: "Message 1" (vm-message, digits/1), then when and from whom; presses # to skip');
    await owner.press('#');
    const first = await owner.hears(/^recording:/);
    say(`Owner hears message 1 (Bob's): ${first.playback.media_uri}`);
    await sleep(1000);
    say('Owner presses 6: next message');
    await owner.press('6');
    await owner.hears('sound:digits/2');
    await owner.press('#');
    const second = await owner.hears(/^recording:/);
    say(`Owner hears message 2 (Alice's): ${second.playback.media_uri}`);
    await sleep(1000);
    say('Owner presses *: delete it');
    await owner.press('*');
    await owner.hears('sound:vm-message');
    say('The app deletes the recording on Asterisk, then the database row, and goes on to the next message: "Message 1" again');
    await owner.press('#');
    await owner.hears(first.playback.media_uri);
    say('Owner skips the preamble with #, hears Bob\'s message again, and presses #: done');
    await owner.press('#');
    await owner.hears('sound:vm-goodbye');
    await owner.ended();
    say('Owner hears: sound:vm-goodbye. The app hangs up.');
    const left = await app.store.listMessages(MAILBOX);
    const stored = (await caller.ari.recordings.listStored()).map((r) => r.name).filter((n) => n.startsWith(`voicemail/${MAILBOX}/`));
    say(`Left in mailbox ${MAILBOX}: ${left.map((m) => `${m.callerName}'s message (folder "${m.folder}")`).join(', ')}; on Asterisk: ${stored.join(', ')}`);
  } finally {
    await caller.close();
    await app.stop();
    await simulator.close();
  }
  say(`Demo finished. Its files stay in ${tmp} (remove it when done).`);
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
