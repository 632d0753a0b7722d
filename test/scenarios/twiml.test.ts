/**
 * TwiML programs on the voice API, as Twilio runs them: a webhook server
 * inside the test answers the voice URL with TwiML (form-encoded, signed
 * requests; checked with the `twilio` SDK's own validator), and the `twilio`
 * SDK drives our REST API (`client.api.baseUrl`). Covers a Gather menu like
 * seed 000, Record with its callback and download, Redirect, Reject, Dial
 * outcomes, outbound calls, credentials, and seed 003: speech sent into a
 * live conference at any moment. Runs unchanged wherever test/support/world.ts
 * points ARI.
 */
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestCaller } from '../support/caller.js';
import type { ProgramReply, ProgramRequest } from '../support/program-server.js';
import { eventually, sleep } from '../support/wait.js';
import { answerPhone, FETCHED, startVoiceWorld, TTS, type VoiceSetup } from '../support/voice.js';

let v: VoiceSetup;
let phone: TestCaller;
let name: string;
let accountSid: string;
let authToken: string;
let client: twilio.Twilio;

/** A TwiML reply. */
const twiml = (verbs: string): ProgramReply => ({ body: `<?xml version="1.0" encoding="UTF-8"?><Response>${verbs}</Response>`, headers: { 'Content-Type': 'text/xml' } });
/** True when a request carries a valid X-Twilio-Signature for `token`. */
const signedWith = (token: string, r: ProgramRequest) => {
  const query = new URLSearchParams(r.query).toString();
  const url = `${v.program.base}${r.path}${query === '' ? '' : `?${query}`}`;
  return twilio.validateRequest(token, String(r.headers['x-twilio-signature'] ?? ''), url, r.method === 'POST' ? r.form : {});
};
const path = (p: string) => `/${name}/${p}`;
const waitFor = (p: string, what = p, timeoutMs = 15_000, since = 0) =>
  v.program.waitFor((r) => r.path === path(p) && v.program.requests.indexOf(r) >= since, what, timeoutMs);

beforeAll(async () => {
  v = await startVoiceWorld({ STASIS_FLOWS_VOICE_PHONE_ENDPOINT: 'Local/{number}@stasis-flows-test-phones/n' });
  phone = await TestCaller.connectPhone(v.world);
  const app = await v.addApp({ extra: ['--dialect', 'twiml'] });
  name = app.name;
  accountSid = /account_sid (AC[0-9a-f]{32})/.exec(app.out)?.[1] ?? '';
  authToken = /auth_token ([0-9a-f]{32})/.exec(app.out)?.[1] ?? '';
  expect(accountSid).toBe(`AC${app.id.replaceAll('-', '')}`);
  client = twilio(accountSid, authToken);
  client.api.baseUrl = v.app.http.url;
}, 60_000);

afterAll(async () => {
  await phone?.close();
  await v?.close();
});

afterEach(async () => {
  await eventually(() => v.app.runtime.size === 0, 'every call to be over', 20_000);
});

