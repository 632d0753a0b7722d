/**
 * Behaviour of the simulator beyond the recorded facts: audio flow ("the caller hears
 * music"), Stasis() for an app nobody registered, app takeover, create + dial, the
 * originate caller id, the fault hooks, and what the Asterisk source implies for controls
 * beyond the recorded facts. Runs without ../shared.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav, frameEnergy } from '../../src/simulator/media/audio.js';
import { TestAri, eventTime, subject } from './helpers.js';
import type { EventLog } from './helpers.js';

/** Mean energy of a stored wav recording, and its length in seconds. */
function analyse(ari: TestAri, name: string): { seconds: number; energy: number } {
  const samples = decodeWav(readFileSync(join(ari.sim.recordingsDir, `${name}.wav`))) ?? new Int16Array(0);
  return { seconds: samples.length / 8000, energy: frameEnergy(samples) };
}

describe('simulator behaviour', () => {
  let ari: TestAri;
  let events: EventLog;
  beforeAll(async () => {
    ari = await TestAri.start();
    events = await ari.connect();
  });
  afterAll(async () => {
    await ari.close();
  });

  it('the caller hears music on hold started on ;2 (a recording of ;1 hears it), and silence when it stops', async () => {
    const { drv, tgt } = await ari.call(events, 'moh');
    const from = events.mark();
    await ari.req('POST', `/channels/${drv}/record?name=heard-moh&format=wav&ifExists=overwrite`);
    await ari.req('POST', `/channels/${tgt}/moh`);
    await ari.advance(2000);
    await ari.req('DELETE', `/channels/${tgt}/moh`);
    await ari.req('POST', `/channels/${tgt}/silence`);
    await ari.advance(2000);
    await ari.req('POST', '/recordings/live/heard-moh/stop');
    expect((await events.wait('RecordingFinished', 'driver', 'heard-moh', from))['recording']).toMatchObject({ duration: 4 });
    const samples = decodeWav(readFileSync(join(ari.sim.recordingsDir, 'heard-moh.wav'))) ?? new Int16Array(0);
    expect(frameEnergy(samples.subarray(0, 16000))).toBeGreaterThan(1000);
    expect(frameEnergy(samples.subarray(16000, 32000))).toBe(0);
    await ari.req('DELETE', `/channels/${drv}`);
  });

  it('a mixing bridge passes each member\'s audio to the others; a holding bridge gives its music', async () => {
    const a = await ari.call(events, 'mixa');
    const b = await ari.call(events, 'mixb');
    await ari.req('POST', '/bridges?type=mixing&bridgeId=br-mix');
    await ari.req(`POST`, `/bridges/br-mix/addChannel?channel=${a.tgt},${b.tgt}`);
    let from = events.mark();
    // Caller B records what it hears while caller A's side plays a prompt into the call.
    await ari.req('POST', `/channels/${b.drv}/record?name=heard-a&format=wav&ifExists=overwrite`);
    await ari.req('POST', `/channels/${a.drv}/play?media=sound:vm-intro&playbackId=a-talks`);
    await ari.advance(3000);
    await ari.req('POST', '/recordings/live/heard-a/stop');
    await events.wait('RecordingFinished', 'driver', 'heard-a', from);
    expect(analyse(ari, 'heard-a')).toMatchObject({ seconds: 3 });
    expect(analyse(ari, 'heard-a').energy).toBeGreaterThan(100);
    await ari.req('DELETE', '/playbacks/a-talks');
    await ari.req('DELETE', '/bridges/br-mix');
    await ari.req('POST', '/bridges?type=holding&bridgeId=br-hold');
    await ari.req('POST', `/bridges/br-hold/addChannel?channel=${a.tgt}`);
    await ari.req('POST', '/bridges/br-hold/moh');
    from = events.mark();
    await ari.req('POST', `/channels/${a.drv}/record?name=held&format=wav&ifExists=overwrite`);
    await ari.advance(1000);
    await ari.req('POST', '/recordings/live/held/stop');
    await events.wait('RecordingFinished', 'driver', 'held', from);
    expect(analyse(ari, 'held').energy).toBeGreaterThan(1000);
    await ari.req('DELETE', '/bridges/br-hold');
    await ari.req('DELETE', `/channels/${a.drv}`);
    await ari.req('DELETE', `/channels/${b.drv}`);
  });

  it('Stasis() for an app nobody registered sets STASISSTATUS=FAILED and the dialplan goes on', async () => {
    const from = events.mark();
    const res = await ari.req('POST', '/channels?endpoint=Local/100@trace/n&app=driver&channelId=nf-drv&otherChannelId=nf-tgt', { variables: { TARGET_APP: 'nobody' } });
    expect(res.status).toBe(200);
    await events.wait('ChannelDestroyed', 'driver', 'nf-drv', from);
    const statuses = events.since(from, 'ChannelVarset', 'driver').filter((e) => e['variable'] === 'STASISSTATUS').map((e) => e['value']);
    expect(statuses).toEqual(['', 'FAILED']);
    expect(events.since(from, 'ChannelDialplan', 'driver').map((e) => e['dialplan_app'])).toEqual(['NoOp', 'Stasis', 'Hangup']);
    expect(events.since(from, 'Dial', 'driver').map((e) => e['dialstatus'])).toEqual(['', 'NOANSWER']);
  });

  it('a second connection for an app takes it over (ApplicationReplaced to the old one)', async () => {
    const first = await ari.connect('solo');
    const second = await ari.connect('solo');
    const replaced = await first.wait('ApplicationReplaced');
    expect(replaced).toMatchObject({ application: 'solo' });
    expect(second.events).toEqual([]);
    first.close();
    second.close();
  });

  it('create then dial: the channel is in the app at once, the far end answers, Dial says ANSWER', async () => {
    const from = events.mark();
    const res = await ari.req('POST', '/channels/create?endpoint=Local/100@trace/n&app=driver&channelId=cd-drv&otherChannelId=cd-tgt', { variables: { TARGET_APP: 'target' } });
    expect(res).toMatchObject({ status: 200, body: { id: 'cd-drv', state: 'Down' } });
    await events.wait('StasisStart', 'driver', 'cd-drv', from);
    expect(await ari.req('POST', '/channels/cd-tgt/dial')).toMatchObject({ status: 409, body: { message: 'Channel not in Stasis application' } });
    expect((await ari.req('POST', '/channels/cd-drv/dial?timeout=10')).status).toBe(204);
    await events.wait('StasisStart', 'target', 'cd-tgt', from);
    expect(await ari.req('POST', '/channels/cd-drv/dial')).toMatchObject({ status: 409, body: { message: "Channel is not in the 'Down' state" } });
    await ari.req('POST', '/channels/cd-tgt/answer');
    const dial = await events.waitFor((e) => e.type === 'Dial' && e['dialstatus'] === 'ANSWER', from);
    expect(subject(dial)).toBe('cd-drv');
    expect(await ari.req('GET', '/channels/cd-drv')).toMatchObject({ body: { state: 'Up' } });
    await ari.req('DELETE', '/channels/cd-drv');
    await events.wait('StasisEnd', 'target', 'cd-tgt', from);
  });

  it('an originate callerId becomes the caller of ;2', async () => {
    const from = events.mark();
    await ari.req('POST', '/channels?endpoint=Local/100@trace/n&app=driver&channelId=cid-drv&otherChannelId=cid-tgt&callerId=%22Alice%22%20%3C305%3E', { variables: { TARGET_APP: 'target' } });
    const start = await events.wait('StasisStart', 'target', 'cid-tgt', from);
    expect(start['channel']).toMatchObject({ caller: { name: 'Alice', number: '305' } });
    await ari.req('DELETE', '/channels/cid-tgt');
  });

  it('an unanswered originate times out after `timeout` seconds: cause 19, no final Dial (fact 73)', async () => {
    const from = events.mark();
    await ari.req('POST', '/channels?endpoint=Local/100@trace/n&app=driver&channelId=to-drv&otherChannelId=to-tgt&timeout=5', { variables: { TARGET_APP: 'target' } });
    await events.wait('StasisStart', 'target', 'to-tgt', from);
    await ari.advance(5000);
    await events.wait('StasisEnd', 'target', 'to-tgt', from);
    expect(events.since(from, 'Dial', 'driver').map((e) => e['dialstatus'])).toEqual(['']);
    const destroyed = events.since(from, 'ChannelDestroyed', 'driver');
    expect(destroyed.map((e) => e['cause'])).toEqual([19, 19]);
  });

  it('records in other formats and appends with ifExists=append', async () => {
    const { drv, tgt } = await ari.call(events, 'fmt');
    await ari.req('POST', `/channels/${drv}/play?media=sound:tt-monkeys&playbackId=fmt-m`);
    for (const [i, ifExists] of ['overwrite', 'append'].entries()) {
      const from = events.mark();
      await ari.req('POST', `/channels/${tgt}/record?name=fmt&format=ulaw&ifExists=${ifExists}`);
      await ari.advance(1000);
      await ari.req('POST', '/recordings/live/fmt/stop');
      await events.wait('RecordingFinished', 'target', 'fmt', from);
      expect(readFileSync(join(ari.sim.recordingsDir, 'fmt.ulaw')).length).toBe((i + 1) * 8000);
    }
    expect(await ari.req('GET', '/recordings/stored/fmt')).toMatchObject({ body: { name: 'fmt', format: 'ulaw' } });
    await ari.req('DELETE', `/channels/${drv}`);
  });

  // Not in a transcript: what res_stasis_recording.c and res_stasis_playback.c imply beyond facts 18 and 98-106.
  it('recording operations per the Asterisk source: a second queued stop is 409; a beep cancel deletes an old file; a hangup in the beep stores nothing', async () => {
    const { drv, tgt } = await ari.call(events, 'src');
    await ari.req('POST', `/channels/${tgt}/play?media=sound:beep&playbackId=src-first`);
    await ari.req('POST', `/channels/${tgt}/record?name=src-q&format=wav&ifExists=overwrite`);
    expect((await ari.req('POST', '/recordings/live/src-q/stop')).status).toBe(204);
    expect(await ari.req('POST', '/recordings/live/src-q/stop')).toMatchObject({ status: 409, body: { message: 'Recording not in session' } });
    await ari.advance(500);
    // Started at last, it is "recording" again and a stop works (record_file sets the state).
    expect((await ari.req('GET', '/recordings/live/src-q')).body).toMatchObject({ state: 'recording' });
    let from = events.mark();
    await ari.req('POST', '/recordings/live/src-q/stop');
    await events.wait('RecordingFinished', 'target', 'src-q', from);

    // src-q.wav exists now: a cancel in the beep deletes it (ast_filedelete succeeds, 204), the frame is still lost.
    from = events.mark();
    await ari.req('POST', `/channels/${drv}/play?media=sound:tt-monkeys&playbackId=src-m`);
    await ari.req('POST', `/channels/${tgt}/record?name=src-q&format=wav&beep=true&ifExists=overwrite`);
    await ari.advance(100);
    expect((await ari.req('DELETE', '/recordings/live/src-q')).status).toBe(204);
    expect((await ari.req('GET', '/recordings/live/src-q')).body).toMatchObject({ state: 'canceled' });
    await ari.advance(1500);
    expect(events.since(from, 'RecordingFinished')).toEqual([]);
    await ari.req('DELETE', `/playbacks/src-m`);
    await ari.advance(4500);
    expect((await events.wait('RecordingFinished', 'target', 'src-q', from))['recording']).toMatchObject({ duration: 1 });
    expect((await ari.req('GET', '/recordings/stored/src-q')).status).toBe(200);

    from = events.mark();
    await ari.req('POST', `/channels/${tgt}/record?name=src-hangup&format=wav&beep=true&ifExists=overwrite`);
    await ari.advance(100);
    await ari.req('DELETE', `/channels/${drv}`);
    await events.wait('RecordingFinished', 'target', 'src-hangup', from);
    expect((await ari.req('GET', '/recordings/stored/src-hangup')).status).toBe(404);
  });

  it('after a sound: item, a pause in a number: item is 204 and cuts the file playing; the say goes on', async () => {
    const { drv, tgt } = await ari.call(events, 'say');
    const from = events.mark();
    await ari.req('POST', `/channels/${tgt}/play?media=sound:beep,number:42&playbackId=say-1`);
    await ari.advance(426 + 300);
    expect((await ari.req('POST', '/playbacks/say-1/control?operation=pause')).status).toBe(204);
    expect((await ari.req('GET', '/playbacks/say-1')).body).toMatchObject({ media_uri: 'number:42', state: 'paused' });
    // Paused as ARI sees it: only unpause (or stop) is accepted.
    expect((await ari.req('POST', '/playbacks/say-1/control?operation=forward')).status).toBe(409);
    await ari.advance(1000);
    const finished = await events.wait('PlaybackFinished', 'target', 'say-1', from);
    // digits/40 was cut 300 ms in, digits/2 (0.75 s) played whole.
    const started = events.since(from, 'PlaybackStarted', 'target').at(-1);
    expect(started === undefined ? NaN : eventTime(finished) - eventTime(started)).toBe(300 + 747);
    await ari.req('DELETE', `/channels/${drv}`);
  });

  it('subscribeAll=true hears every channel', async () => {
    const spy = await ari.connect('spy', '&subscribeAll=true');
    const { drv, tgt } = await ari.call(events, 'spied');
    await spy.wait('ChannelStateChange', 'spy', tgt);
    expect(spy.since(0, 'StasisStart')).toEqual([]);
    await ari.req('DELETE', `/channels/${drv}`);
    await spy.wait('ChannelDestroyed', 'spy', tgt);
    spy.close();
  });

  it('fault hooks: failNext, delayEvents, dropWebSockets', async () => {
    ari.sim.faults.failNext({ method: 'GET', path: /^\/ari\/asterisk\/ping$/ }, 503, 'injected');
    expect(await ari.req('GET', '/asterisk/ping')).toMatchObject({ status: 503, body: { message: 'injected' } });
    expect((await ari.req('GET', '/asterisk/ping')).status).toBe(200);

    const { drv, tgt } = await ari.call(events, 'flt');
    ari.sim.faults.delayEvents(1000);
    const from = events.mark();
    await ari.req('POST', `/channels/${tgt}/variable?variable=X&value=1`);
    await events.settle(60);
    expect(events.since(from)).toEqual([]);
    await ari.advance(1000);
    await events.wait('ChannelVarset', 'target', tgt, from);
    ari.sim.faults.delayEvents(0);

    const extra = await ari.connect('dropme');
    const closed = new Promise<number>((resolve) => extra.ws.on('close', (code: number) => resolve(code)));
    ari.sim.faults.dropWebSockets('dropme');
    expect(await closed).toBe(1006);
    expect(events.ws.readyState).toBe(events.ws.OPEN);
    await ari.req('DELETE', `/channels/${drv}`);
  });
});
