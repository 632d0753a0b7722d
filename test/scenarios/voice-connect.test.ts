/**
 * The voice API's `connect` (NCCO.md 2.6) from both ends: a caller's NCCO
 * dials a test phone through the phone endpoint template; once it answers
 * they hear each other; when the phone hangs up the caller's NCCO goes on.
 * The new leg's statuses reach the program with the leg's own uuid and the
 * caller's conversation. A busy or unanswered number, a synchronous
 * failure's reply, and a caller who gives up while it rings. Runs unchanged
 * wherever test/support/world.ts points ARI.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestCaller, type TestCall } from '../support/caller.js';
import type { ProgramRequest } from '../support/program-server.js';
import { eventually, sleep } from '../support/wait.js';
import { answerPhone, FETCHED, startVoiceWorld, TTS, UUID, type VoiceSetup } from '../support/voice.js';

let v: VoiceSetup;
let phone: TestCaller;
let name: string;

const bodyOf = (r: ProgramRequest) => (r.json ?? r.query) as Record<string, unknown>;
/** Every status event posted for calls to `number` since request `since`, in order. */
const legEvents = (number: string, since = 0) =>
  v.program.requests
    .slice(since)
    .filter((r) => r.path === `/${name}/event`)
    .map(bodyOf)
    .filter((e) => e.to === number && typeof e.status === 'string');
const legStatuses = (number: string, since = 0) => legEvents(number, since).map((e) => e.status);
/** The caller's own leg, from its answer request. */
const callerLeg = (since: number) => bodyOf(v.program.requests.slice(since).find((r) => r.path === `/${name}/answer`)!);

/** `speaker` talks for `seconds` while `listener` listens: what the listener heard. */
async function overhear(speaker: TestCall, listener: TestCall, seconds = 2): Promise<number> {
  const [heard] = await Promise.all([listener.listen(seconds), speaker.speak(seconds)]);
  return heard.talkingSeconds;
}

beforeAll(async () => {
  v = await startVoiceWorld({ STASIS_FLOWS_VOICE_PHONE_ENDPOINT: 'Local/{number}@stasis-flows-test-phones/n' });
  phone = await TestCaller.connectPhone(v.world);
  name = (await v.addApp()).name;
}, 60_000);

afterAll(async () => {
  await phone?.close();
  await v?.close();
});

afterEach(async () => {
  await eventually(() => v.app.runtime.size === 0, 'every call to be over', 20_000);
  v.program.route(`/${name}/event`, () => ({}));
  // Nothing of a connect stays behind: no bridge, no channel of the dialled legs.
  await eventually(async () => (await phone.ari.bridges.list()).every((b) => !String(b.name).startsWith('connect-')), 'the connect bridges to be gone', 5000);
  await eventually(async () => (await phone.ari.channels.list()).every((c) => !c.name.includes('stasis-flows-test-phones')), 'the dialled channels to be gone', 5000);
});

