/**
 * The call runtime: one root actor per channel in Stasis, in a registry keyed
 * by channel id. StasisStart starts the flow registered for the app (or the
 * flow a staged originate asked for, or hands the channel to whoever dialled
 * it); the channel's events reach the actor through the router; each call
 * moves through one lifecycle (call-lifecycle.ts), every waiting phase
 * bounded. An actor that fails ends its own call only. Shutdown is a drain:
 * no new calls, the live ones get time, then each is ended through its flow.
 */
import { v7 as uuidv7 } from 'uuid';
import type { CallEvent, CallInput } from '../../states/shared/call.js';
import type { AriPort, OriginateOptions } from '../ari/port.js';
import { routeKey, type Unroute } from '../ari/router.js';
import type { AriEvent, StasisStartEvent } from '../ari/types.js';
import { AppError, errorMessage, isAriStatus } from '../errors.js';
import type { AppEvents } from '../events.js';
import type { Logger } from '../logger.js';
import { BOUNDED_PHASES, lifecycleStep, type CallPhase, type CallTrigger } from './call-lifecycle.js';
import type { CallActor, Flow, FlowRegistry } from './flow.js';

/** Who is on a channel: what a flow's input is built from, kept for a hand-over. */
type Party = Pick<CallInput, 'channelId' | 'caller' | 'language' | 'direction' | 'data' | 'dialplan'>;

interface LiveCall {
  readonly channelId: string;
  readonly app: string;
  readonly args: readonly string[];
  readonly party: Party;
  readonly actor: CallActor;
  readonly log: Logger;
  readonly startedAt: number;
  unroute: Unroute;
  unsubscribe: () => void;
  phase: CallPhase;
  /** The actor reached its final state (or failed): only the channel's end is awaited. */
  flowOver: boolean;
  timer?: NodeJS.Timeout;
  /** Who ended the call, and the cause Asterisk gave (ChannelHangupRequest / ChannelDestroyed). */
  hungUpBy?: 'caller' | 'service';
  cause?: number;
  causeText?: string;
}

/** What a channel the service creates itself should become when it enters Stasis. */
export type Expectation =
  /** Start this flow on it (an outbound call), with these arguments and data. */
  | {
      kind: 'start';
      app: string;
      args: readonly string[];
      data?: Readonly<Record<string, string>>;
      answer?: boolean;
      /** Sees the channel's events before it enters Stasis (ringing, Dial outcomes), for who placed the call. */
      onEvent?(event: AriEvent): void;
    }
  /** Hand its StasisStart to whoever dialled it (a leg of a live call), which owns it from then on. */
  | { kind: 'claim'; onStasisStart(event: StasisStartEvent): void };

interface Staged {
  expectation: Expectation;
  timer: NodeJS.Timeout;
  /** A `start` expectation watches its channel until StasisStart, to see it fail (busy, no answer). */
  unroute?: Unroute;
}

/** A live call, as `get` and `list` describe it. */
export interface CallInfo {
  channelId: string;
  app: string;
  args: readonly string[];
  caller: { name: string; number: string };
  direction: 'inbound' | 'outbound';
  phase: CallPhase;
  /** The flow's current state (`greeting`, `{"recording":"capturing"}`). */
  state: string;
  startedAt: string;
}

export interface CallRuntimeOptions {
  ari: AriPort;
  flows: FlowRegistry;
  log: Logger;
  /** Lifecycle events (call.started, call.answered, call.ended). */
  events?: AppEvents;
  /** Time a call's actor has after the channel left for post-call work. */
  postCallTimeoutMs: number;
  /** Time a flow has to end a call it was asked to end (call.end) before it is hung up. */
  endTimeoutMs?: number;
}

/** A hang-up Asterisk refuses or does not answer is tried this many times, this far apart (growing). */
const HANGUP_ATTEMPTS = 4;
const HANGUP_RETRY_MS = 500;
const DEFAULT_END_TIMEOUT_MS = 15_000;
const DEFAULT_EXPECT_TIMEOUT_MS = 120_000;
/** Waits before answering again when an answer request got no answer. */
const ANSWER_RETRIES_MS = [250, 1000, 3000];

