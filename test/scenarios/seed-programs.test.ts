/**
 * The seeds' own programs, run unchanged: seed 000's Flask IVR ("Dial a
 * chiptune") and seed 004's http.server greeting, as published (only host,
 * port and the tune URLs changed: test/fixtures/programs/), answer the voice
 * API's webhooks while a test caller dials them. What the programs saw is read
 * from their own prints. Runs unchanged wherever test/support/world.ts points ARI.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import type { App } from '../../src/app.js';
import { voiceApiFlow } from '../../src/apps/voice-api/flow.js';
import { runCli } from '../../src/cli/main.js';
import { TestCaller, type TestCall } from '../support/caller.js';
import { ProgramServer } from '../support/program-server.js';
import { eventually, sleep } from '../support/wait.js';
import { startWorld, type World } from '../support/world.js';

const run = promisify(execFile);
const PROGRAMS = fileURLToPath(new URL('../fixtures/programs/', import.meta.url));
const APP = `voice-api-${uuidv4().slice(0, 8)}`;
/** What a rendered prompt (speech or a fetched file) is played as (fact 93). */
const TTS = /^sound:\/.+\/stasis-flows\/tts\/[^/.]+$/;
const FETCHED = /^sound:\/.+\/stasis-flows\/media\/[^/.]+$/;
/** Seed 000's tune files (the names it publishes), with lengths that tell them apart. */
const TUNES = [
  { file: 'Komiku_Sunset_on_the_beach.mp3', seconds: 1, hz: 440 },
  { file: 'Rushjet1_Azureflux_Remix.mp3', seconds: 2, hz: 660 },
  { file: 'Kris_Keyser_Only.mp3', seconds: 3, hz: 880 },
] as const;

/** The first interpreter that runs `check` (Debian's first: a pyenv `python3` on PATH may lack Flask). */
async function findPython(check: string): Promise<string | undefined> {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    try {
      await run(candidate, ['-c', check], { timeout: 10_000 });
      return candidate;
    } catch {
      // not there, or without the module: try the next
    }
  }
  return undefined;
}

const flaskPython = await findPython('import flask');
const plainPython = await findPython('import http.server');
if (!flaskPython) console.warn('seed-programs: skipping seed 000 (chiptune): no python3 that can `import flask` (install python3-flask)');
if (!plainPython) console.warn('seed-programs: skipping seed 004 (greeting): no python3');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** One line a program printed, and when it arrived. */
interface Printed {
  text: string;
  at: number;
}

/** A seed program running as a child process on 127.0.0.1, with what it printed. */
class PythonProgram {
  readonly lines: Printed[] = [];
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    let partial = '';
    const onData = (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) this.lines.push({ text, at: Date.now() });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData); // werkzeug logs requests on stderr: useful when a test fails
    child.once('exit', () => (this.exited = true));
  }

  /** Starts `script` with `HOST PORT` as arguments and waits until it accepts connections. */
  static async start(python: string, script: string, env: Record<string, string> = {}): Promise<PythonProgram> {
    // The port is picked, then bound by the program: another process may take it in between, so retry.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const child = spawn(python, [path.join(PROGRAMS, script), '127.0.0.1', String(port)], {
        // Unbuffered, so each print reaches the test as it happens.
        env: { ...process.env, ...env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const program = new PythonProgram(child, port);
      try {
        await eventually(async () => {
          if (program.exited) throw new Error(`${script} exited: ${program.output()}`);
          return canConnect(port);
        }, `${script} to listen on ${port}`, 15_000, 50);
        return program;
      } catch (err) {
        await program.close();
        if (attempt >= 3) throw err;
      }
    }
  }

  /** An absolute URL on the program. */
  url(pathname: string): string {
    return `http://127.0.0.1:${this.port}${pathname}`;
  }

  output(): string {
    return this.lines.map((l) => l.text).join('\n');
  }

  /** Lines printed from `from` (an index into `lines`) on that match `pattern`. */
  printed(pattern: RegExp, from = 0): Printed[] {
    return this.lines.slice(from).filter((l) => pattern.test(l.text));
  }

  /** Waits until a line from `from` on matches `pattern`. */
  async waitForLine(pattern: RegExp, from = 0, timeoutMs = 15_000): Promise<Printed> {
    await eventually(() => this.printed(pattern, from).length > 0, `the program to print ${String(pattern)} (printed: ${this.output()})`, timeoutMs);
    return this.printed(pattern, from)[0]!;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
  }
}

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

