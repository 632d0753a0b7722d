/** `GET /health`: the HTTP API answers. */
import type { FastifyInstance } from 'fastify';

/** Registers `GET /health` → `{"status":"ok"}`. */
export function healthRoutes(app: FastifyInstance): void {
  app.get('/health', { schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] } } } }, () => ({ status: 'ok' }));
}
