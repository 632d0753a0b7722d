/**
 * The document machine's `dialer` effect (NCCO `connect`, TwiML `<Dial>`):
 * dials one new leg per endpoint from a live call through the endpoint
 * templates, all at once (TwiML's several `<Number>`s: the first to answer
 * wins, the others are hung up as answered elsewhere). Each is staged so its
 * StasisStart is claimed here (never a new root call). It rings the caller or
 * plays the ringback, reports each new leg's statuses (its own uuid, the
 * caller's conversation), and bridges the winner to the caller, recording the
 * bridge when the step asks. Its cleanup (the step is left for any reason)
 * hangs every new leg up and destroys the bridge; their last statuses are
 * still sent, before the caller's `completed`.
 */
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import { fromCallback } from 'xstate';
import type { CallEvent } from '../../../states/shared/call.js';
import type { DialEndpoint, DialOutcome, DialRecorded, DialStep, Program, Report } from '../../../states/document/program.js';
import type { DialInput } from '../../../states/document/setup.js';
import type { HangupReason } from '../../ari/port.js';
import { routeKey, type Unroute } from '../../ari/router.js';
import type { AriEvent, StasisStartEvent } from '../../ari/types.js';
import type { Leg } from '../../documents/leg.js';
import type { CallStatus, StatusExtra, StatusTarget } from '../../documents/dialect.js';
import { dialectOf } from '../../documents/dialects.js';
import { errorMessage, isAriStatus } from '../../errors.js';
import type { CallRuntime } from '../../runtime/call-runtime.js';
import { track, type VoiceCall } from './calls.js';
import { recordBridge, type BridgeRecording } from './bridge-recording.js';
import { newRecord, recordStatus, replyProgram, report } from './effects.js';
import { sendDtmfWithPauses } from './dtmf.js';
import { dialString, type ControlDeps } from './control.js';
import type { VoiceDeps } from './effects.js';
import { unansweredStatus } from './history.js';

/** What the dialer needs beyond the effects' dependencies. */
export interface DialDeps extends VoiceDeps {
  readonly runtime: () => CallRuntime;
  /** Dial strings (STASIS_FLOWS_VOICE_PHONE_ENDPOINT, ..._SIP_ENDPOINT). */
  readonly endpoints: ControlDeps['endpoints'];
  /** Copies of the ringback file queued (it loops until the answer). */
  readonly maxLoops: number;
  /** After the new leg was hung up, how long to wait for Asterisk to say it is gone. */
  readonly goneTimeoutMs?: number;
  /** Runs `onAnswer`'s document on the answered new leg (flow.ts); absent: onAnswer is skipped. */
  readonly whisper?: (request: WhisperRequest) => WhisperHandle;
}

/** A document to run on a new leg before it is bridged. */
export interface WhisperRequest {
  readonly caller: VoiceCall;
  readonly leg: Leg;
  readonly channelId: string;
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly log: DialInput['log'];
}

/** A whisper running: its channel's events go in, `done` settles when its document is over. */
export interface WhisperHandle {
  send(event: CallEvent): void;
  readonly done: Promise<void>;
  stop(): void;
}

const GONE_TIMEOUT_MS = 10_000;
/** A stopped ringback playback stays routed to us this long, for its PlaybackFinished. */
const UNROUTE_AFTER_MS = 5000;
const FAILURES: ReadonlySet<string> = new Set(['busy', 'timeout', 'unanswered', 'failed', 'rejected']);

/** The `dialer` effect: flow.ts provides it as `dialer: dialEffect(deps)`. */
export function dialEffect(deps: DialDeps) {
  return fromCallback<{ type: 'noop' }, DialInput>(({ input, sendBack }) => {
    const session = new DialSession(deps, input, (outcome) => sendBack(outcome));
    session.start();
    return () => session.leave();
  });
}

/** How one new leg ended. */
interface LegOutcome {
  readonly status: CallStatus;
  readonly answered: boolean;
  readonly durationSeconds: number;
  /** A synchronous failure's reply: the rest of the program. */
  readonly replace?: Program;
}