describe('TwiML: a menu like seed 000', () => {
  it('asks the voice URL with Twilio’s signed parameters, sends the key to the action, and runs its reply', async () => {
    v.program.route(path('answer'), () =>
      twiml(`<Gather numDigits="1" action="menu" timeout="5"><Say>Press 1 for the tune.</Say></Gather><Say>We did not get your choice. Goodbye.</Say>`),
    );
    v.program.route(path('menu'), (r) => (r.form.Digits === '1' ? twiml(`<Play>${v.tune(2)}</Play><Hangup/>`) : twiml('<Say>Not a choice.</Say>')));
    const since = v.program.requests.length;
    const c = await v.call(name);
    const answer = await waitFor('answer', 'the voice URL', 15_000, since);
    expect(answer.method).toBe('POST');
    expect(answer.form).toMatchObject({ AccountSid: accountSid, From: '447700900001', CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01' });
    expect(answer.form.CallSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(signedWith(authToken, answer)).toBe(true);
    expect(signedWith('0'.repeat(32), answer)).toBe(false);
    await c.hears(TTS, 10_000);
    await c.press('1');
    const menu = await waitFor('menu', 'the Gather action', 15_000, since);
    expect(menu.form).toMatchObject({ Digits: '1', CallSid: answer.form.CallSid, CallStatus: 'in-progress' });
    expect(signedWith(authToken, menu)).toBe(true);
    await c.hears(FETCHED, 10_000);
    await c.ended(15_000);
    // The status callback URL gets `completed` (the default event) with the call's duration.
    const done = await v.program.waitFor((r) => r.path === path('event') && r.form.CallSid === answer.form.CallSid, 'the completed status callback', 15_000);
    expect(done.form).toMatchObject({ CallSid: answer.form.CallSid, CallStatus: 'completed' });
    expect(Number(done.form.CallDuration)).toBeGreaterThanOrEqual(1);
  }, 40_000);

  it('a Gather that gets no key makes no request and the next verb runs', async () => {
    v.program.route(path('answer'), () => twiml(`<Gather numDigits="1" action="menu" timeout="1"><Say>Press a key.</Say></Gather><Say>Goodbye.</Say>`));
    const since = v.program.requests.length;
    const c = await v.call(name);
    await c.hears(TTS, 10_000);
    await c.heardEnd(TTS, 10_000);
    await eventually(() => c.heardMedia().filter((m) => TTS.test(m)).length === 2, 'the goodbye', 10_000);
    await c.ended(15_000);
    expect(v.program.requests.slice(since).filter((r) => r.path === path('menu'))).toEqual([]);
  }, 30_000);
});

describe('TwiML: Record, Redirect, Reject, Dial', () => {
  it('records until the finish key, sends RecordingUrl to the action, and the recording downloads', async () => {
    v.program.route(path('answer'), () => twiml(`<Say>Leave a message.</Say><Record maxLength="10" finishOnKey="#" action="recorded" recordingStatusCallback="rec-status"/>`));
    v.program.route(path('recorded'), () => twiml('<Say>Thank you.</Say>'));
    const since = v.program.requests.length;
    const c = await v.call(name);
    await c.heardEnd(TTS, 10_000);
    await sleep(700); // the beep
    await c.speak(2);
    await c.press('#');
    const recorded = await waitFor('recorded', 'the Record action', 15_000, since);
    expect(recorded.form.RecordingUrl).toMatch(new RegExp(`/2010-04-01/Accounts/${accountSid}/Recordings/RE[0-9a-f]{32}$`));
    expect(Number(recorded.form.RecordingDuration)).toBeGreaterThanOrEqual(1);
    expect(recorded.form.Digits).toBe('#');
    const status = await waitFor('rec-status', 'the recording status callback', 15_000, since);
    expect(status.form).toMatchObject({ RecordingStatus: 'completed', RecordingUrl: recorded.form.RecordingUrl });
    await c.ended(15_000);
    const auth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
    const file = await fetch(`${recorded.form.RecordingUrl}.wav`, { headers: { authorization: auth } });
    expect(file.status).toBe(200);
    expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(8000);
  }, 40_000);

  it('Redirect runs the TwiML at another URL', async () => {
    v.program.route(path('answer'), () => twiml(`<Redirect>next</Redirect><Say>never said</Say>`));
    v.program.route(path('next'), () => twiml(`<Play>${v.tune(1)}</Play>`));
    const since = v.program.requests.length;
    const c = await v.call(name);
    const next = await waitFor('next', 'the Redirect', 15_000, since);
    expect(next.form.CallSid).toMatch(/^CA/);
    await c.hears(FETCHED, 10_000);
    await c.ended(15_000);
    expect(c.heardMedia().filter((m) => TTS.test(m))).toEqual([]);
  }, 30_000);

  it('an action URL that fails ends the call with the error prompt (Twilio’s 11200), not the next verb', async () => {
    v.program.route(path('answer'), () => twiml(`<Redirect>broken</Redirect>`));
    v.program.route(path('broken'), () => ({ status: 500, body: 'oops' }));
    const c = await v.call(name);
    await c.hears(TTS, 15_000);
    await c.ended(15_000);
    expect(c.heardMedia().filter((m) => TTS.test(m))).toHaveLength(1);
  }, 30_000);

  it('Reject as the first verb never answers: the call ends busy', async () => {
    v.program.route(path('answer'), () => twiml(`<Reject reason="busy"/>`));
    const since = v.program.requests.length;
    const c = await v.call(name);
    const answer = await waitFor('answer', 'the voice URL', 15_000, since);
    await c.ended(15_000);
    expect(c.events.some((e) => e.type === 'ChannelStateChange' && e.channel.state === 'Up' && e.channel.id === c.id)).toBe(false);
    const done = await v.program.waitFor((r) => r.path === path('event') && r.form.CallSid === answer.form.CallSid, 'the final status callback', 15_000);
    expect(done.form.CallStatus).toBe('busy');
  }, 30_000);

  it('Dial sends DialCallStatus busy and no-answer to its action', async () => {
    for (const [kind, expected] of [['busy', 'busy'], ['unanswered', 'no-answer']] as const) {
      v.program.route(path('answer'), () => twiml(`<Dial action="dialed" timeout="2"><Number>${phone.phoneNumber(kind)}</Number></Dial><Say>not reached</Say>`));
      v.program.route(path('dialed'), () => twiml('<Hangup/>'));
      const since = v.program.requests.length;
      const c = await v.call(name);
      const dialed = await waitFor('dialed', `the Dial action (${kind})`, 20_000, since);
      expect(dialed.form.DialCallStatus).toBe(expected);
      await c.ended(15_000);
      await eventually(() => v.app.runtime.size === 0, 'the call to be over', 20_000);
    }
  }, 60_000);
  it('Dial with several Numbers rings them at once: the first to answer is connected, the others are cancelled', async () => {
    v.program.route(path('answer'), () =>
      twiml(
        `<Dial action="dialed"><Number statusCallback="never-leg">${phone.phoneNumber('unanswered')}</Number><Number statusCallback="busy-leg">${phone.phoneNumber('busy')}</Number><Number statusCallback="answer-leg">${phone.phoneNumber('answers')}</Number></Dial>`,
      ),
    );
    v.program.route(path('dialed'), () => twiml('<Hangup/>'));
    const since = v.program.requests.length;
    const c = await v.call(name);
    const callee = await answerPhone(phone);
    // The one that never answers is hung up as soon as another is.
    const never = await waitFor('never-leg', 'the unanswered leg’s status', 15_000, since);
    expect(never.form.CallStatus).toBe('canceled');
    expect((await waitFor('busy-leg', 'the busy leg’s status', 15_000, since)).form.CallStatus).toBe('busy');
    // Connected: the caller hears the callee.
    const [heard] = await Promise.all([c.listen(3), (async () => { await sleep(300); await callee.speak(2); })()]);
    expect(heard.talkingSeconds).toBeGreaterThanOrEqual(1.5);
    await callee.hangup();
    const dialed = await waitFor('dialed', 'the Dial action', 20_000, since);
    const answered = await waitFor('answer-leg', 'the answering leg’s status', 15_000, since);
    expect(dialed.form).toMatchObject({ DialCallStatus: 'completed', DialCallSid: answered.form.CallSid });
    await c.ended(15_000);
  }, 60_000);

  it('Dial record records the connected call: its action and status callback get the recording, which downloads', async () => {
    v.program.route(path('answer'), () =>
      twiml(`<Dial action="dialed" record="record-from-answer" trim="do-not-trim" recordingStatusCallback="dial-rec"><Number statusCallback="dial-leg">+${phone.phoneNumber('answers')}</Number></Dial>`),
    );
    v.program.route(path('dialed'), () => twiml('<Hangup/>'));
    const since = v.program.requests.length;
    const c = await v.call(name);
    const callee = await answerPhone(phone);
    await sleep(500);
    await callee.speak(2);
    await c.speak(1);
    await callee.hangup();
    const dialed = await waitFor('dialed', 'the Dial action', 20_000, since);
    expect(dialed.form.DialCallStatus).toBe('completed');
    // E.164 as the program wrote it: the `+` is kept in what it is told (the dial string drops it).
    expect((await waitFor('dial-leg', 'the dialled leg’s status', 15_000, since)).form.To).toBe(`+${phone.phoneNumber('answers')}`);
    expect(dialed.form.RecordingUrl).toMatch(new RegExp(`/2010-04-01/Accounts/${accountSid}/Recordings/RE[0-9a-f]{32}$`));
    expect(Number(dialed.form.RecordingDuration)).toBeGreaterThanOrEqual(3);
    const status = await waitFor('dial-rec', 'the recording status callback', 15_000, since);
    expect(status.form).toMatchObject({ RecordingStatus: 'completed', RecordingSource: 'DialVerb', RecordingUrl: dialed.form.RecordingUrl });
    await c.ended(15_000);
    const file = await fetch(`${dialed.form.RecordingUrl}.wav`);
    expect(file.status).toBe(200);
    // Both legs' speech, 8 kHz 16-bit: over 3 s of audio.
    expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(3 * 16_000);
  }, 60_000);
});

describe('TwiML: the REST API through the twilio SDK', () => {
  it('calls.create with inline TwiML rings a phone, which hears it; the status callbacks follow', async () => {
    const call = await client.calls.create({
      to: phone.phoneNumber('answers'),
      from: '447700900099',
      twiml: '<Response><Say>Hello from the API.</Say></Response>',
      statusCallback: v.program.url(path('api-status')),
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    });
    expect(call.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(call.accountSid).toBe(accountSid);
    const callee = await answerPhone(phone);
    await callee.hears(TTS, 10_000);
    await callee.ended(15_000);
    await eventually(() => v.program.to(path('api-status')).some((r) => r.form.CallStatus === 'completed'), 'completed', 15_000);
    const events = v.program.to(path('api-status')).filter((r) => r.form.CallSid === call.sid);
    expect(events.map((r) => r.form.CallStatus)).toEqual(['queued', 'ringing', 'in-progress', 'completed']);
    expect((await client.calls(call.sid).fetch()).status).toBe('completed');
  }, 40_000);

  it('refuses a wrong auth token and an unknown call', async () => {
    const wrong = twilio(accountSid, '0'.repeat(32));
    wrong.api.baseUrl = v.app.http.url;
    await expect(wrong.calls.list()).rejects.toMatchObject({ status: 401 });
    await expect(client.calls(`CA${'0'.repeat(32)}`).fetch()).rejects.toMatchObject({ status: 404 });
  });
});

describe('TwiML: seed 003, speech into a live conference at any time', () => {
  it('the callee listens muted; three announcements are heard by both; unmuted, the callee is heard', async () => {
    const room = `room-${Date.now()}`;
    v.program.route(path('answer'), () => twiml(`<Dial><Conference startConferenceOnEnter="true" beep="false">${room}</Conference></Dial>`));
    v.program.route(path('announce'), (r) => twiml(`<Say>${r.query.text ?? 'nothing'}</Say>`));
    const since = v.program.requests.length;
    const caller = await v.call(name);
    await waitFor('answer', 'the voice URL', 15_000, since);
    let conference: Awaited<ReturnType<typeof client.conferences.list>>[number] | undefined;
    await eventually(async () => {
      // Alone, the caller waits with the music: the conference starts once the callee is in (init till then).
      conference = (await client.conferences.list({ friendlyName: room, status: 'init' }))[0];
      return conference !== undefined;
    }, 'the conference', 15_000);
    const participant = await client.conferences(conference!.sid).participants.create({ from: '447700900099', to: phone.phoneNumber('answers'), muted: true, beep: 'false' });
    const callee = await answerPhone(phone);
    await eventually(async () => (await client.conferences(conference!.sid).participants.list()).length === 2, 'both in the conference', 15_000);
    await eventually(async () => (await client.conferences(conference!.sid).fetch()).status === 'in-progress', 'the conference to start', 15_000);
    // Each long enough (over 3 s of speech) to fill the listen that follows the request.
    const messages = [
      'Hello, this is the first message, typed while we are talking on the phone.',
      'Here is the second message, sent into the conference a little later.',
      'And this is the third message, the last one for now, thank you.',
    ];
    for (const text of messages) {
      await sleep(300 + Math.floor(Math.random() * 700));
      await client.conferences(conference!.sid).update({ announceUrl: `${v.program.url(path('announce'))}?text=${encodeURIComponent(text)}` });
      const [a, b] = await Promise.all([caller.listen(3), callee.listen(3)]);
      expect(a.talkingSeconds).toBeGreaterThanOrEqual(2);
      expect(b.talkingSeconds).toBeGreaterThanOrEqual(2);
    }
    const hears = async () => {
      const [heard] = await Promise.all([caller.listen(3), (async () => { await sleep(300); await callee.speak(2); })()]);
      return heard.talkingSeconds;
    };
    expect(await hears()).toBeLessThanOrEqual(1);
    await client.conferences(conference!.sid).participants(participant.callSid).update({ muted: false });
    expect(await hears()).toBeGreaterThanOrEqual(2);
    await caller.hangup();
    await callee.hangup();
  }, 90_000);
});
