/**
 * PromptAudio.fetch against a real HTTP server on 127.0.0.1 serving audio
 * made with sox: conversion, the cache and its revalidation (ETag,
 * Last-Modified, max-age), and every way a fetch is bounded or fails.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EspeakEngine } from '../../src/media/espeak-engine.js';
import { isMediaError } from '../../src/media/media-errors.js';
import { PromptAudio, type PromptAudioOptions } from '../../src/media/prompt-audio.js';
import { makeTone, readWav, tempDir } from '../sounds/media.js';
import { countingRunner, memoryLog, wavPeak } from './helpers.js';

let fixtures: { dir: string; cleanup: () => Promise<void> };
let wavBody: Buffer;
let mp3Body: Buffer;
let oggBody: Buffer;
let quietBody: Buffer;
let server: http.Server;
let origin: string;
/** Requests the server got, by path, with their conditional headers. */
let requests: { path: string; ifNoneMatch: string | undefined; ifModifiedSince: string | undefined }[];
/** Per-test overrides of a route. */
let flaky: 'ok' | 'down' | 'garbage';
const pending = new Set<http.ServerResponse>();

const LAST_MODIFIED = 'Tue, 01 Apr 2025 10:00:00 GMT';

function send(res: http.ServerResponse, status: number, headers: http.OutgoingHttpHeaders, body?: Buffer | string): void {
  res.writeHead(status, headers);
  res.end(body);
}

beforeAll(async () => {
  fixtures = await tempDir('stasis-flows-fetch-fixtures-');
  wavBody = await readFile(await makeTone(path.join(fixtures.dir, 'tone.wav'), { rate: 44_100, channels: 2, seconds: 1 }));
  mp3Body = await readFile(await makeTone(path.join(fixtures.dir, 'tone.mp3'), { rate: 44_100, channels: 1, seconds: 1 }));
  oggBody = await readFile(await makeTone(path.join(fixtures.dir, 'tone.ogg'), { rate: 22_050, channels: 1, seconds: 1 }));
  quietBody = await readFile(await makeTone(path.join(fixtures.dir, 'quiet.wav'), { rate: 8000, channels: 1, seconds: 1, volume: 0.1 }));
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const ifNoneMatch = req.headers['if-none-match'];
    const ifModifiedSince = req.headers['if-modified-since'];
    requests.push({ path: url.pathname, ifNoneMatch, ifModifiedSince });
    switch (url.pathname) {
      case '/tone.wav':
        if (ifNoneMatch === '"v1"') return send(res, 304, { etag: '"v1"' });
        return send(res, 200, { 'content-type': 'audio/wav', etag: '"v1"' }, wavBody);
      case '/tone.mp3':
        if (ifModifiedSince === LAST_MODIFIED) return send(res, 304, {});
        return send(res, 200, { 'content-type': 'audio/mpeg', 'last-modified': LAST_MODIFIED }, mp3Body);
      // MP3 sent as octet-stream, from a URL without an extension: the bytes say what it is.
      case '/music':
        return send(res, 200, { 'content-type': 'application/octet-stream' }, mp3Body);
      case '/tone.ogg':
        return send(res, 200, { 'content-type': 'audio/ogg' }, oggBody);
      case '/quiet.wav':
        return send(res, 200, { 'content-type': 'audio/wav' }, quietBody);
      case '/fresh.wav':
        return send(res, 200, { 'content-type': 'audio/wav', 'cache-control': 'public, max-age=600' }, wavBody);
      case '/changing.wav':
        return send(res, 200, { 'content-type': 'audio/wav', etag: `"${requests.length}"` }, wavBody);
      case '/flaky.wav':
        if (flaky === 'down') return send(res, 503, {}, 'try later');
        if (flaky === 'garbage') return send(res, 200, { 'content-type': 'audio/wav', etag: '"v2"' }, 'not a wav');
        if (ifNoneMatch === '"v1"') return send(res, 304, {});
        return send(res, 200, { 'content-type': 'audio/wav', etag: '"v1"' }, wavBody);
      case '/page.html':
        return send(res, 200, { 'content-type': 'text/html' }, '<html><body>Not found, sorry</body></html>');
      case '/fake.mp3':
        return send(res, 200, { 'content-type': 'audio/mpeg' }, Buffer.alloc(4000, 7));
      case '/big':
        return send(res, 200, { 'content-type': 'audio/wav' }, Buffer.concat([wavBody, Buffer.alloc(300_000)]));
      case '/big-chunked': {
        // No Content-Length: the limit has to be enforced while reading.
        res.writeHead(200, { 'content-type': 'audio/wav' });
        let sent = 0;
        const more = () => {
          if (sent > 2_000_000 || res.destroyed) return res.end();
          sent += 64 * 1024;
          if (res.write(Buffer.alloc(64 * 1024))) setImmediate(more);
          else res.once('drain', more);
        };
        return more();
      }
      case '/moved':
        return send(res, 302, { location: '/tone.wav' });
      case '/loop-a':
        return send(res, 302, { location: `${origin}/loop-b` });
      case '/loop-b':
        return send(res, 301, { location: '/loop-a' });
      case '/to-file':
        return send(res, 302, { location: 'file:///etc/passwd' });
      case '/missing':
        return send(res, 404, { 'content-type': 'text/plain' }, 'no such thing');
      case '/slow':
      case '/hang':
        // Never answers: the client's time limit or abort has to end it.
        pending.add(res);
        return;
      case '/slow-body':
        res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': String(wavBody.length) });
        res.write(wavBody.subarray(0, 100));
        pending.add(res);
        return;
      default:
        return send(res, 404, {});
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await fixtures.cleanup();
});

let dir: string;
let cleanup: () => Promise<void>;
let soundsDir: string;
let dataDir: string;
let counting: ReturnType<typeof countingRunner>;
let log: ReturnType<typeof memoryLog>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('stasis-flows-fetch-test-'));
  soundsDir = path.join(dir, 'sounds');
  dataDir = path.join(dir, 'data');
  requests = [];
  flaky = 'ok';
  counting = countingRunner();
  log = memoryLog();
});