describe('voice-api: connect a phone', () => {
  it('rings the phone, bridges the two, goes on with the NCCO once the phone hangs up, and reports the new leg', async () => {
    const number = phone.phoneNumber('answers');
    v.program.route(`/${name}/answer`, () => ({
      json: [
        { action: 'talk', text: 'Connecting you now.' },
        { action: 'connect', from: '447700900000', endpoint: [{ type: 'phone', number }] },
        { action: 'talk', text: 'The other party hung up. Goodbye.' },
      ],
    }));
    const since = v.program.requests.length;
    const c = await v.call(name);
    await c.hears(TTS, 15_000);
    const p = await answerPhone(phone, 20_000);
    await eventually(() => legStatuses(number).includes('answered'), 'the new leg answered', 10_000);
    await sleep(500);
    expect(await overhear(c, p)).toBeGreaterThan(0.5);
    expect(await overhear(p, c)).toBeGreaterThan(0.5);
    const spoken = c.heardMedia().filter((m) => TTS.test(m)).length;
    await p.hangup();
    await eventually(() => c.heardMedia().filter((m) => TTS.test(m)).length > spoken, 'the talk after the connect', 15_000);
    await c.ended(20_000);
    await eventually(() => legStatuses(number).includes('completed'), 'the new leg completed', 10_000);
    expect(legStatuses(number)).toEqual(['started', 'ringing', 'answered', 'completed']);
    const caller = callerLeg(since);
    const events = legEvents(number);
    for (const e of events) {
      expect(e).toMatchObject({ conversation_uuid: caller.conversation_uuid, direction: 'outbound', from: '447700900000', to: number });
      expect(e.uuid).toBe(events[0]!.uuid);
    }
    expect(events[0]!.uuid).toMatch(UUID);
    expect(events[0]!.uuid).not.toBe(caller.uuid);
    expect(Number(events.at(-1)!.duration)).toBeGreaterThanOrEqual(3);
  }, 90_000);

  it('onAnswer: the callee hears its own NCCO first (the caller does not), then they are joined', async () => {
    const number = phone.phoneNumber('answers');
    v.program.route(`/${name}/whisper`, () => ({ json: [{ action: 'stream', streamUrl: [v.tune(2)] }] }));
    v.program.route(`/${name}/answer`, () => ({
      json: [{ action: 'connect', endpoint: [{ type: 'phone', number, onAnswer: { url: v.program.url(`/${name}/whisper`) } }] }],
    }));
    const c = await v.call(name);
    const p = await answerPhone(phone, 20_000);
    const whisper = await v.program.waitFor((r) => r.path === `/${name}/whisper`, 'the onAnswer webhook', 10_000);
    expect(whisper.query).toMatchObject({ to: number });
    await p.hears(FETCHED, 10_000);
    await p.heardEnd(FETCHED, 10_000);
    await sleep(500);
    expect(c.heardMedia().some((m) => FETCHED.test(m))).toBe(false);
    expect(await overhear(c, p)).toBeGreaterThan(0.5);
    await p.hangup();
    await c.ended(20_000);
  }, 60_000);

  it('a busy number: busy is reported and the NCCO goes on', async () => {
    const number = phone.phoneNumber('busy');
    v.program.route(`/${name}/answer`, () => ({
      json: [{ action: 'connect', endpoint: [{ type: 'phone', number }] }, { action: 'stream', streamUrl: [v.tune(1)] }],
    }));
    const since = v.program.requests.length;
    const c = await v.call(name);
    await c.hears(FETCHED, 15_000);
    await c.ended(15_000);
    expect(legStatuses(number, since)).toEqual(['started', 'busy']);
  }, 60_000);

  it('synchronous: an unanswered number’s timeout event is answered with an NCCO that replaces the rest', async () => {
    const number = phone.phoneNumber('unanswered');
    v.program.route(`/${name}/answer`, () => ({
      json: [{ action: 'connect', eventType: 'synchronous', timeout: 3, endpoint: [{ type: 'phone', number }] }, { action: 'talk', text: 'never heard' }],
    }));
    v.program.route(`/${name}/event`, (r) => (bodyOf(r).to === number && bodyOf(r).status === 'timeout' ? { json: [{ action: 'stream', streamUrl: [v.tune(1)] }] } : {}));
    const since = v.program.requests.length;
    const c = await v.call(name);
    await c.hears(FETCHED, 20_000);
    await c.ended(15_000);
    expect(legStatuses(number, since)).toEqual(['started', 'ringing', 'timeout']);
    expect(c.heardMedia().filter((m) => TTS.test(m))).toEqual([]);
  }, 60_000);

  it('the caller hangs up while the phone rings: the phone’s call is cancelled', async () => {
    const number = phone.phoneNumber('unanswered');
    v.program.route(`/${name}/answer`, () => ({ json: [{ action: 'connect', endpoint: [{ type: 'phone', number }] }] }));
    const since = v.program.requests.length;
    const c = await v.call(name);
    await eventually(() => legStatuses(number, since).includes('ringing'), 'the phone ringing', 15_000);
    await c.hangup();
    await eventually(() => legStatuses(number, since).includes('cancelled'), 'the cancelled status', 10_000);
    expect(legStatuses(number, since)).toEqual(['started', 'ringing', 'cancelled']);
    // The caller's own completed comes after its new leg's last word.
    const events = () => v.program.requests.slice(since).filter((r) => r.path === `/${name}/event`).map(bodyOf);
    await eventually(() => events().some((e) => e.status === 'completed' && e.to !== number), 'the caller completed', 10_000);
    const all = events();
    expect(all.findIndex((e) => e.status === 'completed' && e.to !== number)).toBeGreaterThan(all.findIndex((e) => e.status === 'cancelled'));
  }, 60_000);
});
