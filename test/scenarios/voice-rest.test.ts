/**
 * The voice API's REST call control, driven the way a customer's program
 * does it: through Vonage's own Node SDK (`@vonage/server-sdk`), pointed at
 * the service with `apiHost`, signing with the application's private key.
 * Outbound calls ring test phones through the phone endpoint template
 * (`[stasis-flows-test-phones]`); live calls get speech, transfers and
 * hang-ups. Runs unchanged wherever test/support/world.ts points ARI.
 */
import { Vonage } from '@vonage/server-sdk';
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestCaller } from '../support/caller.js';
import type { ProgramRequest } from '../support/program-server.js';
import { eventually, sleep } from '../support/wait.js';
import { answerPhone, FETCHED, heardSeconds, startVoiceWorld, TTS, UUID, writePem, type VoiceSetup } from '../support/voice.js';

let v: VoiceSetup;
let phone: TestCaller;
let vonage: Vonage;
let name: string;

const bodyOf = (r: ProgramRequest) => r.json as Record<string, unknown>;
/** The statuses the program was told of one leg, in order. */
const statuses = (uuid: string) =>
  v.program
    .to(`/${name}/event`)
    .map(bodyOf)
    .filter((e) => e.uuid === uuid)
    .map((e) => e.status);

/** The first `status` event posted after `since` (a request index). */
const statusAfter = (status: string, since: number) =>
  v.program.waitFor((r) => r.path === `/${name}/event` && v.program.requests.indexOf(r) >= since && bodyOf(r).status === status, `status ${status}`, 10_000);

beforeAll(async () => {
  v = await startVoiceWorld({ STASIS_FLOWS_VOICE_PHONE_ENDPOINT: 'Local/{number}@stasis-flows-test-phones/n' });
  phone = await TestCaller.connectPhone(v.world);
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const app = await v.addApp({ extra: ['--public-key', await writePem(v.world, await exportSPKI(publicKey))] });
  name = app.name;
  vonage = new Vonage({ applicationId: app.id, privateKey: await exportPKCS8(privateKey) }, { apiHost: v.app.http.url });
}, 60_000);

afterAll(async () => {
  await phone?.close();
  await v?.close();
});

afterEach(async () => {
  await eventually(() => v.app.runtime.size === 0, 'every call to be over', 20_000);
});

