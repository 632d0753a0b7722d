/**
 * The fault matrix's machinery (issue 14): for a flow and each leaf state of
 * its machine, a call is driven into that state on the simulator by a tour
 * (keys pressed as the call's states come, never by timing), one fault is
 * injected the moment the call enters the state, and what a caller or admin
 * would notice is compared with the cell's written expectation.
 *
 * Cells run in lanes: each lane is its own service (its own ARI user, Stasis
 * app names and data) and its own test caller on a shared simulator, so a
 * request that fails is known to be the lane's call. A restart or a dropped
 * WebSocket hits a whole simulator: those cells run in worlds of one lane.
 */
import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AnyStateMachine } from 'xstate';
import { startApp, type App, type FlowFactory } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { TestCaller, type TestCall } from '../support/caller.js';
import { sleep } from '../support/wait.js';
import type { World } from '../support/world.js';

/** Faults every flow gets, in every state. */
export const CALL_FAULTS = ['hangup', 'ari-404', 'ari-409', 'ari-500', 'ari-timeout', 'ws-drop', 'restart'] as const;
/** Faults of the voice API's webhooks (the request the state makes, else the event webhook). */
export const WEBHOOK_FAULTS = ['webhook-500', 'webhook-garbage', 'webhook-invalid', 'webhook-hang'] as const;
export type CallFault = (typeof CALL_FAULTS)[number];
export type WebhookFault = (typeof WEBHOOK_FAULTS)[number];
export type Fault = CallFault | WebhookFault;

/** What the caller notices after the fault. */
export type CallOutcome =
  /** The call goes on as if nothing happened: the tour completes. */
  | 'goes-on'
  /** The caller hears the flow's goodbye (or error prompt), then the call ends. */
  | 'goodbye'
  /** The call ends without a goodbye. */
  | 'ends';

/** One cell's expectation. */
export type Expectation =
  | {
      readonly call: CallOutcome;
      /** vm-record: the message is kept (a row and its recording) or nothing is. */
      readonly message?: 'kept' | 'discarded';
      /** queue: the member is back in its queue, or gone. */
      readonly member?: 'back' | 'gone';
    }
  /** The fault cannot happen in this state; why (the state makes no ARI request, the caller is gone already…). */
  | { readonly never: string };

/** A flow's table: every leaf state, every fault. */
export type Table<F extends Fault = CallFault> = Readonly<Record<string, Readonly<Record<F, Expectation>> & { readonly tour: string }>>;

/** Leaf states of a machine as dotted paths (`recording.capturing`). */
export function leafStates(machine: AnyStateMachine): string[] {
  const out: string[] = [];
  const walk = (node: { path: string[]; states: Record<string, unknown> }) => {
    const children = Object.values(node.states) as (typeof node)[];
    if (children.length === 0 && node.path.length > 0) out.push(node.path.join('.'));
    for (const child of children) walk(child);
  };
  walk(machine.root);
  return out;
}

/** A runtime state string (`greeting`, `{"recording":"capturing"}`) as a dotted leaf path. */
export function dotted(state: string): string {
  if (!state.startsWith('{') && !state.startsWith('"')) return state;
  let value: unknown = JSON.parse(state);
  const parts: string[] = [];
  while (value !== null && typeof value === 'object') {
    const [key, inner] = Object.entries(value as Record<string, unknown>)[0] ?? [];
    if (key === undefined) break;
    parts.push(key);
    value = inner;
  }
  if (typeof value === 'string') parts.push(value);
  return parts.join('.');
}

