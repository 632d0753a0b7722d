/**
 * Seed 002's code-of-conduct hotline, written in Node inside the test and run
 * as its author ran it on Vonage: the answer webhook greets the caller and
 * puts them in a recorded conversation with hold music (startOnEnter false),
 * and calls every staff member through the REST API with Vonage's own SDK;
 * the staff member who answers is greeted by name and joins (startOnEnter and
 * endOnExit true) while the caller is told who is joining (playTTS on the
 * caller's leg); the other staff call is hung up. When the staff member hangs
 * up, the caller is hung up, and the recording's event arrives with a URL
 * that downloads with the application's token. Runs unchanged wherever
 * test/support/world.ts points ARI.
 */
import { Vonage } from '@vonage/server-sdk';
import { exportPKCS8, exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestCaller } from '../support/caller.js';
import type { ProgramRequest } from '../support/program-server.js';
import { eventually, sleep } from '../support/wait.js';
import { answerPhone, FETCHED, startVoiceWorld, TTS, writePem, type VoiceSetup } from '../support/voice.js';

let v: VoiceSetup;
let mariatta: TestCaller;
let alan: TestCaller;
let vonage: Vonage;
let privateKey: CryptoKey;
let applicationId: string;
let name: string;
const HOTLINE = '12025550100';
const staffCalls: string[] = [];
/** Legs the program spoke into (playTTS answered 2xx). */
const whispered: string[] = [];

const bodyOf = (r: ProgramRequest) => r.json as Record<string, unknown>;

/** The hotline program: seed 002's two webhooks, with its staff list. */
function hotline(staff: { name: string; phone: string }[]): void {
  v.program.route(`/${name}/answer`, async (r) => {
    const conversationUuid = r.query.conversation_uuid!.trim();
    const callUuid = r.query.uuid!.trim();
    const ncco = [
      { action: 'talk', text: "You've reached the PyCascades Code of Conduct Hotline. This call is recorded." },
      {
        action: 'conversation',
        name: conversationUuid,
        record: true,
        eventMethod: 'POST',
        musicOnHoldUrl: [v.tune(3)],
        eventUrl: [v.program.url(`/${name}/recording`)],
        endOnExit: false,
        startOnEnter: false,
      },
    ];
    for (const member of staff) {
      const created = await vonage.voice.createOutboundCall({
        to: [{ type: 'phone', number: member.phone }],
        from: { type: 'phone', number: HOTLINE },
        answerUrl: [v.program.url(`/${name}/answer_conference_call/${conversationUuid}/${callUuid}/`)],
      });
      staffCalls.push(created.uuid);
    }
    return { json: ncco };
  });
  v.program.route(`/${name}/recording`, () => ({}));
}

/** The staff member's answer webhook (its path carries the caller's conversation and leg). */
function conferenceAnswer(conversationUuid: string, callUuid: string, staff: { name: string; phone: string }[]): void {
  v.program.route(`/${name}/answer_conference_call/${conversationUuid}/${callUuid}/`, async (r) => {
    const owner = staff.find((s) => s.phone === r.query.to)?.name;
    // First to answer wins: the other staff calls are hung up.
    for (const other of staffCalls.filter((uuid) => uuid !== r.query.uuid)) await vonage.voice.hangupCall(other).catch(() => undefined);
    await vonage.voice.playTTS(callUuid, { text: `${owner} is joining this call.` } as never);
    whispered.push(callUuid);
    return {
      json: [
        { action: 'talk', text: `Hello ${owner}, connecting you to PyCascades hotline.` },
        { action: 'conversation', name: conversationUuid, startOnEnter: true, endOnExit: true },
      ],
    };
  });
}

beforeAll(async () => {
  v = await startVoiceWorld({ STASIS_FLOWS_VOICE_PHONE_ENDPOINT: 'Local/{number}@stasis-flows-test-phones/n' });
  mariatta = await TestCaller.connectPhone(v.world);
  alan = await TestCaller.connectPhone(v.world);
  const keys = await generateKeyPair('RS256', { extractable: true });
  privateKey = keys.privateKey;
  const app = await v.addApp({ extra: ['--public-key', await writePem(v.world, await exportSPKI(keys.publicKey))] });
  name = app.name;
  applicationId = app.id;
  vonage = new Vonage({ applicationId, privateKey: await exportPKCS8(privateKey) }, { apiHost: v.app.http.url });
}, 60_000);

afterAll(async () => {
  await mariatta?.close();
  await alan?.close();
  await v?.close();
});

afterEach(async () => {
  await eventually(() => v.app.runtime.size === 0, 'every call to be over', 20_000);
});

describe('voice hotline (seed 002)', () => {
  it('greets, holds with music in a recorded conversation, calls the staff, connects the first who answers, and delivers the recording', async () => {
    const staff = [
      { name: 'Mariatta', phone: mariatta.phoneNumber('answers') },
      { name: 'Alan', phone: alan.phoneNumber('unanswered') },
    ];
    hotline(staff);
    const c = await v.call(name, { to: HOTLINE, callerId: 'Reporter <12025550177>' });
    await c.hears(TTS, 15_000);
    const answer = v.program.to(`/${name}/answer`).at(-1)!;
    conferenceAnswer(answer.query.conversation_uuid!, answer.query.uuid!, staff);
    await c.heardEnd(TTS, 20_000);
    // Hold music while the staff are called.
    await c.hears(FETCHED, 15_000);
    const staffLeg = await answerPhone(mariatta);
    // Mariatta is greeted by name; the caller is told she is joining, over the hold music
    // (whispered into the leg; voice-rest.test.ts checks that such speech is heard at once).
    await staffLeg.hears(TTS, 15_000);
    await eventually(() => whispered.length > 0, 'the speech sent into the caller’s leg', 10_000);
    await staffLeg.heardEnd(TTS, 20_000);
    await sleep(500);
    // They hear each other.
    const [heard] = await Promise.all([staffLeg.listen(3), (async () => { await sleep(300); await c.speak(2); })()]);
    expect(heard.talkingSeconds).toBeGreaterThan(0);
    // Alan's ringing call was hung up by the program.
    await eventually(() => v.program.to(`/${name}/event`).map(bodyOf).some((e) => e.to === alan.phoneNumber('unanswered') && e.status === 'cancelled'), 'the other staff call to be cancelled', 10_000);
    // Mariatta hangs up: the conversation ends (endOnExit), and the caller's NCCO has nothing more.
    await staffLeg.hangup();
    await c.ended(10_000);
    const recording = bodyOf(await v.program.waitFor((r) => r.path === `/${name}/recording`, 'the recording event', 20_000));
    expect(recording).toMatchObject({ recording_url: expect.stringContaining('/v1/files/') as string });
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ application_id: applicationId, iat: now, jti: crypto.randomUUID(), exp: now + 900 }).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).sign(privateKey);
    const download = await fetch(String(recording.recording_url), { headers: { Authorization: `Bearer ${token}` } });
    expect(download.status).toBe(200);
    const audio = Buffer.from(await download.arrayBuffer());
    expect(audio.length).toBe(Number(recording.size));
    expect(audio.length).toBeGreaterThan(2000);
  }, 120_000);
});
