/**
 * The call runtime: one root actor per channel in Stasis, in a registry keyed
 * by channel id. StasisStart starts the flow registered for the app; the
 * channel's events reach the actor through the router; StasisEnd is the last
 * event a call gets, after which the actor has `postCallTimeoutMs` to finish
 * its post-call work before it is stopped. An actor that fails ends its own
 * call only.
 */
import { createActor, type Actor } from 'xstate';
import type { CallEvent, CallInput, CallOutput } from '../../states/shared/call.js';
import type { AriPort } from '../ari/port.js';
import { routeKey, type Unroute } from '../ari/router.js';
import type { AriEvent, StasisStartEvent } from '../ari/types.js';
import { errorMessage, isAriStatus } from '../errors.js';
import type { Logger } from '../logger.js';
import type { CallLogic, Flow, FlowRegistry } from './flow.js';

/** Who is on a channel: what a flow's input is built from, kept for a hand-over. */
type Party = Pick<CallInput, 'channelId' | 'caller' | 'language'>;

interface LiveCall {
  readonly channelId: string;
  readonly app: string;
  readonly actor: Actor<CallLogic>;
  readonly log: Logger;
  readonly unroute: Unroute;
  /** StasisEnd seen (or the channel found gone): no more channel events will come. */
  ended: boolean;
  /** ChannelHangupRequest seen: the channel is going away by itself. */
  hangingUp: boolean;
  /** The actor has been started (answering comes first). */
  started: boolean;
  postCallTimer?: NodeJS.Timeout;
}

export interface CallRuntimeOptions {
  ari: AriPort;
  flows: FlowRegistry;
  log: Logger;
  postCallTimeoutMs: number;
}

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

