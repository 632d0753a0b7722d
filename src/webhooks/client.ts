/**
 * The HTTP client for a program's webhooks (answer URL, event URL, fallback URL),
 * calling them the way Vonage does (NCCO.md §3, §6.2): GET with a query string or
 * POST with a JSON body, bounded connect and read time-outs per kind, one retry for
 * a time-out, a reset or HTTP 429/503/504, the fallback URL where a document may come
 * back, and an HS256 bearer token when the application has a signature secret.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { SignJWT, jwtVerify } from 'jose';
import type { WebhookWire } from '../documents/dialect.js';
import { AppError, errorMessage } from '../errors.js';
import type { CallLog } from '../../states/shared/call.js';

/** Where a webhook goes and how. */
export interface WebhookTarget {
  readonly url: string;
  readonly method: 'GET' | 'POST';
}

/** An application's signature secret and id, for signed webhooks. */
export interface Signing {
  readonly secret: string;
  readonly applicationId: string;
}

/** What it logs through: a call's child logger or the root one. */
export type WebhookLog = CallLog;

/** Connect and read time-outs of one request. */
export interface WebhookTimeouts {
  connectMs: number;
  socketMs: number;
}

/** Answer and fallback answer URL: connect 1000 ms, read 5000 ms (NCCO.md §3). */
export const ANSWER_TIMEOUTS: WebhookTimeouts = Object.freeze({ connectMs: 1000, socketMs: 5000 });
/** Event URL: connect 1000 ms, read 10000 ms (NCCO.md §3). */
export const EVENT_TIMEOUTS: WebhookTimeouts = Object.freeze({ connectMs: 1000, socketMs: 10_000 });

/** One answered request. */
export interface WebhookResponse {
  status: number;
  body: string;
  /** The reply's Content-Type, when it had one. */
  contentType?: string;
  latencyMs: number;
}

/** The reply to a request whose answer may be a document. */
export type DocumentReply =
  | { ok: true; status: number; body: unknown; url: string }
  | { ok: false; reason: string; /** The first URL's last HTTP status, when it answered one. */ status?: number };

/** The kind of a webhook: it picks the time-outs and the retry rule. */
export type WebhookKind = 'answer' | 'event';

/** Options of one request. */
export interface WebhookRequestOptions {
  kind: WebhookKind;
  /** How the data go on the wire and replies are read (a dialect's); default: JSON, signed with `signing` when given. */
  wire?: WebhookWire;
  signing?: Signing;
  signal?: AbortSignal;
  log: WebhookLog;
}

/** The codes a webhook failure carries. */
export type WebhookErrorCode = 'WEBHOOK_UNREACHABLE' | 'WEBHOOK_TIMEOUT';

/** Why a request got no answer, in the words the fallback request's `reason` uses. */
export type WebhookFailure = 'connect-timeout' | 'read-timeout' | 'refused' | 'closed' | 'other';

const FALLBACK_REASONS: Record<WebhookFailure, string> = {
  'connect-timeout': 'Connect timed out.',
  'read-timeout': 'Read timed out.',
  refused: 'Connection refused.',
  closed: 'Connection closed.',
  other: 'Connection failed.',
};

/** A webhook request that got no HTTP answer (network failure or time-out); never made for an HTTP status. */
export class WebhookError extends AppError {
  /** What went wrong on the wire; `fallbackReason` puts it in Vonage's words. */
  readonly failure: WebhookFailure;

  constructor(code: WebhookErrorCode, failure: WebhookFailure, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'WebhookError';
    this.failure = failure;
  }

  /** The `reason` a fallback request carries for this failure (Vonage's words, e.g. "Connection closed."). */
  get fallbackReason(): string {
    return FALLBACK_REASONS[this.failure];
  }
}

/** True when an HTTP status earns the one retry: 429/503/504, and for events any 5xx (NCCO.md §3, issue 11). */
export function isRetryableStatus(kind: WebhookKind, status: number): boolean {
  if (status === 429 || status === 503 || status === 504) return true;
  return kind === 'event' && status >= 500 && status <= 599;
}