let world: World;
let app: App;
let caller: TestCaller;
/** Serves seed 000's tunes, as raw.githubusercontent.com did. */
let tunes: ProgramServer;

/** Registers an application with the CLI, as an admin would; returns its name. */
async function addApp(answerUrl: string, eventUrl: string): Promise<string> {
  const name = `seed-${uuidv4().slice(0, 8)}`;
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runCli(['voice-app', 'add', name, '--answer-url', answerUrl, '--event-url', eventUrl], { env: { STASIS_FLOWS_DATA_DIR: world.config().dataDir }, stdout, stderr });
  expect(code, stderr.text).toBe(0);
  return name;
}

/** Calls an application as 447700900001, dialling 447700900000. */
async function call(name: string): Promise<TestCall> {
  return caller.dial(APP, { args: [name, '447700900000'], callerId: 'Alice <447700900001>', waitAnswer: false });
}

/** How long the last heard playback of `media` lasted, in seconds. */
function heardSeconds(c: TestCall, media: RegExp): number {
  const item = c.heard.filter((h) => media.test(h.media) && h.finishedAt !== undefined).at(-1);
  if (!item) throw new Error(`never heard ${String(media)} to its end (heard: ${c.heardMedia().join(', ')})`);
  return (item.finishedAt! - item.startedAt) / 1000;
}

/** Waits for the end of the call, which must come right after the last prompt ends (the NCCO is over). */
async function endsAtOnce(c: TestCall): Promise<void> {
  const lastEndedAt = Date.now();
  await c.ended(5000);
  expect(Date.now() - lastEndedAt).toBeLessThan(1500);
}

beforeAll(async () => {
  if (!flaskPython && !plainPython) return;
  world = await startWorld({ writableSounds: true });
  app = await world.startApp([voiceApiFlow], { STASIS_FLOWS_APP_VOICE_API: APP, STASIS_FLOWS_HTTP_PORT: '0' });
  caller = await TestCaller.connect(world);
  tunes = await ProgramServer.start();
  for (const tune of TUNES) {
    const file = path.join(world.tmpDir, tune.file);
    await run('sox', ['-n', '-r', '22050', '-c', '2', file, 'synth', String(tune.seconds), 'sine', String(tune.hz)]);
    const body = await readFile(file);
    tunes.route(`/tunes/${tune.file}`, () => ({ body, headers: { 'Content-Type': 'audio/mpeg' } }));
  }
}, 60_000);

afterAll(async () => {
  await caller?.close();
  await tunes?.close();
  await world?.close();
});

afterEach(async () => {
  if (app) await eventually(() => app.runtime.size === 0, 'every call to be over', 20_000);
});

