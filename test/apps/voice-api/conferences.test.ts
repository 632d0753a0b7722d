/**
 * The voice API's conferences (VoiceConferences, the REST API's
 * ConferenceControl) against the in-repo simulator (or a real Asterisk when
 * ARI_URL is set): the real voice-api flow runs the callers' NCCOs (and a
 * TwiML application's documents, for the conference status callbacks), and
 * the tests drive the flow's own conferences, over the room pool the flow's
 * memberships join (captured from its NamedActors). Asserted as the callers
 * hear it and the program's server is told; the dialled document's TwiML and
 * the order of the events' requests are checked at the unit level.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import type { App, FlowFactory } from '../../../src/app.js';
import { VoiceCalls } from '../../../src/apps/voice-api/calls.js';
import { joinDocument, VoiceConferences } from '../../../src/apps/voice-api/conferences.js';
import { ControlError, type CallControl, type OutboundCallRequest, type ParticipantRequest } from '../../../src/apps/voice-api/control-types.js';
import { conversationKind, type RoomPool } from '../../../src/apps/voice-api/conversation.js';
import type { VoiceDeps } from '../../../src/apps/voice-api/effects.js';
import { voiceApiFlow } from '../../../src/apps/voice-api/flow.js';
import { routeKey } from '../../../src/ari/router.js';
import type { AriEvent } from '../../../src/ari/types.js';
import { runCli } from '../../../src/cli/main.js';
import { dialectOf } from '../../../src/documents/dialects.js';
import { fromSid } from '../../../src/documents/twiml/sids.js';
import { createLogger } from '../../../src/logger.js';
import { NamedActors } from '../../../src/runtime/named-actors.js';
import { createActor, fromCallback } from 'xstate';
import type { MemberJoin, MembershipEvent } from '../../../states/conversation/types.js';
import { TestCaller, type TestCall } from '../../support/caller.js';
import { memoryLog } from '../../support/effect-harness.js';
import { FakeAri } from '../../support/fake-ari.js';
import { ProgramServer, type ProgramRequest } from '../../support/program-server.js';
import { Sink } from '../../support/sink.js';
import { answerPhone, FETCHED, TTS, UUID } from '../../support/voice.js';
import { eventually, sleep } from '../../support/wait.js';
import { startWorld, type World } from '../../support/world.js';

const run = promisify(execFile);
const ALICE = 'Alice <447700900001>';
const BOB = 'Bob <447700900002>';

let world: World;
let app: App;
let stasisApp: string;
let caller: TestCaller;
let phone: TestCaller;
let program: ProgramServer;
let conferences: VoiceConferences;
let rooms: RoomPool;
let appName: string;
let appId: string;
/** A TwiML application, with its auth token (its requests are signed). */
let twimlName: string;
let twimlId: string;
let authToken: string;

/**
 * The voice-api flow, with its VoiceConferences (the REST API's) and its room
 * pool (the pool of kind `conversation` it asks its NamedActors for) kept for
 * the tests. Not a second VoiceConferences: each would send the conference events.
 */
const flowWithConferences: FlowFactory = (services) => {
  const actors = Object.create(services.actors) as NamedActors;
  actors.pool = (kind) => {
    const pool = services.actors.pool(kind);
    if (kind.kind === 'conversation') rooms = pool as unknown as RoomPool;
    return pool;
  };
  const flow = voiceApiFlow({ ...services, actors });
  conferences = services.http.conferences as VoiceConferences;
  return flow;
};

async function cli(...argv: string[]) {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runCli(argv, { env: { STASIS_FLOWS_DATA_DIR: world.config().dataDir }, stdout, stderr });
  return { code, out: stdout.text, err: stderr.text };
}

const tune = (n: 1 | 2 | 3) => program.url(`/tunes/tune${n}.mp3`);

/** Answers each caller (by number) with its own NCCO. */
function answerBy(byNumber: Record<string, unknown[]>): void {
  program.route(`/${appName}/answer`, (r) => ({ json: byNumber[String(r.query.from)] ?? [] }));
}

/** The leg uuid of a caller, from its answer webhook. */
async function legOf(number: string): Promise<string> {
  const request = await program.waitFor((r) => r.path === `/${appName}/answer` && r.query.from === number, `the answer webhook of ${number}`, 10_000);
  return String(request.query.uuid);
}

const call = (callerId: string): Promise<TestCall> => caller.dial(stasisApp, { args: [appName], callerId, waitAnswer: false });

/** `speaker` talks for `seconds` while `listener` listens: what the listener heard. */
async function overhear(speaker: TestCall, listener: TestCall, seconds = 2): Promise<number> {
  const [heard] = await Promise.all([listener.listen(seconds), speaker.speak(seconds)]);
  return heard.talkingSeconds;
}