/** One dial step: the caller's side (ringback, bridge, recording, limit) and the race between its new legs. */
class DialSession {
  readonly call: VoiceCall;
  readonly step: DialStep;
  private readonly legs: NewLeg[];
  private readonly bridgeId = uuidv7();
  readonly abort = new AbortController();
  /** The step was left: nothing more goes back to the machine. */
  left = false;
  /** The outcome went back (or is on its way). */
  private over = false;
  /** The new leg that answered first: the one bridged. */
  private winner: NewLeg | undefined;
  private bridged: Promise<boolean> | undefined;
  private whispering: WhisperHandle | undefined;
  private ringback: { playbackId: string; unroute: Unroute } | undefined;
  private limitTimer: NodeJS.Timeout | undefined;
  /** The connected call's recording (`record`), from the bridge on. */
  private recording: BridgeRecording | undefined;
  /** Settles with the recording once it is kept and its status sent. */
  private recorded: Promise<DialRecorded | undefined> = Promise.resolve(undefined);

  constructor(
    readonly deps: DialDeps,
    readonly input: DialInput,
    private readonly sendBack: (outcome: DialOutcome) => void,
  ) {
    this.call = deps.calls.get(input.leg);
    this.step = input.step;
    this.legs = [{ endpoint: this.step.endpoint, report: this.step.report }, ...(this.step.alsoRing ?? [])].map(({ endpoint, report }) => new NewLeg(this, endpoint, report));
  }

  start(): void {
    for (const leg of this.legs) leg.start();
    if (!this.over) this.startRingback();
  }

  /** The step is left (the new leg is over, the caller hung up, call.end, a replaced document). */
  leave(): void {
    this.left = true;
    this.abort.abort();
    this.whispering?.stop();
    clearTimeout(this.limitTimer);
    this.stopRingback();
    this.destroyBridge();
    void this.recording?.stop();
    for (const leg of this.legs) leg.leave();
  }

  /** True when a failure of `leg` should wait for its status reply (NCCO synchronous: one leg only). */
  asksOnFailure(leg: NewLeg, status: CallStatus): boolean {
    return this.step.synchronous && FAILURES.has(status) && !this.left && this.legs.length === 1 && this.legs[0] === leg;
  }

  /** A whisper document runs on the winner: its channel's events go there. */
  whisperEvent(leg: NewLeg, event: AriEvent): void {
    if (!this.whispering || leg !== this.winner) return;
    if (event.type === 'ChannelDtmfReceived') this.whispering.send({ type: 'ari.dtmf', digit: event.digit });
    if (event.type === 'ChannelHangupRequest') this.whispering.send({ type: 'ari.hangup' });
    if (event.type === 'StasisEnd') this.whispering.send({ type: 'ari.stasisEnd' });
  }

  /** `leg` answered: the first one is bridged, the others are hung up; false when it must not stay. */
  onAnswered(leg: NewLeg, event: StasisStartEvent): boolean {
    const { deps, input, step } = this;
    if (this.left || this.over || this.winner !== undefined) return false;
    this.winner = leg;
    for (const other of this.legs) if (other !== leg) other.cancel('answered_elsewhere');
    input.log.info('the new leg answered', { uuid: leg.leg.uuid, channelId: event.channel.id });
    this.limitTimer = setTimeout(() => {
      input.log.info('the connected call reached its limit; hanging up the new leg', { uuid: leg.leg.uuid, limitSeconds: step.limitSeconds });
      leg.hangUp('normal');
    }, step.limitSeconds * 1000);
    this.limitTimer.unref();
    const endpoint = leg.endpoint;
    const bridge = async (): Promise<boolean> => {
      if (endpoint.type === 'phone' && endpoint.onAnswerUrl !== undefined && deps.whisper) {
        // The callee hears its document first; the caller keeps hearing ringback meanwhile.
        this.whispering = deps.whisper({ caller: this.call, leg: leg.leg, channelId: leg.channelId, url: endpoint.onAnswerUrl, method: endpoint.onAnswerMethod ?? 'GET', log: input.log });
        await this.whispering.done;
        this.whispering = undefined;
        if (this.left || this.over) return false;
      }
      this.stopRingback();
      if (endpoint.type === 'phone' && endpoint.dtmfAnswer !== undefined) await sendDtmfWithPauses(deps.ari, leg.channelId, endpoint.dtmfAnswer, () => !this.left);
      if (this.left) return false;
      await deps.ari.bridges.create({ bridgeId: this.bridgeId, type: 'mixing', name: `connect-${leg.leg.uuid}` });
      if (this.left) return true;
      await deps.ari.bridges.addChannel(this.bridgeId, [input.channelId, leg.channelId]);
      if (step.record && !this.left && !this.over) this.startRecording(step.record);
      return true;
    };
    this.bridged = bridge().catch((err: unknown) => {
      input.log.error('could not bridge the new leg to the call; hanging it up', { uuid: leg.leg.uuid, err: errorMessage(err) });
      leg.hangUp('normal');
      return true;
    });
    // Left while the bridge was being made: destroy what was made.
    void this.bridged.then(() => {
      if (this.left) this.destroyBridge();
    });
    return true;
  }

