/** Facts 7-14: call setup, subscriptions, variables at Stasis entry/exit, DTMF. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAri, eventTime, haveTranscripts, recordedResponse, subject, warnIfNoTranscripts } from '../helpers.js';
import type { AriEvent, EventLog } from '../helpers.js';

warnIfNoTranscripts();

interface ChannelJson {
  id: string;
  state: string;
  dialplan: { context: string; exten: string; priority: number; app_name: string; app_data: string };
}

const channelOf = (e: AriEvent): ChannelJson => e['channel'] as ChannelJson;

describe.skipIf(!haveTranscripts)('ARI fidelity: call setup and DTMF', () => {
  let ari: TestAri;
  let events: EventLog;
  beforeAll(async () => {
    ari = await TestAri.start();
    events = await ari.connect();
  });
  afterAll(async () => {
    await ari.close();
  });

  it('fact 7: originate returns the ;1 channel Down in AppDial2; ;2 enters target with args ["100"], Ring', async () => {
    const from = events.mark();
    const res = await ari.req('POST', '/channels?endpoint=Local/100@trace/n&app=driver&channelId=c7-drv&otherChannelId=c7-tgt', { variables: { TARGET_APP: 'target' } });
    const recorded = recordedResponse('answer-play-stop.jsonl', 'POST', /^\/ari\/channels\?endpoint/).body as ChannelJson;
    expect(res.status).toBe(200);
    const body = res.body as ChannelJson;
    expect(Object.keys(body)).toEqual(Object.keys(recorded));
    expect(body).toMatchObject({ id: 'c7-drv', state: 'Down', dialplan: recorded.dialplan });
    const start = await events.wait('StasisStart', 'target', 'c7-tgt', from);
    expect(start['args']).toEqual(['100']);
    expect(channelOf(start)).toMatchObject({ state: 'Ring', dialplan: { app_name: 'Stasis', app_data: 'target,100', priority: 2 } });
  });

  it('fact 8: answering ;2 brings ChannelStateChange, then Dial ANSWER and StasisStart for ;1', async () => {
    const from = events.mark();
    expect((await ari.req('POST', '/channels/c7-tgt/answer')).status).toBe(204);
    const start = await events.wait('StasisStart', 'driver', 'c7-drv', from);
    expect(start['args']).toEqual([]);
    expect(channelOf(start)).toMatchObject({ state: 'Up', dialplan: { app_name: 'Stasis', app_data: 'driver' } });
    expect(events.since(from, 'ChannelStateChange', 'target').map(channelOf).map((c) => [c.id, c.state])).toEqual([['c7-tgt', 'Up']]);
    const driver = events.since(from, undefined, 'driver').map((e) => `${e.type}:${subject(e) ?? ''}`);
    expect(driver).toEqual([
      'ChannelStateChange:c7-tgt',
      'ChannelStateChange:c7-drv',
      'Dial:c7-drv',
      'ChannelVarset:c7-drv',
      'StasisStart:c7-drv',
    ]);
    expect(events.since(from, 'Dial')[0]?.['dialstatus']).toBe('ANSWER');
    expect((await ari.req('POST', '/channels/c7-tgt/answer')).status).toBe(204);
  });

  it('fact 9: the originating app hears both halves; an event for two apps arrives twice', async () => {
    const setup = events.since(0, undefined, 'driver').filter((e) => subject(e) === 'c7-tgt').map((e) => e.type);
    expect(setup).toEqual(expect.arrayContaining(['ChannelVarset', 'ChannelDialplan', 'ChannelStateChange']));
    const from = events.mark();
    await ari.req('POST', '/channels/c7-drv/dtmf?dtmf=1');
    await ari.req('POST', '/channels/c7-tgt/play?media=sound:beep&playbackId=pb9');
    await ari.req('POST', '/channels/c7-tgt/record?name=rec9&format=wav&ifExists=overwrite');
    await ari.advance(1500);
    await ari.req('POST', '/recordings/live/rec9/stop');
    await events.wait('RecordingFinished', 'driver', 'rec9', from);
    for (const type of ['ChannelDtmfReceived', 'PlaybackStarted', 'PlaybackFinished', 'RecordingStarted', 'RecordingFinished']) {
      expect(events.since(from, type).map((e) => e.application).sort()).toEqual(['driver', 'target']);
    }
  });

  it('fact 10: Dial has peer (;1), dialstring, forward and dialstatus, no caller; "" then ANSWER', () => {
    const dials = events.since(0, 'Dial').filter((e) => subject(e) === 'c7-drv');
    expect(dials.map((d) => d['dialstatus'])).toEqual(['', 'ANSWER']);
    for (const d of dials) {
      expect(Object.keys(d).sort()).toEqual(['application', 'asterisk_id', 'dialstatus', 'dialstring', 'forward', 'peer', 'timestamp', 'type']);
      expect(d).toMatchObject({ dialstring: '100@trace/n', forward: '' });
    }
  });

  it('fact 11: STASISSTATUS only reaches driver; POST variable reaches both apps; CHANNEL(language) none', async () => {
    const status = events.since(0, 'ChannelVarset').filter((e) => e['variable'] === 'STASISSTATUS');
    expect(status.every((e) => e.application === 'driver')).toBe(true);
    expect(status.filter((e) => subject(e) === 'c7-tgt').map((e) => e['value'])).toEqual(['']);
    const from = events.mark();
    await ari.req('POST', '/channels/c7-tgt/variable?variable=MYVAR&value=hello');
    await ari.req('POST', '/channels/c7-tgt/variable?variable=CHANNEL(language)&value=fr');
    await events.wait('ChannelVarset', 'target', 'c7-tgt', from);
    await events.settle();
    expect(events.since(from, 'ChannelVarset').map((e) => [e.application, e['variable'], e['value']]).sort()).toEqual([
      ['driver', 'MYVAR', 'hello'],
      ['target', 'MYVAR', 'hello'],
    ]);
    await ari.req('POST', '/channels/c7-tgt/variable?variable=CHANNEL(language)&value=en');
    // The exit value: leave Stasis on a second call.
    const c = await ari.call(events, 'c11');
    const mark = events.mark();
    await ari.req('DELETE', `/channels/${c.drv}`);
    await events.wait('ChannelDestroyed', 'driver', c.tgt, mark);
    const exit = events.since(mark, 'ChannelVarset').filter((e) => e['variable'] === 'STASISSTATUS');
    expect(exit.map((e) => [e.application, subject(e), e['value']])).toEqual([
      ['driver', c.drv, 'SUCCESS'],
      ['driver', c.tgt, 'SUCCESS'],
    ]);
  });

  it('fact 12: originate variables are inherited by ;2', async () => {
    expect(await ari.req('GET', '/channels/c7-tgt/variable?variable=TARGET_APP')).toMatchObject({ status: 200, body: { value: 'target' } });
  });

  it('fact 13: DTMF on ;1 arrives as ChannelDtmfReceived on ;2 200 ms later; per digit with between/duration', async () => {
    let from = events.mark();
    const sentAt = ari.clock.now();
    expect((await ari.req('POST', '/channels/c7-drv/dtmf?dtmf=%23')).status).toBe(204);
    await ari.advance(400);
    const got = await events.wait('ChannelDtmfReceived', 'target', 'c7-tgt', from);
    expect(got).toMatchObject({ digit: '#', duration_ms: 100 });
    expect(eventTime(got) - sentAt).toBe(200);
    from = events.mark();
    const t0 = ari.clock.now();
    await ari.req('POST', '/channels/c7-drv/dtmf?dtmf=12*9AD&between=100&duration=120');
    await ari.advance(2000);
    const digits = events.since(from, 'ChannelDtmfReceived', 'target');
    expect(digits.map((d) => d['digit'])).toEqual(['1', '2', '*', '9', 'A', 'D']);
    expect(digits.every((d) => d['duration_ms'] === 120 && subject(d) === 'c7-tgt')).toBe(true);
    expect(digits.map((d) => eventTime(d) - t0)).toEqual([220, 440, 660, 880, 1100, 1320]);
  });

  it('fact 14: DTMF errors', async () => {
    expect(await ari.req('POST', '/channels/c7-drv/dtmf')).toMatchObject({ status: 400, body: { message: 'DTMF is required' } });
    expect(await ari.req('POST', '/channels/nosuchchannel/dtmf?dtmf=1')).toMatchObject({ status: 404, body: { message: 'Channel not found' } });
  });
});
