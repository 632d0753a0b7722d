/**
 * One fuzzed call of the soak: a plan drawn from the call's own random stream
 * (flow, arguments, keys and when they land, when the caller hangs up), then
 * the call driven by that plan on the soak's world. Keys land at moments
 * picked by the app's `call.state` events (a state change starts or stops a
 * prompt or the beep) and the caller's playbacks, where human-paced keys
 * never land.
 */
import { v7 as uuidv7 } from 'uuid';
import type { AriEvent } from '../../src/ari/types.js';
import type { Rng } from './prng.js';
import { QUEUES, RECORD_MAILBOXES, VOICE_APP_NAMES, type SoakWorld } from './world.js';
import type { TestCall } from '../support/caller.js';
import { sleep } from '../support/wait.js';

export type FlowKey = 'vm-record' | 'vm-playback' | 'queue' | 'voice-api';

/** When a key action fires. */
export type KeyMoment =
  /** On entering the call's `n`-th state (1-based). */
  | { readonly on: 'state'; readonly n: number }
  /** On entering a state whose name contains `beep` (vm-record's recording.beeping). */
  | { readonly on: 'beep' }
  /** As the `n`-th prompt starts, or ends. */
  | { readonly on: 'promptStart' | 'promptEnd'; readonly n: number }
  /** `ms` after the call was placed. */
  | { readonly on: 'time'; readonly ms: number };

/** Keys pressed at a moment: a few, or a storm of 50 in one second. */
export interface KeyAction {
  readonly moment: KeyMoment;
  readonly digits: string;
  readonly storm: boolean;
}

/** A call's plan: everything random about it, so a failure names what happened. */
export interface CallPlan {
  readonly index: number;
  readonly flow: FlowKey;
  /** The Stasis arguments; undefined enters the app without any. */
  readonly args: readonly string[] | undefined;
  /** Whether the arguments are hostile or wrong. */
  readonly bad: boolean;
  /** vm-playback: messages seeded in the fresh mailbox, and its PIN. */
  readonly seed?: { readonly messages: number; readonly pin?: string };
  /** vm-record: seconds spoken once recording starts, then # (or not). */
  readonly speak?: { readonly seconds: number; readonly thenHash: boolean };
  readonly keys: readonly KeyAction[];
  /** When the caller hangs up: at a time, on entering the n-th state, or when the call ends by itself (capped). */
  readonly hangup: { readonly on: 'time'; readonly ms: number } | { readonly on: 'state'; readonly n: number } | { readonly on: 'natural' };
}

const DIGITS = '0123456789*#';
/** Arguments no flow accepts: path traversal, over-long and unicode ids, empty, none. */
const HOSTILE: readonly (readonly string[] | undefined)[] = [['../../etc/passwd'], ['a'.repeat(41)], ['bôîte-ü'], ['📞'], [''], undefined, ['x'.repeat(40)], ['..']];

const digits = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.pick([...DIGITS])).join('');

/** Draws call `index`'s plan. */
export function planCall(rng: Rng, index: number): CallPlan {
  const flow = rng.pick<FlowKey>(['vm-record', 'vm-record', 'vm-playback', 'queue', 'queue', 'voice-api', 'voice-api']);
  const bad = rng.chance(0.12);
  let args: readonly string[] | undefined;
  let seed: CallPlan['seed'];
  let speak: CallPlan['speak'];
  if (flow === 'vm-record') {
    args = bad ? rng.pick(HOSTILE) : [rng.pick(RECORD_MAILBOXES)];
    speak = { seconds: rng.pick([0, 0.5, 1, 1.5, 2, 3]), thenHash: rng.chance(0.7) };
  } else if (flow === 'vm-playback') {
    seed = { messages: rng.int(0, 3), ...(rng.chance(0.3) ? { pin: '1234' } : {}) };
    args = bad ? rng.pick(HOSTILE) : undefined; // the fresh mailbox's id is added when the call runs
  } else if (flow === 'queue') {
    const role = rng.pick(['caller', 'caller', 'agent']);
    args = bad ? rng.pick<readonly string[] | undefined>([['supervisor', QUEUES[0]!], ['caller', '../../etc/passwd'], ['agent', 'a'.repeat(41)], ['caller', 'file-ü'], ['agent'], [], undefined]) : [role, rng.pick(QUEUES)];
  } else {
    args = bad ? rng.pick<readonly string[] | undefined>([['nosuchapp'], ['../../etc/passwd'], [''], ['a'.repeat(41)], ['appli-ü'], undefined]) : [rng.pick(VOICE_APP_NAMES)];
  }
  const keys: KeyAction[] = [];
  for (let k = rng.int(0, 3); k > 0; k--) {
    const storm = rng.chance(0.2);
    const moment: KeyMoment = rng.pick<KeyMoment>([
      { on: 'state', n: rng.int(1, 8) },
      { on: 'beep' },
      { on: 'promptStart', n: rng.int(1, 4) },
      { on: 'promptEnd', n: rng.int(1, 4) },
      { on: 'time', ms: rng.int(0, 5000) },
    ]);
    keys.push({ moment, storm, digits: digits(rng, storm ? 50 : rng.int(1, 3)) });
  }
  const hangup = rng.pick<CallPlan['hangup']>([{ on: 'time', ms: rng.int(0, 6000) }, { on: 'state', n: rng.int(1, 8) }, { on: 'natural' }, { on: 'natural' }]);
  return { index, flow, args, bad, ...(seed ? { seed } : {}), ...(speak ? { speak } : {}), keys, hangup };
}

