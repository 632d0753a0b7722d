/** Facts 15-18: commands on one channel run one at a time, in order. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAri, eventTime, haveTranscripts, subject, warnIfNoTranscripts } from '../helpers.js';
import type { EventLog } from '../helpers.js';

warnIfNoTranscripts();

describe.skipIf(!haveTranscripts)('ARI fidelity: per-channel command queue', () => {
  let ari: TestAri;
  let events: EventLog;
  let drv: string;
  let tgt: string;
  beforeAll(async () => {
    ari = await TestAri.start();
    events = await ari.connect();
    ({ drv, tgt } = await ari.call(events, 'cq'));
  });
  afterAll(async () => {
    await ari.close();
  });

  it('fact 15: DTMF sent during a playback on that channel goes out after PlaybackFinished', async () => {
    const from = events.mark();
    await ari.req('POST', `/channels/${drv}/play?media=sound:vm-intro&playbackId=cq-drv-intro`);
    expect((await ari.req('POST', `/channels/${drv}/dtmf?dtmf=5`)).status).toBe(204);
    await ari.advance(7000);
    const finished = await events.wait('PlaybackFinished', 'driver', 'cq-drv-intro', from);
    const digit = await events.wait('ChannelDtmfReceived', 'target', tgt, from);
    expect(eventTime(digit) - eventTime(finished)).toBe(200);
  });

  it('fact 16: a record during a playback is queued and starts right after PlaybackFinished', async () => {
    const from = events.mark();
    await ari.req('POST', `/channels/${tgt}/play?media=sound:vm-intro&playbackId=cq-tgt-intro`);
    const rec = await ari.req('POST', `/channels/${tgt}/record?name=voicemail%2F305%2Fcq&format=wav&ifExists=overwrite`);
    expect(rec).toMatchObject({ status: 201, body: { state: 'queued' } });
    expect(await ari.req('GET', '/recordings/live/voicemail%2F305%2Fcq')).toMatchObject({ body: { state: 'queued' } });
    await ari.advance(6000);
    const finished = await events.wait('PlaybackFinished', 'target', 'cq-tgt-intro', from);
    const started = await events.wait('RecordingStarted', 'target', 'voicemail/305/cq', from);
    expect(eventTime(started)).toBe(eventTime(finished));
  });

  it('fact 17: a play during a recording is queued and starts right after RecordingFinished', async () => {
    const from = events.mark();
    const play = await ari.req('POST', `/channels/${tgt}/play?media=sound:beep&playbackId=cq-beep`);
    expect(play).toMatchObject({ status: 201, body: { state: 'queued' } });
    expect(await ari.req('GET', '/playbacks/cq-beep')).toMatchObject({ body: { state: 'queued' } });
    await ari.advance(1500);
    await ari.req('POST', '/recordings/live/voicemail%2F305%2Fcq/stop');
    const finished = await events.wait('RecordingFinished', 'target', 'voicemail/305/cq', from);
    const started = await events.wait('PlaybackStarted', 'target', 'cq-beep', from);
    expect(finished['recording']).toMatchObject({ duration: 0 });
    expect(eventTime(started)).toBe(eventTime(finished));
    await ari.advance(500);
  });

  it('fact 18: stopping a queued recording gives 204 and "canceled", but it still runs when its turn comes', async () => {
    const from = events.mark();
    await ari.req('POST', `/channels/${tgt}/play?media=sound:vm-intro&playbackId=cq-intro2`);
    await ari.req('POST', `/channels/${tgt}/record?name=voicemail%2F305%2Fcq2&format=wav&ifExists=overwrite`);
    expect((await ari.req('POST', '/recordings/live/voicemail%2F305%2Fcq2/stop')).status).toBe(204);
    expect(await ari.req('GET', '/recordings/live/voicemail%2F305%2Fcq2')).toMatchObject({ status: 200, body: { state: 'canceled' } });
    await ari.req('DELETE', '/playbacks/cq-intro2');
    const started = await events.wait('RecordingStarted', 'target', 'voicemail/305/cq2', from);
    // Nothing is played into the call: the recording ends by itself after 4 s without audio.
    await ari.advance(4500);
    const finished = await events.wait('RecordingFinished', 'target', 'voicemail/305/cq2', from);
    expect(eventTime(finished) - eventTime(started)).toBe(4000);
    expect(await ari.req('GET', '/recordings/stored/voicemail%2F305%2Fcq2')).toMatchObject({ status: 200 });
    expect(events.since(from, undefined, 'target').map((e) => `${e.type}:${subject(e) ?? ''}`)).toEqual([
      'PlaybackStarted:cq-intro2',
      'PlaybackFinished:cq-intro2',
      'RecordingStarted:voicemail/305/cq2',
      'RecordingFinished:voicemail/305/cq2',
    ]);
  });
});