/** Maps a channel's ARI events to the events call machines understand. */
function toCallEvent(event: AriEvent): CallEvent | undefined {
  switch (event.type) {
    case 'ChannelDtmfReceived':
      return { type: 'ari.dtmf', digit: event.digit };
    case 'ChannelHangupRequest':
      return { type: 'ari.hangup' };
    case 'StasisEnd':
      return { type: 'ari.stasisEnd' };
    default:
      return undefined;
  }
}

/** Runs flows on the channels that enter their Stasis apps. */
export class CallRuntime {
  private readonly calls = new Map<string, LiveCall>();
  private readonly staged = new Map<string, Staged>();
  private readonly disposers: (() => void)[] = [];
  private readonly idleWaiters = new Set<() => void>();
  private stopping = false;
  /** Set by `stopNow()`: every wait of the drain ends at once. */
  private hurry: (() => void) | undefined;
  private readonly hurried: Promise<void> = new Promise((resolve) => (this.hurry = resolve));

  constructor(private readonly options: CallRuntimeOptions) {}

  /** Starts taking calls. */
  start(): void {
    const { ari } = this.options;
    this.disposers.push(
      ari.events.listen('StasisStart', (event) => {
        if (event.type === 'StasisStart') this.onStasisStart(event);
      }),
      ari.onConnection((event) => {
        if (event.type === 'reconnected') void this.reconcile();
      }),
    );
  }

  /** Number of live calls (actors in the registry). */
  get size(): number {
    return this.calls.size;
  }

  /** The channel ids of live calls. */
  channelIds(): string[] {
    return [...this.calls.keys()];
  }

  /** A live call, or undefined. */
  get(channelId: string): CallInfo | undefined {
    const call = this.calls.get(channelId);
    return call && this.info(call);
  }

  /** Every live call. */
  list(): CallInfo[] {
    return [...this.calls.values()].map((call) => this.info(call));
  }

  /**
   * Sends an event into a live call (what an API uses to speak into, transfer
   * or end a call). `call.end` ends it through its flow, bounded. False when
   * there is no such call, or it is over.
   */
  send(channelId: string, event: CallEvent): boolean {
    const call = this.calls.get(channelId);
    if (!call || call.phase === 'gone' || call.flowOver) return false;
    if (event.type === 'call.end') return this.endCall(call, event.reason);
    call.actor.send(event);
    return true;
  }

  /**
   * Stages a channel the service is about to create: its StasisStart then
   * starts the expected flow or goes to the claimer, never a second root call.
   * Register before the request. Returns the function that withdraws it.
   */
  expect(channelId: string, expectation: Expectation, timeoutMs = DEFAULT_EXPECT_TIMEOUT_MS): () => void {
    if (this.stopping) throw new AppError('CONFLICT', 'the service is shutting down; no new calls');
    if (this.staged.has(channelId) || this.calls.has(channelId)) throw new AppError('CONFLICT', `channel ${channelId} is already expected or live`);
    const staged: Staged = { expectation, timer: setTimeout(() => withdraw(), timeoutMs) };
    const withdraw = () => {
      if (this.staged.get(channelId) !== staged) return;
      this.staged.delete(channelId);
      clearTimeout(staged.timer);
      staged.unroute?.();
    };
    if (expectation.kind === 'start') {
      // Events of the channel before it enters Stasis: it may never (busy, no answer).
      staged.unroute = this.options.ari.events.route(routeKey.channel(channelId), (event) => {
        try {
          expectation.onEvent?.(event);
        } catch (err) {
          this.options.log.error('an outbound call watcher failed', { channelId, err: errorMessage(err) });
        }
        if (event.type !== 'ChannelDestroyed') return;
        withdraw();
        this.options.log.info('outbound call ended before it was answered', { channelId, app: expectation.app, cause: event.cause });
        this.options.events?.emit('call.ended', {
          channelId, app: expectation.app, answered: false, hungUpBy: 'caller', cause: event.cause, causeText: event.cause_txt, durationMs: 0,
        });
      });
    }
    this.staged.set(channelId, staged);
    return withdraw;
  }

