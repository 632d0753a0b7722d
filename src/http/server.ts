/**
 * The service's HTTP API: a fastify app factory (`buildHttpApi`, which tests
 * call with `inject`) apart from where it listens (`startHttpApi`).
 */
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { AppError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { VoiceStore } from '../storage/index.js';
import { installErrorHandling } from './errors.js';
import { installRequestLog } from './request-log.js';
import { fileRoutes } from './routes/files.js';
import { healthRoutes } from './routes/health.js';

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

/** Builds the HTTP API, not listening. */
export function buildHttpApi(deps: HttpApiDeps): FastifyInstance {
  // fastify's own logger is off: requests go through winston (request-log.ts), errors through errors.ts.
  // Closing drops open connections too: a stalled download must not hold up the service's shutdown.
  const app = Fastify({ logger: false, trustProxy: false, forceCloseConnections: true });
  installRequestLog(app, deps.log);
  installErrorHandling(app, deps.log);
  healthRoutes(app);
  fileRoutes(app, deps);
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