  /** `leg` is over: the winner's end, or the last failure when none answered, ends the step. */
  onLegOver(leg: NewLeg, outcome: LegOutcome): void {
    if (this.over) return;
    if (this.winner !== undefined && leg !== this.winner) return;
    if (this.winner === undefined && this.legs.some((other) => !other.isOver)) return;
    const result: DialOutcome = {
      type: 'dial.over',
      status: this.winner === undefined ? this.failureOf() : outcome.status,
      legUuid: leg.leg.uuid,
      durationSeconds: outcome.durationSeconds,
      ...(outcome.replace === undefined ? {} : { replace: outcome.replace }),
    };
    this.over = true;
    clearTimeout(this.limitTimer);
    this.stopRingback();
    if (!this.recording) {
      this.end(result);
      return;
    }
    // The outcome (TwiML's action request) carries the recording: it waits until the file is kept.
    void this.recording.stop();
    void this.recorded.then((recording) => this.end(recording === undefined ? result : { ...result, recording }));
  }

  /** None answered: the status that says most (no-answer over busy over a failure). */
  private failureOf(): CallStatus {
    const statuses = this.legs.map((leg) => leg.status);
    for (const status of ['timeout', 'unanswered', 'busy', 'rejected', 'cancelled'] as const) if (statuses.includes(status)) return status;
    return statuses[statuses.length - 1] ?? 'failed';
  }

  private end(outcome: DialOutcome): void {
    if (!this.left) this.sendBack(outcome);
  }

  /** Records the bridge; once kept, the recording's status goes to the step's `statusReport`. */
  private startRecording(options: NonNullable<DialStep['record']>): void {
    const { deps, input } = this;
    const recording = recordBridge(deps, this.bridgeId, { leg: this.call.leg.uuid, log: input.log, format: options.format, trimSilence: options.trimSilence, what: 'the dialled call' });
    this.recording = recording;
    this.recorded = recording.kept.then(async (result) => {
      if (result === undefined) return undefined;
      if (options.statusReport && options.statusReport.url !== '') {
        await report(deps, { leg: this.call.leg.uuid, channelId: input.channelId, log: input.log, report: { ...options.statusReport, replies: false }, result }).catch((err: unknown) =>
          input.log.warn('the dialled call’s recording status could not be sent', { err: errorMessage(err) }),
        );
      }
      return { recordingId: result.recordingId, size: result.size, startTime: result.startTime, endTime: result.endTime };
    });
    void track(this.call, this.recorded);
  }

  private startRingback(): void {
    const { deps, input, step } = this;
    if (step.ringbackUrl === undefined) {
      // An answered caller gets nothing from it (fact 79); one still ringing hears ringing.
      deps.ari.channels.ring(input.channelId).catch((err: unknown) => input.log.debug('could not indicate ringing', { err: errorMessage(err) }));
      return;
    }
    const url = step.ringbackUrl;
    void (async () => {
      let media: string;
      try {
        media = await deps.audio.fetch({ url, level: 0 }, this.abort.signal);
      } catch (err) {
        input.log.warn('ringback tone could not be fetched; the caller hears silence until the answer', { url, err: errorMessage(err) });
        return;
      }
      if (this.left || this.winner !== undefined || this.over) return;
      const playbackId = uuidv7();
      const unroute = deps.ari.events.route(routeKey.playback(playbackId), (event) => {
        if (event.type === 'PlaybackFinished') unroute();
      });
      this.ringback = { playbackId, unroute };
      this.call.ownMedia.add('ringback');
      await deps.ari.channels.play(input.channelId, { playbackId, media: Array.from({ length: deps.maxLoops }, () => media) }).catch((err: unknown) => {
        unroute();
        if (this.ringback?.playbackId === playbackId) {
          this.ringback = undefined;
          this.call.ownMedia.delete('ringback');
        }
        input.log.warn('ringback tone could not be played', { err: errorMessage(err) });
      });
    })();
  }

