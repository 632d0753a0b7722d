/**
 * The service's HTTP API: a fastify app factory (`buildHttpApi`, which tests
 * call with `inject`) apart from where it listens (`startHttpApi`).
 */
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { CallControl, ConferenceControl } from '../apps/voice-api/control-types.js';
import { AppError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { VoiceStore } from '../storage/index.js';
import { errorBody, installErrorHandling, routingProblem } from './errors.js';
import { installRequestLog } from './request-log.js';
import { callRoutes } from './routes/calls.js';
import { fileRoutes } from './routes/files.js';
import { healthRoutes } from './routes/health.js';
import { TWILIO_PREFIX, twilioRoutes } from './routes/twilio.js';
import { twilioErrorBody } from './twilio-errors.js';

export { recordingUrl } from './recordings.js';

/** What the HTTP API needs. */
export interface HttpApiDeps {
  voiceStore: VoiceStore;
  log: Logger;
  /**
   * The base of the URLs it hands out (STASIS_FLOWS_PUBLIC_URL), without a trailing slash.
   * A function when it is known only once listening (port 0 picks the port).
   */
  publicUrl: string | (() => string);
  /** The voice API's calls, for `/v1/calls`; absent, those routes answer 503. */
  calls?: CallControl;
  /** The voice API's conferences, for the Twilio API's `Conferences`; absent, those routes answer 503. */
  conferences?: ConferenceControl;
}

/** A listening HTTP API: where it listens, and how to stop it. */
export interface HttpApi {
  /** `http://<address>:<port>` it listens on. */
  url: string;
  close(): Promise<void>;
}

/** The public base URL `deps` gives now. */
export function publicBaseUrl(deps: Pick<HttpApiDeps, 'publicUrl'>): string {
  return typeof deps.publicUrl === 'function' ? deps.publicUrl() : deps.publicUrl;
}

/**
 * JSON bodies only (anything else is a 415), as fastify parses them, except
 * that an empty one is no body: clients send `Content-Type: application/json`
 * on a DELETE with nothing in it.
 */
function acceptJsonOnly(app: FastifyInstance): void {
  // fastify's own parser for the rest: it refuses __proto__ and constructor poisoning.
  const parse = app.getDefaultJsonParser('error', 'error');
  // Its text/plain parser would hand a route a string where the schema wants an object ("body must be object").
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body: string, done) => {
    if (body.trim() === '') return done(null, undefined);
    void parse(request, body, done);
  });
}

/**
 * Answers what the router refuses before any route or error handler runs (a
 * URL that is not percent-encoded, a path segment over its length limit) in
 * the vendor's shape of that path, as every other error is; fastify's own
 * body would otherwise show through.
 */
function routingErrors(log: Logger): (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return (err, request, reply) => {
    const { status, detail } = routingProblem(err);
    if (status === 500) log.error('http request failed', { method: request.method, requestId: request.id, error: errorMessage(err) });
    const twilio = request.url === TWILIO_PREFIX || request.url.startsWith(`${TWILIO_PREFIX}/`);
    const body = twilio
      ? twilioErrorBody(status, status === 404 ? 20404 : status === 400 ? 20001 : 20500, detail)
      : errorBody(status === 404 ? 'not-found' : status === 400 ? 'invalid-request' : 'internal-error', detail, request.id);
    void reply.code(status).header('Content-Type', 'application/json; charset=utf-8').send(JSON.stringify(body));
  };
}

/** Builds the HTTP API, not listening. */
export function buildHttpApi(deps: HttpApiDeps): FastifyInstance {
  // fastify's own logger is off: requests go through winston (request-log.ts), errors through errors.ts.
  // Closing drops open connections too: a stalled download must not hold up the service's shutdown.
  const app = Fastify({ logger: false, trustProxy: false, forceCloseConnections: true, frameworkErrors: routingErrors(deps.log) });
  installRequestLog(app, deps.log);
  installErrorHandling(app, deps.log);
  acceptJsonOnly(app);
  healthRoutes(app);
  fileRoutes(app, deps);
  callRoutes(app, { voiceStore: deps.voiceStore, calls: deps.calls, publicUrl: () => publicBaseUrl(deps) });
  // Encapsulated: its own error and not-found handlers, in Twilio's shape, under the prefix.
  void app.register(twilioRoutes, { prefix: TWILIO_PREFIX, voiceStore: deps.voiceStore, log: deps.log, calls: deps.calls, conferences: deps.conferences });
  return app;
}

/** Builds the HTTP API and listens; `url` is where it listens (port 0 picks one). */
export async function startHttpApi(deps: HttpApiDeps, listen: { host: string; port: number }): Promise<HttpApi> {
  const app = buildHttpApi(deps);
  try {
    await app.listen({ host: listen.host, port: listen.port });
  } catch (err) {
    await app.close().catch(() => undefined);
    throw new AppError('CONFIG_INVALID', `the HTTP API cannot listen on ${listen.host}:${listen.port} (STASIS_FLOWS_HTTP_HOST, STASIS_FLOWS_HTTP_PORT): ${errorMessage(err)}`, { cause: err });
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  deps.log.info('http api listening', { url, publicUrl: publicBaseUrl(deps) || url });
  return { url, close: () => app.close() };
}
