/**
 * What the queue's fault matrix needs beyond the harness: a queue cell has two
 * calls (a caller and an agent), so tours follow each call's own state, and
 * after the fault the party still on the line is probed: the queue must serve
 * it again (a new agent for a caller, a new caller for an agent).
 */
import type { TestCall } from '../support/caller.js';
import { sleep } from '../support/wait.js';
import { dotted, judge, type CallFault, type Cell, type FlowUnderTest, type Lane, type Observed, type TourContext } from './harness.js';

/** The states (dotted) each call went through, in order, per lane; one listener per lane. */
const states = new WeakMap<Lane, Map<string, string[]>>();

/** Per lane: false while the service's WebSocket is down. */
const online = new WeakMap<Lane, boolean>();

/** Starts following every call's state on `lane`, and its connection (once). */
export function follow(lane: Lane): void {
  if (states.has(lane)) return;
  online.set(lane, true);
  lane.app.ari.onConnection((event) => online.set(lane, event.type === 'reconnected'));
  const byChannel = new Map<string, string[]>();
  states.set(lane, byChannel);
  lane.app.events.on('call.state', (event) => {
    const seen = byChannel.get(event.channelId) ?? [];
    seen.push(dotted(event.state));
    byChannel.set(event.channelId, seen);
  });
}

/** Forgets the calls of a cell that is over. */
function forget(lane: Lane, calls: readonly TestCall[]): void {
  for (const call of calls) states.get(lane)?.delete(call.peerId);
}

function historyOf(lane: Lane, call: TestCall): string[] {
  return states.get(lane)?.get(call.peerId) ?? [];
}

/** The state of `call` on the service now (undefined before it started, or once the service is done with it). */
export function stateOf(lane: Lane, call: TestCall): string | undefined {
  if (!lane.app.runtime.get(call.peerId)) return undefined;
  return historyOf(lane, call).at(-1);
}

/** Where `call` is in its history now: `reach(…, from)` also counts the current state. */
export function mark(lane: Lane, call: TestCall): number {
  return Math.max(0, historyOf(lane, call).length - 1);
}

const within = (state: string | undefined, prefix: string) => state !== undefined && (state === prefix || state.startsWith(`${prefix}.`));

/**
 * Waits until `call` is in one of `prefixes` (returns which); rejects when the
 * call ends first or after `timeoutMs`, so a tour stops as soon as its call is gone.
 */
export async function reach(lane: Lane, call: TestCall, prefixes: readonly string[], options: { from?: number; timeoutMs?: number } = {}): Promise<string> {
  const until = Date.now() + (options.timeoutMs ?? 8000);
  const from = options.from ?? mark(lane, call);
  for (;;) {
    const seen = historyOf(lane, call).slice(from);
    for (const state of seen) {
      const hit = prefixes.find((p) => within(state, p));
      if (hit) return hit;
    }
    if (call.isOver || (seen.length > 0 && !lane.app.runtime.get(call.peerId))) throw new Error(`the call ended before ${prefixes.join(' | ')} (states: ${historyOf(lane, call).join(' → ')})`);
    if (Date.now() > until) throw new Error(`the call never reached ${prefixes.join(' | ')} (states: ${historyOf(lane, call).join(' → ')})`);
    await sleep(20);
  }
}

/** The two parties of a cell: who is dialled so far. */
export interface Parties {
  caller?: TestCall;
  agent?: TestCall;
}

/** Dials the lane's queue as `role`. */
export async function dialQueue(t: TourContext, role: 'caller' | 'agent'): Promise<TestCall> {
  // A call placed while the service's WebSocket is down finds no app (its StasisStart is lost): a real caller calls again later.
  await sleep(50);
  for (const until = Date.now() + 8000; online.get(t.lane) === false && Date.now() < until; ) await sleep(50);
  return t.lane.caller.dial(t.lane.apps.queue!, { args: [role, t.data.queue!], callerId: role === 'caller' ? 'Customer <3001>' : 'Agent <4001>' });
}

/** True while Asterisk still has the app's half of `call`. */
async function lineUp(lane: Lane, call: TestCall): Promise<boolean> {
  return lane.caller.ari.channels.get(call.peerId).then(
    () => true,
    () => false,
  );
}

/** True while the service still runs `call` as a queue member (not handed over, not ended). */
function inQueue(lane: Lane, call: TestCall): boolean {
  const state = stateOf(lane, call);
  return !call.isOver && state !== undefined && (state.startsWith('caller') || state.startsWith('agent'));
}

