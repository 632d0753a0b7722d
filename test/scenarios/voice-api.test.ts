/**
 * The voice API (NCCO), from the caller's side and the program's: a program
 * written for Vonage's hosted API (an answer webhook returning NCCO, an event
 * webhook) runs unchanged. Each test registers an application with the CLI,
 * as an admin would, and serves its webhooks from a small server inside the
 * test. Runs unchanged wherever test/support/world.ts points ARI.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import type { App } from '../../src/app.js';
import { voiceApiFlow } from '../../src/apps/voice-api/flow.js';
import { runCli } from '../../src/cli/main.js';
import { verifyWebhookToken } from '../../src/webhooks/client.js';
import { TestCaller, type TestCall } from '../support/caller.js';
import { ProgramServer, type ProgramRequest } from '../support/program-server.js';
import { eventually, sleep } from '../support/wait.js';
import { startWorld, type World } from '../support/world.js';
import { Sink } from '../support/sink.js';

const run = promisify(execFile);
const APP = `voice-api-${uuidv4().slice(0, 8)}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** What a rendered prompt (speech or a fetched file) is played as: an absolute sound path, no extension (fact 93). */
const TTS = /^sound:\/.+\/stasis-flows\/tts\/[^/.]+$/;
const FETCHED = /^sound:\/.+\/stasis-flows\/media\/[^/.]+$/;

let world: World;
let app: App;
let caller: TestCaller;
let program: ProgramServer;
const tunes: Record<string, Buffer> = {};

/** Runs the CLI as an admin would, against the service's data directory. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runCli(argv, { env: { STASIS_FLOWS_DATA_DIR: world.config().dataDir }, stdout, stderr });
  return { code, out: stdout.text, err: stderr.text };
}

/** Registers an application whose webhooks are on the program server; returns its name. */
async function addApp(options: { answer?: string; event?: string; fallback?: string; extra?: string[] } = {}): Promise<string> {
  const name = `app-${uuidv4().slice(0, 8)}`;
  const result = await cli(
    'voice-app', 'add', name,
    '--answer-url', options.answer ?? program.url(`/${name}/answer`),
    '--event-url', options.event ?? program.url(`/${name}/event`),
    ...(options.fallback ? ['--fallback-answer-url', options.fallback] : []),
    ...(options.extra ?? []),
  );
  expect(result.code, result.err).toBe(0);
  expect(result.out).toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
  return name;
}

/** Audio files with lengths that tell them apart (1, 2 and 3 s), as MP3, made with sox. */
async function makeTunes(dir: string): Promise<void> {
  for (const [n, seconds, hz] of [['1', 1, 440], ['2', 2, 660], ['3', 3, 880]] as const) {
    const file = path.join(dir, `tune${n}.mp3`);
    await run('sox', ['-n', '-r', '22050', '-c', '2', file, 'synth', String(seconds), 'sine', String(hz)]);
    tunes[n] = await readFile(file);
  }
}

function serveTunes(): void {
  for (const n of Object.keys(tunes)) program.route(`/tunes/tune${n}.mp3`, () => ({ body: tunes[n]!, headers: { 'Content-Type': 'audio/mpeg' } }));
}

beforeAll(async () => {
  world = await startWorld({ writableSounds: true });
  app = await world.startApp([voiceApiFlow], { STASIS_FLOWS_APP_VOICE_API: APP, STASIS_FLOWS_HTTP_PORT: '0' });
  caller = await TestCaller.connect(world);
  program = await ProgramServer.start();
  await makeTunes(world.tmpDir);
  serveTunes();
}, 60_000);

afterAll(async () => {
  await caller?.close();
  await program?.close();
  await world?.close();
});

afterEach(async () => {
  await eventually(() => app.runtime.size === 0, 'every call to be over', 20_000);
});