describe.skipIf(!flaskPython)('seed 000 (dial a chiptune), its Flask program unchanged', () => {
  let program: PythonProgram;
  let name: string;

  beforeAll(async () => {
    program = await PythonProgram.start(flaskPython!, 'chiptune.py', { TUNES_BASE: tunes.url('/tunes') });
    name = await addApp(program.url('/webhooks/answer'), program.url('/webhooks/event'));
  }, 30_000);

  afterAll(async () => {
    await program?.close();
  });

  /** Calls, hears the menu to its end; returns the call and where the program's output stood. */
  async function menu(): Promise<{ c: TestCall; from: number }> {
    const from = program.lines.length;
    const c = await call(name);
    await c.hears(TTS);
    await c.heardEnd(TTS);
    return { c, from };
  }

  /** "Playing tune N" (speech), then the tune (a fetched file), then the hang-up; returns the tune's length heard. */
  async function playsTune(c: TestCall): Promise<number> {
    await c.hears(TTS);
    await c.heardEnd(TTS, 10_000);
    await c.hears(FETCHED, 20_000);
    await c.heardEnd(FETCHED, 20_000);
    await endsAtOnce(c);
    return heardSeconds(c, FETCHED);
  }

  it('menu, key 2 after it: the program prints the caller and TUNE SELECTED = 2, the caller hears "Playing tune 2" and tune 2, then the call ends', async () => {
    const fetchedBefore = tunes.to('/tunes/Rushjet1_Azureflux_Remix.mp3').length;
    const { c, from } = await menu();
    expect(program.printed(/^DIAL_A_CHIP_TUNE CALL FROM: >447700900001<$/, from)).toHaveLength(1);
    await c.pressDelivered('2');
    await program.waitForLine(/^TUNE SELECTED = 2$/, from);
    const seconds = await playsTune(c);
    expect(seconds).toBeGreaterThan(1.5);
    expect(seconds).toBeLessThan(3);
    expect(tunes.to('/tunes/Rushjet1_Azureflux_Remix.mp3').length).toBeGreaterThan(fetchedBefore);
    // Speech, the menu and "Playing tune 2", then the tune: nothing else.
    expect(c.heardMedia().map((m) => (TTS.test(m) ? 'talk' : FETCHED.test(m) ? 'stream' : m))).toEqual(['talk', 'talk', 'stream']);
  });

  it('any other key (7) plays the hidden tune (3 s)', async () => {
    const { c, from } = await menu();
    await c.pressDelivered('7');
    await program.waitForLine(/^TUNE SELECTED = 7$/, from);
    const seconds = await playsTune(c);
    expect(seconds).toBeGreaterThan(2.5);
    expect(seconds).toBeLessThan(4);
    expect(tunes.to('/tunes/Kris_Keyser_Only.mp3').length).toBeGreaterThan(0);
  });

  it('no key: after the 5 s time-out the program gets an empty selection, which plays the hidden tune', async () => {
    const { c, from } = await menu();
    const menuEndedAt = Date.now();
    // The selection is the empty string: the print ends with "= " and the program does not fail.
    const selected = await program.waitForLine(/^TUNE SELECTED = $/, from, 10_000);
    expect(selected.at - menuEndedAt).toBeGreaterThan(4500);
    expect(selected.at - menuEndedAt).toBeLessThan(7000);
    const seconds = await playsTune(c);
    expect(seconds).toBeGreaterThan(2.5);
    expect(seconds).toBeLessThan(4);
    expect(program.printed(/Traceback|Internal Server Error/, from)).toEqual([]);
  });
});

describe.skipIf(!plainPython)('seed 004 (a gentle introduction), its http.server program unchanged', () => {
  let program: PythonProgram;

  beforeAll(async () => {
    program = await PythonProgram.start(plainPython!, 'greeting.py');
    await program.waitForLine(/Server Starts - 127\.0\.0\.1:\d+$/);
  }, 30_000);

  afterAll(async () => {
    await program?.close();
  });

  it('an inbound call hears the greeting (voiceName Russell), is hung up after it, and the program traces to/from and every status, completed last', async () => {
    const name = await addApp(program.url('/answer'), program.url('/event'));
    const from = program.lines.length;
    const c = await call(name);
    await c.hears(TTS);
    await c.heardEnd(TTS, 20_000);
    const spokenFor = heardSeconds(c, TTS);
    expect(spokenFor).toBeGreaterThan(1.5);
    expect(spokenFor).toBeLessThan(10);
    await endsAtOnce(c);
    expect(c.heardMedia()).toHaveLength(1);
    await program.waitForLine(/^TRACE: Message status: completed$/, from, 10_000);
    await sleep(300); // anything posted after completed would show here
    expect(program.printed(/^TRACE: to: 447700900000 from: 447700900001$/, from)).toHaveLength(1);
    const statuses = program.printed(/^TRACE: Message status: /, from).map((l) => l.text.replace('TRACE: Message status: ', ''));
    expect(statuses).toEqual(['started', 'ringing', 'answered', 'completed']);
  });
});
