/**
 * `npm run demo`: a newcomer's tour, no Asterisk needed. Starts the ARI
 * simulator, the app, and a scripted caller who leaves a voicemail message,
 * printing each step a person would follow: the state the call is in, what is
 * heard, which key is pressed, and where the message ends up.
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
import { TestCaller } from '../support/caller.js';
import type { World } from '../support/world.js';

const MAILBOX = '305';
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
  const config = loadConfig({ ARI_URL: simulator.url, ARI_USERNAME: 'asterisk', ARI_PASSWORD: 'asterisk', STASIS_FLOWS_DATA_DIR: path.join(tmp, 'data'), STASIS_FLOWS_VM_REVIEW_TIMEOUT_MS: '3000' });
  const log = createLogger({ level: 'info', stream: stateNarrator() });
  const app = await startApp({ config, log, flows: productFlows });
  await app.store.addMailbox({ id: MAILBOX, name: 'Front desk' });
  say(`ARI simulator on ${simulator.url}; app "${config.apps.vmRecord}" registered; mailbox ${MAILBOX} "Front desk" created`);

  const world = { ariUrl: simulator.url, username: 'asterisk', password: 'asterisk', log: createLogger({ level: 'error', silent: true }) } as World;
  const caller = await TestCaller.connect(world);
  try {
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
    const [message] = await app.store.listMessages(MAILBOX);
    if (!message) throw new Error('the message was not kept');
    say(`Stored: ${path.join(simulator.recordingsDir, `${message.recording}.wav`)}`);
    say(`Database: message ${message.id} in mailbox ${MAILBOX}, from ${message.callerName} <${message.callerNumber}>, ${message.durationSeconds} s, folder "${message.folder}" (${path.join(config.dataDir, 'stasis-flows.db')})`);
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
