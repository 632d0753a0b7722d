/**
 * The HTTP API's errors, in one place: stable codes, each with its status,
 * sent in Vonage's error shape (`{ type, title, detail, instance }`, RFC 7807
 * style) whatever raised them.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';

/** Stable error codes of the HTTP API; the `type` URL ends with the code. */
export type HttpErrorCode = 'invalid-request' | 'unauthorized' | 'not-found' | 'method-not-allowed' | 'internal-error' | 'service-unavailable';

const ERRORS: Readonly<Record<HttpErrorCode, { status: number; title: string }>> = {
  'invalid-request': { status: 400, title: 'Invalid request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'internal-error': { status: 500, title: 'Internal error' },
  'service-unavailable': { status: 503, title: 'Service unavailable' },
};

// Vonage's errors point at its documentation page of the code; ours keep the shape.
const TYPE_BASE = 'https://developer.vonage.com/api-errors#';

/** The JSON body of an error response. */
export interface HttpErrorBody {
  type: string;
  title: string;
  detail: string;
  /** The request's id, to match a response with the service's log. */
  instance: string;
}

/** An error a route or hook throws on purpose: answered with its code's status and a one-line detail. */
export class HttpApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: HttpErrorCode,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'HttpApiError';
    this.status = ERRORS[code].status;
  }
}

/** The body for `code`. */
export function errorBody(code: HttpErrorCode, detail: string, instance: string): HttpErrorBody {
  return { type: `${TYPE_BASE}${code}`, title: ERRORS[code].title, detail, instance };
}

/** What fastify's router refuses before any route runs, as a status and a one-line detail (never the whole URL). */
export function routingProblem(err: FastifyError): { status: 400 | 404 | 500; detail: string } {
  // The router's limit on one path segment (maxParamLength, 100): longer than any id handed out, so nothing is there.
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return { status: 404, detail: 'no resource has a path segment that long (at most 100 characters)' };
  if (err.code === 'FST_ERR_BAD_URL') return { status: 400, detail: 'the URL is not validly percent-encoded' };
  return { status: 500, detail: 'the request failed; the service log has the details' };
}

function isFastifyError(err: unknown): err is FastifyError {
  return err instanceof Error && typeof (err as { statusCode?: unknown }).statusCode === 'number';
}

/** Makes every error and unknown route answer in the one shape; 5xx are logged at error, never sent in detail. */
export function installErrorHandling(app: FastifyInstance, log: Logger): void {
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(errorBody('not-found', `no route ${request.method} ${request.url.split('?')[0]}`, request.id));
  });
  app.setErrorHandler((err: unknown, request, reply) => {
    if (err instanceof HttpApiError) return reply.code(err.status).send(errorBody(err.code, err.detail, request.id));
    // Fastify's own: schema validation (400), bad content type or body (4xx).
    if (isFastifyError(err) && err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      const code: HttpErrorCode = err.statusCode === 404 ? 'not-found' : err.statusCode === 405 ? 'method-not-allowed' : 'invalid-request';
      return reply.code(err.statusCode).send(errorBody(code, err.message, request.id));
    }
    log.error('http request failed', { method: request.method, route: request.routeOptions.url, requestId: request.id, error: errorMessage(err), stack: err instanceof Error ? err.stack : undefined });
    return reply.code(500).send(errorBody('internal-error', 'the request failed; the service log has the details', request.id));
  });
}