const connected = (room: string) => () => (conferences.get(appId, room) ? conferences.participants(appId, conferences.get(appId, room)!.id).filter((p) => p.status === 'connected').length : 0);

beforeAll(async () => {
  world = await startWorld({ writableSounds: true });
  stasisApp = `voice-api-${uuidv4().slice(0, 8)}`;
  app = await world.startApp([flowWithConferences], { STASIS_FLOWS_APP_VOICE_API: stasisApp, STASIS_FLOWS_VOICE_PHONE_ENDPOINT: 'Local/{number}@stasis-flows-test-phones/n' });
  caller = await TestCaller.connect(world);
  phone = await TestCaller.connectPhone(world);
  program = await ProgramServer.start();
  for (const [n, seconds, hz] of [[1, 1, 440], [3, 3, 880]] as const) {
    const file = path.join(world.tmpDir, `tune${n}.mp3`);
    await run('sox', ['-n', '-r', '22050', '-c', '1', file, 'synth', String(seconds), 'sine', String(hz)]);
    const body = await readFile(file);
    program.route(`/tunes/tune${n}.mp3`, () => ({ body, headers: { 'Content-Type': 'audio/mpeg' } }));
  }
  appName = `app-${uuidv4().slice(0, 8)}`;
  const added = await cli('voice-app', 'add', appName, '--answer-url', program.url(`/${appName}/answer`), '--event-url', program.url(`/${appName}/event`));
  appId = /application_id ([0-9a-f-]{36})/.exec(added.out)![1]!;
  program.route(`/${appName}/event`, () => ({}));
  twimlName = `twiml-${uuidv4().slice(0, 8)}`;
  const twimlAdded = await cli('voice-app', 'add', twimlName, '--dialect', 'twiml', '--answer-url', program.url(`/${twimlName}/answer`), '--event-url', program.url(`/${twimlName}/event`));
  twimlId = /application_id ([0-9a-f-]{36})/.exec(twimlAdded.out)![1]!;
  authToken = /auth_token ([0-9a-f]{32})/.exec(twimlAdded.out)![1]!;
  program.route(`/${twimlName}/event`, () => ({}));
}, 60_000);

afterAll(async () => {
  await phone?.close();
  await caller?.close();
  await program?.close();
  await world?.close();
});

afterEach(async () => {
  await eventually(() => app.runtime.size === 0, 'every call to be over', 20_000);
  program.requests.length = 0;
});

