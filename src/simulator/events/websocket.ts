/**
 * `GET /ari/events?app=a,b[&subscribeAll=true]`: the event WebSocket. Credentials as for
 * REST (basic auth or `api_key`, fact 3). Registering an app that another socket holds
 * takes it over (ApplicationReplaced to the old one). Nothing is sent on connect (fact 6).
 * A fault (`dropWebSockets(app, {forMs})`) can refuse the upgrade: the connection is
 * reset before any answer, as a network outage makes the connect fail.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Core } from '../core.js';
import { authorized } from '../http/auth.js';
import type { Credentials } from '../http/auth.js';
import { EventSocket } from './socket.js';

function reject(socket: Duplex, status: number, reason: string, message: string): void {
  const body = JSON.stringify({ message });
  socket.write(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.destroy();
}

/** Serves the event WebSocket on `server`; returns the live sockets. */
export function attachEventWebSocket(
  server: Server,
  deps: {
    /** The Asterisk running now (a restart replaces it). */
    core: () => Core;
    users: readonly Credentials[];
    delayMs: () => number;
    /** A fault refuses event WebSockets for these apps now. */
    refuses?: (apps: readonly string[]) => boolean;
    log: (line: string) => void;
  },
): Set<EventSocket> {
  const sockets = new Set<EventSocket>();
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const core = deps.core();
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ari/events') {
      reject(socket, 404, 'Not Found', 'Resource not found');
      return;
    }
    if (!authorized(req, url, deps.users)) {
      reject(socket, 401, 'Unauthorized', 'Authentication required');
      return;
    }
    const apps = (url.searchParams.getAll('app').at(-1) ?? '').split(',').filter((a) => a !== '');
    if (deps.refuses?.(apps) === true) {
      deps.log(`fault: refusing the event WebSocket for ${apps.join(',')}`);
      socket.destroy();
      return;
    }
    if (apps.length === 0) {
      reject(socket, 400, 'Bad Request', "Missing param 'app'");
      return;
    }
    const subscribeAll = /^(yes|true|y|t|1|on)$/i.test(url.searchParams.get('subscribeAll') ?? '');
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Asterisk died while this handshake was under way.
      if (core.killed) {
        ws.terminate();
        return;
      }
      const es = new EventSocket(ws, core.clock, deps.delayMs);
      sockets.add(es);
      for (const app of apps) core.apps.register(app, es, subscribeAll);
      deps.log(`ws: connected for ${apps.join(',')}`);
      ws.on('close', () => {
        sockets.delete(es);
        core.apps.unregisterSocket(es);
        deps.log(`ws: closed (${apps.join(',')})`);
      });
      ws.on('error', () => {});
      // Asterisk ignores what clients send on this socket (apart from pings, which ws answers).
      ws.on('message', () => {});
    });
  });
  return sockets;
}