  private stopRingback(): void {
    const ringback = this.ringback;
    if (!ringback) return;
    this.ringback = undefined;
    this.call.ownMedia.delete('ringback');
    this.deps.ari.playbacks.stop(ringback.playbackId).catch((err: unknown) => {
      if (!isAriStatus(err, 404)) this.input.log.warn('could not stop the ringback tone', { err: errorMessage(err) });
    });
    setTimeout(ringback.unroute, UNROUTE_AFTER_MS).unref();
  }

  private destroyBridge(): void {
    const bridged = this.bridged;
    if (!bridged) return;
    this.bridged = undefined;
    void bridged.then(async (created) => {
      if (!created) return;
      // Stopped before the bridge goes, so the file ends where the call did.
      await this.recording?.stop();
      return this.deps.ari.bridges.destroy(this.bridgeId).catch((err: unknown) => {
        if (!isAriStatus(err, 404)) this.input.log.warn('could not destroy the connect bridge', { bridgeId: this.bridgeId, err: errorMessage(err) });
      });
    });
  }
}

/** One new leg of a dial: its channel's life, from the originate to its last status. */
class NewLeg {
  readonly leg: Leg;
  readonly channelId = uuidv7();
  private readonly otherChannelId = uuidv7();
  private readonly target: StatusTarget;
  private readonly unrouteChannel: Unroute;
  private readonly offConnection: () => void;
  /** Asterisk took the originate: from then on a channel that is not there is gone. */
  private placed = false;
  private withdraw: () => void = () => undefined;
  private ringing = false;
  private dialStatus: string | undefined;
  private answeredAt: Date | undefined;
  /** Its last status was sent (or is being asked). */
  private over = false;
  private cancelled = false;
  private hangupReason: HangupReason = 'normal';
  private goneTimer: NodeJS.Timeout | undefined;
  /** Its final status, once over. */
  status: CallStatus | undefined;
  private resolveDone!: () => void;
  /** Settles once its last status is queued and its resources are released. */
  private readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  constructor(
    private readonly session: DialSession,
    readonly endpoint: DialEndpoint,
    report: Report,
  ) {
    const { deps, call, step } = session;
    const to = endpoint.type === 'phone' ? endpoint.number : endpoint.uri;
    this.leg = { uuid: uuidv4(), conversationUuid: call.leg.conversationUuid, from: step.from ?? call.leg.from, to, direction: 'outbound' };
    this.target = { url: report.url, method: report.method, ...(report.events ? { events: report.events } : {}) };
    // Listed by GET /v1/calls like any leg of the application.
    deps.history.put(newRecord(this.leg, call.app?.id ?? '', endpoint.type === 'phone' ? { type: 'phone', number: endpoint.number } : { type: 'sip', uri: endpoint.uri }, new Date()));
    // Routed before the request: a busy outcome comes within milliseconds, maybe before its reply (fact 73).
    this.unrouteChannel = deps.ari.events.route(routeKey.channel(this.channelId), (event) => this.onEvent(event));
    // Events lost while the WebSocket was down (its ChannelDestroyed) must not leave the dial waiting for ever.
    this.offConnection = deps.ari.onConnection((event) => {
      if (event.type === 'reconnected') void this.recheck();
    });
    // The caller's `completed` waits for the new leg's last status.
    void track(call, this.done);
  }

  /** Its last status was sent. */
  get isOver(): boolean {
    return this.over;
  }