describe('conferences: sessions', () => {
  it('lists a session as init while legs wait, in-progress once a starter joins, completed when the last leaves; by name while live, by id after', async () => {
    const room = `room-${uuidv4().slice(0, 8)}`;
    answerBy({ '447700900001': [{ action: 'conversation', name: room, startOnEnter: false }], '447700900002': [{ action: 'conversation', name: room }] });
    const alice = await call(ALICE);
    const aliceLeg = await legOf('447700900001');
    await eventually(() => conferences.get(appId, room) !== undefined, 'the session to open', 10_000);
    const opened = conferences.get(appId, room)!;
    expect(opened).toMatchObject({ applicationId: appId, name: room, status: 'init' });
    expect(opened.id).toMatch(UUID);
    expect(opened.id[14]).toBe('4');
    expect(conferences.participants(appId, opened.id)).toEqual([expect.objectContaining({ callUuid: aliceLeg, status: 'connected', startOnEnter: false, endOnExit: false, muted: false, hold: false })]);
    // Another application does not see it.
    expect(conferences.get(uuidv4(), room)).toBeUndefined();
    expect(conferences.list(uuidv4(), {})).toEqual([]);

    const bob = await call(BOB);
    const bobLeg = await legOf('447700900002');
    await eventually(() => conferences.get(appId, room)?.status === 'in-progress', 'the session to start', 10_000);
    expect(conferences.list(appId, { name: room, status: 'in-progress' }).map((c) => c.id)).toEqual([opened.id]);
    expect(conferences.participants(appId, opened.id).map((p) => p.callUuid)).toEqual([aliceLeg, bobLeg]);

    await alice.hangup();
    await alice.ended();
    await eventually(() => conferences.participants(appId, opened.id).length === 1, 'Alice to be out', 10_000);
    expect(conferences.get(appId, opened.id)?.status).toBe('in-progress');
    await bob.hangup();
    await bob.ended();
    await eventually(() => conferences.get(appId, opened.id)?.status === 'completed', 'the session to complete', 10_000);
    expect(conferences.get(appId, opened.id)).toMatchObject({ endReason: 'last-participant-left', endedByUuid: bobLeg });
    expect(conferences.get(appId, room)).toBeUndefined();
    expect(conferences.list(appId, { name: room, status: 'completed' }).map((c) => c.id)).toEqual([opened.id]);
    expect(conferences.participants(appId, opened.id)).toEqual([]);
    await expect(conferences.end(appId, opened.id)).rejects.toMatchObject({ reason: 'gone' });

    // The same name again is a new session, listed first.
    answerBy({ '447700900001': [{ action: 'conversation', name: room }] });
    const again = await call(ALICE);
    await eventually(() => conferences.get(appId, room)?.status === 'in-progress', 'a new session', 10_000);
    const second = conferences.get(appId, room)!;
    expect(second.id).not.toBe(opened.id);
    expect(conferences.list(appId, { name: room }).map((c) => c.id)).toEqual([second.id, opened.id]);
    await again.hangup();
  });

  it('end lets every leg go: each goes on with its document (Alice hears what follows, Bob has nothing more and is hung up)', async () => {
    const room = `end-${uuidv4().slice(0, 8)}`;
    answerBy({
      '447700900001': [{ action: 'conversation', name: room }, { action: 'talk', text: 'The conference is over.' }],
      '447700900002': [{ action: 'conversation', name: room }],
    });
    const alice = await call(ALICE);
    const bob = await call(BOB);
    await eventually(() => connected(room)() === 2, 'both legs in', 10_000);
    const { id } = conferences.get(appId, room)!;
    await conferences.end(appId, id);
    expect(conferences.get(appId, id)).toMatchObject({ status: 'completed', endReason: 'conference-ended-via-api' });
    expect(conferences.get(appId, id)).not.toHaveProperty('endedByUuid');
    await alice.hears(TTS, 15_000);
    await bob.ended(10_000);
    await alice.ended(20_000);
  });

  it('announce plays the fetched document into the bridge: one bridge playback, and every member hears it', async () => {
    const room = `ann-${uuidv4().slice(0, 8)}`;
    answerBy({ '447700900001': [{ action: 'conversation', name: room }], '447700900002': [{ action: 'conversation', name: room }] });
    program.route(`/${appName}/announce`, () => ({ json: [{ action: 'stream', streamUrl: [tune(3)] }, { action: 'input', type: ['dtmf'] }] }));
    const alice = await call(ALICE);
    const bob = await call(BOB);
    await eventually(() => connected(room)() === 2, 'both legs in', 10_000);
    const { id } = conferences.get(appId, room)!;
    // Watch the bridge from the phone's side (bridge playbacks' events go to the apps watching the bridge).
    const bridgeId = rooms.peek(`${appId}:${room}`)!.getSnapshot().context.bridgeId!;
    await caller.ari.applications.subscribe(caller.app, `bridge:${bridgeId}`);
    const played: AriEvent[] = [];
    const unroute = caller.ari.events.route(routeKey.bridge(bridgeId), (event) => void played.push(event));
    // Give the bridge a moment with nobody speaking: nothing is heard.
    expect((await alice.listen(1)).talkingSeconds).toBe(0);

    await conferences.announce(appId, id, { url: program.url(`/${appName}/announce`), method: 'POST' });
    const [heardByAlice, heardByBob] = await Promise.all([alice.listen(2), bob.listen(2)]);
    expect(heardByAlice.talkingSeconds).toBeGreaterThan(0);
    expect(heardByBob.talkingSeconds).toBeGreaterThan(0);
    const started = played.filter((e) => e.type === 'PlaybackStarted');
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ playback: { target_uri: `bridge:${bridgeId}` } });
    expect((started[0] as Extract<AriEvent, { type: 'PlaybackStarted' }>).playback.media_uri).toMatch(FETCHED);
    // Nobody's own channel played it.
    expect(alice.heardMedia()).toEqual([]);
    const request = program.to(`/${appName}/announce`)[0]!;
    expect(request.method).toBe('POST');
    expect(request.json).toMatchObject({ conversation_id: id, conversation_name: room });
    unroute();

    // A document with nothing to play is refused; so is an unreachable one.
    program.route(`/${appName}/nothing`, () => ({ json: [{ action: 'input', type: ['dtmf'] }] }));
    await expect(conferences.announce(appId, id, { url: program.url(`/${appName}/nothing`), method: 'GET' })).rejects.toMatchObject({ reason: 'invalid' });
    await alice.hangup();
    await bob.hangup();
  });

  it('announce into a room where nobody is in the mix yet (legs waiting for a starter) is refused', async () => {
    const room = `wait-${uuidv4().slice(0, 8)}`;
    answerBy({ '447700900001': [{ action: 'conversation', name: room, startOnEnter: false }] });
    const alice = await call(ALICE);
    await eventually(() => connected(room)() === 1, 'Alice in', 10_000);
    const { id } = conferences.get(appId, room)!;
    const refused = await conferences.announce(appId, id, { url: program.url(`/${appName}/announce`), method: 'POST' }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ControlError);
    expect(refused).toMatchObject({ reason: 'invalid' });
    expect(program.to(`/${appName}/announce`)).toEqual([]);
    await alice.hangup();
  });
});

