/**
 * The HTTP side of ARI: authentication, the Swagger description under `/ari/api-docs`
 * (basePath from the request's Host header, fact 5), routing to handlers, request bodies,
 * and Asterisk's error bodies (facts 1-4).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { buildApiDocs } from '../api-docs/index.js';
import type { Core } from '../core.js';
import { AriError } from '../errors.js';
import type { Faults } from '../faults.js';
import { liveCounts } from '../stats.js';
import { authorizedUser } from './auth.js';
import type { Credentials } from './auth.js';
import { Params } from './params.js';
import type { Router } from './routing.js';
import type { HandlerMap, Reply } from './types.js';

/** What the HTTP server needs. */
export interface ServerDeps {
  /** The Asterisk running now (a restart replaces it). */
  core: () => Core;
  users: readonly Credentials[];
  router: Router;
  handlers: HandlerMap;
  faults: Faults;
  log: (line: string) => void;
}

const BODY_LIMIT = 1 << 20;

function send(res: ServerResponse, status: number, body?: unknown, extraHeaders: Record<string, string> = {}): void {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, no-store', Server: 'Asterisk/22.10.1', ...extraHeaders };
  if (body === undefined) {
    res.writeHead(status, { ...headers, 'Content-Length': '0' });
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) {
        reject(new AriError(413, 'Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseBody(buf: Buffer): Record<string, unknown> | undefined {
  const text = buf.toString('utf8').trim();
  if (text === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AriError(400, 'Error parsing request body');
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Query parameters; a repeated one keeps its last value, as in Asterisk's stubs. */
function queryMap(url: URL): Map<string, string> {
  const map = new Map<string, string>();
  for (const [k, v] of url.searchParams) map.set(k, v);
  return map;
}

/** Builds the ARI HTTP server (the WebSocket upgrade is attached separately). */
export function createAriServer(deps: ServerDeps): Server {
  return createServer((req, res) => {
    handle(deps, req, res).catch((err: unknown) => {
      deps.log(`http: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (!res.headersSent) send(res, 500, { message: 'Internal Server Error' });
      else res.end();
    });
  });
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Taken once: a request in flight when Asterisk restarts stays with the dead one.
  const core = deps.core();
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://localhost');
  const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
  const user = authorizedUser(req, url, deps.users);
  if (rawPath === '/simulator/stats' && user !== undefined) {
    if (method === 'DELETE') core.stats.reset();
    send(res, 200, { ...core.stats.snapshot(), live: liveCounts(core) });
    return;
  }
  if (rawPath !== '/ari' && !rawPath.startsWith('/ari/')) {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('Not Found');
    return;
  }
  if (user === undefined) {
    send(res, 401, { message: 'Authentication required' }, { 'WWW-Authenticate': 'Basic realm="Asterisk REST Interface"' });
    return;
  }
  const fault = deps.faults.take(method, rawPath, user);
  if (fault?.kind === 'hang') {
    deps.log(`fault: holding ${method} ${rawPath} unanswered`);
    // Read and dropped, never answered: the client's time-out, a restart or close ends it.
    req.resume();
    return;
  }
  if (fault?.kind === 'fail') {
    deps.log(`fault: failing ${method} ${rawPath} with ${fault.status}`);
    send(res, fault.status, { message: fault.message });
    return;
  }
  const path = rawPath.slice('/ari'.length);
  if (path.startsWith('/api-docs/')) {
    serveApiDocs(req, res, path.slice('/api-docs/'.length));
    return;
  }
  const match = deps.router.match(method, path);
  if (match.kind === 'not-found') {
    send(res, 404, { message: 'Resource not found' });
    return;
  }
  if (match.kind === 'method-not-allowed') {
    send(res, 405, { message: 'Invalid method' }, { Allow: match.allow.join(',') });
    return;
  }
  const { op, pathParams } = match;
  const key = `${op.resource}.${op.nickname}`;
  const handler = deps.handlers[key];
  try {
    const body = parseBody(await readBody(req));
    if (handler === undefined) {
      // Described but not simulated: Asterisk answers 501 for operations it does not implement.
      send(res, 501, { message: 'Not implemented' });
      return;
    }
    deps.log(`http: ${method} ${req.url ?? ''} -> ${key}`);
    core.stats.request(user, key);
    const reply: Reply = await handler({ core, params: new Params(queryMap(url), pathParams, body) });
    if (reply.raw !== undefined) {
      res.writeHead(reply.status, { 'Content-Type': reply.raw.contentType, 'Content-Length': String(reply.raw.data.length), 'Cache-Control': 'no-cache, no-store', Server: 'Asterisk/22.10.1' });
      res.end(reply.raw.data);
      return;
    }
    send(res, reply.status, reply.body);
  } catch (err) {
    if (err instanceof AriError) {
      send(res, err.status, err.body);
      return;
    }
    throw err;
  }
}

function serveApiDocs(req: IncomingMessage, res: ServerResponse, file: string): void {
  const host = req.headers.host ?? 'localhost';
  const docs = buildApiDocs(`http://${host}/ari`);
  if (file === 'resources.json') {
    send(res, 200, docs.resources);
    return;
  }
  const m = /^([A-Za-z]+)\.json$/.exec(file);
  const decl = m === null ? undefined : docs.declarations[m[1] ?? ''];
  if (decl === undefined) {
    send(res, 404, { message: 'Resource not found' });
    return;
  }
  send(res, 200, decl);
}