  /**
   * Places a call: the ids are chosen here (uuid v7) and the channel staged
   * before the request, so no event is missed. The channel enters Stasis in
   * `stasisApp` (default: the started flow's app) when answered.
   */
  async originate(
    request: Omit<OriginateOptions, 'app' | 'appArgs' | 'channelId' | 'otherChannelId' | 'extension' | 'context' | 'priority'> & { stasisApp?: string },
    expectation: Expectation,
  ): Promise<{ channelId: string; otherChannelId: string }> {
    if (this.stopping) throw new AppError('CONFLICT', 'the service is shutting down; no new calls');
    const stasisApp = request.stasisApp ?? (expectation.kind === 'start' ? expectation.app : undefined);
    if (stasisApp === undefined || !this.options.flows.get(stasisApp)) {
      throw new AppError('INVALID_INPUT', `originate needs a Stasis app this service runs (got ${stasisApp ?? 'none'})`);
    }
    if (expectation.kind === 'start' && !this.options.flows.get(expectation.app)) throw new AppError('INVALID_INPUT', `no flow for app ${expectation.app}`);
    const channelId = uuidv7();
    const otherChannelId = uuidv7();
    // Staged for as long as Asterisk may ring (originate's timeout, 30 s by default), and a margin.
    const withdraw = this.expect(channelId, expectation, ((request.timeout ?? 30) + 60) * 1000);
    const { stasisApp: _app, ...options } = request;
    try {
      await this.options.ari.channels.originate({ ...options, app: stasisApp, channelId, otherChannelId });
    } catch (err) {
      withdraw();
      throw err;
    }
    return { channelId, otherChannelId };
  }

  /**
   * Shuts down gently: new calls go back to the dialplan (`continue`), live
   * calls run for `drainMs`, then each one left is ended through its flow and
   * hung up; resolves when every call is gone (each phase bounded).
   * `stopNow()` cuts every wait short.
   */
  async drain(drainMs: number): Promise<void> {
    this.stopping = true;
    if (this.calls.size > 0) this.options.log.info('draining: no new calls; live calls may finish', { liveCalls: this.calls.size, drainMs });
    await this.untilIdleOr(drainMs);
    for (const call of [...this.calls.values()]) {
      call.log.info('ending the call: service shutting down');
      this.endCall(call, 'shutdown');
    }
    const endTimeout = this.options.endTimeoutMs ?? DEFAULT_END_TIMEOUT_MS;
    await this.untilIdleOr(endTimeout + this.options.postCallTimeoutMs + 1000);
    this.stopNow();
    for (const dispose of this.disposers.splice(0)) dispose();
  }

  /** Stops at once (a second signal): every live channel not already going away is hung up, every actor stopped. */
  stopNow(): void {
    this.stopping = true;
    this.hurry?.();
    for (const call of [...this.calls.values()]) {
      if (call.phase === 'answering' || call.phase === 'running' || call.phase === 'ending') this.hangUp(call);
      this.remove(call);
    }
    for (const channelId of [...this.staged.keys()]) this.staged.get(channelId)?.unroute?.();
    this.staged.clear();
  }

  private untilIdleOr(ms: number): Promise<void> {
    if (this.calls.size === 0) return Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    let resolveIdle: (() => void) | undefined;
    const idle = new Promise<void>((resolve) => {
      resolveIdle = resolve;
      this.idleWaiters.add(resolve);
    });
    const elapsed = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    return Promise.race([idle, elapsed, this.hurried]).finally(() => {
      clearTimeout(timer);
      if (resolveIdle) this.idleWaiters.delete(resolveIdle);
    });
  }

