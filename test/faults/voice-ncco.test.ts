/**
 * The fault matrix for the voice API running NCCO (issue 14): every leaf
 * state of the document machine × every call fault and every webhook fault
 * (the request the state makes, else the event webhook, which never disturbs
 * the call). Vonage's rules: a failed answer webhook or an invalid NCCO is
 * an error message and the end of the call; an input, notify or record
 * result that gets no usable reply goes on with the NCCO's next action; an
 * invalid NCCO in a reply ends the call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentMachine } from '../../states/document/machine.js';
import { sleep } from '../support/wait.js';
import { CALL_FAULTS, cellsOf, runCells, runs, startFaultWorld, WEBHOOK_FAULTS, type Expectation, type FaultWorld, type Table } from './harness.js';
import { equip, phoneTalks, tuneUrl, unequip, voiceFlow, voiceSpec, type Hook, type VoiceTour } from './voice-support.js';

/** The error prompt of a call that cannot run (the first of the flow's choices installed here). */
const GOODBYE = /^sound:(an-error-has-occurred|something-terribly-wrong|ss-noservice)$/;

const talk = (text: string) => ({ action: 'talk', text });

const tours: Record<string, VoiceTour> = {
  /** Talk, a stream, a one-key input; its reply: talk, a record ended by #, notify, wait, a goodbye talk. */
  async menu(t, cell) {
    cell.route('answer', () => ({ json: [talk('Welcome to the matrix.'), { action: 'stream', streamUrl: [tuneUrl()] }, { action: 'input', maxDigits: 1, timeOut: 5, eventUrl: [cell.url('input')] }] }));
    cell.route('input', () => ({
      json: [
        talk('Leave a message.'),
        { action: 'record', endOnKey: '#', beepStart: true, timeOut: 10, eventUrl: [cell.url('record')] },
        { action: 'notify', payload: { step: 'recorded' }, eventUrl: [cell.url('notify')] },
        { action: 'wait', timeout: 0.3 },
        talk('Thank you.'),
      ],
    }));
    t.call = await cell.call();
    await t.until('collect.waiting');
    await t.call.press('1');
    await t.until('record.capturing.recording');
    await t.call.speak(1);
    await t.call.press('#');
    // The notify's reply is read: the NCCO goes on to its wait.
    await t.until('wait');
    await cell.finish(t.call);
  },
  /** A connect to the test phone, which answers, talks and hangs up; then a talk. */
  async connect(t, cell) {
    cell.route('answer', () => ({ json: [talk('Connecting.'), { action: 'connect', from: '447700900000', endpoint: [{ type: 'phone', number: cell.phoneNumber() }] }, talk('Thank you.')] }));
    t.call = await cell.call();
    const far = phoneTalks(cell).then(
      () => true,
      () => false,
    );
    await cell.finish(t.call);
    if (!(await far)) throw new Error('the phone was never reached');
  },
  /** A conversation the caller joins and leaves by hanging up. */
  async conversation(t, cell) {
    cell.route('answer', () => ({ json: [talk('Joining.'), { action: 'conversation', name: `room-${cell.app}` }] }));
    t.call = await cell.call();
    await t.until('join');
    let left = false;
    const closed = t.until('closed').then(() => (left = true));
    await sleep(300);
    if (left) throw new Error('the caller was let out of the conversation');
    await t.call.hangup();
    await closed;
    await cell.finish(t.call);
  },
  /** The caller hangs up while recording: Asterisk finishes the take, the program gets it. */
  async hangsUpRecording(t, cell) {
    cell.route('answer', () => ({ json: [{ action: 'record', endOnKey: '#', timeOut: 10, eventUrl: [cell.url('record')] }] }));
    t.call = await cell.call();
    await t.until('record.capturing.recording');
    await t.call.speak(1);
    const closed = t.until('closed');
    await t.call.hangup();
    await closed;
    await cell.finish(t.call);
  },
  /** An answer that is no NCCO: the caller hears the error prompt and the call ends. */
  async refused(t, cell) {
    cell.route('answer', () => ({ json: { not: 'an ncco' } }));
    t.call = await cell.call();
    await t.call.hears(GOODBYE);
    await cell.finish(t.call, { refused: true });
  },
};

