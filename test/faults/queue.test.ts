/**
 * The fault matrix for the queue (issue 14): every leaf state of the queue
 * call machine, caller and agent side, × every call fault. A cell has two
 * calls; the call whose state is faulted is the tour's `call`. `member` says
 * what became of the queue after the fault: `back` when the party still on the
 * line is served again (a fresh agent is bridged with a caller left waiting, a
 * fresh caller with an agent whose caller is gone), `gone` when nobody is left
 * in the queue (both hung up, handed to voicemail, or vanished in a restart).
 * Either way no one is left on a line the service is done with, no bridge and
 * no member row is left behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueFlow } from '../../src/apps/queue/flow.js';
import { vmRecordFlow } from '../../src/apps/vm-record.js';
import { queueCallMachine } from '../../states/queue/machine.js';
import type { TestCall } from '../support/caller.js';
import { CALL_FAULTS, cellsOf, runs, startFaultWorld, type Expectation, type FaultWorld, type FlowUnderTest, type Lane, type Table, type TourContext } from './harness.js';
import { dialQueue, follow, mark, reach, runQueueCells, stateOf, survivor, type Parties } from './queue-support.js';

/** Where callers who waited the maximum time leave a message. */
const MAILBOX = 'overflow';

const spec = {
  flows: [queueFlow, vmRecordFlow],
  env: (names: (key: string) => string) => ({
    STASIS_FLOWS_APP_QUEUE: names('queue'),
    STASIS_FLOWS_APP_VM_RECORD: names('vm-record'),
    STASIS_FLOWS_QUEUE_ANNOUNCE_PERIOD_MS: '1000',
    // Long enough for a pairing retried after a failed bridge (the agent rests 2 s).
    STASIS_FLOWS_QUEUE_MAX_WAIT_MS: '6000',
    STASIS_FLOWS_QUEUE_VOICEMAIL: MAILBOX,
  }),
};

let counter = 0;

/** Runs `script` with the cell's parties, then probes who is left (data.member) and hangs everyone up. */
async function withParties(t: TourContext, script: (p: Parties) => Promise<void>): Promise<void> {
  const parties: Parties = {};
  let failure: Error | undefined;
  try {
    await script(parties);
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
  }
  t.data.member = (await survivor(t, parties)) ?? '';
  t.data.settled = 'yes';
  if (failure) throw failure;
}

/**
 * The agent presses `key` and waits for one of `states` (the current state
 * counts too). A key that changed nothing is pressed again, as a person would:
 * one pressed while the service's WebSocket was down never reached it.
 */
async function agentKey(t: TourContext, agent: TestCall, key: string, states: readonly string[]): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const from = mark(t.lane, agent);
    await agent.press(key);
    try {
      return await reach(t.lane, agent, states, { from, timeoutMs: 1500 });
    } catch (err) {
      // The key did something (a stop on its way): the state it leads to may take a while (a missed RecordingFinished is asked for after 5 s).
      if (!agent.isOver && mark(t.lane, agent) !== from) return reach(t.lane, agent, states, { from, timeoutMs: 8000 });
      if (agent.isOver || attempt >= 3) throw err;
    }
  }
}

/** A caller waits (hearing an announcement first when `announced`), an agent comes, talks, and presses # to end the call. */
function served(announced: boolean) {
  return (t: TourContext) =>
    withParties(t, async (p) => {
      const { lane } = t;
      t.call = p.caller = await dialQueue(t, 'caller');
      await reach(lane, p.caller, ['caller.waiting']);
      if (announced) {
        await reach(lane, p.caller, ['caller.waiting.announcing']);
        await reach(lane, p.caller, ['caller.waiting.holding']);
      }
      p.agent = await dialQueue(t, 'agent');
      await reach(lane, p.caller, ['caller.connected']);
      await reach(lane, p.agent, ['agent.connected']);
      await agentKey(t, p.agent, '#', ['agent.waiting']);
      await p.caller.ended(5000);
    });
}

const RECORDING = 'agent.connected.recording';
const TALKING = 'agent.connected.talking';

