/**
 * What every voice-API scenario needs: a world with the voice-api flow
 * running, a test caller, the customer's program (a webhook server inside
 * the test), the admin's CLI, and audio files told apart by their length.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { v4 as uuidv4 } from 'uuid';
import type { App } from '../../src/app.js';
import { voiceApiFlow } from '../../src/apps/voice-api/flow.js';
import { runCli } from '../../src/cli/main.js';
import { TestCall, TestCaller } from './caller.js';
import { ProgramServer } from './program-server.js';
import { Sink } from './sink.js';
import { startWorld, type World } from './world.js';

const run = promisify(execFile);

/** A rendered speech prompt as it is played: an absolute sound path, no extension (fact 93). */
export const TTS = /^sound:\/.+\/stasis-flows\/tts\/[^/.]+$/;
/** A fetched audio file as it is played. */
export const FETCHED = /^sound:\/.+\/stasis-flows\/media\/[^/.]+$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A running voice-API setup. */
export interface VoiceSetup {
  readonly world: World;
  readonly app: App;
  /** The Stasis app name of the voice API in this run. */
  readonly stasisApp: string;
  readonly caller: TestCaller;
  readonly program: ProgramServer;
  /** Runs the CLI against the service's data directory. */
  cli(...argv: string[]): Promise<{ code: number; out: string; err: string }>;
  /** Registers an application whose webhooks are `/<name>/answer` and `/<name>/event` on the program server; returns its name and id. */
  addApp(options?: { event?: string; extra?: string[] }): Promise<{ name: string; id: string; /** What `voice-app add` printed. */ out: string }>;
  /** URL of tune 1, 2 or 3 (1, 2, 3 s long) on the program server. */
  tune(n: 1 | 2 | 3): string;
  /** URL of a 10 s hum quieter than talking on the program server (a prompt that plays, not heard as talking). */
  readonly quiet: string;
  /** Calls an application (`Stasis(voice-api,<application>[,<to>])`). */
  call(name: string, options?: { to?: string; callerId?: string }): Promise<TestCall>;
  close(): Promise<void>;
}

/** Starts a world with the voice-api flow, a caller, and the program's server. */
export async function startVoiceWorld(env: Record<string, string> = {}): Promise<VoiceSetup> {
  const world = await startWorld({ writableSounds: true });
  const stasisApp = `voice-api-${uuidv4().slice(0, 8)}`;
  const app = await world.startApp([voiceApiFlow], { STASIS_FLOWS_APP_VOICE_API: stasisApp, ...env });
  const caller = await TestCaller.connect(world);
  const program = await ProgramServer.start();
  for (const [n, seconds, hz] of [[1, 1, 440], [2, 2, 660], [3, 3, 880]] as const) {
    const file = path.join(world.tmpDir, `tune${n}.mp3`);
    await run('sox', ['-n', '-r', '22050', '-c', '2', file, 'synth', String(seconds), 'sine', String(hz)]);
    const body = await readFile(file);
    program.route(`/tunes/tune${n}.mp3`, () => ({ body, headers: { 'Content-Type': 'audio/mpeg' } }));
  }
  // 10 s of a hum at about -50 dBFS: a prompt that plays (frames flow) but is quieter than
  // talking (silence detection's threshold is an average of 256), yet not refused as silent.
  const quiet = path.join(world.tmpDir, 'quiet10.mp3');
  await run('sox', ['-n', '-r', '22050', '-c', '1', quiet, 'synth', '10', 'sine', '440', 'vol', '0.003']);
  const quietBody = await readFile(quiet);
  program.route('/tunes/quiet10.mp3', () => ({ body: quietBody, headers: { 'Content-Type': 'audio/mpeg' } }));
  const cli = async (...argv: string[]) => {
    const stdout = new Sink();
    const stderr = new Sink();
    const code = await runCli(argv, { env: { STASIS_FLOWS_DATA_DIR: world.config().dataDir }, stdout, stderr });
    return { code, out: stdout.text, err: stderr.text };
  };
  return {
    world,
    app,
    stasisApp,
    caller,
    program,
    cli,
    async addApp(options = {}) {
      const name = `app-${uuidv4().slice(0, 8)}`;
      const result = await cli('voice-app', 'add', name, '--answer-url', program.url(`/${name}/answer`), '--event-url', options.event ?? program.url(`/${name}/event`), ...(options.extra ?? []));
      const id = /application_id ([0-9a-f-]{36})/.exec(result.out)?.[1];
      if (result.code !== 0 || id === undefined) throw new Error(`voice-app add failed (${result.code}): ${result.err}`);
      return { name, id, out: result.out };
    },
    tune: (n) => program.url(`/tunes/tune${n}.mp3`),
    quiet: program.url('/tunes/quiet10.mp3'),
    call: (name, options = {}) =>
      caller.dial(stasisApp, { args: options.to === undefined ? [name] : [name, options.to], callerId: options.callerId ?? 'Alice <447700900001>', waitAnswer: false }),
    async close() {
      await caller.close();
      await program.close();
      await world.close();
    },
  };
}

/** Writes a PEM to a file in the world's scratch directory (for `--public-key`). */
export async function writePem(world: World, pem: string): Promise<string> {
  const file = path.join(world.tmpDir, `key-${uuidv4().slice(0, 8)}.pem`);
  await writeFile(file, pem);
  return file;
}

/** How long a heard playback lasted, in seconds. */
export function heardSeconds(c: TestCall, media: string | RegExp): number {
  const item = c.heard.find((h) => (typeof media === 'string' ? h.media === media : media.test(h.media)) && h.finishedAt !== undefined);
  if (!item) throw new Error(`never heard ${String(media)} to its end (heard: ${c.heardMedia().join(', ')})`);
  return (item.finishedAt! - item.startedAt) / 1000;
}

/**
 * Answers a call ringing a test phone (`TestCaller.connectPhone`) and follows
 * it like a dialled call: the phone's half is the one it answers; the
 * service's half is found by its Local channel name and subscribed to, so
 * what is played to the phone is heard (`TestCall.heard`) as for a caller.
 */
export async function answerPhone(phone: TestCaller, timeoutMs = 15_000): Promise<TestCall> {
  const phoneHalf = await phone.answerIncoming(timeoutMs);
  const channel = await phone.ari.channels.get(phoneHalf);
  const serviceName = channel.name.replace(/;2$/, ';1');
  const service = (await phone.ari.channels.list()).find((c) => c.name === serviceName);
  if (!service) throw new Error(`no channel ${serviceName} for the phone's call`);
  await phone.ari.applications.subscribe(phone.app, `channel:${service.id}`);
  return new TestCall(phone.ari, phoneHalf, service.id);
}