/** The webhook a state's own request goes to; every other state's fault lands on the event webhook. */
const HOOKS: Record<string, Hook> = { opening: 'answer', 'collect.reporting': 'input', 'record.reporting': 'record', notify: 'notify' };
const hookOf = (state: string): Hook => HOOKS[state] ?? 'event';

const flow = voiceFlow('ncco', tours, hookOf, GOODBYE, ['event', 'record']);

const goesOn: Expectation = { call: 'goes-on' };
const ends: Expectation = { call: 'ends' };
const goodbye: Expectation = { call: 'goodbye' };
/** opening's only ARI request (the ringing indication) goes out as the state is entered, before a fault can be armed, and nothing waits for it. */
const ringsAhead = { never: 'its ringing indication is sent as the state is entered; nothing waits for it' } as const;
const gone = { never: 'the caller is gone already' } as const;
const noRequest = { never: 'the state makes no ARI request' } as const;
const noStep = { never: 'no NCCO action makes this step (TwiML only)' } as const;
const transient = { never: 'left in the step it is entered (an eventless decision)' } as const;
const all = <T>(e: T) => ({ hangup: e, 'ari-404': e, 'ari-409': e, 'ari-500': e, 'ari-timeout': e, 'ws-drop': e, restart: e, 'webhook-500': e, 'webhook-garbage': e, 'webhook-invalid': e, 'webhook-hang': e });
/** The event webhook broken: the call never notices. */
const eventsBroken = { 'webhook-500': goesOn, 'webhook-garbage': goesOn, 'webhook-invalid': goesOn, 'webhook-hang': goesOn } as const;
const ariFails = (e: Expectation) => ({ 'ari-404': e, 'ari-409': e, 'ari-500': e, 'ari-timeout': e });
/** A state the caller is in: a hang-up ends the call, the WebSocket's drop is not noticed, a restart ends it. */
const live = { hangup: ends, 'ws-drop': goesOn, restart: ends } as const;

type Row = Table<(typeof CALL_FAULTS)[number] | (typeof WEBHOOK_FAULTS)[number]>[string];

