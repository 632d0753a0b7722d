/** Facts 19-29: playbacks. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAri, eventTime, haveTranscripts, recordedResponse, subject, warnIfNoTranscripts } from '../helpers.js';
import type { AriEvent, EventLog } from '../helpers.js';

warnIfNoTranscripts();

interface PlaybackJson {
  id: string;
  media_uri: string;
  next_media_uri?: string;
  target_uri: string;
  language: string;
  state: string;
}

const pbOf = (e: AriEvent): PlaybackJson => e['playback'] as PlaybackJson;

describe.skipIf(!haveTranscripts)('ARI fidelity: playbacks', () => {
  let ari: TestAri;
  let events: EventLog;
  let tgt: string;
  beforeAll(async () => {
    ari = await TestAri.start();
    events = await ari.connect();
    ({ tgt } = await ari.call(events, 'c2'));
  });
  afterAll(async () => {
    await ari.close();
  });

  /** Target's playback events since `from`, as "Type:media:state". */
  const story = (from: number): string[] =>
    events.since(from, undefined, 'target').filter((e) => e.type.startsWith('Playback')).map((e) => `${e.type}:${pbOf(e).media_uri}:${pbOf(e).state}`);

  it('fact 19: play answers 201 with a Playback; /play/{playbackId} works too', async () => {
    const from = events.mark();
    const res = await ari.req('POST', `/channels/${tgt}/play?media=sound:beep&playbackId=pb-beep`);
    expect(res.status).toBe(201);
    const recorded = recordedResponse('play-to-end.jsonl', 'POST', /playbackId=pb-beep/).body as object;
    expect(Object.keys(res.body as object)).toEqual(Object.keys(recorded));
    expect(res.body).toMatchObject({ id: 'pb-beep', media_uri: 'sound:beep', target_uri: `channel:${tgt}`, language: 'en' });
    expect(['queued', 'playing']).toContain(pbOf({ playback: res.body } as unknown as AriEvent).state);
    await ari.advance(500);
    const withId = await ari.req('POST', `/channels/${tgt}/play/pb-q2?media=sound:beep`);
    expect(withId).toMatchObject({ status: 201, body: { id: 'pb-q2' } });
    await ari.advance(500);
    expect(story(from)).toEqual([
      'PlaybackStarted:sound:beep:playing',
      'PlaybackFinished:sound:beep:done',
      'PlaybackStarted:sound:beep:playing',
      'PlaybackFinished:sound:beep:done',
    ]);
  });

  it('fact 20: final states are "done" (end, stop, deleted while queued) or "failed" (missing file, tone:)', async () => {
    let from = events.mark();
    await ari.req('POST', `/channels/${tgt}/play?media=sound:no-such-sound&playbackId=pb-missing`);
    const started = await events.wait('PlaybackStarted', 'target', 'pb-missing', from);
    const failed = await events.wait('PlaybackFinished', 'target', 'pb-missing', from);
    expect(pbOf(failed).state).toBe('failed');
    expect(eventTime(failed)).toBe(eventTime(started));
    from = events.mark();
    await ari.req('POST', `/channels/${tgt}/play?media=sound:vm-intro&playbackId=pb-stop`);
    await ari.advance(1000);
    expect((await ari.req('DELETE', '/playbacks/pb-stop')).status).toBe(204);
    expect(pbOf(await events.wait('PlaybackFinished', 'target', 'pb-stop', from)).state).toBe('done');
  });

  it('fact 21: no PlaybackFinished for an unknown scheme, a missing recording or number:abc; the playback is gone', async () => {
    const from = events.mark();
    for (const [id, media] of [
      ['pb-bogus', 'bogus:thing'],
      ['pb-norec', 'recording:voicemail/305/none'],
      ['pb-badnum', 'number:abc'],
    ] as const) {
      expect((await ari.req('POST', `/channels/${tgt}/play?media=${encodeURIComponent(media)}&playbackId=${id}`)).status).toBe(201);
      await events.wait('PlaybackStarted', 'target', id, from);
      await ari.advance(4000);
      expect(await ari.req('GET', `/playbacks/${id}`)).toMatchObject({ status: 404, body: { message: 'Playback not found' } });
    }
    expect(events.since(from, 'PlaybackFinished')).toEqual([]);
  });

  it('fact 22: a finished or unknown playback is 404 "Playback not found" for GET, DELETE and control', async () => {
    for (const id of ['pb-beep', 'no-such-playback']) {
      expect(await ari.req('GET', `/playbacks/${id}`)).toMatchObject({ status: 404, body: { message: 'Playback not found' } });
      expect(await ari.req('DELETE', `/playbacks/${id}`)).toMatchObject({ status: 404, body: { message: 'Playback not found' } });
      expect(await ari.req('POST', `/playbacks/${id}/control?operation=pause`)).toMatchObject({ status: 404, body: { message: 'Playback not found' } });
    }
  });

  it('fact 23: a queued play starts in the millisecond the first ends; a deleted queued one ends "done" then, unstarted', async () => {
    let from = events.mark();
    await ari.req('POST', `/channels/${tgt}/play?media=sound:vm-nomore&playbackId=pb-q1`);
    expect(await ari.req('POST', `/channels/${tgt}/play?media=sound:beep&playbackId=pb-q2b`)).toMatchObject({ status: 201, body: { state: 'queued' } });
    expect(await ari.req('GET', '/playbacks/pb-q2b')).toMatchObject({ body: { state: 'queued' } });
    await ari.advance(2500);
    const f1 = await events.wait('PlaybackFinished', 'target', 'pb-q1', from);
    const s2 = await events.wait('PlaybackStarted', 'target', 'pb-q2b', from);
    expect(eventTime(s2)).toBe(eventTime(f1));
    from = events.mark();
    await ari.req('POST', `/channels/${tgt}/play?media=sound:vm-nomore&playbackId=pb-q3`);
    await ari.req('POST', `/channels/${tgt}/play?media=sound:beep&playbackId=pb-q4`);
    expect((await ari.req('DELETE', '/playbacks/pb-q4')).status).toBe(204);
    await ari.advance(2000);
    await events.wait('PlaybackFinished', 'target', 'pb-q4', from);
    expect(story(from)).toEqual([
      'PlaybackStarted:sound:vm-nomore:playing',
      'PlaybackFinished:sound:vm-nomore:done',
      'PlaybackFinished:sound:beep:done',
    ]);
  });

  it('fact 24: media lists (comma form and JSON body; a repeated media= keeps the last)', async () => {
    let from = events.mark();
    const repeated = await ari.req('POST', `/channels/${tgt}/play?media=sound:beep&media=sound:vm-nomore&playbackId=pb-list`);
    expect(repeated.body).toMatchObject({ media_uri: 'sound:vm-nomore' });
    expect(repeated.body).not.toHaveProperty('next_media_uri');
    await ari.advance(2000);
    expect(story(from)).toEqual(['PlaybackStarted:sound:vm-nomore:playing', 'PlaybackFinished:sound:vm-nomore:done']);
    from = events.mark();
    const list = await ari.req('POST', `/channels/${tgt}/play?media=sound:beep,sound:vm-nomore&playbackId=pb-list2`);
    expect(list.body).toMatchObject({ media_uri: 'sound:beep', next_media_uri: 'sound:vm-nomore' });
    await ari.advance(2500);
    const typed = events.since(from, undefined, 'target').filter((e) => e.type.startsWith('Playback'));
    expect(typed.map((e) => [e.type, pbOf(e).media_uri, pbOf(e).next_media_uri, pbOf(e).state])).toEqual([
      ['PlaybackStarted', 'sound:beep', 'sound:vm-nomore', 'playing'],
      ['PlaybackContinuing', 'sound:beep', 'sound:vm-nomore', 'continuing'],
      ['PlaybackStarted', 'sound:vm-nomore', undefined, 'playing'],
      ['PlaybackFinished', 'sound:vm-nomore', undefined, 'done'],
    ]);
    from = events.mark();
    await ari.req('POST', `/channels/${tgt}/play?media=sound:vm-intro,sound:beep&playbackId=pb-list3`);
    await ari.advance(500);
    await ari.req('DELETE', '/playbacks/pb-list3');
    const stopped = await events.wait('PlaybackFinished', 'target', 'pb-list3', from);
    expect(pbOf(stopped)).toMatchObject({ media_uri: 'sound:vm-intro', next_media_uri: 'sound:beep', state: 'done' });
    from = events.mark();
    const body = await ari.req('POST', `/channels/${tgt}/play?playbackId=pb-list4`, { media: ['sound:beep', 'sound:beep'] });
    expect(body.body).toMatchObject({ media_uri: 'sound:beep', next_media_uri: 'sound:beep' });
    await ari.advance(1000);
    expect(story(from)).toEqual([
      'PlaybackStarted:sound:beep:playing',
      'PlaybackContinuing:sound:beep:continuing',
      'PlaybackStarted:sound:beep:playing',
      'PlaybackFinished:sound:beep:done',
    ]);
  });

  it('fact 25: no media is 500, an unknown channel 404, a duplicate playbackId is accepted', async () => {
    expect(await ari.req('POST', `/channels/${tgt}/play`)).toMatchObject({ status: 500, body: { message: 'Failed to queue media for playback' } });
    expect(await ari.req('POST', '/channels/nosuchchannel/play?media=sound:beep')).toMatchObject({ status: 404, body: { message: 'Channel not found' } });
    const from = events.mark();
    expect((await ari.req('POST', `/channels/${tgt}/play?media=sound:vm-intro&playbackId=pb-dup`)).status).toBe(201);
    expect((await ari.req('POST', `/channels/${tgt}/play?media=sound:beep&playbackId=pb-dup`)).status).toBe(201);
    expect((await ari.req('DELETE', '/playbacks/pb-dup')).status).toBe(204);
    await ari.advance(1000);
    expect(story(from)).toEqual([
      'PlaybackStarted:sound:vm-intro:playing',
      'PlaybackFinished:sound:vm-intro:done',
      'PlaybackStarted:sound:beep:playing',
      'PlaybackFinished:sound:beep:done',
    ]);
  });

  it('fact 26: pause, unpause (PlaybackStarted again), forward, reverse, restart, and their errors', async () => {
    const from = events.mark();
    await ari.req('POST', `/channels/${tgt}/play?media=sound:tt-monkeys&skipms=5000&playbackId=pb-ctl`);
    const ctl = (op: string): Promise<{ status: number; body: unknown }> => ari.req('POST', `/playbacks/pb-ctl/control?operation=${op}`);
    await ari.advance(1000);
    expect((await ctl('pause')).status).toBe(204);
    expect((await ctl('pause')).status).toBe(204);
    expect(await ari.req('GET', '/playbacks/pb-ctl')).toMatchObject({ body: { state: 'paused' } });
    for (const op of ['forward', 'reverse', 'restart']) {
      expect(await ctl(op)).toMatchObject({ status: 409, body: { message: `Can only ${op} while media is playing` } });
    }
    expect((await ctl('unpause')).status).toBe(204);
    expect((await ctl('unpause')).status).toBe(204);
    for (const op of ['forward', 'reverse', 'restart']) expect((await ctl(op)).status).toBe(204);
    expect(await ctl('bogus')).toMatchObject({ status: 400, body: { message: 'Invalid operation bogus' } });
    expect(await ari.req('POST', '/playbacks/pb-ctl/control')).toMatchObject({ status: 400, body: { message: 'Missing operation' } });
    await ctl('pause');
    await ari.req('DELETE', '/playbacks/pb-ctl');
    await events.wait('PlaybackFinished', 'target', 'pb-ctl', from);
    expect(story(from)).toEqual([
      'PlaybackStarted:sound:tt-monkeys:playing',
      'PlaybackStarted:sound:tt-monkeys:playing',
      'PlaybackFinished:sound:tt-monkeys:done',
    ]);
    // A queued playback cannot be paused.
    await ari.req('POST', `/channels/${tgt}/play?media=sound:vm-intro&playbackId=pb-first`);
    await ari.req('POST', `/channels/${tgt}/play?media=sound:beep&playbackId=pb-queued`);
    expect(await ari.req('POST', '/playbacks/pb-queued/control?operation=pause')).toMatchObject({ status: 409, body: { message: 'Can only pause while media is playing' } });
    await ari.req('DELETE', '/playbacks/pb-first');
    await ari.advance(1000);
  });

  it('fact 26 (timing): forward past the end skips back from the end, as Asterisk does', async () => {
    const from = events.mark();
    const t0 = ari.clock.now();
    await ari.req('POST', `/channels/${tgt}/play?media=sound:vm-intro&playbackId=pb-ctl2`);
    await ari.advance(500);
    await ari.req('POST', '/playbacks/pb-ctl2/control?operation=forward');
    await ari.advance(500);
    await ari.req('POST', '/playbacks/pb-ctl2/control?operation=reverse');
    await ari.advance(500);
    for (let i = 0; i < 3; i++) await ari.req('POST', '/playbacks/pb-ctl2/control?operation=forward');
    await ari.advance(5000);
    const done = await events.wait('PlaybackFinished', 'target', 'pb-ctl2', from);
    // Recorded: the playback ended 3 s after the last forward (4516 ms after the start here).
    expect(eventTime(done) - t0).toBe(1500 + 3000);
  });

  it('fact 27: PlaybackFinished comes after the real media length (beep 0.42 s, vm-intro 5.65 s)', async () => {
    for (const [sound, ms] of [
      ['beep', 425],
      ['vm-intro', 5654],
    ] as const) {
      const from = events.mark();
      await ari.req('POST', `/channels/${tgt}/play?media=sound:${sound}&playbackId=pb-len-${sound}`);
      await ari.advance(6000);
      const s = await events.wait('PlaybackStarted', 'target', `pb-len-${sound}`, from);
      const f = await events.wait('PlaybackFinished', 'target', `pb-len-${sound}`, from);
      expect(Math.abs(eventTime(f) - eventTime(s) - ms)).toBeLessThanOrEqual(1);
    }
  });

  it('fact 28: the language is the channel\'s or lang=; a missing fr sound falls back to English', async () => {
    await ari.req('POST', `/channels/${tgt}/variable?variable=CHANNEL(language)&value=fr`);
    let from = events.mark();
    const fr = await ari.req('POST', `/channels/${tgt}/play?media=sound:vm-intro&playbackId=pb-fr`);
    expect(fr.body).toMatchObject({ language: 'fr' });
    await ari.advance(6000);
    const s = await events.wait('PlaybackStarted', 'target', 'pb-fr', from);
    const f = await events.wait('PlaybackFinished', 'target', 'pb-fr', from);
    expect(pbOf(f)).toMatchObject({ language: 'fr', state: 'done' });
    expect(eventTime(f) - eventTime(s)).toBeGreaterThan(5600);
    await ari.req('POST', `/channels/${tgt}/variable?variable=CHANNEL(language)&value=en`);
    from = events.mark();
    const de = await ari.req('POST', `/channels/${tgt}/play?media=sound:beep&lang=de&playbackId=pb-de`);
    expect(de.body).toMatchObject({ language: 'de' });
    await ari.advance(500);
    expect(pbOf(await events.wait('PlaybackFinished', 'target', 'pb-de', from))).toMatchObject({ language: 'de', state: 'done' });
  });

  it('fact 29: number:, digits: and characters: play to "done"; tone: fails at once', async () => {
    for (const [id, media] of [
      ['pb-num', 'number:42'],
      ['pb-digits', 'digits:305'],
      ['pb-chars', 'characters:ab'],
    ] as const) {
      const from = events.mark();
      await ari.req('POST', `/channels/${tgt}/play?media=${encodeURIComponent(media)}&playbackId=${id}`);
      await ari.advance(3000);
      expect(pbOf(await events.wait('PlaybackFinished', 'target', id, from)).state).toBe('done');
    }
    const from = events.mark();
    await ari.req('POST', `/channels/${tgt}/play?media=${encodeURIComponent('tone:ring;tonezone=us')}&playbackId=pb-tone`);
    const s = await events.wait('PlaybackStarted', 'target', 'pb-tone', from);
    const f = await events.wait('PlaybackFinished', 'target', 'pb-tone', from);
    expect(pbOf(f).state).toBe('failed');
    expect(eventTime(f)).toBe(eventTime(s));
    expect(subject(f)).toBe('pb-tone');
  });
});