/** True for a 2xx status. */
export function isSuccess(status: number): boolean {
  return status >= 200 && status <= 299;
}

/** The URL's origin and path only: query strings carry call data, which stays out of logs. */
export function logUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** The hex SHA-256 of a body (the `payload_hash` claim). */
export function payloadHash(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

/** A bearer token as Vonage signs webhooks: HS256, `iat`, `jti`, `iss: "Vonage"`, `application_id`, `payload_hash`. */
export async function signWebhook(signing: Signing, body: string): Promise<string> {
  return new SignJWT({ application_id: signing.applicationId, payload_hash: payloadHash(body) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setJti(randomUUID())
    .setIssuer('Vonage')
    .sign(new TextEncoder().encode(signing.secret));
}

/** True when `token` is an HS256 JWT signed with `secret`, issued by "Vonage", whose `payload_hash` matches `body`. */
export async function verifyWebhookToken(token: string, secret: string, body: string): Promise<boolean> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'], issuer: 'Vonage' });
    return payload.payload_hash === payloadHash(body);
  } catch {
    return false;
  }
}

/**
 * Vonage's wire (NCCO.md §3): GET with the data in the query string, POST
 * with a JSON body; signed, when the application has a signature secret,
 * with an HS256 bearer token carrying the body's hash. Replies are JSON.
 */
export function jsonWire(signing?: Signing): WebhookWire {
  return {
    async encode(method, url, data) {
      const body = method === 'POST' ? JSON.stringify(data) : undefined;
      const target = method === 'GET' ? withQuery(url, data) : new URL(url);
      const headers: Record<string, string> = { accept: 'application/json' };
      if (body !== undefined) {
        // An explicit length (and a string body, never a stream) keeps undici from chunking:
        // simple servers such as Python's http.server read exactly Content-Length bytes.
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(Buffer.byteLength(body, 'utf8'));
      }
      // A GET has no body, so its payload_hash is the hash of the empty string: our choice,
      // NCCO.md §6.2 leaves GET UNCONFIRMED.
      if (signing) headers.authorization = `Bearer ${await signWebhook(signing, body ?? '')}`;
      return { url: target, ...(body === undefined ? {} : { body }), headers };
    },
    decode(body) {
      if (body.trim() === '') return undefined;
      try {
        return JSON.parse(body) as unknown;
      } catch {
        throw new Error(`reply is not JSON: sent ${JSON.stringify(body.slice(0, 80))}`);
      }
    },
    fallbackData(data, reason, primaryUrl, kind) {
      return { ...data, reason, original_request: { url: primaryUrl, type: kind } };
    },
  };
}

/** The query string value of one field: objects JSON-encoded, scalars as text. */
function queryValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** Every field of `data` appended to the URL's query (null and undefined fields are left out). */
function withQuery(url: URL, data: Record<string, unknown>): URL {
  const out = new URL(url);
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined || value === null) continue;
    out.searchParams.append(key, queryValue(value));
  }
  return out;
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Maps undici's and the socket's errors to a WebhookError with a one-line message. */
function toWebhookError(err: unknown, what: string, timeouts: WebhookTimeouts): WebhookError {
  const code = errorCode(err) ?? errorCode((err as { cause?: unknown } | null)?.cause);
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new WebhookError('WEBHOOK_TIMEOUT', 'connect-timeout', `${what} could not connect within ${timeouts.connectMs} ms`, { cause: err });
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return new WebhookError('WEBHOOK_TIMEOUT', 'read-timeout', `${what} timed out after ${timeouts.socketMs} ms`, { cause: err });
    case 'ECONNREFUSED':
      return new WebhookError('WEBHOOK_UNREACHABLE', 'refused', `${what} was refused`, { cause: err });
    case 'UND_ERR_SOCKET':
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_CLOSED':
      return new WebhookError('WEBHOOK_UNREACHABLE', 'closed', `${what} failed: connection closed`, { cause: err });
    default: {
      const message = err instanceof Error ? err.message : String(err);
      return new WebhookError('WEBHOOK_UNREACHABLE', 'other', `${what} failed: ${message.split('\n')[0] ?? ''}`, { cause: err });
    }
  }
}

