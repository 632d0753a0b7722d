/**
 * A voice-API program for tests and demos: a small HTTP server playing the
 * part of a customer's webhook server (the answer URL, the event URL, an
 * input's eventUrl, audio files). It records every request it gets, so a test
 * asserts what the program was told, in order.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request the program got. */
export interface ProgramRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  /** The body as sent; `json` when it parses. */
  raw: string;
  json: unknown;
  /** A form body's fields (TwiML requests), the last value of a repeated name; empty otherwise. */
  form: Record<string, string>;
  at: number;
}

/** What a route answers. */
export interface ProgramReply {
  status?: number;
  json?: unknown;
  body?: Buffer | string;
  headers?: Record<string, string>;
  /** Answer this late (a slow program). */
  delayMs?: number;
  /** Never answer (a program that hangs); the socket is destroyed at close. */
  hang?: boolean;
}

export type ProgramRoute = (request: ProgramRequest) => ProgramReply | undefined | Promise<ProgramReply | undefined>;

/** The program's server. */
export class ProgramServer {
  readonly requests: ProgramRequest[] = [];
  private readonly waiters = new Set<{ predicate: (r: ProgramRequest) => boolean; resolve: (r: ProgramRequest) => void }>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: http.Server,
    readonly base: string,
    private readonly routes: Map<string, ProgramRoute>,
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Starts a server on 127.0.0.1 with routes by path (`/answer`); an unknown path gets 404. */
  static async start(routes: Record<string, ProgramRoute> = {}): Promise<ProgramServer> {
    const table = new Map(Object.entries(routes));
    const holder: { self?: ProgramServer } = {};
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void holder.self?.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.self = new ProgramServer(server, `http://127.0.0.1:${port}`, table);
    return holder.self;
  }

  /** An absolute URL on this server. */
  url(path: string): string {
    return `${this.base}${path}`;
  }

  /** Sets (or replaces) a route. */
  route(path: string, route: ProgramRoute): void {
    this.routes.set(path, route);
  }

  private async handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.base);
    let json: unknown;
    try {
      json = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      json = undefined;
    }
    const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const form = isForm ? Object.fromEntries(new URLSearchParams(raw)) : {};
    const request: ProgramRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, raw, json, form, at: Date.now() };
    this.requests.push(request);
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate(request)) {
        this.waiters.delete(waiter);
        waiter.resolve(request);
      }
    }
    const route = this.routes.get(url.pathname);
    let reply: ProgramReply | undefined;
    try {
      reply = route ? ((await route(request)) ?? {}) : { status: 404, json: { error: 'no such route' } };
    } catch (err) {
      reply = { status: 500, body: String(err) };
    }
    if (reply.hang) return;
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    const body = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.body ?? '');
    const headers: Record<string, string | number> = { ...(reply.json !== undefined ? { 'Content-Type': 'application/json' } : {}), ...reply.headers, 'Content-Length': Buffer.byteLength(body) };
    if (!res.destroyed) res.writeHead(reply.status ?? 200, headers).end(body);
  }

  /** The requests to a path, in order. */
  to(path: string): ProgramRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** The `status` of every call-status event posted to `path`, in order. */
  statuses(path = '/event'): string[] {
    return this.to(path).flatMap((r) => {
      const status = (r.json as { status?: unknown } | undefined)?.status ?? r.query.status;
      return typeof status === 'string' ? [status] : [];
    });
  }

  /** Waits for a request (one already received counts). */
  async waitFor(predicate: (r: ProgramRequest) => boolean, what: string, timeoutMs = 15_000): Promise<ProgramRequest> {
    const seen = this.requests.find(predicate);
    if (seen) return seen;
    let timer: NodeJS.Timeout | undefined;
    let waiter: { predicate: (r: ProgramRequest) => boolean; resolve: (r: ProgramRequest) => void } | undefined;
    try {
      return await new Promise<ProgramRequest>((resolve, reject) => {
        waiter = { predicate, resolve };
        this.waiters.add(waiter);
        timer = setTimeout(() => reject(new Error(`timed out waiting for ${what} (got: ${this.requests.map((r) => `${r.method} ${r.path}`).join(', ') || 'nothing'})`)), timeoutMs);
      });
    } finally {
      clearTimeout(timer);
      if (waiter) this.waiters.delete(waiter);
    }
  }

  /** Waits for a call-status event. */
  async status(status: string, timeoutMs?: number, path = '/event'): Promise<ProgramRequest> {
    return this.waitFor((r) => r.path === path && ((r.json as { status?: unknown } | undefined)?.status ?? r.query.status) === status, `status "${status}" at ${path}`, timeoutMs);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