describe('conferences: participants', () => {
  it('mute through updateParticipant: the others stop hearing the leg, and hear it again once unmuted', async () => {
    const room = `mute-${uuidv4().slice(0, 8)}`;
    answerBy({ '447700900001': [{ action: 'conversation', name: room }], '447700900002': [{ action: 'conversation', name: room }] });
    const alice = await call(ALICE);
    const aliceLeg = await legOf('447700900001');
    const bob = await call(BOB);
    await eventually(() => connected(room)() === 2, 'both legs in', 10_000);
    const { id } = conferences.get(appId, room)!;
    await sleep(500);
    expect(await overhear(alice, bob)).toBeGreaterThan(0);

    const muted = await conferences.updateParticipant(appId, id, aliceLeg, { muted: true });
    expect(muted).toMatchObject({ callUuid: aliceLeg, muted: true, hold: false });
    expect(conferences.participant(appId, id, aliceLeg)?.muted).toBe(true);
    await sleep(300);
    expect(await overhear(alice, bob)).toBe(0);
    // Alice still hears Bob.
    expect(await overhear(bob, alice)).toBeGreaterThan(0);

    await conferences.updateParticipant(appId, id, aliceLeg, { muted: false });
    await sleep(300);
    expect(await overhear(alice, bob)).toBeGreaterThan(0);
    await expect(conferences.updateParticipant(appId, id, uuidv4(), { muted: true })).rejects.toMatchObject({ reason: 'not-found' });
    await alice.hangup();
    await bob.hangup();
  });

  it('hold takes the leg out of the mix with the hold music; off hold it is back', async () => {
    const room = `hold-${uuidv4().slice(0, 8)}`;
    answerBy({ '447700900001': [{ action: 'conversation', name: room }], '447700900002': [{ action: 'conversation', name: room }] });
    const alice = await call(ALICE);
    const aliceLeg = await legOf('447700900001');
    const bob = await call(BOB);
    await eventually(() => connected(room)() === 2, 'both legs in', 10_000);
    const { id } = conferences.get(appId, room)!;

    const held = await conferences.updateParticipant(appId, id, aliceLeg, { hold: true, holdUrl: tune(1) });
    expect(held).toMatchObject({ hold: true });
    await alice.hears(FETCHED, 10_000);
    expect(await overhear(alice, bob)).toBe(0);

    await conferences.updateParticipant(appId, id, aliceLeg, { hold: false });
    await eventually(() => alice.heard.every((h) => h.finishedAt !== undefined), 'the hold music to stop', 10_000);
    await sleep(300);
    expect(await overhear(alice, bob)).toBeGreaterThan(0);
    expect(conferences.participant(appId, id, aliceLeg)?.hold).toBe(false);
    await alice.hangup();
    await bob.hangup();
  });

  it('removeParticipant lets the leg go: its document goes on; the others stay in', async () => {
    const room = `kick-${uuidv4().slice(0, 8)}`;
    answerBy({
      '447700900001': [{ action: 'conversation', name: room }, { action: 'talk', text: 'You were removed from the conference.' }],
      '447700900002': [{ action: 'conversation', name: room }],
    });
    const alice = await call(ALICE);
    const aliceLeg = await legOf('447700900001');
    const bob = await call(BOB);
    const bobLeg = await legOf('447700900002');
    await eventually(() => connected(room)() === 2, 'both legs in', 10_000);
    const { id } = conferences.get(appId, room)!;

    await conferences.removeParticipant(appId, id, aliceLeg);
    expect(conferences.participants(appId, id).map((p) => p.callUuid)).toEqual([bobLeg]);
    await alice.hears(TTS, 15_000);
    await alice.ended(20_000);
    expect(bob.isOver).toBe(false);
    expect(conferences.get(appId, id)?.status).toBe('in-progress');
    await expect(conferences.removeParticipant(appId, id, aliceLeg)).rejects.toMatchObject({ reason: 'not-found' });
    await bob.hangup();
    await eventually(() => conferences.get(appId, id)?.status === 'completed', 'the session to complete', 10_000);
  });

  it('addParticipant dials the number; the answered leg joins the conference and is heard', async () => {
    const room = `add-${uuidv4().slice(0, 8)}`;
    answerBy({ '447700900001': [{ action: 'conversation', name: room }] });
    const alice = await call(ALICE);
    await eventually(() => connected(room)() === 1, 'Alice in', 10_000);
    const { id } = conferences.get(appId, room)!;

    const request: ParticipantRequest = { to: { type: 'phone', number: phone.phoneNumber('answers') }, from: '447700900000', muted: false, startOnEnter: true, endOnExit: false, beep: false };
    const added = await conferences.addParticipant(appId, id, request);
    expect(added).toMatchObject({ conferenceId: id, status: 'connecting', muted: false, hold: false });
    expect(added.callUuid).toMatch(UUID);
    expect(conferences.participant(appId, id, added.callUuid)?.status).toBe('connecting');
    const staff = await answerPhone(phone);
    await eventually(() => conferences.participant(appId, id, added.callUuid)?.status === 'connected', 'the dialled leg to join', 15_000);
    expect(conferences.participants(appId, id)).toHaveLength(2);
    await sleep(500);
    expect(await overhear(staff, alice)).toBeGreaterThan(0);

    // Taken out, its document has nothing more: it is hung up.
    await conferences.removeParticipant(appId, id, added.callUuid);
    await staff.ended(15_000);
    await alice.hangup();
  });

  it('a dialled leg that never answers stops being listed once its call is over', async () => {
    const room = `busy-${uuidv4().slice(0, 8)}`;
    answerBy({ '447700900001': [{ action: 'conversation', name: room }] });
    const alice = await call(ALICE);
    await eventually(() => connected(room)() === 1, 'Alice in', 10_000);
    const { id } = conferences.get(appId, room)!;
    const added = await conferences.addParticipant(appId, id, { to: { type: 'phone', number: phone.phoneNumber('busy') }, muted: false, startOnEnter: true, endOnExit: false, beep: false });
    await eventually(() => conferences.participant(appId, id, added.callUuid) === undefined, 'the busy leg to be gone', 15_000);
    expect(conferences.participants(appId, id)).toHaveLength(1);
    await alice.hangup();
  });
});

