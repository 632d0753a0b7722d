/**
 * The simulated Asterisk process behind one HTTP server. It listens; it can die and
 * start again (`restart`): every connection closes at once, nothing listens on the port
 * for a while (connects are refused), then a fresh Core serves on the same port.
 */
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Core } from './core.js';
import type { EventSocket } from './events/socket.js';

/** How long a port held by someone else is retried when listening again (real time). */
const RELISTEN_TRIES = 40;
const RELISTEN_WAIT_MS = 50;

/** One simulated Asterisk at a time, on one server and port. */
export class AsteriskProcess {
  private current: Core;
  private readonly connections = new Set<Socket>();
  private port = 0;
  private restarting: Promise<void> | undefined;
  private downTimer: unknown;
  private wake: (() => void) | undefined;
  private closed = false;
  private server: Server | undefined;
  private sockets: () => Iterable<EventSocket> = () => [];

  constructor(
    core: Core,
    private readonly host: string,
  ) {
    this.current = core;
  }

  /** Serves `server` (its event sockets are `sockets`) on `port` (0: a free one); resolves with the port. */
  serve(server: Server, sockets: () => Iterable<EventSocket>, port: number): Promise<number> {
    this.server = server;
    this.sockets = sockets;
    // Every TCP connection, upgraded ones too, so a crash can close them all.
    server.on('connection', (socket: Socket) => {
      this.connections.add(socket);
      socket.once('close', () => this.connections.delete(socket));
    });
    return this.listen(port);
  }

  /** The Asterisk running now (between a crash and the start, the dead one). */
  get core(): Core {
    return this.current;
  }

  private async listen(port: number): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.listenOnce(port);
        break;
      } catch (err) {
        // Only when coming back on a known port: someone may have held it for a moment.
        const inUse = (err as { code?: string }).code === 'EADDRINUSE';
        if (!inUse || port === 0 || attempt >= RELISTEN_TRIES) throw err;
        await new Promise((resolve) => setTimeout(resolve, RELISTEN_WAIT_MS));
      }
    }
    this.port = (this.http().address() as AddressInfo).port;
    return this.port;
  }

  private http(): Server {
    if (this.server === undefined) throw new Error('the simulator is not serving yet');
    return this.server;
  }

  private listenOnce(port: number): Promise<void> {
    const server = this.http();
    return new Promise<void>((resolveListen, rejectListen) => {
      server.once('error', rejectListen);
      server.listen(port, this.host, () => {
        server.off('error', rejectListen);
        resolveListen();
      });
    });
  }

  /**
   * The process dies and starts again after `downMs` on the simulator's clock (a
   * ManualClock has to be advanced); resolves once it listens again.
   */
  restart(downMs: number): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the simulator is closed'));
    if (this.restarting !== undefined) return Promise.reject(new Error('the simulator is already restarting'));
    const dead = this.current;
    dead.kill();
    for (const socket of [...this.sockets()]) socket.drop();
    const run = async (): Promise<void> => {
      await this.stopListening();
      await this.down(dead, downMs);
      if (this.closed) return;
      this.current = dead.successor();
      await this.listen(this.port);
    };
    this.restarting = run().finally(() => (this.restarting = undefined));
    return this.restarting;
  }

  private down(core: Core, ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolveDown) => {
      const up = (): void => {
        this.wake = undefined;
        this.downTimer = undefined;
        resolveDown();
      };
      this.wake = up;
      this.downTimer = core.clock.setTimeout(up, ms);
    });
  }

  /** Closes every connection (held requests, event sockets) and stops listening. */
  private stopListening(): Promise<void> {
    const server = this.server;
    if (server === undefined) return Promise.resolve();
    return new Promise<void>((resolveClose) => {
      // Not listening (already down): close() calls back with ERR_SERVER_NOT_RUNNING at once.
      server.close(() => resolveClose());
      for (const socket of this.connections) socket.destroy();
      server.closeAllConnections();
    });
  }

  /** Stops for good, also in the middle of a restart (which then resolves without coming back). */
  async shutdown(): Promise<void> {
    this.closed = true;
    if (this.downTimer !== undefined) this.current.clock.clearTimeout(this.downTimer);
    this.downTimer = undefined;
    this.wake?.();
    await this.restarting?.catch(() => undefined);
    await this.stopListening();
  }
}