describe('voice REST: outbound calls (createOutboundCall)', () => {
  it('rings the number, runs the inline NCCO once answered, and reports started, ringing, answered, completed', async () => {
    const created = await vonage.voice.createOutboundCall({
      to: [{ type: 'phone', number: phone.phoneNumber('answers') }],
      from: { type: 'phone', number: '447700900000' },
      ncco: [{ action: 'talk', text: 'This is a call from the hotline.' }],
    });
    expect(created).toMatchObject({ status: 'started', direction: 'outbound' });
    expect(created.uuid).toMatch(UUID);
    const c = await answerPhone(phone);
    await c.hears(TTS, 15_000);
    await c.heardEnd(TTS, 20_000);
    expect(heardSeconds(c, TTS)).toBeGreaterThan(1);
    await c.ended(5000);
    await eventually(() => statuses(created.uuid).includes('completed'), 'completed', 10_000);
    expect(statuses(created.uuid)).toEqual(['started', 'ringing', 'answered', 'completed']);
    const events = v.program.to(`/${name}/event`).map(bodyOf).filter((e) => e.uuid === created.uuid);
    for (const e of events) expect(e).toMatchObject({ direction: 'outbound', to: phone.phoneNumber('answers'), from: '447700900000' });
    const record = await vonage.voice.getCall(created.uuid);
    expect(record).toMatchObject({ uuid: created.uuid, status: 'completed', direction: 'outbound' });
  });

  it('fetches the call’s own answer URL when the callee answers', async () => {
    v.program.route(`/${name}/staff-answer`, () => ({ json: [{ action: 'stream', streamUrl: [v.tune(1)] }] }));
    const created = await vonage.voice.createOutboundCall({
      to: [{ type: 'phone', number: phone.phoneNumber('answers') }],
      from: { type: 'phone', number: '447700900000' },
      answerUrl: [v.program.url(`/${name}/staff-answer`)],
    });
    const c = await answerPhone(phone);
    const answer = await v.program.waitFor((r) => r.path === `/${name}/staff-answer`, 'the answer webhook', 10_000);
    expect(answer.query).toMatchObject({ uuid: created.uuid, to: phone.phoneNumber('answers'), from: '447700900000' });
    await c.hears(FETCHED, 10_000);
    await c.ended(10_000);
  });

  it('a busy number ends as busy, never answered', async () => {
    const created = await vonage.voice.createOutboundCall({
      to: [{ type: 'phone', number: phone.phoneNumber('busy') }],
      from: { type: 'phone', number: '447700900000' },
      ncco: [{ action: 'talk', text: 'never heard' }],
    });
    await eventually(() => statuses(created.uuid).includes('busy'), 'the busy status', 10_000);
    expect(statuses(created.uuid)).not.toContain('answered');
    expect((await vonage.voice.getCall(created.uuid)).status).toBe('busy');
  });

  it('a number nobody answers ends as timeout after the ringing timer', async () => {
    const created = await vonage.voice.createOutboundCall({
      to: [{ type: 'phone', number: phone.phoneNumber('unanswered') }],
      from: { type: 'phone', number: '447700900000' },
      ncco: [{ action: 'talk', text: 'never heard' }],
      ringingTimer: 2,
    });
    await eventually(() => statuses(created.uuid).includes('timeout'), 'the timeout status', 10_000);
    expect(statuses(created.uuid).slice(0, 2)).toEqual(['started', 'ringing']);
    expect(statuses(created.uuid)).not.toContain('answered');
  });
});