/** What the runner gives a call: the world and the states of the service's channels. */
export interface CallContext {
  readonly world: SoakWorld;
  /** Calls `listener` with each state the service's channel `channelId` enters (those seen already first); returns the unsubscribe. */
  states(channelId: string, listener: (state: string, n: number) => void): () => void;
  /** How many messages were deposited (voicemail.deposited) with this caller number. */
  deposits(callerNumber: string): number;
}

/** What a call found wrong (empty: nothing). */
export interface CallResult {
  readonly plan: CallPlan;
  readonly problems: string[];
  readonly states: string[];
}

/** The longest a call lasts before the caller gives up and hangs up. */
const CAP_MS = 12_000;

/** Runs one call by its plan; resolves when the service is done with it (or a problem says why not). */
export async function runCall(context: CallContext, plan: CallPlan): Promise<CallResult> {
  const { lane } = context.world;
  const problems: string[] = [];
  const states: string[] = [];
  let args = plan.args;
  try {
    if (plan.flow === 'vm-playback' && !plan.bad) args = [await seedMailbox(context.world, plan)];
  } catch (err) {
    // The phone's own requests (copying the sample) may go unanswered while Asterisk restarts.
    return { plan, problems, states: [`dial failed: seeding the mailbox: ${err instanceof Error ? err.message : String(err)}`] };
  }
  let call: TestCall;
  try {
    call = await lane.caller.dial(lane.apps[plan.flow]!, { ...(args === undefined ? {} : { args }), callerId: `Soak <${callerNumber(plan)}>`, waitAnswer: false });
  } catch (err) {
    // A dial refused while Asterisk restarts is the phone's trouble, not the service's.
    return { plan, problems, states: [`dial failed: ${err instanceof Error ? err.message : String(err)}`] };
  }
  const start = Date.now();
  const timers: NodeJS.Timeout[] = [];
  const press = (action: KeyAction) =>
    void lane.caller.ari.channels.sendDtmf(call.id, action.digits, action.storm ? { between: 10, duration: 10 } : { between: 50, duration: 60 }).catch(() => undefined);
  let hungUp = false;
  const hangup = () => {
    hungUp = true;
    void call.hangup();
  };
  const unlisten = context.states(call.peerId, (state, n) => {
    states.push(state);
    for (const action of plan.keys) {
      if ((action.moment.on === 'state' && action.moment.n === n) || (action.moment.on === 'beep' && state.includes('beep'))) press(action);
    }
    if (plan.hangup.on === 'state' && plan.hangup.n === n) hangup();
    if (plan.speak && state === 'recording.capturing') {
      const speak = plan.speak;
      void call.speak(speak.seconds).then(() => (speak.thenHash && !call.isOver ? lane.caller.ari.channels.sendDtmf(call.id, '#').catch(() => undefined) : undefined), () => undefined);
    }
  });
  for (const action of plan.keys) if (action.moment.on === 'time') timers.push(setTimeout(() => press(action), action.moment.ms));
  if (plan.hangup.on === 'time') timers.push(setTimeout(hangup, plan.hangup.ms));
  // Prompt starts and ends are seen on the caller's side: watched every few ms.
  let seenStarts = 0;
  let seenEnds = 0;
  const prompts = setInterval(() => {
    const starts = call.heard.length;
    const ends = call.heard.filter((h) => h.finishedAt !== undefined).length;
    for (const action of plan.keys) {
      const m = action.moment;
      if (m.on === 'promptStart' && m.n > seenStarts && m.n <= starts) press(action);
      if (m.on === 'promptEnd' && m.n > seenEnds && m.n <= ends) press(action);
    }
    seenStarts = starts;
    seenEnds = ends;
  }, 5);
  try {
    // The call runs until the service has no actor for it, or the caller gives up.
    while (Date.now() - start < CAP_MS && !call.isOver) {
      await sleep(50);
      if (states.length > 0 && !lane.app.runtime.get(call.peerId)) break;
    }
    if (!call.isOver && lane.app.runtime.get(call.peerId) === undefined && states.length > 0 && !hungUp) {
      // The service is done with the call: the caller's line must come down.
      // Asked of Asterisk: after an outage the phone's WebSocket may have missed ChannelDestroyed.
      const until = Date.now() + 5000;
      let up = await channelUp(context, call.peerId);
      while (up && Date.now() < until) {
        await sleep(100);
        up = await channelUp(context, call.peerId);
      }
      if (up) problems.push(`stranded: the service was done with the call but its channel was still up 5 s later (${up})`);
    }
    hangup();
    const until = Date.now() + 15_000;
    while (lane.app.runtime.get(call.peerId) && Date.now() < until) await sleep(50);
    const live = lane.app.runtime.get(call.peerId);
    if (live) problems.push(`stuck: the call's actor was still live 15 s after the caller hung up (state ${live.state})`);
    // Told kept: 2 s or more spoken (over the 1 s minimum whatever the latency), then the review
    // accepted (# or its time-out): the message must be deposited. A shorter take is offered for
    // review and then discarded, as app_voicemail does, so it is not judged here.
    const accepted = states.some((state, i) => state === 'ending.saving' && states[i - 1]?.startsWith('reviewing.'));
    // Random keys (a `*`, a `#` after 0.1 s) can cut or redo the take: only a call without them is judged.
    if (!live && accepted && plan.keys.length === 0 && (plan.speak?.seconds ?? 0) >= 2 && context.deposits(callerNumber(plan)) === 0) {
      problems.push('lost: the caller spoke 2 s and the review was accepted, but no message was deposited');
    }
  } finally {
    // After an outage the phone may never hear its call end: its routes would stay (the phone's,
    // not the service's). Gone on Asterisk, the end the phone missed is handed to it.
    if (!call.isOver && (await channelUp(context, call.peerId)) === undefined) {
      lane.caller.ari.events.dispatch({ type: 'ChannelDestroyed', channel: { id: call.peerId } } as unknown as AriEvent);
    }
    clearInterval(prompts);
    for (const timer of timers) clearTimeout(timer);
    unlisten();
  }
  return { plan, problems, states };
}

