/**
 * The voice API's `conversation` (NCCO.md 2.5), from the callers' side and
 * the program's, as seed 002 uses it: a caller waits with hold music in a
 * recorded conversation until a starting member joins; then they hear each
 * other; when the member with endOnExit hangs up, the caller's NCCO goes on
 * (here: nothing, so it is hung up) and the recording's event arrives with a
 * URL to download it. Same world, app and program server as voice-api.test.ts;
 * runs unchanged wherever test/support/world.ts points ARI.
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
import { TestCaller, type TestCall } from '../support/caller.js';
import { ProgramServer, type ProgramRequest } from '../support/program-server.js';
import { eventually, sleep } from '../support/wait.js';
import { startWorld, type World } from '../support/world.js';
import { Sink } from '../support/sink.js';

const run = promisify(execFile);
const APP = `voice-api-${uuidv4().slice(0, 8)}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A fetched file as it is played: an absolute sound path, no extension (fact 93). */
const FETCHED = /^sound:\/.+\/stasis-flows\/media\/[^/.]+$/;
const ALICE = 'Alice <447700900001>';
const BOB = 'Bob <447700900002>';

let world: World;
let app: App;
let caller: TestCaller;
let program: ProgramServer;
let holdMusic: Buffer;

/** Runs the CLI as an admin would, against the service's data directory. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runCli(argv, { env: { STASIS_FLOWS_DATA_DIR: world.config().dataDir }, stdout, stderr });
  return { code, out: stdout.text, err: stderr.text };
}

/** Registers an application whose webhooks are on the program server; returns its name. */
async function addApp(): Promise<string> {
  const name = `app-${uuidv4().slice(0, 8)}`;
  const result = await cli('voice-app', 'add', name, '--answer-url', program.url(`/${name}/answer`), '--event-url', program.url(`/${name}/event`));
  expect(result.code, result.err).toBe(0);
  return name;
}

/** Calls an application (Stasis(voice-api,<application>)). */
async function call(name: string, callerId: string): Promise<TestCall> {
  return caller.dial(APP, { args: [name], callerId, waitAnswer: false });
}

/** Answers each caller (by number) with its own NCCO. */
function answerBy(name: string, byNumber: Record<string, unknown[]>): void {
  program.route(`/${name}/answer`, (r) => ({ json: byNumber[String(r.query.from)] ?? [] }));
}

const bodyOf = (r: ProgramRequest) => r.json as Record<string, unknown>;

/** `speaker` talks for `seconds` while `listener` listens: what the listener heard. */
async function overhear(speaker: TestCall, listener: TestCall, seconds = 2): Promise<number> {
  const [heard] = await Promise.all([listener.listen(seconds), speaker.speak(seconds)]);
  return heard.talkingSeconds;
}

beforeAll(async () => {
  world = await startWorld({ writableSounds: true });
  app = await world.startApp([voiceApiFlow], { STASIS_FLOWS_APP_VOICE_API: APP, STASIS_FLOWS_HTTP_PORT: '0' });
  caller = await TestCaller.connect(world);
  program = await ProgramServer.start();
  // Hold music long enough to loop a few times only if something is wrong: 3 s of 440 Hz.
  const file = path.join(world.tmpDir, 'hold.mp3');
  await run('sox', ['-n', '-r', '22050', '-c', '1', file, 'synth', '3', 'sine', '440']);
  holdMusic = await readFile(file);
  program.route('/music/hold.mp3', () => ({ body: holdMusic, headers: { 'Content-Type': 'audio/mpeg' } }));
}, 60_000);

afterAll(async () => {
  await caller?.close();
  await program?.close();
  await world?.close();
});

afterEach(async () => {
  await eventually(() => app.runtime.size === 0, 'every call to be over', 20_000);
});