/**
 * After the tour: the party still a member of the queue, if any, must be served
 * again: `back` when a probe of the other role is bridged with it, `gone` when
 * nobody is left in the queue, undefined when both are still there (stuck) or the
 * survivor is never served. Every call of the cell is hung up before it returns.
 */
export async function survivor(t: TourContext, parties: Parties): Promise<'back' | 'gone' | undefined> {
  const { lane } = t;
  const all = [parties.caller, parties.agent].filter((c): c is TestCall => c !== undefined);
  // Let the fault's consequences land (a hang-up on its way, a requeue after a failed bridge,
  // calls whose channels vanished ended once the service is back).
  await sleep(300);
  for (const until = Date.now() + 6000; Date.now() < until; await sleep(100)) {
    const inside = all.filter((c) => inQueue(lane, c));
    const vanished = await Promise.all(inside.map(async (c) => !(await lineUp(lane, c))));
    if (inside.length < 2 && !vanished.includes(true)) break;
  }
  const probes: TestCall[] = [];
  try {
    // A party the service is done with must have its line brought down (a caller left alone in a bridge…).
    for (const call of all) {
      // After a restart the channel vanished with no ChannelDestroyed: the simulator knows.
      if (call.isOver || lane.app.runtime.get(call.peerId) || !(await lineUp(lane, call))) continue;
      await call.ended(1500).catch(() => undefined);
      if (!call.isOver && (await lineUp(lane, call))) {
        t.data.why = `${call === parties.agent ? 'the agent' : 'the caller'} was left on the line with no call on the service`;
        return undefined;
      }
    }
    const left = all.filter((c) => inQueue(lane, c));
    if (left.length === 0) return 'gone';
    if (left.length > 1) {
      t.data.why = `both are still in the queue (${left.map((c) => stateOf(lane, c)).join(', ')})`;
      return undefined;
    }
    const one = left[0]!;
    const role = one === parties.agent ? 'agent' : 'caller';
    const probe = await dialQueue(t, role === 'agent' ? 'caller' : 'agent');
    probes.push(probe);
    // A failed bridge rests the agent 2 s before the next try.
    await reach(lane, one, [`${role}.connected`], { timeoutMs: 6000 });
    await reach(lane, probe, [role === 'agent' ? 'caller.connected' : 'agent.connected'], { from: 0, timeoutMs: 2000 });
    return 'back';
  } catch (err) {
    t.data.why = `the one left in the queue was not served again: ${err instanceof Error ? err.message : String(err)}`;
    return undefined;
  } finally {
    for (const call of [...probes, ...all]) await call.hangup();
    // A channel that vanished in a restart sends no ChannelDestroyed: only lines still up are waited for.
    for (const call of [...probes, ...all]) if (await lineUp(lane, call)) await call.ended(5000).catch(() => undefined);
    forget(lane, [...probes, ...all]);
  }
}

/*
 * The harness's runCell with one change for flows with two calls in one app:
 * an ARI fault armed as a call enters the state is withdrawn only when *that
 * call* leaves it, not when the other call changes state (the harness withdraws
 * it on any state of the app, so a fault armed as the caller starts connecting
 * is withdrawn as the agent starts waiting, before the bridge request it was for).
 * The exact change for test/faults/harness.ts: remember `event.channelId` when
 * the state is reached, and call `left()` only for events of that channel.
 */

const STATUS: Record<string, number> = { 'ari-404': 404, 'ari-409': 409, 'ari-500': 500 };

