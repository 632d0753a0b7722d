/**
 * Test helpers for the simulator: a simulator started on a test dialplan and a sounds
 * directory laid out like Asterisk's (real Debian prompts when installed, otherwise
 * synthetic files of the same lengths), plain `fetch` for REST, and `ws` for events.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { encodeWav, tone } from '../../src/simulator/media/audio.js';
import { ManualClock, startSimulator } from '../../src/simulator/index.js';
import type { Simulator } from '../../src/simulator/index.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const transcriptsDir = resolve(repoRoot, '../shared/ari-transcripts');
export const haveTranscripts = existsSync(transcriptsDir);
export const fixtureDialplan = join(repoRoot, 'test/simulator/fixtures/extensions.conf');

let warned = false;
/** Says once why the fidelity tests are skipped (a clone without ../shared). */
export function warnIfNoTranscripts(): void {
  if (!haveTranscripts && !warned) {
    warned = true;
    console.warn(`ARI fidelity tests skipped: ${transcriptsDir} (the recorded Asterisk transcripts) is not there.`);
  }
}

/** One line of a transcript (`*.jsonl`). */
export interface TranscriptLine {
  t: number;
  kind: string;
  seq?: number;
  method?: string;
  path?: string;
  status?: number;
  body?: unknown;
  type?: string;
  app?: string;
  event?: Record<string, unknown>;
}

/** Reads a transcript file. */
export function transcript(name: string): TranscriptLine[] {
  return readFileSync(join(transcriptsDir, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as TranscriptLine);
}

/** The response the transcript recorded for the first request whose path matches. */
export function recordedResponse(name: string, method: string, path: RegExp): TranscriptLine {
  const lines = transcript(name);
  const req = lines.find((l) => l.kind === 'req' && l.method === method && path.test(l.path ?? ''));
  const res = lines.find((l) => l.kind === 'res' && l.seq === req?.seq);
  if (res === undefined) throw new Error(`no recorded ${method} ${String(path)} in ${name}`);
  return res;
}

const SYSTEM_SOUNDS = '/usr/share/asterisk/sounds/en';

/** Sounds used by the tests, with their real lengths (seconds) for when the system has none. */
const SOUNDS: Record<string, number> = {
  'vm-intro': 5.654375,
  beep: 0.4255,
  'vm-nomore': 1.67825,
  'vm-youhave': 0.906625,
  'vm-messages': 1.0715,
  'tt-monkeys': 16.18,
  'silence/10': 10,
  'digits/0': 0.87475,
  'digits/1': 0.7,
  'digits/2': 0.74725,
  'digits/3': 0.83825,
  'digits/4': 0.75,
  'digits/5': 0.820125,
  'digits/40': 0.947625,
  'letters/a': 0.61475,
  'letters/b': 0.741375,
};

/** Builds a sounds directory `<dir>/en/<id>.wav` (+ `.gsm` twins for a few, as on the recorded system). */
export function makeSoundsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ari-sim-sounds-'));
  for (const [id, seconds] of Object.entries(SOUNDS)) {
    const path = join(dir, 'en', `${id}.wav`);
    mkdirSync(dirname(path), { recursive: true });
    const system = join(SYSTEM_SOUNDS, `${id}.wav`);
    if (existsSync(system)) copyFileSync(system, path);
    else writeFileSync(path, encodeWav(id.startsWith('silence/') ? new Int16Array(Math.round(seconds * 8000)) : tone(Math.round(seconds * 8000))));
  }
  for (const id of ['vm-intro', 'beep', 'digits/4']) {
    const seconds = SOUNDS[id] ?? 1;
    writeFileSync(join(dir, 'en', `${id}.gsm`), Buffer.alloc(Math.floor((seconds * 1000) / 20) * 33));
  }
  return dir;
}

/** A music-on-hold directory with one 30 s tone. */
export function makeMohDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ari-sim-moh-'));
  writeFileSync(join(dir, 'default-tone.wav'), encodeWav(tone(30 * 8000, 5000, 330)));
  return dir;
}

/** An event as received on the WebSocket. */
export interface AriEvent {
  type: string;
  application: string;
  timestamp: string;
  [key: string]: unknown;
}

/** Milliseconds of an Asterisk timestamp (`2026-11-22T09:08:04.935+0000`). */
export function eventTime(e: AriEvent): number {
  return Date.parse(e.timestamp.replace('+0000', 'Z'));
}

/** The id of the channel, playback or recording an event is about. */
export function subject(e: AriEvent): string | undefined {
  const obj = (e['channel'] ?? e['playback'] ?? e['recording'] ?? e['peer'] ?? e['bridge']) as { id?: string; name?: string } | undefined;
  return obj?.id ?? obj?.name;
}

/** Events received on one WebSocket. */
export class EventLog {
  readonly events: AriEvent[] = [];
  private waiters: { pred: (e: AriEvent) => boolean; resolve: (e: AriEvent) => void }[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const e = JSON.parse(data.toString('utf8')) as AriEvent;
      this.events.push(e);
      for (const w of [...this.waiters]) {
        if (w.pred(e)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    });
  }