/** The caller number of a call, unique in a run: a deposit names the call it came from. */
export function callerNumber(plan: CallPlan): string {
  return String(100_000 + plan.index);
}

/** A fresh vm-playback mailbox (digits only, as a phone types) with the plan's messages; returns its id. */
async function seedMailbox(world: SoakWorld, plan: CallPlan): Promise<string> {
  const { lane } = world;
  const id = `7${String(plan.index).padStart(9, '0')}`;
  await lane.app.store.addMailbox({ id, name: `Soak playback ${id}`, ...(plan.seed?.pin ? { pin: plan.seed.pin } : {}) });
  for (let i = 0; i < (plan.seed?.messages ?? 0); i++) {
    const messageId = uuidv7();
    const recording = `voicemail/${id}/${messageId}`;
    await lane.caller.ari.recordings.copyStored(world.sample, recording);
    await lane.app.store.addMessage({ id: messageId, mailbox: id, recording, callerNumber: '2001', callerName: 'Soak', receivedAt: new Date().toISOString(), durationSeconds: 2, folder: i === 0 ? 'old' : 'new' });
  }
  return id;
}

/** The channel's Asterisk state while it exists (e.g. `Up`), else undefined. */
async function channelUp(context: CallContext, channelId: string): Promise<string | undefined> {
  return context.world.lane.caller.ari.channels.get(channelId).then(
    (channel) => `${channel.state}, in ${channel.dialplan.app_name ?? '?'}(${channel.dialplan.app_data ?? ''})`,
    () => undefined,
  );
}
