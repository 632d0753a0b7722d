/**
 * Facts 68-72 (playback-list.jsonl): one playback for a media list, its
 * events and controls; and facts 104-106 (stop-number.jsonl): the stops
 * Asterisk refuses for number: and digits:, and the odd ones it half does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAri, eventTime, haveTranscripts, recordedResponse, warnIfNoTranscripts } from '../helpers.js';
import type { AriEvent, EventLog } from '../helpers.js';

warnIfNoTranscripts();

interface PbJson {
  id: string;
  media_uri: string;
  next_media_uri?: string;
  state: string;
}
const pbOf = (e: AriEvent): PbJson => e['playback'] as PbJson;

/** Lengths of the test sounds (ms), as Asterisk plays them. */
const MS = { 'vm-intro': 5654, beep: 426, 'digits/3': 838, 'digits/40': 948, 'digits/2': 747, 'vm-youhave': 907, 'vm-messages': 1072 };

describe.skipIf(!haveTranscripts)('ARI fidelity: media lists and refused stops', () => {
  let ari: TestAri;
  let events: EventLog;
  let tgt: string;

  beforeAll(async () => {
    ari = await TestAri.start();
    events = await ari.connect();
    ({ tgt } = await ari.call(events, 'pl'));
  });
  afterAll(async () => {
    await ari.close();
  });

  const play = (id: string, media: string, extra = '') => ari.req('POST', `/channels/${tgt}/play?media=${media}&playbackId=${id}${extra}`);
  /** The target's Playback* events of one playback since `from`, as [type, media, next, state, ms after the first]. */
  const trace = (id: string, from: number) => {
    const list = events.since(from, undefined, 'target').filter((e) => e.type.startsWith('Playback') && pbOf(e).id === id);
    const t0 = list[0] === undefined ? 0 : eventTime(list[0]);
    return list.map((e) => [e.type.replace('Playback', ''), pbOf(e).media_uri, pbOf(e).next_media_uri ?? null, pbOf(e).state, eventTime(e) - t0] as const);
  };
  const near = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(5);

  it('fact 68: a list is one playback; 201 and GET show the item now playing and the next', async () => {
    const res = await play('pl-1', 'sound:vm-intro,number:3,sound:beep');
    const recorded = recordedResponse('playback-list.jsonl', 'POST', /media=sound:vm-intro,number:3,sound:beep/).body as object;
    expect(Object.keys(res.body as object)).toEqual(Object.keys(recorded));
    expect(res.body).toMatchObject({ id: 'pl-1', media_uri: 'sound:vm-intro', next_media_uri: 'number:3', target_uri: `channel:${tgt}` });
    await ari.advance(1500);
    expect((await ari.req('GET', '/playbacks/pl-1')).body).toMatchObject({ media_uri: 'sound:vm-intro', next_media_uri: 'number:3', state: 'playing' });
    await ari.advance(MS['vm-intro'] - 1500 + 10);
    expect((await ari.req('GET', '/playbacks/pl-1')).body).toMatchObject({ media_uri: 'number:3', next_media_uri: 'sound:beep' });
    await ari.advance(MS['digits/3']);
    const last = (await ari.req('GET', '/playbacks/pl-1')).body as PbJson;
    expect(last).toMatchObject({ media_uri: 'sound:beep', state: 'playing' });
    expect(last).not.toHaveProperty('next_media_uri');
    await ari.advance(500);
  });

  it('fact 69: Started(a, next b), Continuing(a) and Started(b) per boundary, one Finished at the end, each item its length', async () => {
    const from = events.mark();
    await play('pl-69', 'sound:vm-intro,number:3,sound:beep');
    await ari.advance(8000);
    const t = trace('pl-69', from);
    expect(t.map(([type, media, next, state]) => [type, media, next, state])).toEqual([
      ['Started', 'sound:vm-intro', 'number:3', 'playing'],
      ['Continuing', 'sound:vm-intro', 'number:3', 'continuing'],
      ['Started', 'number:3', 'sound:beep', 'playing'],
      ['Continuing', 'number:3', 'sound:beep', 'continuing'],
      ['Started', 'sound:beep', null, 'playing'],
      ['Finished', 'sound:beep', null, 'done'],
    ]);
    near(t[1]![4], MS['vm-intro']);
    near(t[3]![4], MS['vm-intro'] + MS['digits/3']);
    near(t[5]![4], MS['vm-intro'] + MS['digits/3'] + MS.beep);
  });

  it('fact 70: forward by more than is left replays the item; by less, it shortens it; the next item plays whole', async () => {
    let from = events.mark();
    await play('pl-fwd', 'sound:vm-intro,sound:beep', '&skipms=10000');
    await ari.advance(1000);
    await ari.req('POST', '/playbacks/pl-fwd/control?operation=forward');
    await ari.advance(8000);
    let t = trace('pl-fwd', from);
    near(t[1]![4], 1000 + MS['vm-intro']); // recorded: 6674
    near(t.at(-1)![4] - t[1]![4], MS.beep);
    from = events.mark();
    await play('pl-fwd3', 'sound:vm-intro,sound:beep', '&skipms=3000');
    await ari.advance(1000);
    await ari.req('POST', '/playbacks/pl-fwd3/control?operation=forward');
    await ari.advance(4000);
    t = trace('pl-fwd3', from);
    near(t[1]![4], MS['vm-intro'] - 3000); // recorded: 2653
  });

  it('fact 70: reverse and restart act on the current item only, with no event', async () => {
    for (const operation of ['reverse', 'restart']) {
      const from = events.mark();
      const id = `pl-${operation}`;
      await play(id, 'sound:beep,sound:vm-intro', '&skipms=3000');
      await ari.advance(MS.beep + 2500);
      await ari.req('POST', `/playbacks/${id}/control?operation=${operation}`);
      await ari.advance(7000);
      const t = trace(id, from);
      expect(t.map(([type]) => type)).toEqual(['Started', 'Continuing', 'Started', 'Finished']);
      // Back to the start of item 2, never into item 1: 2.5 s + the whole of vm-intro (recorded 8174).
      near(t[3]![4] - t[2]![4], 2500 + MS['vm-intro']);
    }
  });

  it('fact 70: pause shows the current item; unpause sends PlaybackStarted for it; DELETE in item 2 ends the list at once', async () => {
    let from = events.mark();
    await play('pl-pause', 'sound:beep,sound:vm-intro,sound:beep');
    await ari.advance(MS.beep + 1000);
    await ari.req('POST', '/playbacks/pl-pause/control?operation=pause');
    expect((await ari.req('GET', '/playbacks/pl-pause')).body).toMatchObject({ media_uri: 'sound:vm-intro', next_media_uri: 'sound:beep', state: 'paused' });
    await ari.advance(1500);
    await ari.req('POST', '/playbacks/pl-pause/control?operation=unpause');
    await ari.advance(7000);
    let t = trace('pl-pause', from);
    expect(t[3]).toEqual(['Started', 'sound:vm-intro', 'sound:beep', 'playing', t[3]![4]]);
    near(t[4]![4] - t[2]![4], MS['vm-intro'] + 1500); // paused time is added to the item
    from = events.mark();
    await play('pl-stop2', 'sound:beep,sound:vm-intro,sound:beep');
    await ari.advance(MS.beep + 1000);
    expect((await ari.req('DELETE', '/playbacks/pl-stop2')).status).toBe(204);
    await ari.advance(10);
    t = trace('pl-stop2', from);
    expect(t.at(-1)!.slice(0, 4)).toEqual(['Finished', 'sound:vm-intro', 'sound:beep', 'done']);
    expect((await ari.req('GET', '/playbacks/pl-stop2')).status).toBe(404);
  });

  it('fact 71: a missing file inside a list is skipped: Started and Continuing at once, the list ends "done"', async () => {
    const from = events.mark();
    await play('pl-missing', 'sound:beep,sound:no-such-sound,sound:beep');
    await ari.advance(1500);
    const t = trace('pl-missing', from);
    expect(t.map(([type, media]) => [type, media])).toEqual([
      ['Started', 'sound:beep'], ['Continuing', 'sound:beep'], ['Started', 'sound:no-such-sound'], ['Continuing', 'sound:no-such-sound'], ['Started', 'sound:beep'], ['Finished', 'sound:beep'],
    ]);
    expect(t[3]![4] - t[2]![4]).toBeLessThanOrEqual(3);
    expect(t.at(-1)![3]).toBe('done');
  });

  it('fact 72: a JSON array is a list, a JSON string is one item, the body wins over the query, an empty item is 500', async () => {
    let from = events.mark();
    expect(await ari.req('POST', `/channels/${tgt}/play?playbackId=pl-json`, { media: ['sound:beep', 'number:3', 'sound:beep'] })).toMatchObject({
      status: 201,
      body: { media_uri: 'sound:beep', next_media_uri: 'number:3' },
    });
    await ari.advance(2500);
    expect(trace('pl-json', from).filter(([type]) => type === 'Started').map(([, media]) => media)).toEqual(['sound:beep', 'number:3', 'sound:beep']);
    from = events.mark();
    expect((await ari.req('POST', `/channels/${tgt}/play?playbackId=pl-jsonstr`, { media: 'sound:beep,number:3' })).body).toMatchObject({ media_uri: 'sound:beep,number:3' });
    await ari.advance(10);
    const str = trace('pl-jsonstr', from);
    expect(str.map(([type, , , state]) => [type, state])).toEqual([['Started', 'playing'], ['Finished', 'failed']]);
    expect(str[1]![4]).toBe(0);
    expect((await ari.req('POST', `/channels/${tgt}/play?media=sound:vm-nomore&playbackId=pl-both`, { media: ['sound:beep'] })).body).toMatchObject({ media_uri: 'sound:beep' });
    await ari.advance(1000);
    expect(await play('pl-empty', 'sound:beep,,sound:beep')).toMatchObject({ status: 500, body: { message: 'Failed to queue media for playback' } });
  });

  it('fact 104: number: and digits: cannot be stopped: 500, still playing, they play to their end; sound: stops at once', async () => {
    for (const [id, media, length] of [['sn-num', 'number:42', MS['digits/40'] + MS['digits/2']], ['sn-dig', 'digits:32', MS['digits/3'] + MS['digits/2']]] as const) {
      const from = events.mark();
      await play(id, media);
      await ari.advance(100);
      expect(await ari.req('DELETE', `/playbacks/${id}`)).toMatchObject({ status: 500, body: { message: 'Could not stop playback' } });
      expect((await ari.req('GET', `/playbacks/${id}`)).body).toMatchObject({ state: 'playing' });
      await ari.advance(300);
      expect((await ari.req('DELETE', `/playbacks/${id}`)).status).toBe(500);
      await ari.advance(3000);
      const t = trace(id, from);
      expect(t.at(-1)!.slice(0, 4)).toEqual(['Finished', media, null, 'done']);
      near(t.at(-1)![4], length);
    }
    const from = events.mark();
    await play('sn-snd', 'sound:vm-intro');
    await ari.advance(100);
    expect((await ari.req('DELETE', '/playbacks/sn-snd')).status).toBe(204);
    await ari.advance(5);
    near(trace('sn-snd', from).at(-1)![4], 100);
  });

  it('fact 105: in a list, a stop works once a sound: item has started, not before', async () => {
    let from = events.mark();
    await play('sn-18', 'number:3,sound:vm-intro');
    await ari.advance(300);
    expect((await ari.req('DELETE', '/playbacks/sn-18')).status).toBe(500);
    await ari.advance(MS['digits/3'] - 300 + 300);
    expect((await ari.req('DELETE', '/playbacks/sn-18')).status).toBe(204); // 300 ms into vm-intro
    await ari.advance(5);
    let t = trace('sn-18', from);
    expect(t.at(-1)!.slice(0, 4)).toEqual(['Finished', 'sound:vm-intro', null, 'done']);
    from = events.mark();
    await play('sn-12', 'sound:vm-youhave,number:3,sound:vm-messages');
    await ari.advance(100);
    expect((await ari.req('DELETE', '/playbacks/sn-12')).status).toBe(204);
    await ari.advance(5);
    t = trace('sn-12', from);
    expect(t.at(-1)!.slice(0, 4)).toEqual(['Finished', 'sound:vm-youhave', 'number:3', 'done']);
  });

  it('fact 106: a stop in a number: item after a sound: item cuts only the file playing; GET says "done", a second stop changes nothing, the list goes on', async () => {
    let from = events.mark();
    await play('sn-15', 'sound:vm-youhave,number:3,sound:vm-messages');
    await ari.advance(MS['vm-youhave'] + 300);
    expect((await ari.req('DELETE', '/playbacks/sn-15')).status).toBe(204);
    await ari.advance(3000);
    let t = trace('sn-15', from);
    expect(t.map(([type, media]) => [type, media]).slice(2)).toEqual([['Started', 'number:3'], ['Continuing', 'number:3'], ['Started', 'sound:vm-messages'], ['Finished', 'sound:vm-messages']]);
    near(t[3]![4], MS['vm-youhave'] + 300); // digits/3 cut at once
    near(t[5]![4] - t[4]![4], MS['vm-messages']); // item 3 plays whole

    from = events.mark();
    await play('sn-twice', 'sound:beep,number:42,sound:beep');
    await ari.advance(MS.beep + 300);
    expect((await ari.req('DELETE', '/playbacks/sn-twice')).status).toBe(204);
    await ari.advance(300);
    expect((await ari.req('GET', '/playbacks/sn-twice')).body).toMatchObject({ media_uri: 'number:42', next_media_uri: 'sound:beep', state: 'done' });
    expect((await ari.req('DELETE', '/playbacks/sn-twice')).status).toBe(204);
    await ari.advance(3000);
    t = trace('sn-twice', from);
    // digits/40 cut at 300 ms, digits/2 whole (the second stop did nothing), then the last beep whole: recorded 1476 ms.
    near(t[3]![4] - t[2]![4], 300 + MS['digits/2']);
    expect(t.at(-1)!.slice(0, 4)).toEqual(['Finished', 'sound:beep', null, 'done']);
    near(t.at(-1)![4] - t[2]![4], 300 + MS['digits/2'] + MS.beep);
  });
});