/** Calls an application (Stasis(voice-api,<application>[,<to>])). */
async function call(name: string, options: { to?: string; callerId?: string } = {}): Promise<TestCall> {
  return caller.dial(APP, { args: options.to === undefined ? [name] : [name, options.to], callerId: options.callerId ?? 'Alice <447700900001>', waitAnswer: false });
}

/** How long a heard playback lasted, in seconds. */
function heardSeconds(c: TestCall, media: string | RegExp): number {
  const item = c.heard.find((h) => (typeof media === 'string' ? h.media === media : media.test(h.media)) && h.finishedAt !== undefined);
  if (!item) throw new Error(`never heard ${String(media)} to its end (heard: ${c.heardMedia().join(', ')})`);
  return (item.finishedAt! - item.startedAt) / 1000;
}

const statusesOf = (name: string) => program.statuses(`/${name}/event`);
const bodyOf = (r: ProgramRequest) => r.json as Record<string, unknown>;

describe('voice-api: a menu like seed 000 (dial a chiptune)', () => {
  let name: string;
  beforeAll(async () => {
    name = await addApp();
    program.route(`/${name}/answer`, () => ({
      json: [
        { action: 'talk', text: 'Welcome to dial a chiptune. Press 1 or 2.' },
        { action: 'input', maxDigits: 1, timeOut: 5, eventUrl: [program.url(`/${name}/dtmf`)] },
      ],
    }));
    program.route(`/${name}/dtmf`, (r) => {
      const selection = (r.json as { dtmf: string }).dtmf;
      const tune = selection === '1' || selection === '2' ? selection : '3';
      return { json: [{ action: 'talk', text: `Playing tune ${selection}` }, { action: 'stream', streamUrl: [program.url(`/tunes/tune${tune}.mp3`)] }] };
    });
  });

  it('asks the answer URL with to, from, uuid and conversation_uuid, plays the menu, posts the key as a legacy string, plays the chosen tune, hangs up', async () => {
    const before = program.requests.length;
    const c = await call(name, { to: '447700900000' });
    await c.hears(TTS);
    const answer = program.to(`/${name}/answer`).at(-1)!;
    expect(answer.method).toBe('GET');
    expect(answer.query).toMatchObject({ to: '447700900000', from: '447700900001' });
    expect(answer.query.uuid).toMatch(UUID);
    expect(answer.query.conversation_uuid).toMatch(/^CON-[0-9a-f-]{36}$/);
    await c.heardEnd(TTS);
    await c.pressDelivered('2');
    const dtmf = await program.waitFor((r) => r.path === `/${name}/dtmf` && program.requests.indexOf(r) >= before, 'the input result');
    expect(dtmf.headers['content-type']).toMatch(/^application\/json/);
    expect(dtmf.headers['content-length']).toBe(String(Buffer.byteLength(dtmf.raw)));
    expect(bodyOf(dtmf)).toMatchObject({ dtmf: '2', timed_out: false, uuid: answer.query.uuid, conversation_uuid: answer.query.conversation_uuid });
    expect(Date.parse(String(bodyOf(dtmf).timestamp))).not.toBeNaN();
    // "Playing tune 2", then tune 2 (2 s), then the call ends at once.
    await c.hears(TTS);
    await c.hears(FETCHED, 20_000);
    await c.heardEnd(FETCHED, 20_000);
    const endedAt = Date.now();
    await c.ended(5000);
    expect(Date.now() - endedAt).toBeLessThan(1500);
    expect(heardSeconds(c, FETCHED)).toBeGreaterThan(1.5);
    expect(heardSeconds(c, FETCHED)).toBeLessThan(3);
    expect(program.to('/tunes/tune2.mp3').length).toBeGreaterThan(0);
    await program.status('completed', 10_000, `/${name}/event`);
    const statuses = program.to(`/${name}/event`).filter((r) => bodyOf(r).uuid === answer.query.uuid).map((r) => bodyOf(r).status);
    expect(statuses).toEqual(['started', 'ringing', 'answered', 'completed']);
  });

  it('plays the hidden tune for any other key, and ignores keys pressed during the menu prompt', async () => {
    const c = await call(name);
    await c.hears(TTS);
    await c.pressDelivered('1'); // during the talk, which has no bargeIn: not collected
    await c.heardEnd(TTS);
    const from = program.requests.length;
    await c.pressDelivered('9');
    const dtmf = await program.waitFor((r) => r.path === `/${name}/dtmf` && program.requests.indexOf(r) >= from, 'the input result');
    expect(bodyOf(dtmf).dtmf).toBe('9');
    await c.hears(FETCHED, 20_000);
    await c.heardEnd(FETCHED, 20_000);
    expect(heardSeconds(c, FETCHED)).toBeGreaterThan(2.5);
    await c.ended(5000);
  });

  it('uses the dialplan extension as `to` when the dialplan gives none', async () => {
    const c = await call(name);
    await c.hears(TTS);
    expect(program.to(`/${name}/answer`).at(-1)!.query.to).toBe(APP);
    await c.hangup();
    await c.ended();
  });
});