describe('voice-api: conversation like seed 002 (a recorded hotline)', () => {
  it('holds the caller with music until staff join, lets them talk, ends with the staff, and posts the recording', async () => {
    const name = await addApp();
    const room = `hotline-${uuidv4().slice(0, 8)}`;
    answerBy(name, {
      '447700900001': [
        {
          action: 'conversation',
          name: room,
          startOnEnter: false,
          endOnExit: false,
          record: true,
          musicOnHoldUrl: [program.url('/music/hold.mp3')],
          eventUrl: [program.url(`/${name}/recording`)],
          eventMethod: 'POST',
        },
      ],
      '447700900002': [{ action: 'conversation', name: room, startOnEnter: true, endOnExit: true }],
    });
    program.route(`/${name}/recording`, () => ({}));

    const alice = await call(name, ALICE);
    // The hold music: the fetched file, played on Alice's channel.
    await alice.hears(FETCHED, 15_000);
    expect(program.to('/music/hold.mp3').length).toBeGreaterThan(0);
    await sleep(500);
    expect(alice.isOver).toBe(false);

    const bob = await call(name, BOB);
    // Bob starts the conversation: Alice's music stops (every loop of it), and they hear each other.
    await program.waitFor((r) => r.path === `/${name}/event` && bodyOf(r).from === '447700900002' && bodyOf(r).status === 'answered', "Bob's answered", 10_000);
    const music = () => alice.heard.filter((h) => FETCHED.test(h.media));
    await eventually(() => music().every((h) => h.finishedAt !== undefined), 'the hold music to stop', 10_000);
    await sleep(500);
    expect(music().every((h) => h.finishedAt !== undefined)).toBe(true);
    expect(await overhear(bob, alice)).toBeGreaterThan(0);
    expect(await overhear(alice, bob)).toBeGreaterThan(0);

    // Bob leaves (endOnExit): Alice's NCCO has nothing after the conversation, so she is hung up.
    await bob.hangup();
    await bob.ended();
    await alice.ended(10_000);

    const event = await program.waitFor((r) => r.path === `/${name}/recording`, 'the record event', 20_000);
    const body = bodyOf(event);
    expect(event.method).toBe('POST');
    expect(String(body.recording_url)).toMatch(new RegExp(`^${app.http.url.replace(/[.]/g, '\\.')}/v1/files/[0-9a-f-]{36}$`));
    expect(body.recording_uuid).toMatch(UUID);
    expect(String(body.conversation_uuid)).toMatch(/^CON-/);
    expect(Date.parse(String(body.end_time))).toBeGreaterThanOrEqual(Date.parse(String(body.start_time)));
    const response = await fetch(String(body.recording_url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('audio/mpeg');
    const audio = Buffer.from(await response.arrayBuffer());
    expect(audio.length).toBe(Number(body.size));
    // 32 kbps: the ~4 s of the two talking is well over 4 kB.
    expect(audio.length).toBeGreaterThan(4000);

    // Alice's completed comes after her recording's event.
    const aliceUuid = program.to(`/${name}/answer`).find((r) => r.query.from === '447700900001')!.query.uuid;
    const completed = await program.waitFor((r) => r.path === `/${name}/event` && bodyOf(r).uuid === aliceUuid && bodyOf(r).status === 'completed', "Alice's completed", 20_000);
    expect(program.requests.indexOf(event)).toBeLessThan(program.requests.indexOf(completed));
  });
});

describe('voice-api: conversation, muted member', () => {
  it('a member with mute: true is not heard, and still hears the others', async () => {
    const name = await addApp();
    const room = `muted-${uuidv4().slice(0, 8)}`;
    answerBy(name, {
      '447700900001': [{ action: 'conversation', name: room, mute: true }],
      '447700900002': [{ action: 'conversation', name: room }],
    });
    const alice = await call(name, ALICE);
    const bob = await call(name, BOB);
    await eventually(() => program.to(`/${name}/answer`).length === 2, 'both calls to be answered', 10_000);
    await sleep(1500);
    expect(await overhear(bob, alice)).toBeGreaterThan(0);
    expect(await overhear(alice, bob)).toBe(0);
    await alice.hangup();
    await bob.hangup();
    await alice.ended();
    await bob.ended();
  });
});
