/**
 * `npm run demo:ivr`: a voice-API program written for Vonage runs on
 * stasis-flows, no Asterisk needed. Starts the ARI simulator, the service, and
 * a small webhook server playing seed 000's "dial a chiptune" program (an
 * answer URL returning NCCO, an input eventUrl, an event URL); registers it
 * with the `voice-app` CLI; then a simulated caller dials in, hears the menu,
 * presses 2 and hears tune 2. Every webhook request and everything heard is
 * printed as it happens.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startApp } from '../../src/app.js';
import { voiceApiFlow } from '../../src/apps/voice-api/flow.js';
import { runCli } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startSimulator } from '../../src/simulator/index.js';
import { TestCaller } from '../support/caller.js';
import { ProgramServer } from '../support/program-server.js';
import type { World } from '../support/world.js';
import { Sink } from '../support/sink.js';

const t0 = Date.now();
const say = (text: string) => process.stdout.write(`${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s  ${text}\n`);
const run = promisify(execFile);

/** Seed 000's program: a menu, one key with a 5 s time-out, a tune per key, a hidden tune for any other key. */
function chiptuneProgram(program: ProgramServer): void {
  const tune = (n: string) => [program.url(`/tunes/tune${n}.mp3`)];
  program.route('/webhooks/answer', (r) => {
    say(`   [program] answer webhook: call from ${r.query.from} to ${r.query.to} (uuid ${r.query.uuid})`);
    return {
      json: [
        { action: 'talk', text: 'Welcome to dial a chiptune. Press 1 or 2.' },
        { action: 'input', maxDigits: 1, timeOut: 5, eventUrl: [program.url('/webhooks/dtmf')] },
      ],
    };
  });
  program.route('/webhooks/dtmf', (r) => {
    const selection = (r.json as { dtmf: string }).dtmf;
    say(`   [program] TUNE SELECTED = ${selection}`);
    const chosen = selection === '1' || selection === '2' ? selection : '3';
    return { json: [{ action: 'talk', text: `Playing tune ${selection}` }, { action: 'stream', streamUrl: tune(chosen) }] };
  });
  program.route('/webhooks/event', (r) => {
    say(`   [program] event: status ${(r.json as { status?: string }).status ?? '?'}`);
    return { status: 200 };
  });
}

/** What a played media URI is, for a person: speech, or the URL a fetched file came from. */
async function describe(media: string, dataDir: string): Promise<string> {
  const tts = /\/stasis-flows\/tts\/([^/]+)$/.exec(media);
  if (tts) return 'speech (espeak-ng)';
  const fetched = /\/stasis-flows\/media\/([^/]+)$/.exec(media);
  if (fetched) {
    try {
      const note = JSON.parse(await readFile(path.join(dataDir, 'media-cache', 'media', `${fetched[1]}.json`), 'utf8')) as { url?: string };
      return `audio fetched from ${note.url ?? '?'}`;
    } catch {
      return 'fetched audio';
    }
  }
  return media;
}

async function main(): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'stasis-flows-demo-ivr-'));
  const recordingsDir = path.join(tmp, 'recording');
  const soundsDir = path.join(tmp, 'sounds');
  const dataDir = path.join(tmp, 'data');
  await mkdir(recordingsDir);
  await mkdir(soundsDir);
  const simulator = await startSimulator({ recordingsDir });
  const program = await ProgramServer.start();
  chiptuneProgram(program);
  for (const [n, seconds, hz] of [['1', 2, 440], ['2', 3, 660], ['3', 2, 880]] as const) {
    const file = path.join(tmp, `tune${n}.mp3`);
    await run('sox', ['-n', '-r', '22050', '-c', '2', file, 'synth', String(seconds), 'square', String(hz), 'vol', '0.3']);
    const body = await readFile(file);
    program.route(`/tunes/tune${n}.mp3`, () => {
      say(`   [program] GET /tunes/tune${n}.mp3`);
      return { body, headers: { 'Content-Type': 'audio/mpeg' } };
    });
  }

  const env = { ARI_URL: simulator.url, ARI_USERNAME: 'asterisk', ARI_PASSWORD: 'asterisk', STASIS_FLOWS_DATA_DIR: dataDir, ASTERISK_SOUNDS_DIR: soundsDir, STASIS_FLOWS_HTTP_PORT: '0' };
  const config = loadConfig(env);
  const app = await startApp({ config, log: createLogger({ level: process.env.DEMO_LOG === 'debug' ? 'debug' : 'error', silent: process.env.DEMO_LOG !== 'debug' }), flows: [voiceApiFlow] });
  const out = new Sink();
  const err = new Sink();
  const argv = ['voice-app', 'add', 'chiptune', '--answer-url', program.url('/webhooks/answer'), '--event-url', program.url('/webhooks/event')];
  if ((await runCli(argv, { env, stdout: out, stderr: err })) !== 0) throw new Error(err.text);
  say(`ARI simulator on ${simulator.url}; service HTTP API on ${app.http.url}; program on ${program.base}`);
  say(`$ stasis-flows ${argv.join(' ')}`);
  for (const line of out.text.trim().split('\n').slice(0, 1)) say(`  ${line}`);

  const world = { ariUrl: simulator.url, username: 'asterisk', password: 'asterisk', log: createLogger({ level: 'error', silent: true }) } as World;
  const caller = await TestCaller.connect(world);
  try {
    say(`Caller "Alice <447700900001>" dials; the dialplan runs Stasis(${config.apps.voiceApi},chiptune,447700900000)`);
    const call = await caller.dial(config.apps.voiceApi, { args: ['chiptune', '447700900000'], callerId: 'Alice <447700900001>', waitAnswer: false });
    const menu = await call.hears(/^sound:/, 20_000);
    say(`Caller hears ${await describe(menu.playback.media_uri, dataDir)}: "Welcome to dial a chiptune. Press 1 or 2."`);
    await call.heardEnd(menu.playback.media_uri, 20_000);
    say('Caller presses 2');
    await call.press('2');
    const confirm = await call.hears(/^sound:/, 20_000);
    say(`Caller hears ${await describe(confirm.playback.media_uri, dataDir)}: "Playing tune 2"`);
    await call.heardEnd(confirm.playback.media_uri, 20_000);
    const tune = await call.hears(/^sound:/, 20_000);
    say(`Caller hears ${await describe(tune.playback.media_uri, dataDir)}`);
    await call.heardEnd(tune.playback.media_uri, 30_000);
    say('The tune ends: the NCCO is over, so the service hangs up');
    await call.ended(10_000);
    await program.status('completed', 10_000, '/webhooks/event');
    const statuses = program.statuses('/webhooks/event');
    say(`Events the program got, in order: ${statuses.join(', ')}`);
    const dtmf = program.to('/webhooks/dtmf').at(0);
    if (dtmf) say(`The input result it got: ${dtmf.raw}`);
  } finally {
    await caller.close();
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
