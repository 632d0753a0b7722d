/**
 * Facts 98-103: recording with beep=true. The beep (played after
 * RecordingStarted) is a window in which Asterisk 22.10.1 loses every
 * control: a stop is ignored, a cancel fails, a pause or mute is lost.
 * Held to record-beep.jsonl (parts A and B) and record-beep-2.jsonl.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeWav } from '../../../src/simulator/media/audio.js';
import { TestAri, eventTime, haveTranscripts, transcript, warnIfNoTranscripts } from '../helpers.js';
import type { AriEvent, EventLog } from '../helpers.js';

warnIfNoTranscripts();

interface RecJson {
  name: string;
  state: string;
  duration?: number;
}
const recOf = (e: AriEvent): RecJson => e['recording'] as RecJson;

describe.skipIf(!haveTranscripts)('ARI fidelity: the beep of a recording (facts 98-103)', () => {
  let ari: TestAri;
  let events: EventLog;
  let drv: string;
  let tgt: string;
  let n = 0;
  let feed = 0;

  beforeAll(async () => {
    ari = await TestAri.start();
    events = await ari.connect();
    ({ drv, tgt } = await ari.call(events, 'bp'));
  });
  afterAll(async () => {
    await ari.close();
  });

  /** The driver talks into the call (tt-monkeys, 16 s), as in the recorded scenarios. */
  const talk = async (): Promise<string> => {
    const id = `feed-${++feed}`;
    await ari.req('POST', `/channels/${drv}/play?media=sound:tt-monkeys&playbackId=${id}`);
    return id;
  };
  let feedId = '';
  beforeEach(async () => {
    if (feedId !== '') await ari.req('DELETE', `/playbacks/${feedId}`);
    feedId = await talk();
  });

  /** Starts a beep=true recording (maxDurationSeconds as given) and returns its name, its URL path and when it started. */
  const record = async (label: string, query = 'beep=true&maxDurationSeconds=20'): Promise<{ name: string; path: string; t0: number }> => {
    const name = `beep/${++n}-${label}`;
    const from = events.mark();
    const res = await ari.req('POST', `/channels/${tgt}/record?name=${encodeURIComponent(name)}&format=wav&${query}&maxSilenceSeconds=0&ifExists=overwrite${query.includes('terminateOn') ? '' : '&terminateOn=none'}`);
    expect(res.status).toBe(201);
    const started = await events.wait('RecordingStarted', 'target', name, from);
    return { name, path: `/recordings/live/${encodeURIComponent(name)}`, t0: eventTime(started) };
  };
  const finishedAfter = (name: string, from: number) => events.since(from, 'RecordingFinished', 'target').find((e) => recOf(e).name === name);
  const state = async (path: string) => ((await ari.req('GET', path)).body as RecJson).state;

  it('the recorded beep is the window: a stop up to +400 ms was ignored, from +425 ms it worked (fact 98)', () => {
    const notes = transcript('record-beep.jsonl').filter((l) => l.kind === 'note').map((l) => String((l as { text?: string }).text));
    const result = notes.find((t) => t.startsWith('RESULT B:')) ?? '';
    expect(result).toMatch(/400:ignored/);
    expect(result).toMatch(/425:works/);
  });

  it.each([50, 150, 300, 400])('fact 98: a stop %i ms after RecordingStarted (in the beep) is 204 and ignored; it ends by its maximum', async (at) => {
    const { name, path } = await record(`stop${at}`, 'beep=true&maxDurationSeconds=2');
    const from = events.mark();
    await ari.advance(at);
    expect((await ari.req('POST', `${path}/stop`)).status).toBe(204);
    await ari.advance(1100);
    expect(finishedAfter(name, from)).toBeUndefined();
    await ari.advance(2500);
    expect(recOf(await events.wait('RecordingFinished', 'target', name, from))).toMatchObject({ state: 'done', duration: 2 });
  });

  it.each([450, 500, 1000])('fact 98: a stop %i ms after RecordingStarted (after the beep) ends it in 1-3 ms with duration 0', async (at) => {
    const { name, path } = await record(`stop${at}`);
    await ari.advance(at);
    const from = events.mark();
    const sent = ari.clock.now();
    expect((await ari.req('POST', `${path}/stop`)).status).toBe(204);
    const done = await events.wait('RecordingFinished', 'target', name, from);
    expect(recOf(done)).toMatchObject({ state: 'done', duration: 0 });
    expect(eventTime(done) - sent).toBeLessThanOrEqual(3);
  });

  it('fact 99: after an ignored stop GET says "done", a second stop is 409, and it runs to its maximum; the file is kept', async () => {
    const { name, path, t0 } = await record('ignored', 'beep=true&maxDurationSeconds=3');
    const from = events.mark();
    await ari.advance(50);
    await ari.req('POST', `${path}/stop`);
    await ari.advance(50);
    expect(await state(path)).toBe('done');
    await ari.advance(1400);
    expect(await ari.req('POST', `${path}/stop`)).toMatchObject({ status: 409, body: { message: 'Recording not in session' } });
    await ari.advance(3000);
    const done = await events.wait('RecordingFinished', 'target', name, from);
    expect(recOf(done)).toMatchObject({ state: 'done', duration: 3 });
    expect(eventTime(done) - t0).toBeGreaterThan(3000);
    expect((await ari.req('GET', `/recordings/stored/${encodeURIComponent(name)}`)).status).toBe(200);
  });

  it('fact 100: a cancel in the beep is 500, GET says "canceled", later cancel and stop are 409, and the file is kept', async () => {
    const { name, path } = await record('cancel150', 'beep=true&maxDurationSeconds=3');
    const from = events.mark();
    await ari.advance(150);
    expect(await ari.req('DELETE', path)).toMatchObject({ status: 500, body: { message: 'Recording operation failed' } });
    expect(await state(path)).toBe('canceled');
    await ari.advance(1000);
    expect(await ari.req('DELETE', path)).toMatchObject({ status: 409, body: { message: 'Recording not in session' } });
    expect(await ari.req('POST', `${path}/stop`)).toMatchObject({ status: 409, body: { message: 'Recording not in session' } });
    await ari.advance(3000);
    expect(recOf(await events.wait('RecordingFinished', 'target', name, from))).toMatchObject({ state: 'done', duration: 3 });
    expect((await ari.req('GET', `/recordings/stored/${encodeURIComponent(name)}`)).status).toBe(200);
  });

  it('fact 100: a cancel after the beep is 204, ends it at once and stores nothing', async () => {
    const { name, path } = await record('cancel500');
    await ari.advance(500);
    const from = events.mark();
    expect((await ari.req('DELETE', path)).status).toBe(204);
    expect(recOf(await events.wait('RecordingFinished', 'target', name, from))).toMatchObject({ state: 'done', duration: 0 });
    expect((await ari.req('GET', `/recordings/stored/${encodeURIComponent(name)}`)).status).toBe(404);
  });

  it('fact 101: a pause in the beep is lost though GET says "paused" (duration 2); a pause after it counts (duration 1)', async () => {
    const lost = await record('pause-in-beep');
    let from = events.mark();
    await ari.advance(100);
    expect((await ari.req('POST', `${lost.path}/pause`)).status).toBe(204);
    await ari.advance(100);
    expect(await state(lost.path)).toBe('paused');
    await ari.advance(2800);
    await ari.req('POST', `${lost.path}/stop`);
    expect(recOf(await events.wait('RecordingFinished', 'target', lost.name, from))).toMatchObject({ duration: 2 });

    const both = await record('pause-unpause-in-beep');
    from = events.mark();
    await ari.advance(100);
    await ari.req('POST', `${both.path}/pause`);
    await ari.advance(150);
    await ari.req('DELETE', `${both.path}/pause`);
    await ari.advance(100);
    expect(await state(both.path)).toBe('recording');
    await ari.advance(2650);
    await ari.req('POST', `${both.path}/stop`);
    expect(recOf(await events.wait('RecordingFinished', 'target', both.name, from))).toMatchObject({ duration: 2 });

    const after = await record('pause-after-beep');
    from = events.mark();
    await ari.advance(1000);
    await ari.req('POST', `${after.path}/pause`);
    await ari.advance(1000);
    await ari.req('DELETE', `${after.path}/pause`);
    await ari.advance(1000);
    await ari.req('POST', `${after.path}/stop`);
    expect(recOf(await events.wait('RecordingFinished', 'target', after.name, from))).toMatchObject({ duration: 1 });
  });

  it('fact 101: a mute in the beep is lost, and the later unmute mutes (a toggle): the file is silent from then on', async () => {
    const rms = (samples: Int16Array, fromMs: number, toMs: number) => {
      const part = samples.subarray(fromMs * 8, toMs * 8);
      return Math.sqrt(part.reduce((sum, s) => sum + s * s, 0) / Math.max(1, part.length));
    };
    const lost = await record('mute-in-beep');
    let from = events.mark();
    await ari.advance(100);
    expect((await ari.req('POST', `${lost.path}/mute`)).status).toBe(204);
    await ari.advance(100);
    expect(await state(lost.path)).toBe('recording');
    await ari.advance(1800);
    expect((await ari.req('DELETE', `${lost.path}/mute`)).status).toBe(204);
    await ari.advance(1000);
    await ari.req('POST', `${lost.path}/stop`);
    expect(recOf(await events.wait('RecordingFinished', 'target', lost.name, from))).toMatchObject({ duration: 2 });
    const samples = decodeWav(readFileSync(join(ari.sim.recordingsDir, `${lost.name}.wav`)))!;
    // Times in the file start after the beep (0.43 s): speech until the unmute at +2 s, silence after.
    expect(rms(samples, 200, 1400)).toBeGreaterThan(100);
    expect(rms(samples, 1700, 2500)).toBe(0);

    const after = await record('mute-after-beep');
    from = events.mark();
    await ari.advance(1000);
    await ari.req('POST', `${after.path}/mute`);
    await ari.advance(1000);
    await ari.req('DELETE', `${after.path}/mute`);
    await ari.advance(1000);
    await ari.req('POST', `${after.path}/stop`);
    await events.wait('RecordingFinished', 'target', after.name, from);
    const ref = decodeWav(readFileSync(join(ari.sim.recordingsDir, `${after.name}.wav`)))!;
    expect(rms(ref, 700, 1500)).toBe(0);
    expect(rms(ref, 1700, 2500)).toBeGreaterThan(100);
  });

  it('fact 102: with beep=false a stop or cancel right away works: done, duration 0; a stop keeps a 44-byte file, a cancel nothing', async () => {
    for (const [op, stored] of [['stop', 200], ['cancel', 404]] as const) {
      const { name, path } = await record(`nobeep-${op}`, 'beep=false&maxDurationSeconds=20');
      const from = events.mark();
      const res = op === 'stop' ? await ari.req('POST', `${path}/stop`) : await ari.req('DELETE', path);
      expect(res.status).toBe(204);
      expect(recOf(await events.wait('RecordingFinished', 'target', name, from))).toMatchObject({ state: 'done', duration: 0 });
      expect((await ari.req('GET', `/recordings/stored/${encodeURIComponent(name)}`)).status).toBe(stored);
      if (op === 'stop') expect(readFileSync(join(ari.sim.recordingsDir, `${name}.wav`)).length).toBe(44);
    }
  });

  it('fact 103: terminateOn=# with beep=true: a # in the beep does not end it, a # after the beep does', async () => {
    // DTMF from the driver waits behind the driver's own playback (fact 15): no feed while it is sent.
    await ari.req('DELETE', `/playbacks/${feedId}`);
    const { name, path } = await record('dtmf-in-beep', 'beep=true&maxDurationSeconds=20&terminateOn=%23');
    const from = events.mark();
    await ari.req('POST', `/channels/${drv}/dtmf?dtmf=%23`);
    await ari.advance(300);
    await events.wait('ChannelDtmfReceived', 'target', tgt, from);
    expect(finishedAfter(name, from)).toBeUndefined();
    feedId = await talk();
    await ari.advance(2700);
    expect(await state(path)).toBe('recording');
    await ari.req('DELETE', `/playbacks/${feedId}`);
    feedId = '';
    const second = events.mark();
    await ari.req('POST', `/channels/${drv}/dtmf?dtmf=%23`);
    await ari.advance(300);
    const digit = await events.wait('ChannelDtmfReceived', 'target', tgt, second);
    const done = await events.wait('RecordingFinished', 'target', name, second);
    expect(eventTime(done)).toBe(eventTime(digit));
    expect(recOf(done)).toMatchObject({ state: 'done', duration: 2 });
  });
});