  private onStasisStart(event: StasisStartEvent): void {
    const channel = event.channel;
    const staged = this.staged.get(channel.id);
    if (staged) {
      this.staged.delete(channel.id);
      clearTimeout(staged.timer);
      staged.unroute?.();
      if (staged.expectation.kind === 'claim') {
        staged.expectation.onStasisStart(event);
        return;
      }
      const flow = this.options.flows.get(staged.expectation.app);
      if (!flow) return; // checked when staged
      const party = this.partyOf(event, 'outbound', staged.expectation.data ?? {});
      this.startCall(flow, party, staged.expectation.args, staged.expectation.answer ?? flow.answer);
      return;
    }
    if (this.calls.has(channel.id)) {
      this.options.log.warn('StasisStart for a channel that already has an owner; ignored', { app: event.application, channelId: channel.id });
      return;
    }
    // An effect staged it (a snoop channel a recording listens through): it is the effect's, not a call.
    if (this.options.ari.events.has(routeKey.channel(channel.id))) {
      this.options.log.debug('StasisStart for a channel an effect owns', { app: event.application, channelId: channel.id });
      return;
    }
    const flow = this.options.flows.get(event.application);
    if (!flow) {
      this.options.log.warn('StasisStart for an app with no flow', { app: event.application, channelId: channel.id });
      return;
    }
    if (this.stopping) {
      // Back to the dialplan, which can fall back (another server, a message).
      this.options.log.info('not taking the call: service shutting down; back to the dialplan', { app: event.application, channelId: channel.id });
      this.options.ari.channels.continueInDialplan(channel.id).catch((err: unknown) => {
        if (!isAriStatus(err, 404)) this.options.log.warn('could not send the call back to the dialplan', { channelId: channel.id, err: errorMessage(err) });
      });
      return;
    }
    this.startCall(flow, this.partyOf(event, 'inbound', {}), event.args, flow.answer);
  }

  private partyOf(event: StasisStartEvent, direction: Party['direction'], data: Party['data']): Party {
    const channel = event.channel;
    return {
      channelId: channel.id,
      caller: { name: channel.caller?.name ?? '', number: channel.caller?.number ?? '' },
      language: channel.language || 'en',
      ...(channel.dialplan ? { dialplan: { context: channel.dialplan.context, exten: channel.dialplan.exten } } : {}),
      direction,
      data,
    };
  }

  /** Runs `flow` on a channel: registry entry, route, actor, and (when asked) answer first. */
  private startCall(flow: Flow, party: Party, args: readonly string[], answer: boolean): void {
    const log = this.options.log.child({ channelId: party.channelId, app: flow.app, ...flow.logFields(args) });
    const input: CallInput = { ...party, args, log };
    const actor = flow.createActor(input, party.channelId);
    const call: LiveCall = {
      channelId: party.channelId,
      app: flow.app,
      args,
      party,
      actor,
      log,
      startedAt: Date.now(),
      unroute: () => undefined,
      unsubscribe: () => undefined,
      phase: 'answering',
      flowOver: false,
    };
    call.unroute = this.options.ari.events.route(routeKey.channel(party.channelId), (ariEvent) => this.onChannelEvent(call, ariEvent));
    this.calls.set(party.channelId, call);
    log.info('call started', { args, caller: party.caller.number, direction: party.direction });
    this.options.events?.emit('call.started', { channelId: party.channelId, app: flow.app, args, caller: party.caller, direction: party.direction });

    // One line per state transition, at debug (info keeps the call's start, end and errors),
    // and a call.state event for whoever follows calls (live view, fault tests).
    let last: string | undefined;
    const traceStates = log.isDebugEnabled();
    const events = this.options.events;
    call.unsubscribe = actor.subscribe({
      next: () => {
        const followed = events?.listened('call.state') === true;
        if (!traceStates && !followed) return;
        const state = actor.view().state;
        if (state === last) return;
        if (traceStates) log.debug('state', { state, from: last });
        if (followed) events?.emit('call.state', { channelId: party.channelId, app: flow.app, state, from: last });
        last = state;
      },
      error: (err) => {
        if (!this.isLive(call)) return;
        log.error('flow failed; ending the call', { err: errorMessage(err), stack: err instanceof Error ? err.stack : undefined });
        call.flowOver = true;
        this.trigger(call, 'flowFailed');
      },
      complete: () => this.onComplete(call),
    });

    const begin = () => {
      if (!this.isLive(call) || call.phase !== 'answering') return;
      actor.start();
      this.trigger(call, 'answered');
    };
    if (!answer) {
      begin();
      return;
    }
    this.answer(call).then(
      () => {
        if (this.isLive(call) && call.phase === 'answering') this.options.events?.emit('call.answered', { channelId: call.channelId, app: call.app });
        begin();
      },
      (err: unknown) => {
        if (!this.isLive(call)) return;
        log.warn('could not answer; ending the call', { err: errorMessage(err) });
        this.trigger(call, 'answerFailed');
      },
    );
  }