describe('conferences: the dialled leg’s document (unit)', () => {
  const base: ParticipantRequest = { to: { type: 'phone', number: '447700900123' }, muted: true, startOnEnter: false, endOnExit: true, beep: false, waitUrl: 'http://app.test/wait?a=1&b=2' };

  it('TwiML: a <Dial><Conference> with the request’s attributes, name and URL escaped, that the TwiML parser reads back as the join asked', () => {
    const source = joinDocument({ dialect: 'twiml' }, 'Sales & <Support> "1"', base);
    expect(source).toEqual({
      twiml:
        '<Response><Dial><Conference muted="true" startConferenceOnEnter="false" endConferenceOnExit="true" beep="false" waitUrl="http://app.test/wait?a=1&amp;b=2">Sales &amp; &lt;Support&gt; &quot;1&quot;</Conference></Dial></Response>',
    });
    const parsed = dialectOf({ dialect: 'twiml' }).parse((source as { twiml: string }).twiml, { events: { url: 'http://app.test/event', method: 'POST' } });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.program.steps[0]).toMatchObject({ kind: 'join', name: 'Sales & <Support> "1"', muted: true, startOnEnter: false, endOnExit: true, musicOnHoldUrl: 'http://app.test/wait?a=1&b=2' });
    expect(parsed.program.steps[0]).not.toHaveProperty('beep');
  });

  it('TwiML: the conference parameters (status callback, record, maximum) go on the <Conference> and read back', () => {
    const source = joinDocument({ dialect: 'twiml' }, 'sales', {
      ...base,
      conferenceEvents: { url: 'http://app.test/conf?x=1&y=2', method: 'GET', events: ['start', 'join', 'leave'] },
      record: true,
      recordingStatusUrl: 'http://app.test/rec',
      recordingStatusMethod: 'POST',
      maxParticipants: 10,
    });
    const parsed = dialectOf({ dialect: 'twiml' }).parse((source as { twiml: string }).twiml, { events: { url: 'http://app.test/event', method: 'POST' } });
    expect(parsed.ok && parsed.program.steps[0]).toMatchObject({
      kind: 'join',
      record: true,
      maxLegs: 10,
      report: { url: 'http://app.test/rec', method: 'POST', shape: 'twiml-conference-recording' },
      events: { report: { url: 'http://app.test/conf?x=1&y=2', method: 'GET' }, kinds: ['start', 'join', 'leave'] },
    });
  });

  it('NCCO: a conversation action the NCCO parser reads back as the join asked', () => {
    const source = joinDocument({ dialect: 'ncco' }, 'sales', { ...base, waitUrl: 'http://app.test/wait.mp3' });
    expect(source).toEqual({ ncco: [{ action: 'conversation', name: 'sales', startOnEnter: false, endOnExit: true, mute: true, musicOnHoldUrl: ['http://app.test/wait.mp3'] }] });
    const parsed = dialectOf({}).parse((source as { ncco: unknown[] }).ncco, { events: { url: 'http://app.test/event', method: 'POST' } });
    expect(parsed.ok && parsed.program.steps[0]).toMatchObject({ kind: 'join', name: 'sales', muted: true, startOnEnter: false, endOnExit: true, musicOnHoldUrl: 'http://app.test/wait.mp3' });
  });

  it('addParticipant places the call with the CallControl: the join document, status URL and events, ring time', async () => {
    const asked: { applicationId: string; request: OutboundCallRequest }[] = [];
    const control = {
      create: (applicationId: string, request: OutboundCallRequest) => {
        asked.push({ applicationId, request });
        return Promise.resolve({ uuid: 'a1b2c3d4-0000-4000-8000-000000000001' });
      },
      get: () => undefined,
    } as unknown as CallControl;
    const ari = new FakeAri();
    const deps = { ari, calls: new VoiceCalls(), audio: {} } as unknown as VoiceDeps;
    const log = createLogger({ level: 'error', silent: true });
    const pool = new NamedActors(log).pool(conversationKind(deps));
    const store = { getApp: (id: string) => Promise.resolve(id === 'app-1' ? { id: 'app-1', name: 'hotline', dialect: 'twiml' } : undefined) };
    const conf = new VoiceConferences({ ari, store, client: {}, audio: {}, rooms: pool, control, log } as unknown as ConstructorParameters<typeof VoiceConferences>[0]);
    // A member joins room "sales" of app-1, as a membership would.
    const ref = createActor(fromCallback<MembershipEvent>(() => undefined)).start();
    const member: MemberJoin = { id: 'm1', leg: 'leg-1', channelId: 'ch-1', log: memoryLog(), startOnEnter: true, endOnExit: false, record: false, muted: false, deaf: false, report: { url: '', method: 'POST', shape: 'twiml-conference-recording' }, ref };
    pool.ref('app-1:sales').send({ type: 'conversation.join', member });
    const { id } = conf.get('app-1', 'sales')!;
    expect(conf.get('app-2', 'sales')).toBeUndefined();

    const record = await conf.addParticipant('app-1', id, {
      to: { type: 'sip', uri: 'sip:staff@example.com' },
      from: '447700900000',
      muted: false,
      startOnEnter: true,
      endOnExit: false,
      beep: true,
      timeoutSeconds: 20,
      statusUrl: 'http://app.test/status',
      statusMethod: 'GET',
      statusEvents: ['answered', 'completed'],
    });
    expect(record).toMatchObject({ conferenceId: id, callUuid: 'a1b2c3d4-0000-4000-8000-000000000001', status: 'connecting', startOnEnter: true });
    expect(asked).toEqual([
      {
        applicationId: 'app-1',
        request: {
          to: { type: 'sip', uri: 'sip:staff@example.com' },
          from: '447700900000',
          document: { twiml: '<Response><Dial><Conference muted="false" startConferenceOnEnter="true" endConferenceOnExit="false" beep="true">sales</Conference></Dial></Response>' },
          eventUrl: 'http://app.test/status',
          eventMethod: 'GET',
          statusEvents: ['answered', 'completed'],
          ringingTimer: 20,
        },
      },
    ]);
    expect(conf.participants('app-1', id).map((p) => [p.callUuid, p.status])).toEqual([
      ['leg-1', 'connected'],
      ['a1b2c3d4-0000-4000-8000-000000000001', 'connecting'],
    ]);
    // Not in yet: it cannot be changed.
    await expect(conf.updateParticipant('app-1', id, record.callUuid, { muted: true })).rejects.toMatchObject({ reason: 'invalid' });
    await expect(conf.addParticipant('app-1', uuidv4(), { ...record, to: { type: 'phone', number: '1' }, beep: false })).rejects.toMatchObject({ reason: 'not-found' });
    await pool.stop();
  });
});

