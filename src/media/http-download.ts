/**
 * Downloads one http(s) URL into a file, bounded: a size limit (reading stops
 * past it), a time limit for the whole exchange, a bounded number of
 * redirects, and only http and https, at every hop. Conditional headers make
 * a revalidation; a 304 is reported, not an error.
 */
import { open } from 'node:fs/promises';
import { request } from 'undici';
import { AppError } from '../errors.js';
import { abortReason, mediaError } from './media-errors.js';

/** The bounds of one download. */
export interface DownloadLimits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly maxRedirects: number;
}

/** Validators of a copy already held. */
export interface Validators {
  readonly etag?: string | undefined;
  readonly lastModified?: string | undefined;
}

/** What the server said about the body (or the copy it confirmed). */
export interface ResponseInfo {
  /** The URL that answered, after redirects. */
  readonly finalUrl: string;
  readonly etag: string | undefined;
  readonly lastModified: string | undefined;
  readonly contentType: string | undefined;
  readonly cacheControl: string | undefined;
}

/** A downloaded body, or the server's word that the copy held is current. */
export type DownloadResult = ({ readonly notModified: false; readonly bytes: number } | { readonly notModified: true }) & ResponseInfo;

/** A URL for messages and logs: user and password never shown. */
export function shownUrl(url: string | URL): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return parsed.href;
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return String(url).slice(0, 200);
  }
}

/** Parses an http(s) URL; anything else is a MEDIA_FETCH_FAILED. */
export function httpUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw mediaError('MEDIA_FETCH_FAILED', `GET ${shownUrl(url)}: not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw mediaError('MEDIA_FETCH_FAILED', `GET ${shownUrl(url)}: only http and https URLs are fetched, not ${parsed.protocol.replace(/:$/, '')}`);
  }
  return parsed;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Drops a body we do not read; its "aborted" error is expected, not a crash. */
function discard(body: { on(event: 'error', listener: (err: Error) => void): unknown; destroy(): unknown }): void {
  body.on('error', () => undefined);
  body.destroy();
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function seconds(ms: number): string {
  return `${ms % 1000 === 0 ? ms / 1000 : (ms / 1000).toFixed(1)} s`;
}

/** The code and message of a network error (undici's and Node's). */
function networkProblem(err: unknown): string {
  const error = err as { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  const code = typeof error.code === 'string' ? error.code : typeof error.cause?.code === 'string' ? error.cause.code : undefined;
  const message = typeof error.message === 'string' ? error.message : String(err);
  return code === undefined || message.includes(code) ? message : `${message} (${code})`;
}

/**
 * GETs `url` into `file` (created only when a body comes), following redirects.
 * Throws MEDIA_FETCH_FAILED naming the URL and the status or network error;
 * rejects with the signal's reason when `signal` aborts.
 */
export async function download(url: string, file: string, limits: DownloadLimits, validators: Validators | undefined, signal: AbortSignal): Promise<DownloadResult> {
  if (signal.aborted) throw abortReason(signal);
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), limits.timeoutMs);
  const combined = AbortSignal.any([signal, timeout.signal]);
  let current = httpUrl(url);
  const fail = (message: string, cause?: unknown) => mediaError('MEDIA_FETCH_FAILED', message, cause);
  try {
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { 'user-agent': 'stasis-flows', accept: 'audio/*, */*;q=0.1' };
      if (validators?.etag !== undefined) headers['if-none-match'] = validators.etag;
      if (validators?.lastModified !== undefined) headers['if-modified-since'] = validators.lastModified;
      let response: Awaited<ReturnType<typeof request>>;
      try {
        response = await request(current, { method: 'GET', headers, signal: combined, headersTimeout: limits.timeoutMs, bodyTimeout: limits.timeoutMs });
      } catch (err) {
        if (signal.aborted) throw abortReason(signal);
        if (timeout.signal.aborted) throw fail(`GET ${shownUrl(current)} did not answer within ${seconds(limits.timeoutMs)}`, err);
        throw fail(`GET ${shownUrl(current)} failed: ${networkProblem(err)}`, err);
      }
      const { statusCode, headers: got, body } = response;
      const info: ResponseInfo = {
        finalUrl: current.href,
        etag: header(got, 'etag'),
        lastModified: header(got, 'last-modified'),
        contentType: header(got, 'content-type'),
        cacheControl: header(got, 'cache-control'),
      };
      if (REDIRECTS.has(statusCode)) {
        discard(body);
        const location = header(got, 'location');
        if (location === undefined) throw fail(`GET ${shownUrl(current)} answered ${statusCode} without a Location`);
        if (hop >= limits.maxRedirects) throw fail(`GET ${shownUrl(url)}: more than ${limits.maxRedirects} redirects (the last to ${shownUrl(new URL(location, current))})`);
        let next: URL;
        try {
          next = new URL(location, current);
        } catch {
          throw fail(`GET ${shownUrl(current)} answered ${statusCode} with a Location that is not a URL`);
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') throw fail(`GET ${shownUrl(current)} redirected to a ${next.protocol.replace(/:$/, '')} URL; only http and https are fetched`);
        current = next;
        continue;
      }
      if (statusCode === 304 && validators !== undefined) {
        discard(body);
        return { notModified: true, ...info };
      }
      if (statusCode < 200 || statusCode > 299) {
        discard(body);
        throw fail(`GET ${shownUrl(current)} answered ${statusCode}`);
      }
      const declared = Number(header(got, 'content-length'));
      if (Number.isFinite(declared) && declared > limits.maxBytes) {
        discard(body);
        throw fail(`GET ${shownUrl(current)}: the body is ${declared} bytes, more than the limit of ${limits.maxBytes}`);
      }
      const bytes = await save(body, file, limits.maxBytes, () => fail(`GET ${shownUrl(current)}: the body is more than the limit of ${limits.maxBytes} bytes`)).catch((err: unknown) => {
        if (signal.aborted) throw abortReason(signal);
        if (timeout.signal.aborted) throw fail(`GET ${shownUrl(current)} did not finish within ${seconds(limits.timeoutMs)}`, err);
        if (err instanceof AppError) throw err;
        throw fail(`GET ${shownUrl(current)} failed while reading the body: ${networkProblem(err)}`, err);
      });
      return { notModified: false, bytes, ...info };
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Writes a body to `file`, stopping (and destroying the body) past `maxBytes`. */
async function save(body: AsyncIterable<Buffer> & Parameters<typeof discard>[0], file: string, maxBytes: number, tooLarge: () => Error): Promise<number> {
  const handle = await open(file, 'w', 0o600);
  let bytes = 0;
  try {
    for await (const chunk of body) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        discard(body);
        throw tooLarge();
      }
      await handle.write(chunk);
    }
  } finally {
    await handle.close();
  }
  return bytes;
}