const flow: FlowUnderTest = {
  key: 'queue',
  goodbye: /^sound:(queue-thankyou|pbx-invalid)$/,
  async prepare(lane: Lane, data) {
    follow(lane);
    data.queue = `mq${lane.index}x${++counter}`;
    if (!(await lane.app.store.getMailbox(MAILBOX))) await lane.app.store.addMailbox({ id: MAILBOX, name: 'Queue overflow' }).catch(() => undefined);
  },
  async inspect(lane: Lane, data) {
    // The tour still probing who is left.
    if (data.settled !== 'yes') return {};
    // Nothing of the queue is left: no bridge on Asterisk, no member in `queue status`.
    const bridges = (await lane.caller.ari.bridges.list().catch(() => [])).filter((b) => b.name === `queue-${data.queue}`);
    const members = await lane.app.queueStore.listMembers(data.queue);
    if (bridges.length > 0 || members.length > 0) {
      data.why = `left behind: ${bridges.length} bridge(s), members ${members.map((m) => `${m.role}:${m.status}`).join(', ')}`;
      return {};
    }
    if (data.member === 'back' || data.member === 'gone') return { member: data.member };
    return {};
  },
  tours: {
    served: served(false),
    announced: served(true),
    /** An agent waits, a caller comes; the agent records (0), pauses (5, 5), keeps (7), records again, discards (9), and ends the call (#). */
    async agentServes(t) {
      await withParties(t, async (p) => {
        const { lane } = t;
        t.call = p.agent = await dialQueue(t, 'agent');
        await reach(lane, p.agent, ['agent.waiting']);
        p.caller = await dialQueue(t, 'caller');
        await reach(lane, p.agent, [TALKING]);
        const { agent, caller } = p;
        // A recording that failed (its request refused) leaves the agent talking: its keys are skipped.
        const recording = () => stateOf(lane, agent)?.startsWith(RECORDING) === true;
        await agentKey(t, agent, '0', [`${RECORDING}.capturing`]);
        await caller.speak(0.3);
        if (recording() && (await agentKey(t, agent, '5', [`${RECORDING}.paused`, TALKING])) !== TALKING) {
          await caller.speak(0.2);
          await agentKey(t, agent, '5', [`${RECORDING}.capturing`, TALKING]);
        }
        if (recording()) await agentKey(t, agent, '7', [TALKING]);
        await agentKey(t, agent, '0', [`${RECORDING}.capturing`]);
        await caller.speak(0.3);
        if (recording()) await agentKey(t, agent, '9', [TALKING]);
        await agentKey(t, agent, '#', ['agent.waiting']);
        await caller.ended(5000);
      });
    },
    /** A caller waits the maximum time: voicemail, where it leaves a message and hangs up. */
    async overflows(t) {
      await withParties(t, async (p) => {
        t.call = p.caller = await dialQueue(t, 'caller');
        await reach(t.lane, p.caller, ['recording.capturing'], { timeoutMs: 12_000 });
        await p.caller.speak(2);
        await p.caller.hangup();
        await p.caller.ended(5000);
      });
    },
    /** The service ends a waiting caller's call (an API's call.end): queue-thankyou, then the hang-up. */
    async thanked(t) {
      await withParties(t, async (p) => {
        t.call = p.caller = await dialQueue(t, 'caller');
        await reach(t.lane, p.caller, ['caller.waiting']);
        t.lane.app.runtime.send(p.caller.peerId, { type: 'call.end', reason: 'request' });
        await reach(t.lane, p.caller, ['thanking']);
        await p.caller.ended(5000);
      });
    },
    /** A waiting caller hangs up. */
    async abandons(t) {
      await withParties(t, async (p) => {
        t.call = p.caller = await dialQueue(t, 'caller');
        await reach(t.lane, p.caller, ['caller.waiting']);
        await p.caller.hangup();
        await p.caller.ended(5000);
      });
    },
    /** Not a queue role: pbx-invalid, and the call ends. */
    async invalid(t) {
      t.data.member = 'gone';
      t.data.settled = 'yes';
      t.call = await t.lane.caller.dial(t.lane.apps.queue!, { args: ['manager', t.data.queue!] });
      await t.call.hears('sound:pbx-invalid');
      await t.call.ended(5000);
    },
  },
};