/** Installed prompts, each as a short WAV, so tours run in a fraction of their real time. */
async function shortSoundsDir(tmpDir: string): Promise<string> {
  const dir = path.join(tmpDir, 'sounds');
  const english = path.join(dir, 'en');
  await mkdir(english, { recursive: true });
  const short = path.join(tmpDir, 'short.wav');
  // 0.3 s of 8 kHz 16-bit mono silence with a WAV header: every prompt lasts that long.
  const samples = 2400;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples * 2, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples * 2, 40);
  const { writeFile } = await import('node:fs/promises');
  await writeFile(short, Buffer.concat([header, Buffer.alloc(samples * 2)]));
  const source = '/usr/share/asterisk/sounds/en';
  const entries = await readdir(source, { recursive: true, withFileTypes: true }).catch(() => []);
  const done = new Set<string>();
  for (const entry of entries) {
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    const relative = path.relative(source, path.join(entry.parentPath, entry.name));
    const bare = relative.replace(/\.[^./]+$/, '');
    // The speech a caller "says" (tt-monkeys) keeps its length: recordings need sound in them.
    if (done.has(bare) || bare === 'tt-monkeys') continue;
    done.add(bare);
    const to = path.join(english, `${bare}.wav`);
    await mkdir(path.dirname(to), { recursive: true });
    await symlink(short, to);
  }
  for (const entry of entries) {
    const relative = path.relative(source, path.join(entry.parentPath, entry.name));
    if (relative.replace(/\.[^./]+$/, '') !== 'tt-monkeys') continue;
    await symlink(path.join(source, relative), path.join(english, relative)).catch(() => undefined);
  }
  return dir;
}

/** One service and its test caller on a simulator. */
export interface Lane {
  readonly index: number;
  readonly sim: Simulator;
  readonly app: App;
  readonly caller: TestCaller;
  /** The lane's ARI user for the service: a failure matched on it is the lane's call. */
  readonly serviceUser: string;
  /** The lane's Stasis app names, by flow key (`vm-record`…). */
  readonly apps: Readonly<Record<string, string>>;
  readonly tmpDir: string;
}

/** A simulator with lanes. */
export interface FaultWorld {
  readonly sim: Simulator;
  readonly lanes: readonly Lane[];
  close(): Promise<void>;
}

/** What a flow needs of a lane. */
export interface LaneSpec {
  readonly flows: readonly FlowFactory[];
  /** The env of the lane's service; `names` are its unique Stasis app names. */
  env(names: (key: string) => string): Record<string, string>;
}

const PASSWORD = 'fault-matrix';
let worldCounter = 0;

/** Starts a simulator (short prompts) with `lanes` services, each with its own test caller. */
export async function startFaultWorld(spec: LaneSpec, lanes: number): Promise<FaultWorld> {
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'stasis-flows-faults-'));
  const recordingsDir = path.join(tmpDir, 'recording');
  await mkdir(recordingsDir);
  const soundsDir = await shortSoundsDir(tmpDir);
  const users = Array.from({ length: lanes }, (_, i) => [
    { username: `service${i}`, password: PASSWORD },
    { username: `caller${i}`, password: PASSWORD },
  ]).flat();
  const sim = await startSimulator({ recordingsDir, soundsDir, moreUsers: users });
  const level = process.env.TEST_LOG_LEVEL;
  const log: Logger = createLogger({ level: level === 'debug' || level === 'info' || level === 'warn' ? level : 'error', silent: !level });
  const world = ++worldCounter;
  const made: Lane[] = [];
  try {
    for (let i = 0; i < lanes; i++) {
      const laneDir = path.join(tmpDir, `lane${i}`);
      const names = (key: string) => `${key}-w${world}l${i}`;
      const config = loadConfig({
        ARI_URL: sim.url,
        ARI_USERNAME: `service${i}`,
        ARI_PASSWORD: PASSWORD,
        ARI_CONNECT_RETRIES: '0',
        // A request Asterisk never answers is given up soon: the matrix waits for each.
        ARI_REQUEST_TIMEOUT_MS: '1500',
        STASIS_FLOWS_DATA_DIR: path.join(laneDir, 'data'),
        STASIS_FLOWS_POST_CALL_TIMEOUT_MS: '5000',
        STASIS_FLOWS_DRAIN_MS: '1000',
        STASIS_FLOWS_HTTP_PORT: '0',
        ASTERISK_SOUNDS_DIR: soundsDir,
        ...spec.env(names),
      });
      const app = await startApp({ config, log, flows: spec.flows });
      const callerWorld = { ariUrl: sim.url, username: `caller${i}`, password: PASSWORD, log } as unknown as World;
      const caller = await TestCaller.connect(callerWorld);
      const apps: Record<string, string> = {};
      for (const key of ['vm-record', 'vm-playback', 'queue', 'voice-api']) apps[key] = names(key);
      made.push({ index: i, sim, app, caller, serviceUser: `service${i}`, apps, tmpDir: laneDir });
    }
  } catch (err) {
    for (const lane of made) await lane.app.stop().catch(() => undefined);
    await sim.close();
    throw err;
  }
  return {
    sim,
    lanes: made,
    async close() {
      for (const lane of made) {
        await lane.caller.close().catch(() => undefined);
        await lane.app.stop().catch(() => undefined);
      }
      await sim.close();
      await rm(tmpDir, { recursive: true, force: true });
    },
  };
}

