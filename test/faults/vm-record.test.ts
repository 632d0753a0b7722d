/**
 * The fault matrix for vm-record (issue 14): every leaf state of its machine ×
 * every call fault, with app_voicemail's rule for the message: once the
 * caller has recorded at least the minimum length, the message is kept,
 * whatever happens after; a hang-up before that leaves nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vmRecordFlow } from '../../src/apps/vm-record.js';
import { vmRecordMachine } from '../../states/vm-record/machine.js';
import { sleep } from '../support/wait.js';
import { CALL_FAULTS, cellsOf, runCells, runs, startFaultWorld, type Expectation, type FaultWorld, type FlowUnderTest, type Lane, type Table } from './harness.js';

const spec = {
  flows: [vmRecordFlow],
  env: (names: (key: string) => string) => ({ STASIS_FLOWS_APP_VM_RECORD: names('vm-record'), STASIS_FLOWS_VM_REVIEW_TIMEOUT_MS: '1500' }),
};

let counter = 0;

const flow: FlowUnderTest = {
  key: 'vm-record',
  goodbye: /^sound:vm-goodbye$/,
  async prepare(lane: Lane, data) {
    const id = `m${lane.index}x${++counter}`;
    await lane.app.store.addMailbox({ id, name: `Matrix ${id}` });
    data.mailbox = id;
  },
  async inspect(lane: Lane, data) {
    const mailbox = data.mailbox!;
    const rows = await lane.app.store.listMessages(mailbox);
    const stored = (await lane.caller.ari.recordings.listStored()).filter((r) => r.name.startsWith(`voicemail/${mailbox}/`));
    if (rows.length === 0 && stored.length === 0) return { message: 'discarded' };
    // Kept means both: the row a caller was told about and the recording it plays.
    if (rows.length === 1 && stored.length === 1) return { message: 'kept' };
    return {};
  },
  tours: {
    /** Greeting, beep, 2 s of speech, # to review, # to keep; the goodbye. */
    async deposit(t) {
      t.call = await t.lane.caller.dial(t.lane.apps['vm-record']!, { args: [t.data.mailbox!], callerId: 'Matrix <2001>' });
      await t.until('recording.capturing');
      await t.call.speak(2);
      await t.call.press('#');
      await t.until('reviewing.waiting');
      await t.call.press('#');
      await t.call.ended();
    },
    /** As deposit, but * re-records during the take and * deletes the first review. */
    async redo(t) {
      t.call = await t.lane.caller.dial(t.lane.apps['vm-record']!, { args: [t.data.mailbox!], callerId: 'Matrix <2001>' });
      await t.until('recording.capturing');
      await sleep(300);
      await t.call.press('*');
      await t.until('recording.capturing');
      await t.call.speak(2);
      await t.call.press('#');
      await t.until('reviewing.playing');
      await t.call.press('*');
      await t.until('recording.capturing');
      await t.call.speak(2);
      await t.call.press('#');
      await t.until('reviewing.waiting');
      await t.call.press('#');
      await t.call.ended();
    },
    /** The caller speaks 2 s and hangs up while recording: the message is kept. */
    async hangsUp(t) {
      t.call = await t.lane.caller.dial(t.lane.apps['vm-record']!, { args: [t.data.mailbox!], callerId: 'Matrix <2001>' });
      await t.until('recording.capturing');
      await t.call.speak(2);
      await t.call.hangup();
      await t.until('closed');
    },
    /** A mailbox that does not exist: pbx-invalid, and the call ends. */
    async invalid(t) {
      t.call = await t.lane.caller.dial(t.lane.apps['vm-record']!, { args: ['nosuchbox'], callerId: 'Matrix <2001>' });
      await t.call.hears('sound:pbx-invalid');
      await t.call.ended();
    },
  },
};

const keptGoesOn: Expectation = { call: 'goes-on', message: 'kept' };
const ends = (message: 'kept' | 'discarded'): Expectation => ({ call: 'ends', message });
const gone = { never: 'the caller is gone already' } as const;
const noRequest = { never: 'the state makes no ARI request' } as const;
/** A decision node left in the same step it is entered: no fault can land in it. */
const transient = { never: 'left in the step it is entered (an eventless decision)' } as const;
const passing = { hangup: transient, 'ari-404': transient, 'ari-409': transient, 'ari-500': transient, 'ari-timeout': transient, 'ws-drop': transient, restart: transient } as const;