  start(): void {
    const { deps, step, input, call } = this.session;
    const log = input.log;
    try {
      this.withdraw = deps.runtime().expect(this.channelId, { kind: 'claim', onStasisStart: (event) => this.onAnswered(event) }, (step.timeoutSeconds + 60) * 1000);
    } catch (err) {
      this.finishUnanswered('failed', 'internal_error', errorMessage(err));
      return;
    }
    log.info('connecting a new leg', { uuid: this.leg.uuid, endpoint: this.endpoint.type, to: this.leg.to, channelId: this.channelId });
    this.post('started');
    const variables: Record<string, string> = {};
    if (this.endpoint.type === 'sip') {
      // Each header goes into the INVITE as X-<name> (MAPPING.md, not verified on a real trunk).
      for (const [name, value] of Object.entries(this.endpoint.headers ?? {})) variables[`PJSIP_HEADER(add,X-${name})`] = value;
    }
    const callerId = step.from ?? call.leg.from;
    deps.ari.channels
      .originate({
        endpoint: dialString(deps.endpoints, this.endpoint),
        app: deps.stasisApp,
        channelId: this.channelId,
        otherChannelId: this.otherChannelId,
        timeout: step.timeoutSeconds,
        ...(callerId === '' ? {} : { callerId }),
        ...(Object.keys(variables).length > 0 ? { variables } : {}),
      })
      .then(() => {
        this.placed = true;
      })
      .catch((err: unknown) => {
        log.warn('the new leg could not be placed', { uuid: this.leg.uuid, err: errorMessage(err) });
        this.finishUnanswered('failed', 'cannot_route', errorMessage(err));
      });
  }

  /** Another leg answered: this one is hung up (`answered_elsewhere`), its status `cancelled`. */
  cancel(reason: HangupReason): void {
    if (this.over) return;
    this.hangupReason = reason;
    this.leave();
  }

  /** The step is left, or another leg won: hang up, and give up waiting for Asterisk after a while. */
  leave(): void {
    if (this.over || this.goneTimer !== undefined) return;
    if (this.answeredAt === undefined) this.cancelled = true;
    this.hangUp(this.hangupReason);
    // Its last status comes with ChannelDestroyed; should Asterisk never say, give up.
    this.goneTimer = setTimeout(() => {
      this.session.input.log.warn('the new leg did not end in time; reported as over', { uuid: this.leg.uuid });
      if (this.answeredAt === undefined) this.finishUnanswered(this.cancelled ? 'cancelled' : 'failed', undefined);
      else this.finishAnswered();
    }, this.session.deps.goneTimeoutMs ?? GONE_TIMEOUT_MS);
    this.goneTimer.unref();
  }

  hangUp(reason: HangupReason): void {
    this.session.deps.ari.channels.hangup(this.channelId, reason).catch((err: unknown) => {
      if (!isAriStatus(err, 404)) this.session.input.log.warn('could not hang up the new leg', { uuid: this.leg.uuid, err: errorMessage(err) });
    });
  }

  /** After a reconnection: a placed leg whose channel went while events were lost is over. */
  private async recheck(): Promise<void> {
    if (this.over || !this.placed) return;
    try {
      await this.session.deps.ari.channels.get(this.channelId);
    } catch (err) {
      if (!isAriStatus(err, 404) || this.over) return;
      this.session.input.log.warn('the new leg went while the WebSocket was down; it is over', { uuid: this.leg.uuid });
      if (this.answeredAt !== undefined) this.finishAnswered();
      else this.finishUnanswered(this.cancelled ? 'cancelled' : 'failed', undefined);
    }
  }

  private onEvent(event: AriEvent): void {
    this.session.whisperEvent(this, event);
    if (event.type === 'ChannelStateChange' && event.channel.state === 'Ringing') this.onRinging();
    if (event.type === 'Dial' && event.dialstatus !== '') {
      this.dialStatus = event.dialstatus;
      if (event.dialstatus === 'RINGING') this.onRinging();
    }
    if (event.type === 'ChannelDestroyed' || event.type === 'StasisEnd') {
      if (this.answeredAt !== undefined) {
        this.finishAnswered();
        return;
      }
      if (event.type !== 'ChannelDestroyed') return;
      const { status, detail } = unansweredStatus(this.dialStatus, event.cause, this.cancelled);
      this.finishUnanswered(status, detail);
    }
  }