/** What a tour drives and waits on. */
export interface TourContext {
  readonly lane: Lane;
  /** The flow's key in `lane.apps`. */
  readonly flowKey: string;
  /** The call, once the tour has placed it. */
  call?: TestCall;
  /** Resolves when the lane's call enters `state` (a dotted prefix: `recording` or `recording.capturing`); rejects when the cell is over. */
  until(state: string, timeoutMs?: number): Promise<void>;
  /** Per-cell data a flow keeps (the mailbox it made…). */
  readonly data: Record<string, string>;
}

/** A tour: places a call and drives it to its normal end. */
export type Tour = (context: TourContext) => Promise<void>;

/** What a cell observed. */
export interface Observed {
  readonly fault: Fault;
  /** The fault was injected (the state was reached; for an ARI fault, a request was failed). */
  injected: boolean;
  /** The tour ran to its end. */
  completed: boolean;
  /** The caller heard the goodbye after the fault. */
  goodbye: boolean;
  /** How long after Asterisk came back the service was registered again (restart, ws-drop). */
  reregisteredMs?: number;
  /** Flow-specific findings (message, member). */
  message?: 'kept' | 'discarded';
  member?: 'back' | 'gone';
  /** The service was done with the call, but the caller was still on the line (nobody hung it up). */
  stranded?: boolean;
  /** Why the tour stopped, for a failing cell's message. */
  tourError?: string;
  states: string[];
}

/** A flow under the matrix. */
export interface FlowUnderTest {
  /** The key of its Stasis app name in a lane (`vm-record`). */
  readonly key: string;
  readonly tours: Readonly<Record<string, Tour>>;
  /** Media that counts as the goodbye (or error prompt). */
  readonly goodbye: RegExp;
  /** Before the tour: what the cell needs (a mailbox…), kept in `data`. */
  prepare?(lane: Lane, data: Record<string, string>): Promise<void>;
  /** After the call: what a user would find (a message kept, a member back). */
  inspect?(lane: Lane, data: Record<string, string>): Promise<Pick<Observed, 'message' | 'member'>>;
  /**
   * Injects a fault the harness does not know (the voice API's webhook faults)
   * as the state is entered; returns whether it took, asked when the state is left
   * (false: the state made no such request, as a `never` cell expects).
   */
  inject?(fault: WebhookFault, context: TourContext): { taken(): boolean; cancel(): void };
}

const STATUS: Record<string, number> = { 'ari-404': 404, 'ari-409': 409, 'ari-500': 500 };