const back = (call: 'goes-on' | 'ends' | 'goodbye'): Expectation => ({ call, member: 'back' });
const gone = (call: 'goes-on' | 'ends' | 'goodbye'): Expectation => ({ call, member: 'gone' });
const hungUpAlready = { never: 'the caller is gone already' } as const;
const noRequest = { never: 'the state makes no ARI request' } as const;
const transient = { never: 'left in the step it is entered (an eventless decision)' } as const;
const passing = { hangup: transient, 'ari-404': transient, 'ari-409': transient, 'ari-500': transient, 'ari-timeout': transient, 'ws-drop': transient, restart: transient } as const;
/** Its request failing changes nothing the caller notices: the tour goes on and the survivor is served again. */
const absorbed = { 'ari-404': back('goes-on'), 'ari-409': back('goes-on'), 'ari-500': back('goes-on'), 'ari-timeout': back('goes-on') } as const;
const quiet = { 'ari-404': noRequest, 'ari-409': noRequest, 'ari-500': noRequest, 'ari-timeout': noRequest } as const;

/** Every leaf state × every fault; the README's fault-matrix section summarises it. */
const table: Table = {
  preparing: { tour: 'served', ...passing },
  // Its request is pbx-invalid: without it the call ends at once, as it would after it.
  rejecting: { tour: 'invalid', hangup: gone('ends'), 'ari-404': gone('ends'), 'ari-409': gone('ends'), 'ari-500': gone('ends'), 'ari-timeout': gone('ends'), 'ws-drop': gone('goes-on'), restart: gone('ends') },
  // The caller hangs up before the agent comes: the agent, alone, takes the next caller.
  // After a restart the caller is gone with Asterisk; the agent who calls in afterwards is served.
  'caller.waiting.holding': { tour: 'served', hangup: back('ends'), ...absorbed, 'ws-drop': back('goes-on'), restart: back('ends') },
  // Hung up before any agent came: nobody is left. After a restart (its announcement fails at once), the agent who calls in afterwards is served.
  'caller.waiting.announcing': { tour: 'announced', hangup: gone('ends'), ...absorbed, 'ws-drop': back('goes-on'), restart: back('ends') },
  // A bridge that fails puts both back; they are paired again once the agent has rested.
  'caller.connecting': { tour: 'served', hangup: back('ends'), ...absorbed, 'ws-drop': back('goes-on'), restart: gone('ends') },
  'caller.connected': { tour: 'served', hangup: back('ends'), ...quiet, 'ws-drop': back('goes-on'), restart: gone('ends') },
  // The agent hangs up (or vanishes in a restart) before any caller: the caller who comes waits, and the next agent takes it.
  'agent.waiting': { tour: 'agentServes', hangup: back('ends'), ...absorbed, 'ws-drop': back('goes-on'), restart: back('ends') },
  // Hung up while being bridged: the caller, not yet connected, waits again at the front.
  'agent.connecting': { tour: 'agentServes', hangup: back('ends'), ...absorbed, 'ws-drop': back('goes-on'), restart: gone('ends') },
  // Hung up while talking: the caller is hung up too.
  'agent.connected.talking': { tour: 'agentServes', hangup: gone('ends'), ...quiet, 'ws-drop': back('goes-on'), restart: gone('ends') },
  'agent.connected.recording.capturing': { tour: 'agentServes', hangup: gone('ends'), ...absorbed, 'ws-drop': back('goes-on'), restart: gone('ends') },
  'agent.connected.recording.paused': { tour: 'agentServes', hangup: gone('ends'), ...absorbed, 'ws-drop': back('goes-on'), restart: gone('ends') },
  'agent.connected.recording.stopping': { tour: 'agentServes', hangup: gone('ends'), ...absorbed, 'ws-drop': back('goes-on'), restart: gone('ends') },
  'agent.connected.recording.discarding': { tour: 'agentServes', hangup: gone('ends'), ...absorbed, 'ws-drop': back('goes-on'), restart: gone('ends') },
  // The caller is being hung up with the bridge released: the agent waits again, or, hung up, is gone.
  'agent.connected.ending': { tour: 'agentServes', hangup: gone('ends'), ...absorbed, 'ws-drop': back('goes-on'), restart: gone('ends') },
  overflow: { tour: 'overflows', ...passing },
  // Handed to vm-record at once: the faults land on its greeting; the message is its matrix's business.
  voicemail: { tour: 'overflows', hangup: gone('ends'), 'ari-404': gone('goes-on'), 'ari-409': gone('goes-on'), 'ari-500': gone('goes-on'), 'ari-timeout': gone('goes-on'), 'ws-drop': gone('goes-on'), restart: gone('ends') },
  // Its request is queue-thankyou: without it the call ends at once, as it would after it.
  thanking: { tour: 'thanked', hangup: gone('ends'), 'ari-404': gone('goes-on'), 'ari-409': gone('goes-on'), 'ari-500': gone('goes-on'), 'ari-timeout': gone('goes-on'), 'ws-drop': gone('goes-on'), restart: gone('ends') },
  // Its request is the music's stop on a channel already gone: nothing anyone notices.
  hungUp: { tour: 'abandons', hangup: hungUpAlready, 'ari-404': gone('goes-on'), 'ari-409': gone('goes-on'), 'ari-500': gone('goes-on'), 'ari-timeout': gone('goes-on'), 'ws-drop': gone('goes-on'), restart: gone('goes-on') },
  // Its request is the service's hang-up of the caller: whatever Asterisk answers, the line comes down.
  closed: { tour: 'served', hangup: hungUpAlready, ...absorbed, 'ws-drop': back('goes-on'), restart: gone('ends') },
};