/** Every leaf state × every fault; the README's fault-matrix section summarises it. */
const table: Table = {
  preparing: { tour: 'deposit', hangup: ends('discarded'), 'ari-404': ends('discarded'), 'ari-409': ends('discarded'), 'ari-500': ends('discarded'), 'ari-timeout': ends('discarded'), 'ws-drop': keptGoesOn, restart: ends('discarded') },
  // Its request is pbx-invalid: without it the call ends at once, as it would after it.
  rejecting: { tour: 'invalid', hangup: { call: 'ends' }, 'ari-404': { call: 'ends' }, 'ari-409': { call: 'ends' }, 'ari-500': { call: 'ends' }, 'ari-timeout': { call: 'ends' }, 'ws-drop': { call: 'goes-on' }, restart: { call: 'ends' } },
  greeting: { tour: 'deposit', hangup: ends('discarded'), 'ari-404': keptGoesOn, 'ari-409': keptGoesOn, 'ari-500': keptGoesOn, 'ari-timeout': keptGoesOn, 'ws-drop': keptGoesOn, restart: ends('discarded') },
  // Its request is the beep: without it the caller is recorded all the same.
  'recording.beeping': { tour: 'deposit', hangup: ends('discarded'), 'ari-404': keptGoesOn, 'ari-409': keptGoesOn, 'ari-500': keptGoesOn, 'ari-timeout': keptGoesOn, 'ws-drop': keptGoesOn, restart: ends('discarded') },
  // Faults land as capturing starts: nothing is recorded yet, so a hang-up or restart there keeps nothing (under the minimum).
  'recording.capturing': { tour: 'deposit', hangup: ends('discarded'), 'ari-404': noRequest, 'ari-409': noRequest, 'ari-500': noRequest, 'ari-timeout': noRequest, 'ws-drop': keptGoesOn, restart: ends('discarded') },
  'recording.stopping': { tour: 'deposit', hangup: ends('kept'), 'ari-404': keptGoesOn, 'ari-409': keptGoesOn, 'ari-500': keptGoesOn, 'ari-timeout': keptGoesOn, 'ws-drop': keptGoesOn, restart: ends('kept') },
  'recording.cancelling': { tour: 'redo', hangup: ends('discarded'), 'ari-404': keptGoesOn, 'ari-409': keptGoesOn, 'ari-500': keptGoesOn, 'ari-timeout': keptGoesOn, 'ws-drop': keptGoesOn, restart: ends('discarded') },
  // After the hang-up the tour's end is the post-call work done: it goes on through any fault.
  'recording.savingOnHangup': { tour: 'hangsUp', hangup: gone, 'ari-404': noRequest, 'ari-409': noRequest, 'ari-500': noRequest, 'ari-timeout': noRequest, 'ws-drop': keptGoesOn, restart: keptGoesOn },
  'reviewing.playing': { tour: 'deposit', hangup: ends('kept'), 'ari-404': keptGoesOn, 'ari-409': keptGoesOn, 'ari-500': keptGoesOn, 'ari-timeout': keptGoesOn, 'ws-drop': keptGoesOn, restart: ends('kept') },
  'reviewing.waiting': { tour: 'deposit', hangup: ends('kept'), 'ari-404': noRequest, 'ari-409': noRequest, 'ari-500': noRequest, 'ari-timeout': noRequest, 'ws-drop': keptGoesOn, restart: ends('kept') },
  'reviewing.deleting': { tour: 'redo', hangup: ends('discarded'), 'ari-404': keptGoesOn, 'ari-409': keptGoesOn, 'ari-500': keptGoesOn, 'ari-timeout': keptGoesOn, 'ws-drop': keptGoesOn, restart: ends('discarded') },
  'ending.checking': { tour: 'deposit', ...passing },
  'ending.saving': { tour: 'deposit', hangup: ends('kept'), 'ari-404': noRequest, 'ari-409': noRequest, 'ari-500': noRequest, 'ari-timeout': noRequest, 'ws-drop': keptGoesOn, restart: ends('kept') },
  'ending.deciding': { tour: 'deposit', ...passing },
  'ending.goodbye': { tour: 'deposit', hangup: ends('kept'), 'ari-404': keptGoesOn, 'ari-409': keptGoesOn, 'ari-500': keptGoesOn, 'ari-timeout': keptGoesOn, 'ws-drop': keptGoesOn, restart: ends('kept') },
  'ending.done': { tour: 'deposit', ...passing },
  'hungUp.checking': { tour: 'hangsUp', ...passing },
  'hungUp.saving': { tour: 'hangsUp', hangup: gone, 'ari-404': noRequest, 'ari-409': noRequest, 'ari-500': noRequest, 'ari-timeout': noRequest, 'ws-drop': keptGoesOn, restart: keptGoesOn },
  'hungUp.done': { tour: 'hangsUp', ...passing },
  // Its request is the service's hang-up: whatever Asterisk answers, the caller's line comes down.
  closed: { tour: 'deposit', hangup: gone, 'ari-404': keptGoesOn, 'ari-409': keptGoesOn, 'ari-500': keptGoesOn, 'ari-timeout': keptGoesOn, 'ws-drop': keptGoesOn, restart: ends('kept') },
};

const PER_CALL = CALL_FAULTS.filter((f) => f !== 'ws-drop' && f !== 'restart');
const GLOBAL = CALL_FAULTS.filter((f) => f === 'ws-drop' || f === 'restart');

describe('fault matrix: vm-record', () => {
  it('has an expectation for every leaf state and every fault', () => {
    expect(cellsOf(vmRecordMachine, table, CALL_FAULTS).missing).toEqual([]);
  });

  describe('per-call faults (hang-up, ARI 404 / 409 / 500 / time-out)', () => {
    let world: FaultWorld;
    beforeAll(async () => {
      world = await startFaultWorld(spec, 6);
    }, 60_000);
    afterAll(async () => world?.close());

    it('every cell holds', async () => {
      const { cells } = cellsOf(vmRecordMachine, table, PER_CALL);
      expect(await runCells(world.lanes, flow, cells.filter(runs))).toEqual([]);
    }, 600_000);
  });

  describe('Asterisk-wide faults (the WebSocket drops for 1 s, Asterisk restarts)', () => {
    const worlds: FaultWorld[] = [];
    beforeAll(async () => {
      for (let i = 0; i < 4; i++) worlds.push(await startFaultWorld(spec, 1));
    }, 60_000);
    afterAll(async () => {
      for (const world of worlds) await world.close();
    });

    it('every cell holds', async () => {
      const { cells } = cellsOf(vmRecordMachine, table, GLOBAL);
      expect(await runCells(worlds.map((w) => w.lanes[0]!), flow, cells.filter(runs))).toEqual([]);
    }, 600_000);
  });
});
