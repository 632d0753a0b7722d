/**
 * Request logging through the service's winston logger (fastify's own logger
 * stays off): one debug line per response. Only the method, route, path,
 * status and latency: never headers (Authorization) nor the query.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../logger.js';

/** Logs each response at debug. */
export function installRequestLog(app: FastifyInstance, log: Logger): void {
  app.addHook('onResponse', async (request, reply) => {
    log.debug('http request', {
      method: request.method,
      route: request.routeOptions.url ?? null,
      path: request.url.split('?')[0],
      status: reply.statusCode,
      latencyMs: Math.round(reply.elapsedTime * 10) / 10,
      remote: request.ip,
      requestId: request.id,
    });
  });
}
