/**
 * The lean request path for the hot ARI operations (play, playback control
 * and stop, DTMF, record and its controls, answer, hang-up, bridge
 * membership, music on hold): the same REST API ari-client would call, on a
 * keep-alive connection pool (undici) with the Authorization header computed
 * once, answering with the same AriError (status, operation, resource id).
 * ari-client builds a Swagger operation, a Basic-auth header (through a
 * deprecated Buffer constructor) and a shred request for every call; that was
 * about half of the service's CPU on a busy Asterisk (issue: performance).
 */
import { Pool } from 'undici';
import { AriError, errorMessage } from '../errors.js';
import { ariErrorMessage } from './error-map.js';

/** A query value as ARI takes it: lists are comma-separated (fact 24). */
export type QueryValue = string | number | boolean | readonly string[] | undefined;

/** Encodes a query value, leaving `,` `:` and `/` as Asterisk's own examples write them (facts 24, 36). */
function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/%2C/gi, ',').replace(/%3A/gi, ':').replace(/%2F/gi, '/');
}

/** Builds `?a=1&b=x` from the defined values. */
export function queryString(query: Readonly<Record<string, QueryValue>>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    const text = typeof value === 'string' ? value : Array.isArray(value) ? value.join(',') : String(value);
    parts.push(`${key}=${encodeQueryValue(text)}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** The connection failed under the request (not a time-out: that one may have been served). */
function isSocketError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNREFUSED';
}

/** A path segment: ids and recording names are %2F-encoded (fact 36). */
export const segment = (value: string): string => encodeURIComponent(value);

export interface LeanRequestOptions {
  url: string;
  username: string;
  password: string;
  requestTimeoutMs: number;
  /** Connections kept open to Asterisk. */
  connections?: number;
}

/** Requests to ARI on a keep-alive pool. */
export class LeanRequests {
  private readonly pool: Pool;
  private readonly authorization: string;
  private readonly timeoutMs: number;

  constructor(options: LeanRequestOptions) {
    this.pool = new Pool(new URL(options.url).origin, { connections: options.connections ?? 8, keepAliveTimeout: 30_000, pipelining: 1 });
    this.authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
    this.timeoutMs = options.requestTimeoutMs;
  }

  /**
   * One request: `path` under /ari (segments already encoded), `query` as ARI takes it.
   * Resolves with the parsed JSON body (undefined for 204), or throws AriError.
   */
  async call<T>(
    operation: string,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    query: Readonly<Record<string, QueryValue>>,
    resourceId?: string,
    options: { idempotent?: boolean } = {},
  ): Promise<T> {
    let statusCode: number;
    let text: string;
    try {
      const response = await this.pool.request({
        method,
        path: `/ari${path}${queryString(query)}`,
        headers: { authorization: this.authorization },
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      statusCode = response.statusCode;
      text = await response.body.text();
    } catch (err) {
      // A kept-alive connection closed under the request: an operation that may be repeated is, once, on a fresh one.
      if (options.idempotent === true && isSocketError(err)) return this.call<T>(operation, method, path, query, resourceId, { idempotent: false });
      // No answer: a time-out or the connection (status 0, as ari-client's transport errors).
      throw new AriError({ status: 0, operation, resourceId, message: errorMessage(err), cause: err });
    }
    if (statusCode >= 200 && statusCode < 300) return (text === '' ? undefined : JSON.parse(text)) as T;
    throw new AriError({ status: statusCode, operation, resourceId, message: ariErrorMessage(text === '' ? `HTTP ${statusCode}` : text) });
  }

  /** Closes the pool (waits for requests in flight). */
  async close(): Promise<void> {
    await this.pool.close();
  }
}