/** Every leaf state × every fault; the README's fault-matrix section summarises it. */
const table: Record<string, Row> = {
  // Its ARI request is the ringing indication, which the call does without; its webhook is the answer URL.
  opening: { tour: 'menu', ...live, ...ariFails(ringsAhead), 'webhook-500': goodbye, 'webhook-garbage': goodbye, 'webhook-invalid': goodbye, 'webhook-hang': goodbye },
  // Its request is the answer: refused, the call cannot go on. A time-out is tried again (Asterisk may have answered).
  answering: { tour: 'menu', ...live, 'ari-404': ends, 'ari-409': ends, 'ari-500': ends, 'ari-timeout': goesOn, ...eventsBroken },
  // A call refused (its answer no NCCO) is answered only to hear why.
  // A time-out is tried again (Asterisk may have answered): the caller still hears why.
  'refusing.answering': { tour: 'refused', ...live, 'ari-404': ends, 'ari-409': ends, 'ari-500': ends, 'ari-timeout': goesOn, ...eventsBroken },
  'refusing.telling': { tour: 'refused', ...live, ...ariFails(ends), ...eventsBroken },
  next: { tour: 'menu', ...all(transient) },
  'say.rendering': { tour: 'menu', ...live, ...ariFails(noRequest), ...eventsBroken },
  // A prompt that cannot be played is skipped.
  'say.playing': { tour: 'menu', ...live, ...ariFails(goesOn), ...eventsBroken },
  'play.fetching': { tour: 'menu', ...live, ...ariFails(noRequest), ...eventsBroken },
  'play.playing': { tour: 'menu', ...live, ...ariFails(goesOn), ...eventsBroken },
  'collect.checking': { tour: 'menu', ...all(transient) },
  'collect.waiting': { tour: 'menu', ...live, ...ariFails(noRequest), ...eventsBroken },
  // No usable reply: the NCCO's next action, and there is none (the rest was to come from the reply); an invalid one ends the call.
  'collect.reporting': { tour: 'menu', ...live, ...ariFails(noRequest), 'webhook-500': ends, 'webhook-garbage': ends, 'webhook-invalid': ends, 'webhook-hang': ends },
  'record.choosing': { tour: 'menu', ...all(transient) },
  // A recording that cannot start is skipped: the NCCO goes on.
  'record.capturing.recording': { tour: 'menu', ...live, ...ariFails(goesOn), ...eventsBroken },
  // After the caller's hang-up: the take is finishing, nothing the caller can notice.
  'record.capturing.finishing': { tour: 'hangsUpRecording', hangup: gone, ...ariFails(noRequest), 'ws-drop': goesOn, restart: goesOn, ...eventsBroken },
  'record.keeping': { tour: 'menu', ...live, ...ariFails(goesOn), ...eventsBroken },
  // The record event is queued: whatever the program answers, the NCCO goes on.
  'record.reporting': { tour: 'menu', ...live, ...ariFails(noRequest), ...eventsBroken },
  // No usable reply: the next action; an invalid NCCO ends the call.
  notify: { tour: 'menu', ...live, ...ariFails(noRequest), 'webhook-500': goesOn, 'webhook-garbage': goesOn, 'webhook-invalid': ends, 'webhook-hang': goesOn },
  wait: { tour: 'menu', ...live, ...ariFails(noRequest), ...eventsBroken },
  // Its first request is not the join itself (the caller stays in the room until it hangs up).
  join: { tour: 'conversation', ...live, ...ariFails(goesOn), ...eventsBroken },
  // Its first request is the ringing indication, which the connect does without.
  // The drop loses the new leg's events: the phone is never reached, the document goes on without it and ends.
  'dial.connecting': { tour: 'connect', ...live, 'ws-drop': ends, ...ariFails(goesOn), ...eventsBroken },
  'dial.reporting': { tour: 'connect', ...all(noStep) },
  rejecting: { tour: 'menu', ...all(noStep) },
  tones: { tour: 'menu', ...all(noStep) },
  // Its request is the service's hang-up: whatever Asterisk answers, the line comes down.
  // A restart now takes the caller's line with it: the tour never sees the call end.
  closed: { tour: 'menu', hangup: gone, ...ariFails(goesOn), 'ws-drop': goesOn, restart: ends, ...eventsBroken },
};

const FAULTS = [...CALL_FAULTS, ...WEBHOOK_FAULTS];
const PER_CALL = FAULTS.filter((f) => f !== 'ws-drop' && f !== 'restart');
const GLOBAL = FAULTS.filter((f) => f === 'ws-drop' || f === 'restart');

describe('fault matrix: voice API (NCCO)', () => {
  it('has an expectation for every leaf state and every fault', () => {
    expect(cellsOf(documentMachine, table, FAULTS).missing).toEqual([]);
  });

  describe('per-call faults (hang-up, ARI 404 / 409 / 500 / time-out, webhooks)', () => {
    let world: FaultWorld;
    beforeAll(async () => {
      world = await startFaultWorld(voiceSpec, 14);
      await equip(world.lanes);
    }, 60_000);
    afterAll(async () => {
      if (world) await unequip(world.lanes, false);
      await world?.close();
    });

    it('every cell holds', async () => {
      const { cells } = cellsOf(documentMachine, table, PER_CALL);
      expect(await runCells(world.lanes, flow, cells.filter(runs))).toEqual([]);
    }, 600_000);
  });

  describe('Asterisk-wide faults (the WebSocket drops for 1 s, Asterisk restarts)', () => {
    const worlds: FaultWorld[] = [];
    beforeAll(async () => {
      for (let i = 0; i < 5; i++) worlds.push(await startFaultWorld(voiceSpec, 1));
      for (const world of worlds) await equip(world.lanes);
    }, 60_000);
    afterAll(async () => {
      for (const world of worlds) {
        await unequip(world.lanes, world === worlds.at(-1));
        await world.close();
      }
    });

    it('every cell holds', async () => {
      const { cells } = cellsOf(documentMachine, table, GLOBAL);
      expect(await runCells(worlds.map((w) => w.lanes[0]!), flow, cells.filter(runs))).toEqual([]);
    }, 600_000);
  });
});
