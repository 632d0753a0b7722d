/**
 * The ARI simulator: an HTTP + WebSocket server that the unmodified `ari-client` talks
 * to as it would to Asterisk 22, with real state, Asterisk's events in Asterisk's order,
 * and Asterisk's status codes and bodies (see ../shared/ari-transcripts/README.md).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listOperations } from './api-docs/index.js';
import { destroyBridge } from './bridges/ops.js';
import { hangupChannel } from './channels/lifecycle.js';
import { RealClock } from './clock.js';
import type { Clock } from './clock.js';
import { Core } from './core.js';
import { Dialplan } from './dialplan/dialplan.js';
import type { EventSocket } from './events/socket.js';
import { attachEventWebSocket } from './events/websocket.js';
import { Faults } from './faults.js';
import type { FaultControls } from './faults.js';
import { Router } from './http/routing.js';
import { createAriServer } from './http/server.js';
import type { HandlerMap } from './http/types.js';
import { AsteriskProcess } from './process.js';
import { bridgeHandlers } from './resources/bridges.js';
import { channelHandlers } from './resources/channels.js';
import { mediaHandlers } from './resources/media.js';
import { systemHandlers } from './resources/system.js';
import { liveCounts } from './stats.js';
import type { LiveCounts } from './stats.js';

export { ManualClock, RealClock } from './clock.js';
export type { Clock } from './clock.js';
export type { FaultControls, PlannedFault, RepeatOptions, RequestMatch } from './faults.js';
export type { LiveCounts } from './stats.js';

/** How to start a simulator. */
export interface SimulatorOptions {
  /** 0 (default) = ephemeral. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default asterisk / asterisk. */
  username?: string;
  password?: string;
  /** More ARI users (ari.conf may list several; a benchmark tells its driver from the app under test by user). */
  moreUsers?: readonly { username: string; password: string }[];
  /** Default /usr/share/asterisk/sounds. */
  soundsDir?: string;
  /** Default /usr/share/asterisk/moh (class "default"). */
  mohDir?: string;
  /** Asterisk's <spooldir>/recording; default: a fresh temp dir, removed on close. */
  recordingsDir?: string;
  /** Path to extensions.conf; default <repo>/asterisk-config/extensions.conf. */
  dialplan?: string;
  /** Default: real time. */
  clock?: Clock;
  /** Optional debug trace. */
  log?: (line: string) => void;
}

/** A running simulator. */
export interface Simulator {
  /** http://127.0.0.1:<port> (ARI at url + '/ari'). */
  readonly url: string;
  readonly port: number;
  readonly recordingsDir: string;
  readonly soundsDir: string;
  readonly faults: FaultControls;
  /** What the running Asterisk holds now (also `live` in `GET /simulator/stats`). */
  counts(): LiveCounts;
  close(): Promise<void>;
}

/** Finds `asterisk-config/extensions.conf` above this file (works from src/ and from dist/). */
function defaultDialplan(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'asterisk-config', 'extensions.conf');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return resolve('asterisk-config/extensions.conf');
}

/** Every handler, by `resource.nickname`. */
const HANDLERS: HandlerMap = { ...systemHandlers, ...channelHandlers, ...bridgeHandlers, ...mediaHandlers };

/** Starts a simulator and resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const log = options.log ?? (() => {});
  const warn = options.log ?? ((line: string) => console.warn(`[ari-simulator] ${line}`));
  const soundsDir = options.soundsDir ?? '/usr/share/asterisk/sounds';
  const mohDir = options.mohDir ?? '/usr/share/asterisk/moh';
  if (!existsSync(soundsDir)) warn(`sounds directory ${soundsDir} does not exist: no sounds will play`);
  const ownRecordings = options.recordingsDir === undefined;
  const recordingsDir = options.recordingsDir ?? mkdtempSync(join(tmpdir(), 'ari-sim-recording-'));
  const dialplan = Dialplan.load(options.dialplan ?? defaultDialplan(), warn);
  const core = new Core(options.clock ?? new RealClock(), { soundsDir, mohDir, recordingsDir }, dialplan, log);
  const users = [{ username: options.username ?? 'asterisk', password: options.password ?? 'asterisk' }, ...(options.moreUsers ?? [])];
  const operations = listOperations();
  const missing = operations.filter((op) => op.upgrade === undefined && HANDLERS[`${op.resource}.${op.nickname}`] === undefined);
  if (missing.length > 0) log(`operations without a handler (501): ${missing.map((o) => `${o.resource}.${o.nickname}`).join(', ')}`);

  let sockets = new Set<EventSocket>();
  const host = options.host ?? '127.0.0.1';
  const running = new AsteriskProcess(core, host);
  // A restart replaces the Core: everything asks for the current one.
  const current = (): Core => running.core;
  const faults = new Faults({ clock: core.clock, sockets: () => sockets, core: current, restart: (downMs) => running.restart(downMs) });
  const server: Server = createAriServer({ core: current, users, router: new Router(operations), handlers: HANDLERS, faults, log });
  sockets = attachEventWebSocket(server, { core: current, users, delayMs: () => faults.delay, refuses: (apps) => faults.refusesWebSocket(apps), log });
  const port = await running.serve(server, () => sockets, options.port ?? 0);
  let closed = false;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    recordingsDir,
    soundsDir,
    faults,
    counts: () => liveCounts(running.core),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const now = running.core;
      for (const s of [...sockets]) {
        now.apps.unregisterSocket(s);
        s.close();
      }
      // Nothing may fire after close: hang everything up (no app hears it any more) and stop the timers.
      for (const ch of [...now.channels.values()]) hangupChannel(now, ch, 16, 'api');
      for (const b of [...now.bridges.values()]) destroyBridge(now, b);
      now.kill();
      await running.shutdown();
      if (ownRecordings) rmSync(recordingsDir, { recursive: true, force: true });
    },
  };
}