describe('voice-api: a greeting like seed 004', () => {
  it('speaks with a legacy voiceName, posts every status in order with completed last, and hangs up when the NCCO ends', async () => {
    const name = await addApp();
    program.route(`/${name}/answer`, () => ({ json: [{ action: 'talk', voiceName: 'Russell', text: 'Hello world! This message is from my first Nexmo web app.' }] }));
    const c = await call(name);
    await c.hears(TTS);
    await c.heardEnd(TTS, 20_000);
    const spokenFor = heardSeconds(c, TTS);
    expect(spokenFor).toBeGreaterThan(1);
    const endedAt = Date.now();
    await c.ended(5000);
    expect(Date.now() - endedAt).toBeLessThan(1500);
    const completed = await program.status('completed', 10_000, `/${name}/event`);
    expect(statusesOf(name)).toEqual(['started', 'ringing', 'answered', 'completed']);
    const events = program.to(`/${name}/event`).map(bodyOf);
    for (const e of events) {
      expect(e).toMatchObject({ direction: 'inbound', from: '447700900001', to: APP });
      expect(e.uuid).toMatch(UUID);
      expect(Date.parse(String(e.timestamp))).not.toBeNaN();
    }
    expect(new Set(events.map((e) => e.uuid)).size).toBe(1);
    const done = bodyOf(completed);
    expect(Number(done.duration)).toBeGreaterThanOrEqual(Math.floor(spokenFor) - 1);
    expect(Date.parse(String(done.end_time))).toBeGreaterThanOrEqual(Date.parse(String(done.start_time)));
    for (const r of program.to(`/${name}/event`)) expect(r.headers['transfer-encoding']).toBeUndefined();
  });
});