  /** A position in the log, to look only at later events. */
  mark(): number {
    return this.events.length;
  }

  /** Events since a mark, optionally of one type and app. */
  since(mark: number, type?: string, app?: string): AriEvent[] {
    return this.events.slice(mark).filter((e) => (type === undefined || e.type === type) && (app === undefined || e.application === app));
  }

  /** The first event (already received, or still to come after `from`) matching `pred`. */
  waitFor(pred: (e: AriEvent) => boolean, from = 0, timeoutMs = 3000): Promise<AriEvent> {
    const seen = this.events.slice(from).find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolvePromise, reject) => {
      const waiter = { pred, resolve: (e: AriEvent) => {
        clearTimeout(timer);
        resolvePromise(e);
      } };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no matching event within ${timeoutMs} ms; got ${this.events.slice(from).map((x) => `${x.application}:${x.type}`).join(', ')}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Waits for an event of `type` (for `app`, about `id` when given). */
  wait(type: string, app?: string, id?: string, from = 0): Promise<AriEvent> {
    return this.waitFor((e) => e.type === type && (app === undefined || e.application === app) && (id === undefined || subject(e) === id), from);
  }

  /** Lets in-flight WebSocket messages arrive. */
  async settle(ms = 30): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
  }

  close(): void {
    this.ws.close();
  }
}

/** A REST reply. */
export interface AriReply {
  status: number;
  body: unknown;
  text: string;
  headers: Headers;
}

/** Basic auth for the simulator's ARI user. */
export const AUTH = `Basic ${Buffer.from('asterisk:asterisk').toString('base64')}`;

/** A simulator for a test file, with REST and WebSocket helpers. */
export class TestAri {
  private readonly sockets: EventLog[] = [];
  private readonly dirs: string[] = [];

  private constructor(
    readonly sim: Simulator,
    readonly clock: ManualClock,
    readonly soundsDir: string,
    dirs: string[],
  ) {
    this.dirs = dirs;
  }

  /**
   * Starts a simulator on a manual clock (`recordingsDir` overrides the fresh one made for it;
   * `clockStart`, epoch ms, the clock's start, e.g. a transcript's own wall-clock time).
   */
  static async start(options: { recordingsDir?: string; clockStart?: number } = {}): Promise<TestAri> {
    const soundsDir = makeSoundsDir();
    const mohDir = makeMohDir();
    const recordingsDir = options.recordingsDir ?? mkdtempSync(join(tmpdir(), 'ari-sim-rec-'));
    const clock = new ManualClock(options.clockStart);
    const sim = await startSimulator({ clock, soundsDir, mohDir, recordingsDir, dialplan: fixtureDialplan });
    return new TestAri(sim, clock, soundsDir, [soundsDir, mohDir, recordingsDir]);
  }

  get url(): string {
    return this.sim.url;
  }

  /** A REST request to `/ari<path>` with basic auth (unless `auth` is false). */
  async req(method: string, path: string, body?: unknown, auth = true): Promise<AriReply> {
    const headers: Record<string, string> = {};
    if (auth) headers['authorization'] = AUTH;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.sim.url}/ari${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = null;
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  }

  /** Opens the event WebSocket, as the transcripts did (`app=driver,target`, api_key). */
  async connect(apps = 'driver,target', extra = ''): Promise<EventLog> {
    const ws = new WebSocket(`${this.sim.url.replace('http', 'ws')}/ari/events?app=${apps}&api_key=asterisk:asterisk${extra}`);
    const log = new EventLog(ws);
    await new Promise<void>((resolveOpen, reject) => {
      ws.once('open', () => resolveOpen());
      ws.once('error', reject);
    });
    this.sockets.push(log);
    return log;
  }

  /**
   * A test call as in the transcripts: originate `Local/100@trace/n` into driver with
   * TARGET_APP=target, wait for target's StasisStart, answer, wait for driver's.
   */
  async call(events: EventLog, tag: string): Promise<{ drv: string; tgt: string }> {
    const drv = `${tag}-drv`;
    const tgt = `${tag}-tgt`;
    const from = events.mark();
    const res = await this.req('POST', `/channels?endpoint=Local/100@trace/n&app=driver&channelId=${drv}&otherChannelId=${tgt}`, { variables: { TARGET_APP: 'target' } });
    if (res.status !== 200) throw new Error(`originate failed: ${res.status} ${res.text}`);
    await events.wait('StasisStart', 'target', tgt, from);
    await this.req('POST', `/channels/${tgt}/answer`);
    await events.wait('StasisStart', 'driver', drv, from);
    return { drv, tgt };
  }

  /** Advances the simulator's clock, then lets the events arrive. */
  async advance(ms: number): Promise<void> {
    await this.clock.advance(ms);
    await new Promise((r) => setTimeout(r, 20));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.close();
    await this.sim.close();
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}