afterEach(async () => {
  for (const res of pending) res.destroy();
  pending.clear();
  await cleanup();
});

function promptAudio(fetch?: PromptAudioOptions['fetch']): PromptAudio {
  return new PromptAudio({ dataDir, soundsDir, engine: new EspeakEngine(), runner: counting.runner, log, ...(fetch ? { fetch } : {}) });
}

const signal = () => new AbortController().signal;
const conversions = () => counting.runs.filter((r) => r.tool === 'sox' && r.args[0] === '-V1').length;
const hits = (p: string) => requests.filter((r) => r.path === p).length;

function pathOf(uri: string): string {
  expect(uri).toMatch(/^sound:\//);
  return uri.slice('sound:'.length);
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true }).catch(() => [] as string[]);
  const files: string[] = [];
  for (const entry of entries) if ((await stat(path.join(root, entry))).isFile()) files.push(entry);
  return files.sort();
}

/** Nothing was written: no sound, no note, no staging. */
async function expectNothingLeft(): Promise<void> {
  expect(await filesUnder(soundsDir)).toEqual([]);
  expect(await filesUnder(path.join(dataDir, 'media-cache'))).toEqual([]);
}

async function failure(promise: Promise<string>): Promise<Error> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof Error)) throw new Error('expected the fetch to fail');
  return err;
}

describe('PromptAudio.fetch: conversion', () => {
  it.each([['/tone.wav'], ['/tone.mp3'], ['/tone.ogg'], ['/music']])('%s becomes an 8 kHz mono .wav and a .sln16', async (route) => {
    const base = pathOf(await promptAudio().fetch({ url: `${origin}${route}`, level: 0 }, signal()));
    expect(path.dirname(base)).toBe(path.join(soundsDir, 'stasis-flows', 'media'));
    const wav = await readWav(`${base}.wav`);
    expect(wav).toMatchObject({ audioFormat: 1, sampleRate: 8000, channels: 1, bits: 16 });
    // MP3 encoders pad a little.
    expect(wav.seconds).toBeGreaterThan(0.95);
    expect(wav.seconds).toBeLessThan(1.2);
    expect((await stat(`${base}.sln16`)).size).toBeGreaterThan(30_000);
    expect(await filesUnder(path.join(dataDir, 'media-cache', 'tmp'))).toEqual([]);
  });

  it('follows a redirect', async () => {
    await promptAudio().fetch({ url: `${origin}/moved`, level: 0 }, signal());
    expect(requests.map((r) => r.path)).toEqual(['/moved', '/tone.wav']);
  });

  it('level changes the audio: +1 louder, -1 quieter, each its own file', async () => {
    const audio = promptAudio();
    const url = `${origin}/quiet.wav`;
    const [normal, loud, soft] = await Promise.all([0, 1, -1].map((level) => audio.fetch({ url, level }, signal())));
    expect(new Set([normal, loud, soft]).size).toBe(3);
    const [p0, p1, pm1] = [await wavPeak(`${pathOf(normal!)}.wav`), await wavPeak(`${pathOf(loud!)}.wav`), await wavPeak(`${pathOf(soft!)}.wav`)];
    expect(p1 / p0).toBeCloseTo(Math.pow(10, 10 / 20), 0);
    expect(pm1 / p0).toBeGreaterThan(0.08);
    expect(pm1 / p0).toBeLessThan(0.12);
  });
});