describe('voice-api: input', () => {
  it('posts a timed-out input with empty digits after its time-out, and an empty reply lets the NCCO go on', async () => {
    const name = await addApp();
    program.route(`/${name}/answer`, () => ({
      json: [
        { action: 'input', type: ['dtmf'], dtmf: { maxDigits: 4, timeOut: 1 }, eventUrl: [program.url(`/${name}/input`)] },
        { action: 'stream', streamUrl: [program.url('/tunes/tune1.mp3')] },
      ],
    }));
    program.route(`/${name}/input`, () => ({ status: 200 }));
    const c = await call(name);
    const input = await program.waitFor((r) => r.path === `/${name}/input`, 'the input result', 10_000);
    expect(bodyOf(input)).toMatchObject({ dtmf: { digits: '', timed_out: true } });
    expect(bodyOf(input).status).toBeUndefined();
    await c.hears(FETCHED, 10_000);
    await c.ended(10_000);
  });

  it('restarts the time-out after each key and submits on # (without it)', async () => {
    const name = await addApp();
    program.route(`/${name}/answer`, () => ({ json: [{ action: 'input', type: ['dtmf'], dtmf: { maxDigits: 10, timeOut: 2, submitOnHash: true }, eventUrl: [program.url(`/${name}/input`)] }] }));
    program.route(`/${name}/input`, () => ({ status: 204 }));
    const c = await call(name);
    await program.status('answered', 10_000, `/${name}/event`);
    await sleep(300);
    await c.pressDelivered('1', 0);
    await sleep(1200);
    await c.pressDelivered('2', 0);
    await sleep(1200);
    // 2.4 s after the first key: had the time-out not restarted, it would have fired.
    expect(program.to(`/${name}/input`)).toHaveLength(0);
    await c.pressDelivered('#', 0);
    const input = await program.waitFor((r) => r.path === `/${name}/input`, 'the input result', 5000);
    expect(bodyOf(input)).toMatchObject({ dtmf: { digits: '12', timed_out: false } });
    await c.ended(5000);
  });

  it('with bargeIn, a key stops the talk and counts for the input', async () => {
    const name = await addApp();
    program.route(`/${name}/answer`, () => ({
      json: [
        { action: 'talk', bargeIn: true, text: 'This is a long menu. Press one for sales, two for support, three for the accounts department, or stay on the line for an operator.' },
        { action: 'input', maxDigits: 2, timeOut: 3, eventUrl: [program.url(`/${name}/input`)] },
      ],
    }));
    program.route(`/${name}/input`, () => ({}));
    const c = await call(name);
    await c.hears(TTS);
    await sleep(500);
    await c.press('4');
    await c.heardEnd(TTS, 3000); // cut short: the whole talk lasts several seconds
    expect(heardSeconds(c, TTS)).toBeLessThan(3);
    await c.pressDelivered('2', 0);
    const input = await program.waitFor((r) => r.path === `/${name}/input`, 'the input result', 5000);
    expect(bodyOf(input)).toMatchObject({ dtmf: '42', timed_out: false });
    await c.ended(5000);
  });
});