describe('conferences: TwiML status callback events', () => {
  /** Answers each caller of the TwiML application (by number) with its own TwiML. */
  const answerTwimlBy = (byNumber: Record<string, string>) =>
    program.route(`/${twimlName}/answer`, (r) => ({ body: `<Response>${byNumber[r.form.From ?? ''] ?? ''}</Response>`, headers: { 'Content-Type': 'text/xml' } }));
  /** The leg uuid of a TwiML caller, from its voice URL request's CallSid. */
  const twimlLegOf = async (number: string) => {
    const request = await program.waitFor((r) => r.path === `/${twimlName}/answer` && r.form.From === number, `the voice URL of ${number}`, 10_000);
    return fromSid('CA', request.form.CallSid ?? '')!;
  };
  const callTwiml = (callerId: string) => caller.dial(stasisApp, { args: [twimlName], callerId, waitAnswer: false });
  /** True when a request carries a valid X-Twilio-Signature for `token`. */
  const signedWith = (token: string, r: ProgramRequest) => {
    const query = new URLSearchParams(r.query).toString();
    const url = `${program.base}${r.path}${query === '' ? '' : `?${query}`}`;
    return twilio.validateRequest(token, String(r.headers['x-twilio-signature'] ?? ''), url, r.method === 'POST' ? r.form : {});
  };
  const isConferenceEvent = (r: ProgramRequest) => /^(conference|participant)-/.test(r.form.StatusCallbackEvent ?? r.query.StatusCallbackEvent ?? '');

  it('sends the events asked for to the first member’s statusCallback, in order, numbered and signed; others are not sent', async () => {
    const room = `events-${uuidv4().slice(0, 8)}`;
    const hook = `/${twimlName}/conference-events`;
    program.route(hook, () => ({}));
    answerTwimlBy({
      '447700900001': `<Dial><Conference beep="false" statusCallback="${program.url(hook)}" statusCallbackEvent="start end join leave mute">${room}</Conference></Dial>`,
      // A later member's statusCallback is not the conference's.
      '447700900002': `<Dial><Conference beep="false" statusCallback="${program.url(`/${twimlName}/not-the-creator`)}" statusCallbackEvent="join hold">${room}</Conference></Dial>`,
    });
    const alice = await callTwiml(ALICE);
    const aliceLeg = await twimlLegOf('447700900001');
    const bob = await callTwiml(BOB);
    const bobLeg = await twimlLegOf('447700900002');
    const live = () => conferences.get(twimlId, room);
    await eventually(() => live() !== undefined && conferences.participants(twimlId, live()!.id).length === 2, 'both legs in', 10_000);
    const { id } = live()!;
    await conferences.updateParticipant(twimlId, id, bobLeg, { muted: true });
    // Hold is not asked for: no participant-hold, nor -unhold.
    await conferences.updateParticipant(twimlId, id, bobLeg, { hold: true });
    await conferences.updateParticipant(twimlId, id, bobLeg, { hold: false });
    await bob.hangup();
    await bob.ended();
    await eventually(() => conferences.participants(twimlId, id).length === 1, 'Bob to be out', 10_000);
    await alice.hangup();
    await alice.ended();
    await program.waitFor((r) => r.path === hook && r.form.StatusCallbackEvent === 'conference-end', 'conference-end', 10_000);

    const sent = program.to(hook);
    const CF = `CF${id.replaceAll('-', '')}`;
    const [aliceSid, bobSid] = [`CA${aliceLeg.replaceAll('-', '')}`, `CA${bobLeg.replaceAll('-', '')}`];
    expect(sent.map((r) => [r.form.StatusCallbackEvent, r.form.CallSid, r.form.SequenceNumber])).toEqual([
      // Alice alone waits: a TwiML conference starts once its starter has company.
      ['participant-join', aliceSid, '1'],
      ['participant-join', bobSid, '2'],
      ['conference-start', undefined, '3'],
      ['participant-mute', bobSid, '4'],
      ['participant-leave', bobSid, '5'],
      ['participant-leave', aliceSid, '6'],
      ['conference-end', undefined, '7'],
    ]);
    for (const r of sent) {
      expect(r.method).toBe('POST');
      expect(r.form).toMatchObject({ AccountSid: `AC${twimlId.replaceAll('-', '')}`, ConferenceSid: CF, FriendlyName: room });
      expect(new Date(r.form.Timestamp!).toUTCString()).toBe(r.form.Timestamp);
      expect(signedWith(authToken, r)).toBe(true);
    }
    expect(signedWith('0'.repeat(32), sent[0]!)).toBe(false);
    expect(sent[3]!.form).toMatchObject({ Muted: 'true', Hold: 'false', StartConferenceOnEnter: 'true', EndConferenceOnExit: 'false' });
    expect(sent[6]!.form).toMatchObject({ ReasonConferenceEnded: 'last-participant-left', CallSidEndingConference: aliceSid });
    expect(program.to(`/${twimlName}/not-the-creator`)).toEqual([]);
  }, 60_000);

  it('a conference without statusCallback sends no conference event', async () => {
    const room = `quiet-${uuidv4().slice(0, 8)}`;
    answerTwimlBy({ '447700900001': `<Dial><Conference beep="false">${room}</Conference></Dial>`, '447700900002': `<Dial><Conference beep="false">${room}</Conference></Dial>` });
    const alice = await callTwiml(ALICE);
    const bob = await callTwiml(BOB);
    const bobLeg = await twimlLegOf('447700900002');
    await eventually(() => conferences.get(twimlId, room) !== undefined && conferences.participants(twimlId, conferences.get(twimlId, room)!.id).length === 2, 'both legs in', 10_000);
    const { id } = conferences.get(twimlId, room)!;
    await conferences.updateParticipant(twimlId, id, bobLeg, { muted: true });
    await alice.hangup();
    await bob.hangup();
    await eventually(() => conferences.get(twimlId, id)?.status === 'completed', 'the session to complete', 10_000);
    // Time for a stray event to arrive.
    await sleep(500);
    expect(program.requests.filter(isConferenceEvent)).toEqual([]);
  }, 40_000);
});