describe('PromptAudio.fetch: the cache', () => {
  it('ETag: the second fetch sends If-None-Match, gets 304 and converts nothing', async () => {
    const audio = promptAudio();
    const url = `${origin}/tone.wav`;
    const first = await audio.fetch({ url, level: 0 }, signal());
    const converted = conversions();
    const before = await readFile(`${pathOf(first)}.wav`);
    const second = await promptAudio().fetch({ url, level: 0 }, signal());
    expect(second).toBe(first);
    expect(requests).toEqual([
      { path: '/tone.wav', ifNoneMatch: undefined, ifModifiedSince: undefined },
      { path: '/tone.wav', ifNoneMatch: '"v1"', ifModifiedSince: undefined },
    ]);
    expect(conversions()).toBe(converted);
    expect(await readFile(`${pathOf(second)}.wav`)).toEqual(before);
    const note = JSON.parse(await readFile(path.join(dataDir, 'media-cache', 'media', `${path.basename(pathOf(first))}.json`), 'utf8')) as Record<string, unknown>;
    expect(note).toMatchObject({ url, etag: '"v1"', contentType: 'audio/wav' });
  });

  it('Last-Modified: the second fetch sends If-Modified-Since and converts nothing', async () => {
    const audio = promptAudio();
    const url = `${origin}/tone.mp3`;
    await audio.fetch({ url, level: 0 }, signal());
    const converted = conversions();
    await audio.fetch({ url, level: 0 }, signal());
    expect(requests[1]).toEqual({ path: '/tone.mp3', ifNoneMatch: undefined, ifModifiedSince: LAST_MODIFIED });
    expect(conversions()).toBe(converted);
  });

  it('a changed body (200 to the revalidation) is converted again', async () => {
    const audio = promptAudio();
    const url = `${origin}/changing.wav`;
    await audio.fetch({ url, level: 0 }, signal());
    const converted = conversions();
    await audio.fetch({ url, level: 0 }, signal());
    expect(requests[1]?.ifNoneMatch).toBe('"1"');
    expect(conversions()).toBe(converted * 2);
  });

  it('Cache-Control max-age: no request at all while fresh', async () => {
    const audio = promptAudio();
    const url = `${origin}/fresh.wav`;
    const first = await audio.fetch({ url, level: 0 }, signal());
    expect(await audio.fetch({ url, level: 0 }, signal())).toBe(first);
    expect(hits('/fresh.wav')).toBe(1);
  });

  it('two fetches of one URL at once make one request', async () => {
    const audio = promptAudio();
    const url = `${origin}/tone.mp3`;
    const [a, b] = await Promise.all([audio.fetch({ url, level: 0 }, signal()), audio.fetch({ url, level: 0 }, signal())]);
    expect(a).toBe(b);
    expect(hits('/tone.mp3')).toBe(1);
  });

  it('revalidation fails (503) with a cached copy: the copy is used and a warning logged', async () => {
    const audio = promptAudio();
    const url = `${origin}/flaky.wav`;
    const first = await audio.fetch({ url, level: 0 }, signal());
    flaky = 'down';
    expect(await audio.fetch({ url, level: 0 }, signal())).toBe(first);
    const warning = log.lines.find((l) => l.level === 'warn');
    expect(warning?.message).toMatch(/cached copy/);
    expect(String(warning?.meta?.error)).toContain('503');
    flaky = 'garbage';
    expect(await audio.fetch({ url, level: 0 }, signal())).toBe(first);
    expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(2);
    expect((await readWav(`${pathOf(first)}.wav`)).seconds).toBeCloseTo(1, 1);
  });
});

