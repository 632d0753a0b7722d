/**
 * `sound:http://…` and `sound:https://…` as res_http_media_cache serves them (facts 95, 96):
 * a GET with libcurl's User-Agent, the file type from the Content-Type or else the URL's
 * extension, and downloads kept while their `Cache-Control: max-age` says they are fresh
 * (no request at all within it). Any failure (an HTTP error, a refused connection, TLS to
 * a plain port, a file format_wav refuses) is undefined: the playback ends "failed".
 * Deliberate difference: fact 97 (short URLs fail in 22.10.1) is not copied, and a
 * download without max-age is simply fetched again (Asterisk sends a HEAD with If-None-Match).
 */
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { extname } from 'node:path';
import { codecOfExtension, decodeMediaBytes } from './formats.js';
import type { MediaFile } from './formats.js';

/** The User-Agent Asterisk's curl requests carry. */
export const HTTP_MEDIA_USER_AGENT = 'asterisk-libcurl-agent/1.0';

/** A download that takes longer than this fails (libcurl's time-out in res_http_media_cache is generous too). */
const TIMEOUT_MS = 60_000;
/** Larger bodies are refused: nothing a prompt needs. */
const MAX_BYTES = 64 * 1024 * 1024;

/** Media types format modules register (ast_get_extension_for_mime_type). */
const MIME_EXTENSIONS: Record<string, string> = {
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/vnd.wave': 'wav',
  'audio/basic': 'ulaw',
  'audio/x-gsm': 'gsm',
};

type Download = { kind: 'ok'; body: Buffer; contentType: string; cacheControl: string } | { kind: 'status'; status: number } | { kind: 'error' };

function get(url: URL): Promise<Download> {
  return new Promise((resolve) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', headers: { 'user-agent': HTTP_MEDIA_USER_AGENT, accept: '*/*' }, timeout: TIMEOUT_MS }, (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        res.resume();
        resolve({ kind: 'status', status });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BYTES) req.destroy();
        else chunks.push(c);
      });
      res.on('end', () => resolve({ kind: 'ok', body: Buffer.concat(chunks), contentType: String(res.headers['content-type'] ?? ''), cacheControl: String(res.headers['cache-control'] ?? '') }));
      res.on('error', () => resolve({ kind: 'error' }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve({ kind: 'error' }));
    req.end();
  });
}

/** The file type of a download: the Content-Type first, then the URL path's extension (bucket_file_set_extension). */
export function httpMediaExtension(contentType: string, url: URL): string | undefined {
  const mime = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const byMime = MIME_EXTENSIONS[mime];
  if (byMime !== undefined) return byMime;
  const ext = extname(url.pathname).slice(1);
  return ext !== '' && codecOfExtension(ext) !== undefined ? ext : undefined;
}

/** Seconds of `max-age` in a Cache-Control header; 0 when absent or when the response may not be stored. */
export function maxAgeSeconds(cacheControl: string): number {
  if (/(^|,)\s*(no-store|no-cache)\s*(,|$)/i.test(cacheControl)) return 0;
  const m = /(?:^|,)\s*max-age\s*=\s*"?(\d+)/i.exec(cacheControl);
  return m === null ? 0 : Number.parseInt(m[1] ?? '0', 10);
}

/** The media cache of one simulated Asterisk. */
export class HttpMediaCache {
  private readonly fresh = new Map<string, { file: MediaFile; until: number }>();

  /** `now`: the simulator's clock, so max-age runs on it. */
  constructor(private readonly now: () => number) {}

  /** The media at a URL, downloaded unless a fresh copy is kept; undefined when it cannot be played. */
  async fetch(uri: string): Promise<MediaFile | undefined> {
    const kept = this.fresh.get(uri);
    if (kept !== undefined && kept.until > this.now()) return kept.file;
    this.fresh.delete(uri);
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      return undefined;
    }
    let got = await get(url);
    // Asterisk asked twice when the server answered an error (404: two GETs, fact 96).
    if (got.kind === 'status') got = await get(url);
    if (got.kind !== 'ok') return undefined;
    const ext = httpMediaExtension(got.contentType, url);
    const file = ext === undefined ? undefined : decodeMediaBytes(uri, ext, got.body);
    if (file === undefined) return undefined;
    const maxAge = maxAgeSeconds(got.cacheControl);
    if (maxAge > 0) this.fresh.set(uri, { file, until: this.now() + maxAge * 1000 });
    return file;
  }
}
