/**
 * The Twilio REST API's errors, in Twilio's shape `{ code, message, more_info,
 * status }` (TWIML.md §4), whatever raised them under `/2010-04-01`; the
 * twilio SDK turns that body into its `RestException`.
 *
 * Codes (Twilio's numbers where Twilio has one for the case; "ours" where it
 * has none we know of, made as 20000 + the HTTP status, as Twilio's own
 * 20404, 20429, 20500 and 20503 are):
 *
 * | code  | status | when |
 * |-------|--------|------|
 * | 20001 | 400 | a parameter's value is refused (the catch-all; the message names the parameter) |
 * | 20003 | 401 | no Basic credentials, or not this account's SID and auth token |
 * | 20404 | 404 | no such resource (or route) for this account |
 * | 20413 | 413 | the form body is larger than the limit (ours) |
 * | 20415 | 415 | the body is not `application/x-www-form-urlencoded` (ours) |
 * | 20500 | 500 | anything unexpected (logged; the message says no more) |
 * | 20503 | 503 | calls or conferences are not running in this service |
 * | 21201 | 400 | `To` is missing |
 * | 21205 | 400 | a URL parameter is not an absolute http(s) URL |
 * | 21211 | 400 | `To` is neither a phone number nor a `sip:` URI |
 * | 21212 | 400 | `From` is not a phone number |
 * | 21213 | 400 | `From` is missing |
 * | 21220 | 400 | the call (or conference) is over, or not in a state for this change |
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';

/** The realm of the 401s' `WWW-Authenticate` challenge. */
export const TWILIO_REALM = 'Basic realm="stasis-flows"';

/** The JSON body of an error response. */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

/** An error a Twilio route or hook throws on purpose: answered with its status and code. */
export class TwilioError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'TwilioError';
  }
}

/** A 400 naming the parameter (code 20001 unless a more precise one is given). */
export function badParam(message: string, code = 20001): TwilioError {
  return new TwilioError(400, code, message);
}

/** A 404 for `path`, worded as Twilio words it. */
export function notFound(path: string): TwilioError {
  return new TwilioError(404, 20404, `The requested resource ${path.split('?')[0]} was not found`);
}

/** A 401 (the handler adds the `WWW-Authenticate` challenge). */
export function unauthorized(why: string): TwilioError {
  return new TwilioError(401, 20003, `Authenticate: ${why}`);
}

/** A 503: `what` is not running in this service. */
export function unavailable(what: string): TwilioError {
  return new TwilioError(503, 20503, `${what} not running in this service (no voice API flow)`);
}

/** The body of an error. */
export function twilioErrorBody(status: number, code: number, message: string): TwilioErrorBody {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

function isFastifyError(err: unknown): err is FastifyError {
  return err instanceof Error && typeof (err as { statusCode?: unknown }).statusCode === 'number';
}

/** Fastify's own 4xx (body too large, wrong content type, bad body) as a Twilio code. */
function fastifyCode(status: number): number {
  if (status === 404) return 20404;
  if (status === 413 || status === 415) return 20000 + status;
  return 20001;
}

/**
 * Makes every error and unknown route of `scope` (the `/2010-04-01` plugin,
 * encapsulated) answer in Twilio's shape; 5xx are logged, never sent in detail.
 */
export function installTwilioErrors(scope: FastifyInstance, log: Logger): void {
  scope.setNotFoundHandler((request, reply) => {
    const err = notFound(request.url);
    void reply.code(404).send(twilioErrorBody(404, err.code, err.message));
  });
  scope.setErrorHandler((err: unknown, request, reply) => {
    if (err instanceof TwilioError) {
      if (err.status === 401) void reply.header('WWW-Authenticate', TWILIO_REALM);
      return reply.code(err.status).send(twilioErrorBody(err.status, err.code, err.message));
    }
    if (isFastifyError(err) && err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send(twilioErrorBody(err.statusCode, fastifyCode(err.statusCode), err.message));
    }
    log.error('http request failed', { method: request.method, route: request.routeOptions.url, requestId: request.id, error: errorMessage(err), stack: err instanceof Error ? err.stack : undefined });
    return reply.code(500).send(twilioErrorBody(500, 20500, 'the request failed; the service log has the details'));
  });
}