  /**
   * Answers, and tries again when no answer came back (status 0: the
   * connection dropped, the request timed out). Answering twice is harmless
   * (fact 8); giving up on a channel Asterisk did answer would leave it in
   * Stasis with no flow.
   */
  private async answer(call: LiveCall): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.options.ari.channels.answer(call.channelId);
        return;
      } catch (err) {
        if (!isAriStatus(err, 0) || attempt >= ANSWER_RETRIES_MS.length || !this.isLive(call) || call.phase !== 'answering') throw err;
        call.log.warn('no answer to the answer request; trying again', { err: errorMessage(err), attempt: attempt + 1 });
        await new Promise((resolve) => setTimeout(resolve, ANSWER_RETRIES_MS[attempt]));
      }
    }
  }

  private isLive(call: LiveCall): boolean {
    return this.calls.get(call.channelId) === call;
  }

  /**
   * The actor finished. Stopping it ourselves also completes it: only a real
   * final state counts. A flow that hands the channel over starts the next
   * app's flow on it, in this process, without leaving Stasis.
   */
  private onComplete(call: LiveCall): void {
    if (!this.isLive(call) || call.flowOver) return;
    const view = call.actor.view();
    if (view.status !== 'done') return;
    call.flowOver = true;
    const handOver = view.output.handOver;
    if (handOver && (call.phase === 'running' || call.phase === 'ending')) {
      const next = this.options.flows.get(handOver.app);
      if (next) {
        call.log.info('handing the call over', { to: handOver.app, args: handOver.args });
        this.trigger(call, 'handedOver', { quiet: true });
        this.startCall(next, call.party, handOver.args, false);
        return;
      }
      call.log.error('hand-over to an app with no flow; ending the call', { to: handOver.app });
    }
    this.trigger(call, 'flowDone');
  }

  private onChannelEvent(call: LiveCall, event: AriEvent): void {
    if (event.type === 'ChannelHangupRequest') {
      call.hungUpBy ??= 'caller';
      if (event.cause !== undefined) call.cause = event.cause;
    } else if (event.type === 'ChannelDestroyed') {
      call.cause = event.cause;
      call.causeText = event.cause_txt;
    }
    const callEvent = toCallEvent(event);
    if (!callEvent) return;
    // The lifecycle first: a flow that ends on this event must find the channel already going away.
    if (callEvent.type === 'ari.hangup') this.trigger(call, 'hangupRequested');
    if (callEvent.type === 'ari.stasisEnd') this.trigger(call, 'stasisEnd');
    // Events before the actor starts (a hang-up while answering) are queued by the actor.
    if (this.isLive(call) && !call.flowOver) call.actor.send(callEvent);
  }

  /** Asks the flow to end the call (`call.end`), bounded by `endTimeoutMs`. */
  private endCall(call: LiveCall, reason: 'shutdown' | 'request'): boolean {
    const from = call.phase;
    this.trigger(call, 'endRequested');
    if (from === 'running' && call.phase === 'ending') call.actor.send({ type: 'call.end', reason });
    return call.phase !== 'gone';
  }

  /** Applies one lifecycle trigger: the new phase, its bound, the hang-up it asks for, the end. */
  private trigger(call: LiveCall, trigger: CallTrigger, options: { quiet?: boolean } = {}): void {
    if (!this.isLive(call)) return;
    const step = lifecycleStep(call.phase, trigger);
    if (!step) return;
    const from = call.phase;
    call.phase = step.phase;
    if (step.hangUp) this.hangUp(call);
    if (step.phase === 'gone') {
      if (!options.quiet) this.remove(call);
      else this.detach(call);
      return;
    }
    if (from !== step.phase) {
      clearTimeout(call.timer);
      call.timer = undefined;
      if (BOUNDED_PHASES.has(step.phase)) {
        const ms = step.phase === 'ending' ? (this.options.endTimeoutMs ?? DEFAULT_END_TIMEOUT_MS) : this.options.postCallTimeoutMs;
        call.timer = setTimeout(() => {
          call.log.warn(`${step.phase} did not finish in time`, { timeoutMs: ms });
          this.trigger(call, 'timedOut');
        }, ms);
      }
    }
    // The channel has left and the flow is done: nothing more to wait for.
    if (call.phase === 'postCall' && call.flowOver) this.trigger(call, 'flowDone');
  }

  private hangUp(call: LiveCall, attempt = 1): void {
    call.hungUpBy ??= 'service';
    this.options.ari.channels.hangup(call.channelId).catch((err: unknown) => {
      // 404: the channel is gone already; should Asterisk still list it, it is tried again.
      if (isAriStatus(err, 404)) {
        if (attempt < HANGUP_ATTEMPTS) {
          this.options.ari.channels.get(call.channelId).then(
            () => this.isLive(call) && this.hangUp(call, attempt + 1),
            () => undefined,
          );
        }
        return;
      }
      // Refused or unanswered: the caller would stay on a silent line, so try again while the call is ours.
      const retry = attempt < HANGUP_ATTEMPTS && this.isLive(call);
      call.log.warn(retry ? 'hang-up failed; trying again' : 'hang-up failed', { err: errorMessage(err), attempt });
      if (retry) setTimeout(() => this.isLive(call) && this.hangUp(call, attempt + 1), HANGUP_RETRY_MS * attempt).unref();
    });
  }

  /** Takes a call out of the registry without ending anything (its channel goes on with another flow). */
  private detach(call: LiveCall): void {
    this.calls.delete(call.channelId);
    clearTimeout(call.timer);
    call.unsubscribe();
    call.unroute();
    call.actor.stop();
  }

  /** Removes a call: stops its actor (running invoked actors' cleanups) and its route, and says it ended. */
  private remove(call: LiveCall): void {
    if (!this.isLive(call)) return;
    call.phase = 'gone';
    this.detach(call);
    call.log.info('call ended', { hungUpBy: call.hungUpBy ?? null, cause: call.cause ?? null });
    this.options.events?.emit('call.ended', {
      channelId: call.channelId,
      app: call.app,
      answered: true,
      hungUpBy: call.hungUpBy ?? 'service',
      cause: call.cause,
      causeText: call.causeText,
      durationMs: Date.now() - call.startedAt,
    });
    if (this.calls.size === 0) for (const resolve of [...this.idleWaiters]) resolve();
  }

  private info(call: LiveCall): CallInfo {
    return {
      channelId: call.channelId,
      app: call.app,
      args: call.args,
      caller: call.party.caller,
      direction: call.party.direction,
      phase: call.phase,
      state: call.actor.view().state,
      startedAt: new Date(call.startedAt).toISOString(),
    };
  }

  /**
   * After the WebSocket comes back, events sent while it was down are lost: a
   * call whose channel no longer exists missed its StasisEnd. End those; the
   * others carry on.
   */
  private async reconcile(): Promise<void> {
    const calls = [...this.calls.values()];
    await Promise.all(
      calls.map(async (call) => {
        try {
          await this.options.ari.channels.get(call.channelId);
          call.log.info('call survived the reconnection');
        } catch (err) {
          if (!isAriStatus(err, 404)) {
            call.log.warn('could not check call after reconnection', { err: errorMessage(err) });
            return;
          }
          if (!this.isLive(call)) return;
          call.log.warn('channel gone while disconnected; ending the call');
          if (!call.flowOver) call.actor.send({ type: 'ari.stasisEnd' });
          this.trigger(call, 'stasisEnd');
        }
      }),
    );
  }
}