// Read once: the version goes into the User-Agent. The file sits two levels up from
// src/webhooks/ and three from dist/src/webhooks/.
function packageVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'stasis-flows' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // try the next place
    }
  }
  return '0.0.0';
}

const DEFAULT_USER_AGENT = `stasis-flows/${packageVersion()}`;

/** Outcome of one target's attempts (one, or two with the retry). */
type TargetOutcome =
  | { ok: true; response: WebhookResponse; url: string }
  | { ok: false; reason: string; fallbackReason: string; status?: number };

/** Calls a program's webhooks; one per process, shared by all calls (its connection pools are). */
export class WebhookClient {
  private readonly userAgent: string;
  private readonly timeouts: Record<WebhookKind, WebhookTimeouts>;
  private readonly agents = new Map<number, Agent>();

  constructor(options: { userAgent?: string; timeouts?: { answer?: WebhookTimeouts; event?: WebhookTimeouts } } = {}) {
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.timeouts = {
      answer: options.timeouts?.answer ?? ANSWER_TIMEOUTS,
      event: options.timeouts?.event ?? EVENT_TIMEOUTS,
    };
  }

  /** One request: GET with `data` as the query string, or POST with `data` as a JSON body. Throws WebhookError (code WEBHOOK_UNREACHABLE / WEBHOOK_TIMEOUT) on network failure or time-out; never for an HTTP status. */
  async send(target: WebhookTarget, data: Record<string, unknown>, options: WebhookRequestOptions & { attempt?: number }): Promise<WebhookResponse> {
    const timeouts = this.timeouts[options.kind];
    const what = `${target.method} ${logUrl(target.url)}`;
    let url: URL;
    try {
      url = new URL(target.url);
    } catch (err) {
      throw new WebhookError('WEBHOOK_UNREACHABLE', 'other', `${what} failed: not a valid URL`, { cause: err });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new WebhookError('WEBHOOK_UNREACHABLE', 'other', `${what} failed: not an http(s) URL`);
    }
    const encoded = await (options.wire ?? jsonWire(options.signing)).encode(target.method, url, data);
    url = encoded.url;
    const body = encoded.body;
    const headers: Record<string, string> = { 'user-agent': this.userAgent, ...encoded.headers };

    const started = performance.now();
    const meta = { kind: options.kind, method: target.method, url: logUrl(target.url), attempt: options.attempt ?? 1 };
    // undici runs headersTimeout/bodyTimeout on its coarse timers (up to a second late), so
    // a native timer bounds the whole reply to socketMs from the start; undici's stay as
    // a backstop.
    const readTimer = new AbortController();
    const timer = setTimeout(() => readTimer.abort(), timeouts.socketMs);
    const signal = options.signal === undefined ? readTimer.signal : AbortSignal.any([options.signal, readTimer.signal]);
    try {
      const res = await request(url, {
        method: target.method,
        headers,
        body,
        dispatcher: this.agentFor(timeouts.connectMs),
        headersTimeout: timeouts.socketMs,
        bodyTimeout: timeouts.socketMs,
        signal,
      });
      // Read to the end: an HTTP/1.0 server may answer without Content-Length and close.
      const text = await res.body.text();
      const latencyMs = Math.round(performance.now() - started);
      options.log.debug('webhook answered', { ...meta, status: res.statusCode, latencyMs });
      const contentType = res.headers['content-type'];
      return { status: res.statusCode, body: text, latencyMs, ...(typeof contentType === 'string' ? { contentType } : {}) };
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      const failure = readTimer.signal.aborted
        ? new WebhookError('WEBHOOK_TIMEOUT', 'read-timeout', `${what} timed out after ${timeouts.socketMs} ms`, { cause: err })
        : toWebhookError(err, what, timeouts);
      options.log.debug('webhook failed', { ...meta, latencyMs: Math.round(performance.now() - started), error: failure.message });
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A request whose reply may be a document (answer URL, input/notify results): retries, then the fallback URL, as NCCO.md §3 says. An aborted `signal` rejects with its reason. */
  async fetchDocument(primary: WebhookTarget, fallback: WebhookTarget | undefined, data: Record<string, unknown>, options: WebhookRequestOptions): Promise<DocumentReply> {
    const first = await this.attempts(primary, data, options);
    if (first.ok) return this.parseDocument(first.response, primary, first.url, options);
    const status = first.status === undefined ? {} : { status: first.status };
    if (fallback === undefined) return { ok: false, reason: first.reason, ...status };

    options.log.info('webhook failed; trying the fallback URL', { kind: options.kind, url: logUrl(primary.url), fallbackUrl: logUrl(fallback.url), reason: first.reason });
    const fallbackData = (options.wire ?? jsonWire(options.signing)).fallbackData(data, first.fallbackReason, primary.url, options.kind);
    const second = await this.attempts(fallback, fallbackData, options);
    if (second.ok) return this.parseDocument(second.response, fallback, second.url, options);
    return { ok: false, reason: `${first.reason}; fallback ${second.reason}`, ...status };
  }

  /** Closes the connection pools (shutdown, tests). */
  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((a) => a.close()));
  }