describe('conferences: TwiML status callback events (unit)', () => {
  it('sends one event at a time, in order; a failed or refused one is logged and the next still goes', async () => {
    const app = { id: '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f', name: 'hotline', dialect: 'twiml', signatureSecret: 'token' };
    const sends: { data: Record<string, unknown>; done: (outcome: 'ok' | 'refused' | 'unreachable') => void }[] = [];
    const client = {
      send: (_target: unknown, data: Record<string, unknown>) =>
        new Promise((resolve, reject) => {
          sends.push({ data, done: (outcome) => (outcome === 'unreachable' ? reject(new Error('connection refused')) : resolve({ status: outcome === 'ok' ? 200 : 500, body: '', latencyMs: 1 })) });
        }),
    };
    const warnings: string[] = [];
    const log = { child: () => log, debug: () => undefined, info: () => undefined, warn: (message: string) => void warnings.push(message), error: () => undefined };
    const ari = new FakeAri();
    const deps = { ari, calls: new VoiceCalls(), audio: {} } as unknown as VoiceDeps;
    const pool = new NamedActors(createLogger({ level: 'error', silent: true })).pool(conversationKind(deps));
    const store = { getApp: (id: string) => Promise.resolve(id === app.id ? app : undefined) };
    const conf = new VoiceConferences({ ari, store, client, audio: {}, rooms: pool, control: {}, log } as unknown as ConstructorParameters<typeof VoiceConferences>[0]);
    const ref = createActor(fromCallback<MembershipEvent>(() => undefined)).start();
    const events = { report: { url: 'http://app.test/conference', method: 'POST' as const, shape: 'twiml-conference-events' }, kinds: ['join', 'leave'] };
    const join = (n: number, extra: Partial<MemberJoin> = {}): MemberJoin => ({
      id: `m${n}`,
      leg: `0190f4a2-7c1e-7b3a-9d2f-00000000000${n}`,
      channelId: `ch-${n}`,
      log: memoryLog(),
      startOnEnter: true,
      endOnExit: false,
      record: false,
      muted: false,
      deaf: false,
      report: { url: '', method: 'POST', shape: 'twiml-conference-recording' },
      ref,
      ...extra,
    });
    const room = pool.ref(`${app.id}:sales`);
    room.send({ type: 'conversation.join', member: join(1, { events }) });
    room.send({ type: 'conversation.join', member: join(2) });
    room.send({ type: 'conversation.leave', id: 'm1' });
    const said = () => sends.map((r) => [r.data.StatusCallbackEvent, r.data.SequenceNumber]);
    // The next is sent only once the one before has settled.
    await eventually(() => sends.length === 1, 'the first event', 2000);
    await sleep(50);
    expect(said()).toEqual([['participant-join', '1']]);
    sends[0]!.done('unreachable');
    await eventually(() => sends.length === 2, 'the second event', 2000);
    sends[1]!.done('refused');
    await eventually(() => sends.length === 3, 'the third event', 2000);
    sends[2]!.done('ok');
    // conference-start was not asked for.
    expect(said()).toEqual([
      ['participant-join', '1'],
      ['participant-join', '2'],
      ['participant-leave', '3'],
    ]);
    expect(sends[1]!.data).toMatchObject({ CallSid: 'CA0190f4a27c1e7b3a9d2f000000000002', AccountSid: 'AC6f1c2d3e4b5a4c6d8e7f0a1b2c3d4e5f', FriendlyName: 'sales' });
    await eventually(() => warnings.length === 2, 'the failures to be logged', 2000);
    expect(warnings).toEqual(['conference event not sent', 'conference event refused']);
    expect(conf.get(app.id, 'sales')?.status).toBe('in-progress');
    await pool.stop();
  });
});
