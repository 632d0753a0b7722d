/** Facts 57-63: hangup order. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAri, haveTranscripts, subject, warnIfNoTranscripts } from '../helpers.js';
import type { AriEvent, EventLog } from '../helpers.js';

warnIfNoTranscripts();

const line = (e: AriEvent): string => {
  const extra = e.type === 'ChannelHangupRequest' ? `(${String(e['cause'])}${e['soft'] === true ? ',soft' : ''})` : e.type === 'ChannelDestroyed' ? `(${String(e['cause'])})` : e.type === 'Dial' ? `(${String(e['dialstatus'])})` : '';
  return `${e.type}${extra}:${subject(e) ?? ''}`;
};

describe.skipIf(!haveTranscripts)('ARI fidelity: hangup order', () => {
  let ari: TestAri;
  let events: EventLog;
  beforeAll(async () => {
    ari = await TestAri.start();
    events = await ari.connect();
  });
  afterAll(async () => {
    await ari.close();
  });

  const story = (from: number, app: string): string[] => events.since(from, undefined, app).filter((e) => e['variable'] === undefined).map(line);

  /** Originates without answering: ;2 rings in target. */
  async function ringing(tag: string): Promise<{ drv: string; tgt: string }> {
    const from = events.mark();
    await ari.req('POST', `/channels?endpoint=Local/100@trace/n&app=driver&channelId=${tag}-drv&otherChannelId=${tag}-tgt`, { variables: { TARGET_APP: 'target' } });
    await events.wait('StasisStart', 'target', `${tag}-tgt`, from);
    return { drv: `${tag}-drv`, tgt: `${tag}-tgt` };
  }

  it('fact 57: driver hangs up ;1', async () => {
    const { drv, tgt } = await ari.call(events, 'h1');
    const from = events.mark();
    expect((await ari.req('DELETE', `/channels/${drv}`)).status).toBe(204);
    await events.wait('ChannelDestroyed', 'driver', tgt, from);
    await events.settle();
    expect(story(from, 'target')).toEqual([`ChannelHangupRequest(16):${tgt}`, `StasisEnd:${tgt}`]);
    expect(story(from, 'driver')).toEqual([
      `ChannelHangupRequest(32,soft):${drv}`,
      `StasisEnd:${drv}`,
      `ChannelHangupRequest(16):${tgt}`,
      `ChannelDestroyed(16):${drv}`,
      `ChannelHangupRequest(16,soft):${tgt}`,
      `ChannelDestroyed(16):${tgt}`,
    ]);
    const destroyed = events.since(from, 'ChannelDestroyed', 'driver');
    expect(destroyed.map((e) => e['cause_txt'])).toEqual(['Normal Clearing', 'Normal Clearing']);
  });

  it('fact 58: the app whose channel entered through Stasis() never gets ChannelDestroyed', () => {
    expect(events.since(0, 'ChannelDestroyed', 'target')).toEqual([]);
    expect(events.since(0, 'ChannelDestroyed', 'driver').length).toBeGreaterThan(0);
  });

  it('fact 59: target hangs up its own ;2 (reason=normal)', async () => {
    const { drv, tgt } = await ari.call(events, 'h2');
    const from = events.mark();
    expect((await ari.req('DELETE', `/channels/${tgt}?reason=normal`)).status).toBe(204);
    await events.wait('ChannelDestroyed', 'driver', drv, from);
    await events.settle();
    expect(story(from, 'target')).toEqual([`ChannelHangupRequest(32,soft):${tgt}`, `StasisEnd:${tgt}`]);
    expect(story(from, 'driver')).toEqual([
      `ChannelHangupRequest(32,soft):${tgt}`,
      `ChannelHangupRequest(16,soft):${tgt}`,
      `ChannelHangupRequest(16):${drv}`,
      `ChannelDestroyed(16):${tgt}`,
      `StasisEnd:${drv}`,
      `ChannelDestroyed(16):${drv}`,
    ]);
  });

  it('fact 60: reason=busy and reason_code=17 give cause 17 "User busy"; bad reasons and gone channels', async () => {
    for (const query of ['reason=busy', 'reason_code=17']) {
      const { drv, tgt } = await ari.call(events, `h3${query.length}`);
      const from = events.mark();
      if (query === 'reason_code=17') {
        expect(await ari.req('DELETE', `/channels/${tgt}?reason=nosuchreason`)).toMatchObject({ status: 400, body: { message: 'Invalid reason for hangup reason provided' } });
      }
      expect((await ari.req('DELETE', `/channels/${tgt}?${query}`)).status).toBe(204);
      await events.wait('ChannelDestroyed', 'driver', drv, from);
      const destroyed = events.since(from, 'ChannelDestroyed', 'driver');
      expect(destroyed.map((e) => [e['cause'], e['cause_txt']])).toEqual([
        [17, 'User busy'],
        [17, 'User busy'],
      ]);
      expect(await ari.req('DELETE', `/channels/${tgt}`)).toMatchObject({ status: 404, body: { message: 'Channel not found' } });
      expect(await ari.req('GET', `/channels/${tgt}`)).toMatchObject({ status: 404, body: { message: 'Channel not found' } });
    }
  });

  it('fact 61: continue: StasisEnd without a hangup request, then the dialplan Hangup()', async () => {
    const { drv, tgt } = await ari.call(events, 'h4');
    const from = events.mark();
    expect((await ari.req('POST', `/channels/${tgt}/continue`)).status).toBe(204);
    await events.wait('ChannelDestroyed', 'driver', drv, from);
    await events.settle();
    expect(story(from, 'target')).toEqual([`StasisEnd:${tgt}`]);
    expect(story(from, 'driver')).toEqual([
      `ChannelDialplan:${tgt}`,
      `ChannelHangupRequest(16,soft):${tgt}`,
      `ChannelHangupRequest(16):${drv}`,
      `ChannelDestroyed(16):${tgt}`,
      `StasisEnd:${drv}`,
      `ChannelDestroyed(16):${drv}`,
    ]);
    expect(events.since(from, 'ChannelDialplan', 'driver')[0]).toMatchObject({ dialplan_app: 'Hangup', dialplan_app_data: '', channel: { dialplan: { priority: 3 } } });
  });

  it('fact 62: hangup before answer, from either side', async () => {
    let c = await ringing('h5');
    let from = events.mark();
    await ari.req('DELETE', `/channels/${c.tgt}?reason=busy`);
    await events.wait('ChannelDestroyed', 'driver', c.drv, from);
    expect(events.since(from, 'Dial', 'driver').map((e) => e['dialstatus'])).toEqual(['BUSY']);
    expect(events.since(0, 'StasisStart', 'driver').map(subject)).not.toContain(c.drv);
    c = await ringing('h6');
    from = events.mark();
    await ari.req('DELETE', `/channels/${c.drv}`);
    await events.wait('ChannelDestroyed', 'driver', c.tgt, from);
    await events.settle();
    expect(events.since(from, 'Dial', 'driver').map((e) => e['dialstatus'])).toEqual(['NOANSWER']);
    const target = events.since(from, undefined, 'target');
    expect(target.map(line)).toEqual([`ChannelHangupRequest(16):${c.tgt}`, `StasisEnd:${c.tgt}`]);
    expect(target.map((e) => (e['channel'] as { state: string }).state)).toEqual(['Ring', 'Ring']);
  });

  it('fact 63: hangup with a playback running and one queued: failed, then started and failed, before StasisEnd', async () => {
    const { tgt } = await ari.call(events, 'h7');
    const from = events.mark();
    await ari.req('POST', `/channels/${tgt}/play?media=sound:vm-intro&playbackId=cq-intro3`);
    await ari.req('POST', `/channels/${tgt}/play?media=sound:beep&playbackId=cq-beep3`);
    await ari.advance(500);
    await ari.req('DELETE', `/channels/${tgt}`);
    await events.wait('StasisEnd', 'target', tgt, from);
    const target = events.since(from, undefined, 'target').map((e) => (e.type.startsWith('Playback') ? `${e.type}:${subject(e) ?? ''}:${(e['playback'] as { state: string }).state}` : e.type));
    expect(target).toEqual([
      'PlaybackStarted:cq-intro3:playing',
      'ChannelHangupRequest',
      'PlaybackFinished:cq-intro3:failed',
      'PlaybackStarted:cq-beep3:playing',
      'PlaybackFinished:cq-beep3:failed',
      'StasisEnd',
    ]);
    expect(await ari.req('GET', '/playbacks/cq-beep3')).toMatchObject({ status: 404 });
  });
});