/** QUEUE_CELLS=<regex on "state × fault">: runs only those cells (to look into one). */
const only = process.env.QUEUE_CELLS === undefined ? undefined : new RegExp(process.env.QUEUE_CELLS);
const chosen = (cell: { state: string; fault: string }) => runs(cell as Parameters<typeof runs>[0]) && (!only || only.test(`${cell.state} × ${cell.fault}`));

const PER_CALL = CALL_FAULTS.filter((f) => f !== 'ws-drop' && f !== 'restart');
const GLOBAL = CALL_FAULTS.filter((f) => f === 'ws-drop' || f === 'restart');

describe('fault matrix: queue (caller and agent)', () => {
  it('has an expectation for every leaf state and every fault', () => {
    expect(cellsOf(queueCallMachine, table, CALL_FAULTS).missing).toEqual([]);
  });

  describe('per-call faults (hang-up, ARI 404 / 409 / 500 / time-out)', () => {
    let world: FaultWorld;
    beforeAll(async () => {
      world = await startFaultWorld(spec, 10);
    }, 60_000);
    afterAll(async () => world?.close());

    it('every cell holds', async () => {
      const cells = cellsOf(queueCallMachine, table, PER_CALL).cells.filter(chosen);
      expect(await runQueueCells(world.lanes, flow, cells)).toEqual([]);
    }, 600_000);
  });

  describe('Asterisk-wide faults (the WebSocket drops for 1 s, Asterisk restarts)', () => {
    const worlds: FaultWorld[] = [];
    beforeAll(async () => {
      for (let i = 0; i < 5; i++) worlds.push(await startFaultWorld(spec, 1));
    }, 60_000);
    afterAll(async () => {
      for (const world of worlds) await world.close();
    });

    it('every cell holds', async () => {
      const cells = cellsOf(queueCallMachine, table, GLOBAL).cells.filter(chosen);
      expect(await runQueueCells(worlds.map((w) => w.lanes[0]!), flow, cells)).toEqual([]);
    }, 600_000);
  });
});