/** Runs one cell on `lane`: the tour, `fault` on entering `state`; returns what was observed. */
export async function runCell(lane: Lane, flow: FlowUnderTest, tourName: string, state: string, fault: Fault): Promise<Observed> {
  const tour = flow.tours[tourName];
  if (!tour) throw new Error(`no tour ${tourName}`);
  const appName = lane.apps[flow.key]!;
  await registered(lane, appName);
  const data: Record<string, string> = {};
  await flow.prepare?.(lane, data);
  const observed: Observed = { fault, injected: false, completed: false, goodbye: false, states: [] };
  let over = false;
  const waiters = new Set<{ state: string; resolve: () => void; reject: (err: Error) => void }>();
  let reached = false;
  /** The call whose state took the fault (a queue cell has two calls). */
  let reachedBy: string | undefined;
  let left: (() => void) | undefined;
  let heardAtFault = 0;
  const unlisten = lane.app.events.on('call.state', (event) => {
    if (event.app !== appName) return;
    const now = dotted(event.state);
    observed.states.push(now);
    if (!reached && now === state) {
      reached = true;
      reachedBy = event.channelId;
      observed.injected = true;
      heardAtFault = context.call?.heard.length ?? 0;
      inject(lane, flow, fault, context, observed, (undo) => (left = undo));
    } else if (left && event.channelId === reachedBy && now !== state) {
      left();
      left = undefined;
    }
    for (const waiter of [...waiters]) {
      if (now === waiter.state || now.startsWith(`${waiter.state}.`)) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
  });
  const context: TourContext = {
    lane,
    flowKey: flow.key,
    data,
    until(target, timeoutMs = 10_000) {
      if (over) return Promise.reject(new Error('the cell is over'));
      return new Promise<void>((resolve, reject) => {
        const waiter = { state: target, resolve, reject };
        waiters.add(waiter);
        setTimeout(() => {
          if (!waiters.delete(waiter)) return;
          reject(new Error(`the call never entered ${target} (states: ${observed.states.join(' → ')})`));
        }, timeoutMs).unref();
      });
    },
  };
  const ran = tour(context).then(
    () => (observed.completed = true),
    (err: unknown) => (observed.tourError = err instanceof Error ? err.message : String(err)),
  );
  // The cell is over once the service has no call of the lane's app and the tour settled (or gave up).
  const deadline = Date.now() + 30_000;
  for (;;) {
    await sleep(50);
    const live = lane.app.runtime.list().some((c) => c.app === appName);
    const settled = observed.completed || observed.tourError !== undefined;
    if (!live && observed.states.length > 0 && settled) break;
    if (!live && observed.states.length > 0 && Date.now() > deadline - 25_000) {
      // The call is over; give the tour a moment to see it.
      await Promise.race([ran, sleep(1500)]);
      break;
    }
    if (Date.now() > deadline) break;
  }
  over = true;
  unlisten();
  left?.();
  for (const waiter of waiters) waiter.reject(new Error('the cell is over'));
  waiters.clear();
  // The service is done: the caller's line must come down (after a restart it vanished with Asterisk).
  if (fault !== 'restart' && context.call) {
    const call = context.call;
    await Promise.race([call.ended(5000).catch(() => undefined), sleep(5000)]);
    if (!call.isOver) observed.stranded = true;
  }
  await context.call?.hangup();
  const heard = context.call?.heardMedia() ?? [];
  observed.goodbye = heard.slice(heardAtFault).some((m) => flow.goodbye.test(m));
  // Asterisk-wide faults: the service must be back (its apps registered) before the cell is judged.
  if ((fault === 'ws-drop' || fault === 'restart') && observed.injected) {
    const until = Date.now() + 8000;
    while (observed.reregisteredMs === undefined && Date.now() < until) await sleep(50);
  }
  // What is kept settles soon after the call (a cancelled take is deleted once Asterisk has finished it).
  if (flow.inspect) {
    const until = Date.now() + 8000;
    let found = await flow.inspect(lane, data);
    while (found.message === undefined && found.member === undefined && Date.now() < until) {
      await sleep(200);
      found = await flow.inspect(lane, data);
    }
    Object.assign(observed, found);
  }
  return observed;
}

/** Injects `fault` now; `onLeave` gets what to undo if the state is left before the fault took. */
function inject(lane: Lane, flow: FlowUnderTest, fault: Fault, context: TourContext, observed: Observed, onLeave: (undo: () => void) => void): void {
  const faults = lane.sim.faults;
  switch (fault) {
    case 'webhook-500':
    case 'webhook-garbage':
    case 'webhook-invalid':
    case 'webhook-hang': {
      if (!flow.inject) throw new Error(`${flow.key} cannot inject ${fault}`);
      const planned = flow.inject(fault, context);
      onLeave(() => {
        if (planned.taken()) return;
        planned.cancel();
        observed.injected = false;
      });
      return;
    }
    case 'hangup':
      void context.call?.hangup();
      // Placed calls: the caller half is known only once dial() returned.
      if (!context.call) void waitForCall(context).then((call) => call.hangup());
      return;
    case 'ari-404':
    case 'ari-409':
    case 'ari-500':
    case 'ari-timeout': {
      // Armed as the state is entered: its requests are on their way, not yet at the simulator.
      const match = { path: /./, user: lane.serviceUser };
      const planned = fault === 'ari-timeout' ? faults.hangNext(match) : faults.failNext(match, STATUS[fault]!);
      // Left without a request: the state makes none (the cell expects `never`).
      onLeave(() => {
        if (planned.taken()) return;
        planned.cancel();
        observed.injected = false;
      });
      return;
    }
    case 'ws-drop':
    case 'restart': {
      // Measured from the moment Asterisk takes connections again to the service's apps registered again.
      let backAt: number | undefined;
      const off = lane.app.ari.onConnection((event) => {
        if (event.type !== 'reconnected') return;
        observed.reregisteredMs = Date.now() - (backAt ?? Date.now());
        off();
      });
      if (fault === 'ws-drop') {
        // The service's connection drops, not the phone's.
        faults.dropWebSockets(lane.apps[context.flowKey], { forMs: 1000 });
        backAt = Date.now() + 1000;
      } else {
        void faults.restart({ downMs: 1000 }).then(() => (backAt = Date.now()));
      }
      return;
    }
  }
}

/** Waits until the simulator has the lane's phone and its service registered (after a restart both reconnect). */
async function registered(lane: Lane, appName: string): Promise<void> {
  const until = Date.now() + 15_000;
  for (;;) {
    const names = await lane.caller.ari.applications.list().then(
      (apps) => apps.map((a) => a.name),
      () => [] as string[],
    );
    if (names.includes(appName) && names.includes(lane.caller.app)) return;
    if (Date.now() > until) throw new Error(`${appName} or ${lane.caller.app} is not registered on the simulator`);
    await sleep(100);
  }
}

async function waitForCall(context: TourContext): Promise<TestCall> {
  for (let i = 0; i < 100 && !context.call; i++) await sleep(20);
  if (!context.call) throw new Error('no call to hang up');
  return context.call;
}

/** True when `observed` meets `expected`; else why not. */
export function judge(expected: Expectation, observed: Observed): string | undefined {
  // A state where the fault cannot happen: for an ARI fault, checked (no request was failed).
  if ('never' in expected) return observed.injected ? `expected no fault here (${expected.never}), but one was injected [states: ${observed.states.join(' → ')}]` : undefined;
  if (!observed.injected) return `the fault was never injected (states: ${observed.states.join(' → ')}; tour: ${observed.tourError ?? 'completed'})`;
  // A caller who hangs up ends the call, whatever the tour saw; what counts is what is kept.
  const call: CallOutcome = observed.fault === 'hangup' ? 'ends' : observed.completed ? 'goes-on' : observed.goodbye ? 'goodbye' : 'ends';
  const problems: string[] = [];
  if (call !== expected.call) problems.push(`the call ${call}, expected ${expected.call}${observed.tourError ? ` (tour: ${observed.tourError})` : ''}`);
  if (expected.message !== undefined && observed.message !== expected.message) problems.push(`the message was ${observed.message ?? 'not checked'}, expected ${expected.message}`);
  if (expected.member !== undefined && observed.member !== expected.member) problems.push(`the member was ${observed.member ?? 'not checked'}, expected ${expected.member}`);
  if (observed.stranded) problems.push('the caller was left on the line after the service was done with the call');
  if ((observed.fault === 'ws-drop' || observed.fault === 'restart') && observed.reregisteredMs === undefined) problems.push('the service never registered its apps again');
  if (observed.reregisteredMs !== undefined && observed.reregisteredMs > 2000) problems.push(`registered again ${observed.reregisteredMs} ms after Asterisk came back (over 2 s)`);
  return problems.length === 0 ? undefined : `${problems.join('; ')} [states: ${observed.states.join(' → ')}]`;
}

/** A cell of the matrix. */
export interface Cell {
  readonly state: string;
  readonly fault: Fault;
  readonly tour: string;
  readonly expected: Expectation;
}

/**
 * The cells of `table` for `faults`: every leaf state of `machine` must have a
 * row, and every row every fault (the matrix fails on a new state without one).
 */
export function cellsOf<F extends Fault>(machine: AnyStateMachine, table: Table<F>, faults: readonly F[]): { cells: Cell[]; missing: string[] } {
  const missing: string[] = [];
  const cells: Cell[] = [];
  for (const state of leafStates(machine)) {
    const row = table[state];
    if (!row) {
      missing.push(`${state}: no row`);
      continue;
    }
    for (const fault of faults) {
      const expected = row[fault];
      if (!expected) missing.push(`${state}: no expectation for ${fault}`);
      else cells.push({ state, fault, tour: row.tour, expected });
    }
  }
  for (const state of Object.keys(table)) if (!leafStates(machine).includes(state)) missing.push(`${state}: a row for a state the machine does not have`);
  return { cells, missing };
}

/** True when a cell runs on the simulator: `never` cells run only for request faults (to check no such request is made). */
export function runs(cell: Cell): boolean {
  return !('never' in cell.expected) || cell.fault.startsWith('ari-') || cell.fault.startsWith('webhook-');
}

/** Runs `cells` over the lanes, each lane one cell at a time; returns one line per cell that did not hold. */
export async function runCells(lanes: readonly Lane[], flow: FlowUnderTest, cells: readonly Cell[]): Promise<string[]> {
  const queue = [...cells];
  const failures: string[] = [];
  await Promise.all(
    lanes.map(async (lane) => {
      for (let cell = queue.shift(); cell; cell = queue.shift()) {
        let verdict: string | undefined;
        try {
          verdict = judge(cell.expected, await runCell(lane, flow, cell.tour, cell.state, cell.fault));
        } catch (err) {
          verdict = `the cell failed to run: ${err instanceof Error ? err.message : String(err)}`;
        }
        const leftover = await leftovers(lane, flow);
        if (leftover) verdict = verdict ? `${verdict}; ${leftover}` : leftover;
        if (verdict) failures.push(`${cell.state} × ${cell.fault}: ${verdict}`);
      }
    }),
  );
  return failures;
}

/** What a cell left behind on the lane that it must not: live calls, routes, channels in Stasis. */
async function leftovers(lane: Lane, flow: FlowUnderTest): Promise<string | undefined> {
  const appName = lane.apps[flow.key]!;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (lane.app.runtime.size === 0 && lane.app.ari.events.size === 0) return undefined;
    await sleep(50);
  }
  return `left behind: ${lane.app.runtime.size} live call(s) of ${appName}, ${lane.app.ari.events.size} route(s)`;
}