function stateLabel(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Runs flows on the channels that enter their Stasis apps. */
export class CallRuntime {
  private readonly calls = new Map<string, LiveCall>();
  private readonly disposers: (() => void)[] = [];
  private stopping = false;

  constructor(private readonly options: CallRuntimeOptions) {}

  /** Starts taking calls. */
  start(): void {
    const { ari } = this.options;
    this.disposers.push(
      ari.events.listen('StasisStart', (event) => this.onStasisStart(event as StasisStartEvent)),
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

  /** Stops every call's actor (their cleanups stop playbacks and recordings) and stops taking calls. */
  stop(): Promise<void> {
    this.stopping = true;
    for (const dispose of this.disposers.splice(0)) dispose();
    for (const call of [...this.calls.values()]) {
      call.log.info('stopping call: service shutting down');
      this.finish(call);
    }
    return Promise.resolve();
  }

  private onStasisStart(event: StasisStartEvent): void {
    const channel = event.channel;
    const flow = this.options.flows.get(event.application);
    if (this.stopping) return;
    if (!flow) {
      this.options.log.warn('StasisStart for an app with no flow', { app: event.application, channelId: channel.id });
      return;
    }
    if (this.calls.has(channel.id)) {
      this.options.log.warn('StasisStart for a channel already in a call', { app: event.application, channelId: channel.id });
      return;
    }
    const party: Party = {
      channelId: channel.id,
      caller: { name: channel.caller?.name ?? '', number: channel.caller?.number ?? '' },
      language: channel.language || 'en',
    };
    this.startCall(flow, party, event.args, flow.answer !== false);
  }

  /** Runs `flow` on a channel: registry entry, route, actor, and (when asked) answer first. */
  private startCall(flow: Flow, party: Party, args: readonly string[], answer: boolean): void {
    const log = this.options.log.child({ channelId: party.channelId, app: flow.app, ...flow.logFields?.(args) });
    const input: CallInput = { ...party, args, log };
    const actor = createActor(flow.logic, { input: flow.input ? flow.input(input) : input, id: party.channelId });
    const unroute = this.options.ari.events.route(routeKey.channel(party.channelId), (ariEvent) => this.onChannelEvent(call, ariEvent));
    const call: LiveCall = { channelId: party.channelId, app: flow.app, actor, log, unroute, ended: false, hangingUp: false, started: false };
    this.calls.set(party.channelId, call);
    log.info('call started', { args, caller: party.caller.number });

    let last: string | undefined;
    actor.subscribe({
      next: (snapshot) => {
        const value = (snapshot as { value?: unknown }).value;
        const label = stateLabel(value);
        if (label !== last) {
          log.info('state', { state: label, from: last });
          last = label;
        }
      },
      error: (err) => {
        log.error('flow failed; ending the call', { err: errorMessage(err), stack: err instanceof Error ? err.stack : undefined });
        this.hangUp(call);
        this.finish(call);
      },
      complete: () => this.onComplete(call, party),
    });

    const begin = () => {
      if (this.calls.get(call.channelId) !== call) return;
      call.started = true;
      actor.start();
    };
    if (!answer) {
      begin();
      return;
    }
    this.options.ari.channels.answer(party.channelId).then(begin, (err: unknown) => {
      log.warn('could not answer; ending the call', { err: errorMessage(err) });
      this.finish(call);
    });
  }

  /**
   * A flow reached its final state. The channel is hung up, unless the flow
   * handed it over to another app's flow (its output names the app and
   * arguments: a queue sending a caller to voicemail), which then runs on the
   * same channel, in this process, without leaving Stasis.
   */
  private onComplete(call: LiveCall, party: Party): void {
    const snapshot = call.actor.getSnapshot() as { output?: CallOutput };
    const handOver = snapshot.output?.handOver;
    if (handOver && !call.hangingUp) {
      const next = this.options.flows.get(handOver.app);
      if (next) {
        call.log.info('handing the call over', { to: handOver.app, args: handOver.args });
        this.finish(call);
        this.startCall(next, party, handOver.args, false);
        return;
      }
      call.log.error('hand-over to an app with no flow; ending the call', { to: handOver.app });
    }
    if (!call.hangingUp) this.hangUp(call);
    this.finish(call);
  }

  private onChannelEvent(call: LiveCall, event: AriEvent): void {
    const callEvent = toCallEvent(event);
    if (!callEvent) return;
    if (callEvent.type === 'ari.hangup') call.hangingUp = true;
    if (callEvent.type === 'ari.stasisEnd') this.markEnded(call);
    // Events before the actor starts (a hang-up while answering) are queued by the actor.
    call.actor.send(callEvent);
  }

  /** The channel is gone: give the actor `postCallTimeoutMs` to finish, then stop it. */
  private markEnded(call: LiveCall): void {
    if (call.ended) return;
    call.ended = true;
    call.hangingUp = true;
    if (!call.started) {
      this.finish(call);
      return;
    }
    call.postCallTimer = setTimeout(() => {
      if (!this.calls.has(call.channelId)) return;
      call.log.warn('post-call work did not finish in time; stopping the call', { timeoutMs: this.options.postCallTimeoutMs });
      this.finish(call);
    }, this.options.postCallTimeoutMs);
  }

  private hangUp(call: LiveCall): void {
    if (call.hangingUp) return;
    call.hangingUp = true;
    this.options.ari.channels.hangup(call.channelId).catch((err: unknown) => {
      if (!isAriStatus(err, 404)) call.log.warn('hang-up failed', { err: errorMessage(err) });
    });
  }

  /** Removes a call: stops its actor (running invoked actors' cleanups) and its route. */
  private finish(call: LiveCall): void {
    if (this.calls.get(call.channelId) !== call) return;
    this.calls.delete(call.channelId);
    clearTimeout(call.postCallTimer);
    call.unroute();
    call.actor.stop();
    call.log.info('call ended');
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
          call.log.warn('channel gone while disconnected; ending the call');
          call.actor.send({ type: 'ari.stasisEnd' });
          this.markEnded(call);
        }
      }),
    );
  }
}