describe('PromptAudio.fetch: failures', () => {
  it('404 is MEDIA_FETCH_FAILED naming the URL and the status; nothing is left', async () => {
    const url = `${origin}/missing`;
    const err = await failure(promptAudio().fetch({ url, level: 0 }, signal()));
    expect(isMediaError(err, 'MEDIA_FETCH_FAILED')).toBe(true);
    expect(err.message).toBe(`GET ${url} answered 404`);
    await expectNothingLeft();
  });

  it('a connection refused is MEDIA_FETCH_FAILED with the network error', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const err = await failure(promptAudio().fetch({ url: `http://127.0.0.1:${port}/x.wav`, level: 0 }, signal()));
    expect(isMediaError(err, 'MEDIA_FETCH_FAILED')).toBe(true);
    expect(err.message).toMatch(new RegExp(`^GET http://127\\.0\\.0\\.1:${port}/x\\.wav failed: .*ECONNREFUSED`));
    await expectNothingLeft();
  });

  it('a body over the size limit (declared) fails without reading it', async () => {
    const err = await failure(promptAudio({ maxBytes: 200_000 }).fetch({ url: `${origin}/big`, level: 0 }, signal()));
    expect(isMediaError(err, 'MEDIA_FETCH_FAILED')).toBe(true);
    expect(err.message).toMatch(/more than the limit of 200000/);
    await expectNothingLeft();
  });

  it('a chunked body over the size limit stops being read', async () => {
    const err = await failure(promptAudio({ maxBytes: 300_000 }).fetch({ url: `${origin}/big-chunked`, level: 0 }, signal()));
    expect(isMediaError(err, 'MEDIA_FETCH_FAILED')).toBe(true);
    expect(err.message).toMatch(/more than the limit of 300000 bytes/);
    await expectNothingLeft();
  });

  it('a redirect loop ends after maxRedirects', async () => {
    const err = await failure(promptAudio({ maxRedirects: 3 }).fetch({ url: `${origin}/loop-a`, level: 0 }, signal()));
    expect(isMediaError(err, 'MEDIA_FETCH_FAILED')).toBe(true);
    expect(err.message).toMatch(/more than 3 redirects/);
    expect(hits('/loop-a') + hits('/loop-b')).toBe(4);
    await expectNothingLeft();
  });

  it('only http and https: a file: URL, or a redirect to one, is refused', async () => {
    const direct = await failure(promptAudio().fetch({ url: 'file:///etc/passwd', level: 0 }, signal()));
    expect(isMediaError(direct, 'MEDIA_FETCH_FAILED')).toBe(true);
    expect(direct.message).toMatch(/only http and https/);
    const redirected = await failure(promptAudio().fetch({ url: `${origin}/to-file`, level: 0 }, signal()));
    expect(isMediaError(redirected, 'MEDIA_FETCH_FAILED')).toBe(true);
    expect(redirected.message).toMatch(/redirected to a file URL/);
    await expectNothingLeft();
  });

  it('a server that does not answer in time fails at the time limit', async () => {
    const started = Date.now();
    const err = await failure(promptAudio({ timeoutMs: 300 }).fetch({ url: `${origin}/slow`, level: 0 }, signal()));
    const took = Date.now() - started;
    expect(isMediaError(err, 'MEDIA_FETCH_FAILED')).toBe(true);
    expect(err.message).toBe(`GET ${origin}/slow did not answer within 0.3 s`);
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(2000);
    await expectNothingLeft();
  });

  it('a body that stalls fails at the total time limit', async () => {
    const err = await failure(promptAudio({ timeoutMs: 300 }).fetch({ url: `${origin}/slow-body`, level: 0 }, signal()));
    expect(isMediaError(err, 'MEDIA_FETCH_FAILED')).toBe(true);
    expect(err.message).toMatch(/did not finish within 0\.3 s/);
    await expectNothingLeft();
  });

  it('an abort ends the fetch at once with the abort, and leaves nothing', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const fetching = promptAudio().fetch({ url: `${origin}/hang`, level: 0 }, controller.signal);
    setTimeout(() => controller.abort(), 100);
    const err = await failure(fetching);
    expect(err.name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(1000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expectNothingLeft();
  });

  it('an HTML page is MEDIA_INVALID; bytes sox cannot read are MEDIA_INVALID naming the URL', async () => {
    const html = await failure(promptAudio().fetch({ url: `${origin}/page.html`, level: 0 }, signal()));
    expect(isMediaError(html, 'MEDIA_INVALID')).toBe(true);
    expect(html.message).toContain(`${origin}/page.html`);
    const fake = await failure(promptAudio().fetch({ url: `${origin}/fake.mp3`, level: 0 }, signal()));
    expect(isMediaError(fake, 'MEDIA_INVALID')).toBe(true);
    expect(fake.message).toContain(`${origin}/fake.mp3`);
    expect(fake.message).not.toContain(dataDir);
    await expectNothingLeft();
  });
});