describe('voice-api: record', () => {
  it('records until the end key, posts the record event, and serves the file at recording_url', async () => {
    const name = await addApp();
    program.route(`/${name}/answer`, () => ({
      json: [{ action: 'record', endOnKey: '#', beepStart: true, format: 'mp3', timeOut: 30, eventUrl: [program.url(`/${name}/record`)] }, { action: 'wait', timeout: 0.5 }],
    }));
    program.route(`/${name}/record`, () => ({}));
    const c = await call(name);
    await c.hears('sound:beep');
    await c.heardEnd('sound:beep');
    await c.speak(2);
    await c.pressDelivered('#', 0);
    const event = bodyOf(await program.waitFor((r) => r.path === `/${name}/record`, 'the record event', 15_000));
    expect(String(event.conversation_uuid)).toMatch(/^CON-/);
    expect(String(event.recording_url)).toMatch(new RegExp(`^${app.http.url.replace(/[.]/g, '\\.')}/v1/files/[0-9a-f-]{36}$`));
    expect(event.recording_uuid).toMatch(UUID);
    const response = await fetch(String(event.recording_url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('audio/mpeg');
    const audio = Buffer.from(await response.arrayBuffer());
    expect(audio.length).toBe(Number(event.size));
    expect(audio.length).toBeGreaterThan(1000);
    await c.ended(5000);
  });
});

describe('voice-api: record in the background', () => {
  it('records beside the rest of the NCCO (prompts are not held up), and reports before completed', async () => {
    const name = await addApp();
    program.route(`/${name}/answer`, () => ({
      json: [
        { action: 'record', format: 'wav', eventUrl: [program.url(`/${name}/record`)] },
        { action: 'stream', streamUrl: [program.url('/tunes/tune2.mp3')] },
        { action: 'wait', timeout: 5 },
      ],
    }));
    program.route(`/${name}/record`, () => ({}));
    const c = await call(name);
    // The stream plays at once: a channel recording would have held it until the recording ended (fact 17).
    await c.hears(FETCHED, 10_000);
    await c.heardEnd(FETCHED, 10_000);
    await c.speak(1);
    await c.hangup();
    const event = await program.waitFor((r) => r.path === `/${name}/record`, 'the record event', 20_000);
    const completed = await program.status('completed', 20_000, `/${name}/event`);
    expect(program.requests.indexOf(event)).toBeLessThan(program.requests.indexOf(completed));
    const response = await fetch(String(bodyOf(event).recording_url));
    expect(response.headers.get('content-type')).toBe('audio/wav');
    const audio = Buffer.from(await response.arrayBuffer());
    // 8 kHz 16-bit: more than two seconds of the call (the tune, then the caller).
    expect(audio.length).toBeGreaterThan(2 * 16_000);
  });
});

describe('voice-api: webhook methods and signing', () => {
  it('with --answer-method POST and --event-method GET, sends the answer as JSON and events as a query string', async () => {
    const name = await addApp({ extra: ['--answer-method', 'POST', '--event-method', 'GET'] });
    program.route(`/${name}/answer`, () => ({ json: [{ action: 'wait', timeout: 0.3 }] }));
    const c = await call(name, { to: '15550100' });
    await c.ended(10_000);
    const answer = program.to(`/${name}/answer`).at(-1)!;
    expect(answer.method).toBe('POST');
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(bodyOf(answer)).toMatchObject({ to: '15550100', from: '447700900001' });
    await program.waitFor((r) => r.path === `/${name}/event` && r.query.status === 'completed', 'completed as a GET', 10_000);
    const events = program.to(`/${name}/event`);
    expect(events.every((r) => r.method === 'GET')).toBe(true);
    expect(events.map((r) => r.query.status)).toEqual(['started', 'ringing', 'answered', 'completed']);
  });

  it('with --signature-secret, signs every request with an HS256 JWT whose payload_hash matches the body', async () => {
    const secret = 'not-a-real-secret-0123456789';
    const name = await addApp({ extra: ['--signature-secret', secret] });
    program.route(`/${name}/answer`, () => ({ json: [{ action: 'wait', timeout: 0.3 }] }));
    const c = await call(name);
    await c.ended(10_000);
    await program.status('completed', 10_000, `/${name}/event`);
    const requests = [...program.to(`/${name}/answer`), ...program.to(`/${name}/event`)];
    expect(requests.length).toBe(5);
    for (const r of requests) {
      const token = /^Bearer (.+)$/.exec(String(r.headers.authorization))?.[1];
      expect(token).toBeDefined();
      expect(await verifyWebhookToken(token!, secret, r.raw)).toBe(true);
      expect(await verifyWebhookToken(token!, 'another-secret-0123456789', r.raw)).toBe(false);
    }
  });
});

describe('voice-api: notify and wait', () => {
  it('a notify reply replaces the rest of the NCCO', async () => {
    const name = await addApp();
    program.route(`/${name}/answer`, () => ({
      json: [
        { action: 'notify', payload: { step: 'menu' }, eventUrl: [program.url(`/${name}/notify`)] },
        { action: 'stream', streamUrl: [program.url('/tunes/tune3.mp3')] },
      ],
    }));
    program.route(`/${name}/notify`, () => ({ json: [{ action: 'wait', timeout: 0.2 }, { action: 'stream', streamUrl: [program.url('/tunes/tune1.mp3')] }] }));
    const c = await call(name);
    const notify = await program.waitFor((r) => r.path === `/${name}/notify`, 'the notify', 10_000);
    expect(JSON.stringify(notify.json)).toContain('"step":"menu"');
    await c.hears(FETCHED, 10_000);
    await c.ended(10_000);
    // Only the replacement played: tune 1 (1 s), never tune 3 (3 s).
    expect(c.heardMedia().filter((m) => FETCHED.test(m))).toHaveLength(1);
    expect(heardSeconds(c, FETCHED)).toBeLessThan(2);
  });
});

describe('voice-api: what goes wrong', () => {
  it('rejects an invalid NCCO before anything plays: one error, a failed event with the reason, an error prompt, hang-up', async () => {
    const name = await addApp();
    program.route(`/${name}/answer`, () => ({ json: [{ action: 'talk', text: 'fine' }, { action: 'input', maxDigits: 'four' }] }));
    const c = await call(name);
    const failed = bodyOf(await program.status('failed', 10_000, `/${name}/event`));
    expect(String(failed.reason)).toMatch(/1/);
    expect(String(failed.reason)).toMatch(/maxDigits/);
    await c.ended(15_000);
    expect(c.heardMedia().some((m) => TTS.test(m))).toBe(false);
    expect(c.heardMedia().length).toBeGreaterThan(0);
    await program.status('completed', 10_000, `/${name}/event`);
  });

  it('a call naming an unknown application hears ss-noservice and is hung up', async () => {
    const c = await call(`missing-${uuidv4().slice(0, 6)}`);
    await c.hears('sound:ss-noservice', 10_000);
    await c.ended(15_000);
  });

  it('an answer URL that answers 500 falls back to the fallback answer URL', async () => {
    const name = `fb-${uuidv4().slice(0, 8)}`;
    await addAppNamed(name, { fallback: program.url(`/${name}/fallback`) });
    program.route(`/${name}/answer`, () => ({ status: 500, body: 'boom' }));
    program.route(`/${name}/fallback`, () => ({ json: [{ action: 'stream', streamUrl: [program.url('/tunes/tune1.mp3')] }] }));
    const c = await call(name);
    await c.hears(FETCHED, 10_000);
    const fallback = program.to(`/${name}/fallback`).at(-1)!;
    const data = { ...fallback.query, ...(fallback.json as object | undefined) } as Record<string, unknown>;
    expect(data.uuid).toMatch(UUID);
    expect(data.reason).toBeDefined();
    await c.ended(10_000);
  });

  it('an answer URL that times out is tried again, then the fallback is used', async () => {
    const name = `fbt-${uuidv4().slice(0, 8)}`;
    await addAppNamed(name, { fallback: program.url(`/${name}/fallback`) });
    program.route(`/${name}/answer`, () => ({ hang: true }));
    program.route(`/${name}/fallback`, () => ({ json: [{ action: 'stream', streamUrl: [program.url('/tunes/tune1.mp3')] }] }));
    const c = await call(name);
    await c.hears(FETCHED, 25_000);
    expect(program.to(`/${name}/answer`)).toHaveLength(2);
    await c.ended(10_000);
  }, 40_000);

  it('an event URL that is down does not stop the call', async () => {
    const name = await addApp({ event: 'http://127.0.0.1:9/down' });
    program.route(`/${name}/answer`, () => ({
      json: [
        { action: 'stream', streamUrl: [program.url('/tunes/tune1.mp3')] },
        { action: 'input', maxDigits: 1, timeOut: 3, eventUrl: [program.url(`/${name}/input`)] },
      ],
    }));
    program.route(`/${name}/input`, () => ({ json: [{ action: 'stream', streamUrl: [program.url('/tunes/tune1.mp3')] }] }));
    const c = await call(name);
    await c.heardEnd(FETCHED, 10_000);
    await c.pressDelivered('5', 0);
    expect(bodyOf(await program.waitFor((r) => r.path === `/${name}/input`, 'the input result', 10_000)).dtmf).toBe('5');
    await c.hears(FETCHED, 10_000);
    await c.ended(10_000);
  });
});

async function addAppNamed(name: string, options: { fallback?: string } = {}): Promise<void> {
  const result = await cli(
    'voice-app', 'add', name,
    '--answer-url', program.url(`/${name}/answer`),
    '--event-url', program.url(`/${name}/event`),
    ...(options.fallback ? ['--fallback-answer-url', options.fallback] : []),
  );
  expect(result.code, result.err).toBe(0);
}