  private onRinging(): void {
    if (this.ringing || this.answeredAt !== undefined || this.over) return;
    this.ringing = true;
    this.post('ringing');
  }

  private onAnswered(event: StasisStartEvent): void {
    this.withdraw = () => undefined;
    if (this.over || this.cancelled || !this.session.onAnswered(this, event)) {
      // Answered just as the step was left, or after another leg: it must not stay.
      if (this.answeredAt === undefined && !this.over) this.cancelled = true;
      this.hangUp(this.hangupReason);
      return;
    }
    this.answeredAt = new Date();
    this.onRinging();
    this.post('answered', { startTime: this.answeredAt });
  }

  /** It hung up (or was hung up) after answering. */
  private finishAnswered(): void {
    if (this.over) return;
    const endTime = new Date();
    const startTime = this.answeredAt ?? endTime;
    const durationSeconds = Math.max(0, Math.round((endTime.getTime() - startTime.getTime()) / 1000));
    this.post('completed', { startTime, endTime, durationSeconds });
    this.session.input.log.info('the new leg hung up', { uuid: this.leg.uuid });
    this.end({ status: 'completed', answered: true, durationSeconds });
  }

  /** It never answered: its failure status; a synchronous one waits for the reply, which may replace the rest. */
  private finishUnanswered(status: CallStatus, detail: string | undefined, reason?: string): void {
    if (this.over) return;
    const extra: StatusExtra = { endTime: new Date(), durationSeconds: 0, ...(detail === undefined ? {} : { detail }), ...(reason === undefined ? {} : { reason }) };
    this.session.input.log.info('the new leg was not answered', { uuid: this.leg.uuid, status, detail: detail ?? null });
    if (!this.session.asksOnFailure(this, status)) {
      this.post(status, extra);
      this.end({ status, answered: false, durationSeconds: 0 });
      return;
    }
    this.over = true;
    this.status = status;
    void this.ask(status, extra).then((replace) => this.end({ status, answered: false, durationSeconds: 0, ...(replace === undefined ? {} : { replace }) }));
  }

  /** Keeps its status for GET /v1/calls; a final one closes its record. */
  private record(status: CallStatus, extra?: StatusExtra): void {
    const final = status === 'completed' || FAILURES.has(status) || status === 'cancelled';
    recordStatus(this.session.deps.history, this.leg.uuid, status, final ? { ...extra, endTime: extra?.endTime ?? new Date(), durationSeconds: extra?.durationSeconds ?? 0 } : extra);
  }

  /** Sends a failure status and waits for the reply: an NCCO in it is the rest of the call. */
  private async ask(status: CallStatus, extra: StatusExtra): Promise<Program | undefined> {
    const { call, input, deps } = this.session;
    this.record(status, extra);
    if (!call.events) return undefined;
    const event = this.event(status, extra);
    if (!event) return undefined;
    let body: unknown;
    try {
      body = await call.events.ask(event.target, event.data);
    } catch (err) {
      input.log.warn('the new leg’s status could not be sent; going on', { err: errorMessage(err) });
      return undefined;
    }
    // As any reply: an NCCO replaces the rest, a broken one ends the call.
    return replyProgram(deps, call, body, input.log, event.target.url).replace;
  }

  private end(outcome: LegOutcome): void {
    this.over = true;
    this.status = outcome.status;
    clearTimeout(this.goneTimer);
    this.withdraw();
    this.offConnection();
    // Late events of a gone channel have nobody to go to.
    this.unrouteChannel();
    this.resolveDone();
    this.session.onLegOver(this, outcome);
  }

  private post(status: CallStatus, extra?: StatusExtra): void {
    this.record(status, extra);
    const event = this.event(status, extra);
    if (event) this.session.call.events?.post(event.target, event.data);
  }

  /** Its status event in the caller's dialect, and where it goes (none when the program asked for none). */
  private event(status: CallStatus, extra: StatusExtra = {}) {
    const { call } = this.session;
    const app = call.app;
    if (!app || this.target.url === '') return undefined;
    return dialectOf(app).statusEvent({ leg: this.leg, app, status }, status, new Date(), { ...extra, parentUuid: call.leg.uuid }, this.target);
  }
}