describe('voice REST: live calls', () => {
  it('playTTS speaks into a live call, transfer replaces its NCCO, hangupCall ends it, and a finished call is refused', async () => {
    v.program.route(`/${name}/answer`, () => ({ json: [{ action: 'wait', timeout: 30 }] }));
    const since = v.program.requests.length;
    const c = await v.call(name);
    const uuid = String(bodyOf(await statusAfter('answered', since)).uuid);
    await sleep(200);
    await vonage.voice.playTTS(uuid, { text: 'Mariatta is joining this call.' } as never);
    await c.hears(TTS, 10_000);
    await c.heardEnd(TTS, 10_000);
    await vonage.voice.transferCallWithNCCO(uuid, [{ action: 'stream', streamUrl: [v.tune(2)] }, { action: 'wait', timeout: 30 }] as never);
    await c.hears(FETCHED, 10_000);
    await c.heardEnd(FETCHED, 10_000);
    expect(heardSeconds(c, FETCHED)).toBeGreaterThan(1.5);
    await vonage.voice.hangupCall(uuid);
    await c.ended(5000);
    await statusAfter('completed', since);
    await expect(vonage.voice.playTTS(uuid, { text: 'too late' } as never)).rejects.toThrow();
    await expect(vonage.voice.hangupCall('00000000-0000-4000-8000-000000000000')).rejects.toThrow();
  });

  it('playTTS is heard at once over a prompt that is playing, which goes on (whispered into the leg)', async () => {
    v.program.route(`/${name}/answer`, () => ({ json: [{ action: 'stream', streamUrl: [v.quiet] }, { action: 'talk', text: 'after the hum' }] }));
    const since = v.program.requests.length;
    const c = await v.call(name);
    const uuid = String(bodyOf(await statusAfter('answered', since)).uuid);
    await c.hears(FETCHED, 10_000);
    const before = await c.listen(3);
    // Silence for the whole listen still counts 1 s (Asterisk keeps 200 ms of the trailing silence).
    expect(before.talkingSeconds).toBeLessThanOrEqual(1);
    await vonage.voice.playTTS(uuid, { text: 'Mariatta is joining this call. She will be with you in a moment.' } as never);
    // Queued behind the 10 s prompt it would be silent now; whispered, it is heard over it.
    const during = await c.listen(3);
    expect(during.talkingSeconds).toBeGreaterThanOrEqual(2);
    // The prompt was not cut short: the talk after it comes only once its 10 s are over.
    expect(c.heardMedia().filter((m) => TTS.test(m))).toEqual([]);
    await c.hears(TTS, 15_000);
    expect(heardSeconds(c, FETCHED)).toBeGreaterThan(9);
    await vonage.voice.hangupCall(uuid);
    await c.ended(5000);
  }, 40_000);

  it('mute and earmuff are heard (or not) by the other party in a conversation', async () => {
    const room = `room-${Date.now()}`;
    v.program.route(`/${name}/answer`, () => ({ json: [{ action: 'conversation', name: room }] }));
    const since = v.program.requests.length;
    const a = await v.call(name, { callerId: 'A <447700900011>' });
    const uuidA = String(bodyOf(await statusAfter('answered', since)).uuid);
    const since2 = v.program.requests.length;
    const b = await v.call(name, { callerId: 'B <447700900012>' });
    const uuidB = String(bodyOf(await statusAfter('answered', since2)).uuid);
    await sleep(800);
    const hearsWhileSpeaking = async (speaker: typeof a, listener: typeof b) => {
      const [heard] = await Promise.all([listener.listen(3), (async () => { await sleep(300); await speaker.speak(2); })()]);
      return heard.talkingSeconds;
    };
    expect(await hearsWhileSpeaking(a, b)).toBeGreaterThan(0);
    await vonage.voice.muteCall(uuidA);
    expect(await hearsWhileSpeaking(a, b)).toBe(0);
    await vonage.voice.unmuteCall(uuidA);
    expect(await hearsWhileSpeaking(a, b)).toBeGreaterThan(0);
    await vonage.voice.earmuffCall(uuidB);
    expect(await hearsWhileSpeaking(a, b)).toBe(0);
    await vonage.voice.unearmuffCall(uuidB);
    expect(await hearsWhileSpeaking(a, b)).toBeGreaterThan(0);
    await vonage.voice.hangupCall(uuidA);
    await vonage.voice.hangupCall(uuidB);
    await a.ended(5000);
    await b.ended(5000);
  }, 60_000);

  it('takes 50 legs into one conversation and turns the 51st away (its NCCO goes on)', async () => {
    const room = `big-${Date.now()}`;
    // Nobody starts it: the legs wait with music on hold, outside any mix.
    v.program.route(`/${name}/answer`, () => ({ json: [{ action: 'conversation', name: room, startOnEnter: false }, { action: 'stream', streamUrl: [v.tune(1)] }] }));
    const calls = [];
    for (let i = 0; i < 50; i++) calls.push(await v.call(name, { callerId: `P${i} <44770090${String(1000 + i)}>` }));
    await eventually(() => v.app.runtime.size === 50, 'fifty calls in', 20_000);
    await sleep(1000);
    const last = await v.call(name, { callerId: 'Late <447700909999>' });
    await last.hears(FETCHED, 10_000);
    for (const c of calls) expect(c.heardMedia().some((m) => FETCHED.test(m))).toBe(false);
    await Promise.all([last, ...calls].map((c) => c.hangup()));
    await Promise.all([last, ...calls].map((c) => c.ended(15_000)));
  }, 90_000);

  it('playDTMF sends keys into the call', async () => {
    v.program.route(`/${name}/answer`, () => ({ json: [{ action: 'wait', timeout: 10 }] }));
    const since = v.program.requests.length;
    const c = await v.call(name);
    const uuid = String(bodyOf(await statusAfter('answered', since)).uuid);
    await vonage.voice.playDTMF(uuid, '12');
    // The phone's half receives what the service sent into the call.
    await c.next((e) => e.type === 'ChannelDtmfReceived' && e.channel.id === c.id && e.digit === '2', 'the keys', 5000);
    await vonage.voice.hangupCall(uuid);
    await c.ended(5000);
  });
});
