/**
 * Facts 93-96: where `sound:` media come from. Absolute paths (with and without the
 * extension, 8 and 16 kHz files, missing ones) and `sound:http://…` through
 * res_http_media_cache, against a loopback server as in media-sources.jsonl. What was
 * heard is recorded through a snoop (spy=in) on the driver half, as the scenario did.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../../src/simulator/index.js';
import { rawPcm, readRecording, sine, toneAmp, wavBytes } from '../audio-helpers.js';
import { EventLog, TestAri, eventTime, fixtureDialplan, haveTranscripts, makeSoundsDir, transcript, warnIfNoTranscripts } from '../helpers.js';
import type { AriEvent } from '../helpers.js';

warnIfNoTranscripts();

interface PlaybackJson {
  id: string;
  state: string;
}
const playbackOf = (e: AriEvent): PlaybackJson => e['playback'] as PlaybackJson;

/** The loopback media server of the scenario: what it served and what it was asked. */
class MediaServer {
  readonly seen: { method: string; url: string; userAgent: string }[] = [];
  private server: Server | undefined;
  port = 0;
  /** Milliseconds /slow.wav waits before answering (3 s in the scenario). */
  slowMs = 300;

  async start(): Promise<void> {
    const served = wavBytes(sine(8000, 3000, 1.5), 8000);
    const wide = wavBytes(sine(16000, 1000, 1.5), 16000);
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      this.seen.push({ method: req.method ?? '', url: req.url ?? '', userAgent: String(req.headers['user-agent'] ?? '') });
      const path = (req.url ?? '').split('?')[0];
      const send = (body: Buffer, headers: Record<string, string>) => {
        res.writeHead(200, { 'content-type': 'audio/wav', etag: '"x1"', ...headers });
        res.end(body);
      };
      if (path === '/x.wav' || path === '/noext') send(served, { 'cache-control': 'max-age=600' });
      else if (path === '/nocache.wav') send(served, {});
      else if (path === '/wide.wav') send(wide, {});
      else if (path === '/raw16.sln16') send(rawPcm(sine(16000, 2000, 1.5)), { 'content-type': 'application/octet-stream' });
      else if (path === '/slow.wav') setTimeout(() => send(served, { 'cache-control': 'max-age=600' }), this.slowMs);
      else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
      }
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as AddressInfo).port;
  }

  url(path: string, scheme = 'http'): string {
    return `${scheme}://127.0.0.1:${this.port}${path}`;
  }

  requests(path: string): { method: string; url: string; userAgent: string }[] {
    return this.seen.filter((s) => s.url === path);
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The scenario's notes, e.g. "ms-2: PlaybackStarted at +6 ms; PlaybackFinished failed at +6 ms". */
function recordedOutcome(id: string): { state: string; finishedMs: number } {
  const note = transcript('media-sources.jsonl').map((l) => String((l as { text?: string }).text ?? '')).find((t) => t.startsWith(`${id}: `)) ?? '';
  const m = /PlaybackFinished (\w+) at \+(\d+) ms/.exec(note);
  if (m === null) throw new Error(`no outcome recorded for ${id}`);
  return { state: m[1] ?? '', finishedMs: Number(m[2]) };
}

describe.skipIf(!haveTranscripts)('ARI fidelity: media sources (facts 93-96)', () => {
  let ari: TestAri;
  let events: EventLog;
  let tts: string;
  const media = new MediaServer();
  let n = 0;

  beforeAll(async () => {
    tts = mkdtempSync(join(tmpdir(), 'ari-sim-tts-'));
    // As the scenario wrote them with sox: all 1.5 s.
    writeFileSync(join(tts, 'hello.wav'), wavBytes(sine(8000, 400, 1.5), 8000));
    writeFileSync(join(tts, 'hello16k.wav'), wavBytes(sine(16000, 1000, 1.5), 16000));
    writeFileSync(join(tts, 'hello16.sln16'), rawPcm(sine(16000, 2000, 1.5)));
    writeFileSync(join(tts, 'hi16.wav16'), wavBytes(sine(16000, 1000, 1.5), 16000));
    // Both a narrowband .wav and a .sln16 of one name: the 8 kHz file plays.
    writeFileSync(join(tts, 'twin.wav'), wavBytes(sine(8000, 400, 1.5), 8000));
    writeFileSync(join(tts, 'twin.sln16'), rawPcm(sine(16000, 2000, 1.5)));
    await media.start();
    ari = await TestAri.start();
    events = await ari.connect();
    await ari.call(events, 'ms');
  });
  afterAll(async () => {
    await ari.close();
    await media.close();
    rmSync(tts, { recursive: true, force: true });
  });

  /** Plays one URI on ms-tgt; resolves with PlaybackStarted. */
  const play = async (uri: string): Promise<{ id: string; from: number; started: AriEvent }> => {
    const id = `ms-t${++n}`;
    const from = events.mark();
    const res = await ari.req('POST', `/channels/ms-tgt/play?media=${encodeURIComponent(uri)}&playbackId=${id}`);
    expect(res.status).toBe(201);
    return { id, from, started: await events.wait('PlaybackStarted', 'target', id, from) };
  };
  const finished = (id: string, from: number) => events.waitFor((e) => e.type === 'PlaybackFinished' && e.application === 'target' && playbackOf(e).id === id, from);
  const finishedYet = (id: string, from: number) => events.since(from, 'PlaybackFinished', 'target').some((e) => playbackOf(e).id === id);

  /** Plays to the end on the manual clock: not finished 1 ms early, "done" at the media's length. */
  const expectPlaysFor = async (id: string, from: number, ms: number) => {
    await ari.advance(ms - 2);
    expect(finishedYet(id, from)).toBe(false);
    await ari.advance(4);
    expect(playbackOf(await finished(id, from)).state).toBe('done');
  };
  /** Fails at once: Started and Finished "failed" at the same time (no clock advance). */
  const expectFailsAtOnce = async (id: string, from: number, started: AriEvent) => {
    const end = await finished(id, from);
    expect(playbackOf(end).state).toBe('failed');
    expect(eventTime(end)).toBe(eventTime(started));
  };

  it('facts 93, 94: absolute paths: no extension plays; with the extension, 16 kHz .wav or missing fails at once; .sln16 and .wav16 play', async () => {
    expect((await ari.req('POST', '/channels/ms-drv/snoop?spy=in&app=target&snoopId=ear-D')).status).toBe(200);
    expect((await ari.req('POST', '/channels/ear-D/record?name=media-sources-D&format=wav&ifExists=overwrite')).status).toBe(201);
    const t0 = ari.clock.now();
    const heardAt: Record<string, number> = {};

    expect(recordedOutcome('ms-1')).toMatchObject({ state: 'done' });
    let p = await play(`sound:${tts}/hello`);
    heardAt['hello'] = ari.clock.now() - t0;
    await expectPlaysFor(p.id, p.from, 1500);

    for (const [name, recordedId] of [['hello.wav', 'ms-2'], ['hello16k', 'ms-3'], ['nosuch', 'ms-6']] as const) {
      expect(recordedOutcome(recordedId).state).toBe('failed');
      p = await play(`sound:${tts}/${name}`);
      await expectFailsAtOnce(p.id, p.from, p.started);
    }

    for (const [name, recordedId] of [['hello16', 'ms-4'], ['hi16', 'ms-5'], ['twin', undefined]] as const) {
      if (recordedId !== undefined) expect(recordedOutcome(recordedId)).toMatchObject({ state: 'done' });
      p = await play(`sound:${tts}/${name}`);
      heardAt[name] = ari.clock.now() - t0;
      await expectPlaysFor(p.id, p.from, 1500);
      await ari.advance(200);
    }

    expect((await ari.req('POST', '/recordings/live/media-sources-D/stop')).status).toBe(204);
    await events.wait('RecordingFinished', 'target', 'media-sources-D');
    const samples = readRecording(join(ari.sim.recordingsDir, 'media-sources-D.wav'));
    const amp = (name: string, hz: number) => toneAmp(samples, hz, (heardAt[name] ?? 0) + 200, (heardAt[name] ?? 0) + 1300);
    // Right pitch: the 16 kHz files are heard at their own frequency, at full amplitude.
    expect(amp('hello', 400)).toBeGreaterThan(4000);
    expect(amp('hello16', 2000)).toBeGreaterThan(4000);
    expect(amp('hi16', 1000)).toBeGreaterThan(4000);
    expect(amp('twin', 400)).toBeGreaterThan(4000);
    expect(amp('twin', 2000)).toBeLessThan(200);
  });

  it('fact 95: sound:http:// starts at once, then GETs with libcurl\'s User-Agent, and lasts the download plus the media; max-age means no second request', async () => {
    expect(recordedOutcome('ms-9')).toMatchObject({ state: 'done' });
    const before = media.seen.length;
    let p = await play(`sound:${media.url('/x.wav')}`);
    expect(playbackOf(p.started).state).toBe('playing');
    await events.settle(100);
    expect(media.seen.slice(before)).toEqual([{ method: 'GET', url: '/x.wav', userAgent: 'asterisk-libcurl-agent/1.0' }]);
    expect((await ari.req('GET', `/playbacks/${p.id}`)).body).toMatchObject({ state: 'playing' });
    await expectPlaysFor(p.id, p.from, 1500);

    // Cache-Control: max-age=600: no request at all for a second play within it...
    p = await play(`sound:${media.url('/x.wav')}`);
    await expectPlaysFor(p.id, p.from, 1500);
    expect(media.requests('/x.wav')).toHaveLength(1);
    // ...and a new GET once it has run out (on the simulator's clock).
    await ari.advance(600_000);
    p = await play(`sound:${media.url('/x.wav')}`);
    await events.settle(100);
    await expectPlaysFor(p.id, p.from, 1500);
    expect(media.requests('/x.wav')).toHaveLength(2);

    // No Cache-Control: downloaded again on each play.
    for (let i = 0; i < 2; i++) {
      p = await play(`sound:${media.url('/nocache.wav')}`);
      await events.settle(100);
      await expectPlaysFor(p.id, p.from, 1500);
    }
    expect(media.requests('/nocache.wav')).toHaveLength(2);

    // No extension in the URL: the Content-Type says wav. Another type by the URL's extension.
    for (const path of ['/noext', '/raw16.sln16']) {
      p = await play(`sound:${media.url(path)}`);
      await events.settle(100);
      await expectPlaysFor(p.id, p.from, 1500);
    }
  });

  it('fact 96: failures end "failed" quickly: 404 (two GETs), connection refused, https to a plain port, a 16 kHz .wav', async () => {
    expect(recordedOutcome('ms-14').state).toBe('failed');
    let p = await play(`sound:${media.url('/missing.wav')}`);
    await expectFailsAtOnce(p.id, p.from, p.started);
    expect(media.requests('/missing.wav').map((r) => r.method)).toEqual(['GET', 'GET']);

    expect(recordedOutcome('ms-15').state).toBe('failed');
    p = await play(`sound:http://127.0.0.1:${await closedPort()}/x.wav`);
    await expectFailsAtOnce(p.id, p.from, p.started);

    expect(recordedOutcome('ms-17').state).toBe('failed');
    p = await play(`sound:${media.url('/x.wav', 'https')}`);
    await expectFailsAtOnce(p.id, p.from, p.started);

    p = await play(`sound:${media.url('/wide.wav')}`);
    await expectFailsAtOnce(p.id, p.from, p.started);
  });

  it('fact 95: on real time, a slow server delays the end: download time + media length', async () => {
    const recorded = recordedOutcome('ms-16');
    expect(recorded.state).toBe('done');
    expect(recorded.finishedMs).toBeGreaterThan(4400); // 3 s late server + 1.5 s file
    const soundsDir = makeSoundsDir();
    const sim = await startSimulator({ soundsDir, mohDir: soundsDir, dialplan: fixtureDialplan });
    const auth = { authorization: `Basic ${Buffer.from('asterisk:asterisk').toString('base64')}` };
    const ws = new WebSocket(`${sim.url.replace('http', 'ws')}/ari/events?app=driver,target&api_key=asterisk:asterisk`);
    const log = new EventLog(ws);
    try {
      await new Promise<void>((r, j) => {
        ws.once('open', () => r());
        ws.once('error', j);
      });
      await fetch(`${sim.url}/ari/channels?endpoint=Local/100@trace/n&app=driver&channelId=rt-drv&otherChannelId=rt-tgt`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ variables: { TARGET_APP: 'target' } }),
      });
      await log.wait('StasisStart', 'target', 'rt-tgt');
      await fetch(`${sim.url}/ari/channels/rt-tgt/answer`, { method: 'POST', headers: auth });
      media.slowMs = 300;
      await fetch(`${sim.url}/ari/channels/rt-tgt/play?media=sound:${media.url('/slow.wav')}&playbackId=rt-1`, { method: 'POST', headers: auth });
      const started = await log.wait('PlaybackStarted', 'target', 'rt-1');
      const end = await log.waitFor((e) => e.type === 'PlaybackFinished' && playbackOf(e).id === 'rt-1', 0, 5000);
      expect(playbackOf(end).state).toBe('done');
      const lasted = eventTime(end) - eventTime(started);
      expect(lasted).toBeGreaterThanOrEqual(1790);
      expect(lasted).toBeLessThan(2100);
    } finally {
      log.close();
      await sim.close();
      rmSync(soundsDir, { recursive: true, force: true });
    }
  });
});
