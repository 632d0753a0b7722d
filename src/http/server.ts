/**
 * The service's HTTP API: a fastify app factory (`buildHttpApi`, which tests
 * call with `inject`) apart from where it listens (`startHttpApi`).
 */
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { CallControl, ConferenceControl } from '../apps/voice-api/control-types.js';
import { AppError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { VoiceStore } from '../storage/index.js';
import { installErrorHandling } from './errors.js';
import { installRequestLog } from './request-log.js';
import { callRoutes } from './routes/calls.js';
import { fileRoutes } from './routes/files.js';
import { healthRoutes } from './routes/health.js';
import { TWILIO_PREFIX, twilioRoutes } from './routes/twilio.js';

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
 * JSON bodies as fastify parses them, except that an empty one is no body:
 * clients send `Content-Type: application/json` on a DELETE with nothing in it.
 */
function acceptEmptyJson(app: FastifyInstance): void {
  // fastify's own parser for the rest: it refuses __proto__ and constructor poisoning.
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body: string, done) => {
    if (body.trim() === '') return done(null, undefined);
    void parse(request, body, done);
  });
}

/** Builds the HTTP API, not listening. */
export function buildHttpApi(deps: HttpApiDeps): FastifyInstance {
  // fastify's own logger is off: requests go through winston (request-log.ts), errors through errors.ts.
  // Closing drops open connections too: a stalled download must not hold up the service's shutdown.
  const app = Fastify({ logger: false, trustProxy: false, forceCloseConnections: true });
  installRequestLog(app, deps.log);
  installErrorHandling(app, deps.log);
  acceptEmptyJson(app);
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
