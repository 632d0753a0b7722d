/** Facts 34-47: live and stored recordings. */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAri, eventTime, haveTranscripts, recordedResponse, subject, warnIfNoTranscripts } from '../helpers.js';
import type { AriEvent, EventLog } from '../helpers.js';

warnIfNoTranscripts();

interface RecJson {
  name: string;
  format: string;
  state: string;
  target_uri: string;
  duration?: number;
  talking_duration?: number;
  silence_duration?: number;
  cause?: string;
}

const recOf = (e: AriEvent): RecJson => e['recording'] as RecJson;
const realMonkeys = existsSync('/usr/share/asterisk/sounds/en/tt-monkeys.wav');

describe.skipIf(!haveTranscripts)('ARI fidelity: recordings', () => {
  let ari: TestAri;
  let events: EventLog;
  let drv: string;
  let tgt: string;
  beforeAll(async () => {
    ari = await TestAri.start();
    events = await ari.connect();
    ({ drv, tgt } = await ari.call(events, 'c4'));
  });
  afterAll(async () => {
    await ari.close();
  });

  const rec = (query: string): Promise<{ status: number; body: unknown }> => ari.req('POST', `/channels/${tgt}/record?${query}`);
  const monkeys = (id: string): Promise<unknown> => ari.req('POST', `/channels/${drv}/play?media=sound:tt-monkeys&playbackId=${id}`);

  it('fact 34: record answers 201 with a LiveRecording; RecordingStarted comes before the beep', async () => {
    const from = events.mark();
    const t0 = ari.clock.now();
    const res = await rec('name=voicemail%2F305%2F1795338666&format=wav&beep=true&ifExists=overwrite&maxSilenceSeconds=0');
    expect(res.status).toBe(201);
    const recorded = recordedResponse('record-stop.jsonl', 'POST', /\/record\?/).body as object;
    expect(Object.keys(res.body as object)).toEqual(Object.keys(recorded));
    expect(res.body).toMatchObject({ name: 'voicemail/305/1795338666', format: 'wav', target_uri: `channel:${tgt}` });
    expect(['queued', 'recording']).toContain((res.body as RecJson).state);
    const started = await events.wait('RecordingStarted', 'target', 'voicemail/305/1795338666', from);
    expect(recOf(started).state).toBe('recording');
    expect(eventTime(started)).toBe(t0);
    await monkeys('drv-monkeys');
  });

  it('fact 35: names with / make subdirectories; the base directory must exist', async () => {
    await ari.advance(4000);
    expect(existsSync(join(ari.sim.recordingsDir, 'voicemail', '305', '1795338666.wav'))).toBe(true);
    const missing = join(mkdtempSync(join(tmpdir(), 'ari-sim-norec-')), 'recording');
    const other = await TestAri.start({ recordingsDir: missing });
    try {
      const otherEvents = await other.connect();
      const c = await other.call(otherEvents, 'nr');
      expect(await other.req('POST', `/channels/${c.tgt}/record?name=x&format=wav`)).toMatchObject({ status: 500, body: { message: 'Internal Server Error' } });
    } finally {
      await other.close();
      rmSync(dirname(missing), { recursive: true, force: true });
    }
  });

  it('fact 36: in paths the name is %2F-encoded (a raw slash is 404); in media URIs the slash stays', async () => {
    expect(await ari.req('GET', '/recordings/live/voicemail%2F305%2F1795338666')).toMatchObject({ status: 200, body: { state: 'recording' } });
    expect(await ari.req('GET', '/recordings/live/voicemail/305/1795338666')).toMatchObject({ status: 404, body: { message: 'Resource not found' } });
  });

  it('fact 37: stop gives RecordingFinished "done" with whole seconds of audio written (after the beep)', async () => {
    const from = events.mark();
    expect((await ari.req('POST', '/recordings/live/voicemail%2F305%2F1795338666/stop')).status).toBe(204);
    const done = await events.wait('RecordingFinished', 'target', 'voicemail/305/1795338666', from);
    expect(recOf(done)).toEqual({ name: 'voicemail/305/1795338666', format: 'wav', state: 'done', target_uri: `channel:${tgt}`, duration: 3 });
    await ari.req('DELETE', '/playbacks/drv-monkeys');
    // About 4 s after a 0.43 s beep: ~3.57 s of 8 kHz 16-bit audio plus a 44-byte header.
    const size = statSync(join(ari.sim.recordingsDir, 'voicemail/305/1795338666.wav')).size;
    expect(Math.abs(size - 44 - 3575 * 16)).toBeLessThan(16 * 20);
    // Paused time is not counted, muted time is; with nothing played into the call it is 0 s long.
    let f = events.mark();
    await rec('name=paused&format=wav&ifExists=overwrite');
    await monkeys('m-paused');
    await ari.advance(1000);
    await ari.req('POST', '/recordings/live/paused/pause');
    await ari.advance(2000);
    await ari.req('DELETE', '/recordings/live/paused/pause');
    await ari.advance(1500);
    await ari.req('POST', '/recordings/live/paused/mute');
    await ari.advance(1000);
    await ari.req('POST', '/recordings/live/paused/stop');
    await ari.req('DELETE', '/playbacks/m-paused');
    expect(recOf(await events.wait('RecordingFinished', 'target', 'paused', f))).toMatchObject({ duration: 3 });
    expect(recOf(await events.wait('RecordingFinished', 'target', 'paused', f))).not.toHaveProperty('talking_duration');
    f = events.mark();
    await rec('name=nothing&format=wav&ifExists=overwrite');
    await ari.advance(1500);
    await ari.req('POST', '/recordings/live/nothing/stop');
    expect(recOf(await events.wait('RecordingFinished', 'target', 'nothing', f))).toMatchObject({ duration: 0 });
  });

  it('fact 38: a finished or unknown live recording is 404 "Recording not found"', async () => {
    const notFound = { status: 404, body: { message: 'Recording not found' } };
    for (const name of ['voicemail%2F305%2F1795338666', 'no-such-recording']) {
      expect(await ari.req('GET', `/recordings/live/${name}`)).toMatchObject(notFound);
      expect(await ari.req('POST', `/recordings/live/${name}/stop`)).toMatchObject(notFound);
      expect(await ari.req('POST', `/recordings/live/${name}/pause`)).toMatchObject(notFound);
      expect(await ari.req('POST', `/recordings/live/${name}/mute`)).toMatchObject(notFound);
      expect(await ari.req('DELETE', `/recordings/live/${name}`)).toMatchObject(notFound);
    }
  });

  it('fact 39: stored recordings: list, get, file, copy (and its errors), delete', async () => {
    const name = 'voicemail%2F305%2F1795338666';
    const list = await ari.req('GET', '/recordings/stored');
    expect(list.body).toEqual(expect.arrayContaining([{ name: 'voicemail/305/1795338666', format: 'wav' }]));
    expect(await ari.req('GET', `/recordings/stored/${name}`)).toMatchObject({ status: 200, body: { name: 'voicemail/305/1795338666', format: 'wav' } });
    const file = await fetch(`${ari.url}/ari/recordings/stored/${name}/file?api_key=asterisk:asterisk`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('audio/wav');
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(bytes.equals(readFileSync(join(ari.sim.recordingsDir, 'voicemail/305/1795338666.wav')))).toBe(true);
    const copy = `/recordings/stored/${name}/copy?destinationRecordingName=voicemail%2F305%2F1795338666-copy`;
    expect(await ari.req('POST', copy)).toMatchObject({ status: 200, body: { name: 'voicemail/305/1795338666-copy', format: 'wav' } });
    expect(await ari.req('POST', copy)).toMatchObject({ status: 409, body: { message: 'A recording with the same name already exists on the system' } });
    expect(await ari.req('POST', `/recordings/stored/${name}/copy`)).toMatchObject({ status: 400, body: { message: 'Invalid destination recording name' } });
    expect(await ari.req('POST', `/recordings/stored/${name}/copy?destinationRecordingName=..%2Fx`)).toMatchObject({ status: 403, body: { message: 'Destination file path is forbidden' } });
    expect(await ari.req('POST', '/recordings/stored/no-such-recording/copy?destinationRecordingName=x')).toMatchObject({ status: 404, body: { message: 'Recording not found' } });
    expect((await ari.req('DELETE', `/recordings/stored/${name}-copy`)).status).toBe(204);
    // Play it (to the end), then delete it.
    const from = events.mark();
    await ari.req('POST', `/channels/${tgt}/play?media=recording:voicemail/305/1795338666&playbackId=pb-rec`);
    await ari.advance(4000);
    const s = await events.wait('PlaybackStarted', 'target', 'pb-rec', from);
    const f = await events.wait('PlaybackFinished', 'target', 'pb-rec', from);
    expect(Math.abs(eventTime(f) - eventTime(s) - 3575)).toBeLessThan(30);
    expect((await ari.req('DELETE', `/recordings/stored/${name}`)).status).toBe(204);
    for (const [method, path] of [['GET', ''], ['DELETE', ''], ['GET', '/file']] as const) {
      expect(await ari.req(method, `/recordings/stored/${name}${path}`)).toMatchObject({ status: 404, body: { message: 'Recording not found' } });
    }
  });

  it('fact 40: cancel ends "done" with a duration and stores nothing', async () => {
    const from = events.mark();
    await rec('name=voicemail%2F305%2Fcancel&format=wav&beep=false&ifExists=overwrite&maxSilenceSeconds=0');
    await monkeys('m-cancel');
    await ari.advance(2500);
    expect((await ari.req('DELETE', '/recordings/live/voicemail%2F305%2Fcancel')).status).toBe(204);
    expect(recOf(await events.wait('RecordingFinished', 'target', 'voicemail/305/cancel', from))).toMatchObject({ state: 'done', duration: 2 });
    expect(await ari.req('GET', '/recordings/stored/voicemail%2F305%2Fcancel')).toMatchObject({ status: 404 });
    expect(existsSync(join(ari.sim.recordingsDir, 'voicemail/305/cancel.wav'))).toBe(false);
    expect(await ari.req('DELETE', '/recordings/live/voicemail%2F305%2Fcancel')).toMatchObject({ status: 404, body: { message: 'Recording not found' } });
    await ari.req('DELETE', '/playbacks/m-cancel');
  });

  it('fact 41: a hangup during a recording keeps the file (either side); the order for target', async () => {
    for (const side of ['drv', 'tgt'] as const) {
      const c = await ari.call(events, `c6${side}`);
      const from = events.mark();
      await ari.req('POST', `/channels/${c.tgt}/record?name=voicemail%2F305%2Fhangup-${side}&format=wav&ifExists=overwrite`);
      await ari.req('POST', `/channels/${c.drv}/play?media=sound:tt-monkeys&playbackId=m-${side}`);
      await ari.advance(2500);
      await ari.req('DELETE', `/channels/${side === 'drv' ? c.drv : c.tgt}`);
      await events.wait('ChannelDestroyed', 'driver', c.drv, from);
      await events.settle();
      const target = events.since(from, undefined, 'target').map((e) => e.type);
      expect(target.slice(-3)).toEqual(['ChannelHangupRequest', 'RecordingFinished', 'StasisEnd']);
      expect(target).not.toContain('ChannelDestroyed');
      expect(recOf(events.since(from, 'RecordingFinished', 'target')[0] as AriEvent)).toMatchObject({ state: 'done', duration: 2 });
      expect(events.since(from, 'PlaybackFinished', 'driver').map((e) => (e['playback'] as { state: string }).state)).toEqual(['failed']);
      expect(await ari.req('GET', `/recordings/stored/voicemail%2F305%2Fhangup-${side}`)).toMatchObject({ status: 200 });
    }
  });

  it('fact 42: ifExists=fail on an existing name, or a live name, is 409 and sends nothing', async () => {
    await rec('name=voicemail%2F305%2Ferr&format=wav&ifExists=overwrite');
    await ari.advance(1000);
    await ari.req('POST', '/recordings/live/voicemail%2F305%2Ferr/stop');
    await events.settle();
    const from = events.mark();
    const msg = "Recording 'voicemail/305/err' already exists and can not be overwritten";
    expect(await rec('name=voicemail%2F305%2Ferr&format=wav&ifExists=fail')).toMatchObject({ status: 409, body: { message: msg } });
    expect(await rec('name=voicemail%2F305%2Ferr&format=wav')).toMatchObject({ status: 409, body: { message: msg } });
    await rec('name=live-one&format=wav&ifExists=overwrite');
    expect(await rec('name=live-one&format=wav&ifExists=overwrite')).toMatchObject({ status: 409, body: { message: "Recording 'live-one' already exists and can not be overwritten" } });
    await ari.req('POST', '/recordings/live/live-one/stop');
    await events.settle();
    expect(events.since(from).map((e) => e.type)).toEqual(['RecordingStarted', 'RecordingStarted', 'RecordingFinished', 'RecordingFinished']);
  });

  it('fact 43: validation errors', async () => {
    const cases: [string, number, string][] = [
      ['name=..%2Fescape&format=wav', 500, 'Error parsing request'],
      ['name=voicemail%2F..%2F..%2Fx&format=wav', 500, 'Error parsing request'],
      ['format=wav', 500, 'Error parsing request'],
      ['name=x-bad-format&format=nosuchformat', 422, 'specified format is unknown on this system'],
      ['name=x-noformat', 422, 'specified format is unknown on this system'],
      ['name=x&format=wav&ifExists=bogus', 400, 'ifExists invalid'],
      ['name=x&format=wav&terminateOn=bogus', 400, 'terminateOn invalid'],
      ['name=x&format=wav&maxDurationSeconds=-1', 400, 'max_duration_seconds cannot be negative'],
    ];
    for (const [query, status, message] of cases) expect(await rec(query)).toMatchObject({ status, body: { message } });
    expect(await ari.req('POST', '/channels/nosuchchannel/record?name=x&format=wav')).toMatchObject({ status: 404, body: { message: 'Channel not found' } });
  });

  it('fact 44: pause/unpause/mute/unmute are 204 (also repeated) with no events; stop while paused', async () => {
    await rec('name=ctl&format=wav&ifExists=overwrite');
    await monkeys('m-ctl');
    const from = events.mark();
    for (const [method, op, state] of [
      ['POST', 'pause', 'paused'],
      ['POST', 'pause', 'paused'],
      ['DELETE', 'pause', 'recording'],
      ['DELETE', 'pause', 'recording'],
      ['POST', 'mute', 'recording'],
      ['POST', 'mute', 'recording'],
      ['DELETE', 'mute', 'recording'],
      ['DELETE', 'mute', 'recording'],
    ] as const) {
      expect((await ari.req(method, `/recordings/live/ctl/${op}`)).status).toBe(204);
      expect(await ari.req('GET', '/recordings/live/ctl')).toMatchObject({ body: { state } });
      await ari.advance(500);
    }
    await ari.req('POST', '/recordings/live/ctl/pause');
    await events.settle();
    expect(events.since(from, undefined, 'target')).toEqual([]);
    await ari.req('POST', '/recordings/live/ctl/stop');
    expect(recOf(await events.wait('RecordingFinished', 'target', 'ctl', from))).toMatchObject({ state: 'done', duration: 3 });
    await ari.req('DELETE', '/playbacks/m-ctl');
  });

  it('fact 45: a second record on a busy channel is queued and starts as the first finishes', async () => {
    const from = events.mark();
    await rec('name=first&format=wav&ifExists=overwrite');
    expect(await rec('name=second&format=wav&ifExists=overwrite')).toMatchObject({ status: 201, body: { state: 'queued' } });
    await ari.advance(1000);
    await ari.req('POST', '/recordings/live/first/stop');
    const f = await events.wait('RecordingFinished', 'target', 'first', from);
    const s = await events.wait('RecordingStarted', 'target', 'second', from);
    expect(eventTime(s)).toBe(eventTime(f));
    await ari.req('POST', '/recordings/live/second/stop');
  });

  it('fact 46: how recordings end: maxDuration, terminateOn, silence, and no audio at all', async () => {
    // Asterisk checks maxDurationSeconds against time() (whole seconds): start half-way through a
    // second so the recording lasts 2.5 s, as the recorded one (2.16 s) did, not exactly 3.
    await ari.advance((1500 - (ari.clock.now() % 1000)) % 1000);
    let from = events.mark();
    await monkeys('m7');
    const t0 = ari.clock.now();
    await rec('name=maxdur&format=wav&maxDurationSeconds=2&ifExists=overwrite');
    await ari.advance(3500);
    const maxdur = await events.wait('RecordingFinished', 'target', 'maxdur', from);
    expect(recOf(maxdur)).toMatchObject({ duration: 2 });
    // Asterisk counts whole wall-clock seconds: between 2 and 3 s after the start.
    expect(eventTime(maxdur) - t0).toBeGreaterThan(2000);
    expect(eventTime(maxdur) - t0).toBeLessThanOrEqual(3000);
    await ari.req('DELETE', '/playbacks/m7');

    from = events.mark();
    await rec('name=dtmf&format=wav&terminateOn=%23&ifExists=overwrite');
    await monkeys('m7b');
    await ari.advance(2000);
    await ari.req('DELETE', '/playbacks/m7b');
    await ari.req('POST', `/channels/${drv}/dtmf?dtmf=%23`);
    await ari.advance(300);
    const digit = await events.wait('ChannelDtmfReceived', 'target', tgt, from);
    const byDtmf = await events.wait('RecordingFinished', 'target', 'dtmf', from);
    expect(eventTime(byDtmf)).toBe(eventTime(digit));
    expect(recOf(byDtmf)).toMatchObject({ duration: 2 });
    expect((await ari.req('GET', '/recordings/stored/dtmf')).status).toBe(200);

    from = events.mark();
    await ari.req('POST', `/channels/${drv}/play?media=sound:silence/10&playbackId=sil`);
    const t1 = ari.clock.now();
    await rec('name=silence&format=wav&maxSilenceSeconds=2&ifExists=overwrite');
    await ari.advance(2500);
    const bySilence = await events.wait('RecordingFinished', 'target', 'silence', from);
    expect(recOf(bySilence)).toMatchObject({ duration: 1, talking_duration: 1, silence_duration: 0 });
    expect(Math.abs(eventTime(bySilence) - t1 - 2000)).toBeLessThanOrEqual(40);
    await ari.req('DELETE', '/playbacks/sil');

    from = events.mark();
    await rec('name=talk&format=wav&maxSilenceSeconds=5&ifExists=overwrite');
    await monkeys('m7c');
    await ari.advance(3005);
    await ari.req('POST', '/recordings/live/talk/stop');
    expect(recOf(await events.wait('RecordingFinished', 'target', 'talk', from))).toMatchObject({ duration: 3, talking_duration: 3, silence_duration: 0 });
    await ari.req('DELETE', '/playbacks/m7c');

    from = events.mark();
    await rec('name=talksilence&format=wav&maxSilenceSeconds=2&ifExists=overwrite');
    await monkeys('m7d');
    await ari.advance(3005);
    await ari.req('DELETE', '/playbacks/m7d');
    await ari.req('POST', `/channels/${drv}/play?media=sound:silence/10&playbackId=sil2`);
    await ari.advance(3000);
    const talkSilence = recOf(await events.wait('RecordingFinished', 'target', 'talksilence', from));
    const size = statSync(join(ari.sim.recordingsDir, 'talksilence.wav')).size;
    if (realMonkeys) {
      // The real tt-monkeys has quiet stretches: exactly what Asterisk reported.
      expect(talkSilence).toMatchObject({ duration: 3, talking_duration: 2, silence_duration: 1 });
      expect(size).toBe(49004);
    } else {
      expect((talkSilence.talking_duration ?? 0) + (talkSilence.silence_duration ?? 0)).toBe(talkSilence.duration);
    }
    await ari.req('DELETE', '/playbacks/sil2');

    from = events.mark();
    await rec('name=nosound&format=wav&maxSilenceSeconds=2&ifExists=overwrite');
    const t2 = ari.clock.now();
    await ari.advance(4500);
    const noAudio = await events.wait('RecordingFinished', 'target', 'nosound', from);
    expect(recOf(noAudio)).toMatchObject({ duration: 0, talking_duration: 0, silence_duration: 0 });
    expect(eventTime(noAudio) - t2).toBe(4000);
    expect((await ari.req('GET', '/recordings/stored/nosound')).status).toBe(200);
  });

  it('fact 47: recording a bridged channel is 201 queued, then RecordingFailed, and nothing is stored', async () => {
    await ari.req('POST', '/bridges?type=mixing&bridgeId=br-rec');
    await ari.req('POST', `/bridges/br-rec/addChannel?channel=${tgt}`);
    const from = events.mark();
    expect(await rec('name=inbridge&format=wav&ifExists=overwrite')).toMatchObject({ status: 201, body: { state: 'queued' } });
    const failed = await events.wait('RecordingFailed', 'target', 'inbridge', from);
    expect(recOf(failed)).toEqual({ name: 'inbridge', format: 'wav', state: 'failed', target_uri: `channel:${tgt}`, cause: 'Cannot record channel while in bridge' });
    expect(events.since(from, 'RecordingFailed').map((e) => e.application).sort()).toEqual(['driver', 'target']);
    expect(await ari.req('GET', '/recordings/stored/inbridge')).toMatchObject({ status: 404 });
    expect(subject(failed)).toBe('inbridge');
    await ari.req('DELETE', '/bridges/br-rec');
    rmSync(join(ari.sim.recordingsDir, 'nosound.wav'), { force: true });
  });
});
