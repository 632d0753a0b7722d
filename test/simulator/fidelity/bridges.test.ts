/** Facts 48-56: bridges. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAri, haveTranscripts, recordedResponse, subject, warnIfNoTranscripts } from '../helpers.js';
import type { AriEvent, EventLog } from '../helpers.js';

warnIfNoTranscripts();

interface BridgeJson {
  id: string;
  technology: string;
  bridge_type: string;
  channels: string[];
}

const bridgeOf = (e: AriEvent): BridgeJson => e['bridge'] as BridgeJson;

describe.skipIf(!haveTranscripts)('ARI fidelity: bridges', () => {
  let ari: TestAri;
  let events: EventLog;
  const qa = { drv: 'qa-drv', tgt: 'qa-tgt' };
  const qb = { drv: 'qb-drv', tgt: 'qb-tgt' };
  const qc = { drv: 'qc-drv', tgt: 'qc-tgt' };
  beforeAll(async () => {
    ari = await TestAri.start();
    events = await ari.connect();
    await ari.call(events, 'qa');
    await ari.call(events, 'qb');
    await ari.call(events, 'qc');
  });
  afterAll(async () => {
    await ari.close();
  });

  it('fact 48: create (mixing, holding), duplicates, bad types; no BridgeCreated', async () => {
    const from = events.mark();
    const res = await ari.req('POST', '/bridges?type=mixing&bridgeId=br-q&name=queue');
    const recorded = recordedResponse('bridge-queue.jsonl', 'POST', /bridgeId=br-q&name=queue/).body as Record<string, unknown>;
    expect(res.status).toBe(200);
    expect(Object.keys(res.body as object)).toEqual(Object.keys(recorded));
    const { creationtime: _a, ...mine } = res.body as Record<string, unknown>;
    const { creationtime: _b, ...theirs } = recorded;
    expect(mine).toEqual(theirs);
    expect(await ari.req('POST', '/bridges?type=mixing&bridgeId=br-q&name=queue')).toMatchObject({ status: 409, body: { message: "Bridge with id 'br-q' already exists" } });
    expect(await ari.req('POST', '/bridges?type=holding&bridgeId=br-h&name=hold')).toMatchObject({ status: 200, body: { technology: 'holding_bridge', bridge_type: 'holding' } });
    expect(await ari.req('POST', '/bridges?type=bogus&bridgeId=br-x')).toMatchObject({ status: 500, body: { message: "Unable to create bridge. Possible duplicate bridge id 'br-x'" } });
    await events.settle();
    expect(events.since(from)).toEqual([]);
  });

  it('fact 49: addChannel: ChannelEnteredBridge to the owning app only; re-adding; errors', async () => {
    let from = events.mark();
    expect((await ari.req('POST', `/bridges/br-q/addChannel?channel=${qa.tgt}`)).status).toBe(204);
    expect((await ari.req('POST', `/bridges/br-q/addChannel?channel=${qb.tgt}&role=member`)).status).toBe(204);
    const entered = await events.wait('ChannelEnteredBridge', 'target', qb.tgt, from);
    expect(bridgeOf(entered).channels).toEqual([qa.tgt, qb.tgt]);
    await events.settle();
    expect(events.since(from, 'ChannelEnteredBridge').map((e) => e.application)).toEqual(['target', 'target']);
    const peers = events.since(from, 'ChannelVarset', 'target').map((e) => [subject(e), e['value']]);
    expect(peers).toEqual(expect.arrayContaining([[qa.tgt, expect.stringMatching(/^Local\/100@trace-[0-9a-f]{8};2$/)], [qb.tgt, expect.any(String)]]));
    from = events.mark();
    expect((await ari.req('POST', `/bridges/br-q/addChannel?channel=${qa.tgt}`)).status).toBe(204);
    await events.wait('ChannelEnteredBridge', 'target', qa.tgt, from);
    expect(events.since(from, undefined, 'target').filter((e) => e.type.includes('Bridge')).map((e) => e.type)).toEqual(['ChannelLeftBridge', 'ChannelEnteredBridge']);
    expect(await ari.req('POST', '/bridges/br-q/addChannel?channel=nosuchchannel')).toMatchObject({ status: 400, body: { message: 'Channel not found' } });
    expect(await ari.req('POST', `/bridges/no-such-bridge/addChannel?channel=${qc.tgt}`)).toMatchObject({ status: 404, body: { message: 'Bridge not found' } });
    expect(await ari.req('POST', '/bridges/br-q/addChannel')).toMatchObject({ status: 400, body: { message: 'Missing parameter channel' } });
  });

  it('fact 53: bridge play: 201 with bridge:<id>, events to the bridged channels\' app, an Announcer in BRIDGEPEER', async () => {
    const from = events.mark();
    const res = await ari.req('POST', '/bridges/br-q/play?media=sound:beep&playbackId=bpb-1');
    expect(res).toMatchObject({ status: 201, body: { id: 'bpb-1', target_uri: 'bridge:br-q' } });
    await ari.advance(500);
    await events.wait('PlaybackFinished', 'target', 'bpb-1', from);
    await events.settle();
    expect(events.since(from).filter((e) => e.type.startsWith('Playback')).map((e) => `${e.application}:${e.type}`)).toEqual(['target:PlaybackStarted', 'target:PlaybackFinished']);
    const values = events.since(from, 'ChannelVarset', 'target').map((e) => String(e['value']));
    expect(values.some((v) => /^Announcer\/ARI-[0-9a-f]{8};2,Local\//.test(v))).toBe(true);
    expect(values.at(-1)).toMatch(/^Local\/100@trace-[0-9a-f]{8};2$/);
    // Playing on a bridged channel works and targets the channel.
    const own = await ari.req('POST', `/channels/${qb.tgt}/play?media=sound:beep&playbackId=qb-beep`);
    expect(own).toMatchObject({ status: 201, body: { target_uri: `channel:${qb.tgt}` } });
    await ari.advance(500);
    expect(await events.wait('PlaybackFinished', 'target', 'qb-beep', from)).toMatchObject({ playback: { state: 'done' } });
  });

  it('fact 54: MOH on a bridge and on a channel: 204, no events on the channel; stop twice is 409', async () => {
    let from = events.mark();
    for (const cls of ['default', 'nosuchclass']) {
      expect((await ari.req('POST', `/channels/${qc.tgt}/moh?mohClass=${cls}`)).status).toBe(204);
      expect((await ari.req('DELETE', `/channels/${qc.tgt}/moh`)).status).toBe(204);
    }
    await events.settle();
    expect(events.since(from)).toEqual([]);
    from = events.mark();
    expect((await ari.req('POST', '/bridges/br-q/moh?mohClass=default')).status).toBe(204);
    expect((await ari.req('DELETE', '/bridges/br-q/moh')).status).toBe(204);
    expect(await ari.req('DELETE', '/bridges/br-q/moh')).toMatchObject({ status: 409, body: { message: "Bridge isn't playing music" } });
    await events.settle();
    expect(events.since(from, 'ChannelVarset', 'target').some((e) => String(e['value']).startsWith('Announcer/ARI_MOH-'))).toBe(true);
  });

  it('fact 55: bridge record: 201 bridge:<id>, a Recorder in BRIDGEPEER, paused time not counted, cancel stores nothing', async () => {
    let from = events.mark();
    const res = await ari.req('POST', '/bridges/br-q/record?name=bridge-1&format=wav&ifExists=overwrite');
    expect(res).toMatchObject({ status: 201, body: { name: 'bridge-1', target_uri: 'bridge:br-q' } });
    await ari.req('POST', `/channels/${qa.drv}/play?media=sound:tt-monkeys&playbackId=qa-monkeys`);
    await ari.advance(1000);
    await ari.req('POST', '/recordings/live/bridge-1/pause');
    expect(await ari.req('GET', '/recordings/live/bridge-1')).toMatchObject({ body: { state: 'paused' } });
    await ari.advance(1000);
    await ari.req('DELETE', '/recordings/live/bridge-1/pause');
    await ari.advance(1000);
    await ari.req('POST', '/recordings/live/bridge-1/stop');
    const done = await events.wait('RecordingFinished', 'target', 'bridge-1', from);
    expect(done['recording']).toMatchObject({ state: 'done', target_uri: 'bridge:br-q', duration: 2 });
    await events.settle();
    expect(events.since(from).filter((e) => e.type.startsWith('Recording')).map((e) => e.application)).toEqual(['target', 'target']);
    expect(events.since(from, 'ChannelVarset', 'target').some((e) => String(e['value']).startsWith('Recorder/ARI-'))).toBe(true);
    expect((await ari.req('GET', '/recordings/stored/bridge-1')).status).toBe(200);
    from = events.mark();
    await ari.req('POST', '/bridges/br-q/record?name=bridge-1b&format=wav&ifExists=overwrite');
    await ari.advance(1000);
    expect((await ari.req('DELETE', '/recordings/live/bridge-1b')).status).toBe(204);
    expect((await events.wait('RecordingFinished', 'target', 'bridge-1b', from))['recording']).toMatchObject({ duration: 1 });
    expect((await ari.req('GET', '/recordings/stored/bridge-1b')).status).toBe(404);
    await ari.req('DELETE', '/playbacks/qa-monkeys');
  });

  it('fact 50: removeChannel: ChannelLeftBridge, the channel stays in Stasis; not a member is 422', async () => {
    const from = events.mark();
    expect((await ari.req('POST', `/bridges/br-q/removeChannel?channel=${qa.tgt}`)).status).toBe(204);
    const left = await events.wait('ChannelLeftBridge', 'target', qa.tgt, from);
    expect(bridgeOf(left).channels).toEqual([qb.tgt]);
    expect(await ari.req('GET', `/channels/${qa.tgt}`)).toMatchObject({ status: 200, body: { dialplan: { app_name: 'Stasis' } } });
    for (const ch of [qa.tgt, qc.tgt]) {
      expect(await ari.req('POST', `/bridges/br-q/removeChannel?channel=${ch}`)).toMatchObject({ status: 422, body: { message: 'Channel not in this bridge' } });
    }
  });

  it('fact 51: destroy with a member: ChannelLeftBridge and, unless subscribed, no BridgeDestroyed', async () => {
    let from = events.mark();
    expect((await ari.req('DELETE', '/bridges/br-q')).status).toBe(204);
    const left = await events.wait('ChannelLeftBridge', 'target', qb.tgt, from);
    expect(bridgeOf(left).channels).toEqual([]);
    await events.settle(60);
    expect(events.since(from, 'BridgeDestroyed')).toEqual([]);
    expect(await ari.req('GET', '/bridges/br-q')).toMatchObject({ status: 404, body: { message: 'Bridge not found' } });
    expect(await ari.req('DELETE', '/bridges/br-q')).toMatchObject({ status: 404, body: { message: 'Bridge not found' } });
    // With an explicit subscription.
    await ari.req('POST', '/bridges?type=mixing&bridgeId=br-s');
    const sub = await ari.req('POST', '/applications/target/subscription?eventSource=bridge:br-s');
    expect(sub).toMatchObject({ status: 200, body: { name: 'target', bridge_ids: ['br-s'] } });
    await ari.req('POST', `/bridges/br-s/addChannel?channel=${qb.tgt}`);
    from = events.mark();
    await ari.req('DELETE', '/bridges/br-s');
    await events.wait('BridgeDestroyed', 'target', 'br-s', from);
    expect(events.since(from, undefined, 'target').filter((e) => e.type.includes('Bridge')).map((e) => e.type)).toEqual(['ChannelLeftBridge', 'BridgeDestroyed']);
    expect(await ari.req('DELETE', '/applications/target/subscription?eventSource=bridge:br-s')).toMatchObject({ status: 422, body: { message: 'Event source was not subscribed to' } });
    expect(await ari.req('POST', '/applications/target/subscription?eventSource=bridge:no-such-bridge')).toMatchObject({ status: 422, body: { message: 'Event source does not exist' } });
  });

  it('fact 56: a holding bridge with music lists an extra id in the last ChannelLeftBridge', async () => {
    await ari.req('POST', `/bridges/br-h/addChannel?channel=${qb.tgt}&role=participant`);
    await ari.req('POST', '/bridges/br-h/moh?mohClass=default');
    expect(await ari.req('GET', '/bridges/br-h')).toMatchObject({ body: { channels: [qb.tgt] } });
    const from = events.mark();
    await ari.req('DELETE', '/bridges/br-h');
    const left = await events.wait('ChannelLeftBridge', 'target', qb.tgt, from);
    expect(bridgeOf(left).channels).toEqual([expect.stringMatching(/^\d+\.\d+$/)]);
  });

  it('fact 52: a member hanging up: ChannelHangupRequest, ChannelLeftBridge, StasisEnd; a later DELETE sends BridgeDestroyed', async () => {
    await ari.req('POST', '/bridges?type=mixing&bridgeId=br-e');
    await ari.req('POST', `/bridges/br-e/addChannel?channel=${qc.tgt}`);
    let from = events.mark();
    await ari.req('DELETE', `/channels/${qc.drv}`);
    await events.wait('StasisEnd', 'target', qc.tgt, from);
    expect(events.since(from, undefined, 'target').map((e) => e.type)).toEqual(['ChannelHangupRequest', 'ChannelLeftBridge', 'StasisEnd']);
    from = events.mark();
    await ari.req('DELETE', '/bridges/br-e');
    await events.wait('BridgeDestroyed', 'target', 'br-e', from);
  });
});