  /**
   * One target, retried once after a time-out, a reset or a retryable status. For the
   * answer URL, 4xx and 500 are not retried and go to the fallback at once: NCCO.md §3
   * says any HTTP error leads to the fallback but lists retries only for 429/503/504,
   * so exact handling is UNCONFIRMED and this is our choice.
   */
  private async attempts(target: WebhookTarget, data: Record<string, unknown>, options: WebhookRequestOptions): Promise<TargetOutcome> {
    const what = `${target.method} ${logUrl(target.url)}`;
    let last: TargetOutcome = { ok: false, reason: `${what} was not tried`, fallbackReason: FALLBACK_REASONS.other };
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        const response = await this.send(target, data, { ...options, attempt });
        if (isSuccess(response.status)) return { ok: true, response, url: target.url };
        last = { ok: false, reason: `${what} answered ${response.status}`, fallbackReason: `HTTP ${response.status}`, status: response.status };
        if (!isRetryableStatus(options.kind, response.status)) return last;
      } catch (err) {
        if (!(err instanceof WebhookError)) throw err; // aborted: the caller has gone
        last = { ok: false, reason: err.message, fallbackReason: err.fallbackReason };
      }
    }
    return last;
  }

  private parseDocument(response: WebhookResponse, target: WebhookTarget, url: string, options: WebhookRequestOptions): DocumentReply {
    try {
      return { ok: true, status: response.status, body: (options.wire ?? jsonWire(options.signing)).decode(response.body, response.contentType), url };
    } catch (err) {
      const reason = `${errorMessage(err)}, from ${target.method} ${logUrl(target.url)}`;
      // An answer must be an NCCO; an event's reply is only read in case it is one, so
      // anything else means "carry on" (as an empty reply does).
      if (options.kind === 'answer') return { ok: false, reason };
      options.log.warn('webhook reply ignored', { kind: options.kind, url: logUrl(target.url), reason });
      return { ok: true, status: response.status, body: undefined, url };
    }
  }

  // One Agent per connect time-out (the only per-connection setting), shared by every
  // call. Its pools keep connections alive for reuse and have no cap per origin
  // (undici's default `connections: null`), so one call's slow request never queues
  // another call's behind it.
  private agentFor(connectMs: number): Agent {
    let agent = this.agents.get(connectMs);
    if (agent === undefined) {
      agent = new Agent({ connect: { timeout: connectMs }, connections: null });
      this.agents.set(connectMs, agent);
    }
    return agent;
  }
}