/** Runs one cell as the harness's runCell does, the fault withdrawn only when the faulted call leaves the state. */
export async function runQueueCell(lane: Lane, flow: FlowUnderTest, tourName: string, state: string, fault: CallFault): Promise<Observed & { why?: string }> {
  const tour = flow.tours[tourName];
  if (!tour) throw new Error(`no tour ${tourName}`);
  const appName = lane.apps[flow.key]!;
  await appRegistered(lane, appName, 15_000);
  const data: Record<string, string> = {};
  await flow.prepare?.(lane, data);
  const observed: Observed = { fault, injected: false, completed: false, goodbye: false, states: [] };
  let over = false;
  const waiters = new Set<{ state: string; resolve: () => void; reject: (err: Error) => void }>();
  let faulted: string | undefined;
  let left: (() => void) | undefined;
  let heardAtFault = 0;
  const unlisten = lane.app.events.on('call.state', (event) => {
    if (event.app !== appName) return;
    const now = dotted(event.state);
    observed.states.push(now);
    if (faulted === undefined && now === state) {
      faulted = event.channelId;
      observed.injected = true;
      heardAtFault = context.call?.heard.length ?? 0;
      inject(lane, fault, context, observed, (undo) => (left = undo));
    } else if (left && event.channelId === faulted && now !== state) {
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
  const deadline = Date.now() + 30_000;
  for (;;) {
    await sleep(50);
    const live = lane.app.runtime.list().some((c) => c.app === appName);
    const settled = observed.completed || observed.tourError !== undefined;
    if (!live && observed.states.length > 0 && settled) break;
    if (!live && observed.states.length > 0 && Date.now() > deadline - 25_000) {
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
  if (fault !== 'restart' && context.call) {
    const call = context.call;
    await Promise.race([call.ended(5000).catch(() => undefined), sleep(5000)]);
    if (!call.isOver) observed.stranded = true;
  }
  await context.call?.hangup();
  const heard = context.call?.heardMedia() ?? [];
  observed.goodbye = heard.slice(heardAtFault).some((m) => flow.goodbye.test(m));
  if ((fault === 'ws-drop' || fault === 'restart') && observed.injected) {
    const until = Date.now() + 8000;
    while (observed.reregisteredMs === undefined && Date.now() < until) await sleep(50);
  }
  if (flow.inspect) {
    const until = Date.now() + 8000;
    let found = await flow.inspect(lane, data);
    while (found.message === undefined && found.member === undefined && Date.now() < until) {
      await sleep(200);
      found = await flow.inspect(lane, data);
    }
    Object.assign(observed, found);
  }
  return Object.assign(observed, { why: data.why });
}

/** The harness's fault injection, for the call faults. */
function inject(lane: Lane, fault: CallFault, context: TourContext, observed: Observed, onLeave: (undo: () => void) => void): void {
  const faults = lane.sim.faults;
  switch (fault) {
    case 'hangup':
      void context.call?.hangup();
      return;
    case 'ari-404':
    case 'ari-409':
    case 'ari-500':
    case 'ari-timeout': {
      const match = { path: /./, user: lane.serviceUser };
      const planned = fault === 'ari-timeout' ? faults.hangNext(match) : faults.failNext(match, STATUS[fault]!);
      onLeave(() => {
        if (planned.taken()) return;
        planned.cancel();
        observed.injected = false;
      });
      return;
    }
    case 'ws-drop':
    case 'restart': {
      let backAt: number | undefined;
      const off = lane.app.ari.onConnection((event) => {
        if (event.type !== 'reconnected') return;
        observed.reregisteredMs = Date.now() - (backAt ?? Date.now());
        off();
      });
      if (fault === 'ws-drop') {
        faults.dropWebSockets(lane.apps[context.flowKey], { forMs: 1000 });
        backAt = Date.now() + 1000;
      } else {
        void faults.restart({ downMs: 1000 }).then(() => (backAt = Date.now()));
      }
      return;
    }
  }
}

/** Waits until the simulator has `appName` and the lane's phone registered. */
export async function appRegistered(lane: Lane, appName: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
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

/** runCells with runQueueCell: each lane one cell at a time; one line per cell that did not hold. */
export async function runQueueCells(lanes: readonly Lane[], flow: FlowUnderTest, cells: readonly Cell[]): Promise<string[]> {
  const queue = [...cells];
  const failures: string[] = [];
  await Promise.all(
    lanes.map(async (lane) => {
      for (let cell = queue.shift(); cell; cell = queue.shift()) {
        let verdict: string | undefined;
        try {
          const observed = await runQueueCell(lane, flow, cell.tour, cell.state, cell.fault as CallFault);
          verdict = judge(cell.expected, observed);
          if (verdict && observed.why) verdict = `${verdict} (why: ${observed.why})`;
        } catch (err) {
          verdict = `the cell failed to run: ${err instanceof Error ? err.message : String(err)}`;
        }
        const until = Date.now() + 10_000;
        while ((lane.app.runtime.size > 0 || lane.app.ari.events.size > 0) && Date.now() < until) await sleep(50);
        if (lane.app.runtime.size > 0 || lane.app.ari.events.size > 0) {
          const leftover = `left behind: ${lane.app.runtime.size} live call(s), ${lane.app.ari.events.size} route(s)`;
          verdict = verdict ? `${verdict}; ${leftover}` : leftover;
        }
        if (verdict) failures.push(`${cell.state} × ${cell.fault}: ${verdict}`);
      }
    }),
  );
  return failures;
}
