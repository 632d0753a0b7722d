/**
 * The document machine's `dialer` effect (NCCO `connect`): dials a new leg
 * from a live call through the endpoint templates, staged so its StasisStart
 * is claimed here (never a new root call), rings the caller or plays the
 * ringback, reports the new leg's statuses (its own uuid, the caller's
 * conversation) and bridges the two legs once it answers. Its cleanup (the
 * step is left for any reason) hangs the new leg up and destroys the bridge;
 * the new leg's last status is still sent, before the caller's `completed`.
 */
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import { fromCallback } from 'xstate';
import type { CallEvent } from '../../../states/shared/call.js';
import type { DialOutcome, DialRecorded, DialStep, Program } from '../../../states/document/program.js';
import type { DialInput } from '../../../states/document/setup.js';
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

/** One dial: the new leg's life, from the originate to its last status. */
class DialSession {
  private readonly call: VoiceCall;
  private readonly step: DialStep;
  private readonly leg: Leg;
  private readonly target: StatusTarget;
  private readonly channelId = uuidv7();
  private readonly otherChannelId = uuidv7();
  private readonly bridgeId = uuidv7();
  private readonly unrouteChannel: Unroute;
  private withdraw: () => void = () => undefined;
  private readonly abort = new AbortController();
  /** The step was left: nothing more goes back to the machine. */
  private left = false;
  private ringing = false;
  private dialStatus: string | undefined;
  private answeredAt: Date | undefined;
  /** The new leg's last status was sent (or it never started). */
  private over = false;
  private cancelled = false;
  private bridged: Promise<boolean> | undefined;
  private whispering: WhisperHandle | undefined;
  private ringback: { playbackId: string; unroute: Unroute } | undefined;
  /** The connected call's recording (`record`), from the bridge on. */
  private recording: BridgeRecording | undefined;
  /** Settles with the recording once it is kept and its status sent. */
  private recorded: Promise<DialRecorded | undefined> = Promise.resolve(undefined);
  private limitTimer: NodeJS.Timeout | undefined;
  private goneTimer: NodeJS.Timeout | undefined;
  private resolveDone!: () => void;
  /** Settles once the new leg's last status is queued and its resources are released. */
  private readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  constructor(
    private readonly deps: DialDeps,
    private readonly input: DialInput,
    private readonly sendBack: (outcome: DialOutcome) => void,
  ) {
    this.call = deps.calls.get(input.leg);
    this.step = input.step;
    const to = this.step.endpoint.type === 'phone' ? this.step.endpoint.number : this.step.endpoint.uri;
    this.leg = { uuid: uuidv4(), conversationUuid: this.call.leg.conversationUuid, from: this.step.from ?? this.call.leg.from, to, direction: 'outbound' };
    this.target = { url: this.step.report.url, method: this.step.report.method, ...(this.step.report.events ? { events: this.step.report.events } : {}) };
    // Listed by GET /v1/calls like any leg of the application.
    deps.history.put(
      newRecord(this.leg, this.call.app?.id ?? '', this.step.endpoint.type === 'phone' ? { type: 'phone', number: this.step.endpoint.number } : { type: 'sip', uri: this.step.endpoint.uri }, new Date()),
    );
    // Routed before the request: a busy outcome comes within milliseconds, maybe before its reply (fact 73).
    this.unrouteChannel = deps.ari.events.route(routeKey.channel(this.channelId), (event) => this.onLegEvent(event));
    // The caller's `completed` waits for the new leg's last status.
    void track(this.call, this.done);
  }

  start(): void {
    const { deps, step, input } = this;
    const log = input.log;
    try {
      this.withdraw = deps.runtime().expect(this.channelId, { kind: 'claim', onStasisStart: (event) => this.onAnswered(event) }, (step.timeoutSeconds + 60) * 1000);
    } catch (err) {
      this.finishUnanswered('failed', 'internal_error', errorMessage(err));
      return;
    }
    log.info('connecting a new leg', { uuid: this.leg.uuid, endpoint: step.endpoint.type, to: this.leg.to, channelId: this.channelId });
    this.post('started');
    this.startRingback();
    const variables: Record<string, string> = {};
    if (step.endpoint.type === 'sip') {
      // Each header goes into the INVITE as X-<name> (MAPPING.md, not verified on a real trunk).
      for (const [name, value] of Object.entries(step.endpoint.headers ?? {})) variables[`PJSIP_HEADER(add,X-${name})`] = value;
    }
    const callerId = step.from ?? this.call.leg.from;
    deps.ari.channels
      .originate({
        endpoint: dialString(deps.endpoints, step.endpoint),
        app: deps.stasisApp,
        channelId: this.channelId,
        otherChannelId: this.otherChannelId,
        timeout: step.timeoutSeconds,
        ...(callerId === '' ? {} : { callerId }),
        ...(Object.keys(variables).length > 0 ? { variables } : {}),
      })
      .catch((err: unknown) => {
        log.warn('the new leg could not be placed', { uuid: this.leg.uuid, err: errorMessage(err) });
        this.finishUnanswered('failed', 'cannot_route', errorMessage(err));
      });
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
    if (this.over) return;
    if (this.answeredAt === undefined) this.cancelled = true;
    this.hangUp('normal');
    // Its last status comes with ChannelDestroyed; should Asterisk never say, give up.
    this.goneTimer = setTimeout(() => {
      this.input.log.warn('the new leg did not end in time; reported as over', { uuid: this.leg.uuid });
      if (this.answeredAt === undefined) this.finishUnanswered(this.cancelled ? 'cancelled' : 'failed', undefined);
      else this.finishAnswered();
    }, this.deps.goneTimeoutMs ?? GONE_TIMEOUT_MS);
    this.goneTimer.unref();
  }

  private onLegEvent(event: AriEvent): void {
    // The whisper's document hears its channel (keys, hang-up) like any call.
    if (this.whispering) {
      if (event.type === 'ChannelDtmfReceived') this.whispering.send({ type: 'ari.dtmf', digit: event.digit });
      if (event.type === 'ChannelHangupRequest') this.whispering.send({ type: 'ari.hangup' });
      if (event.type === 'StasisEnd') this.whispering.send({ type: 'ari.stasisEnd' });
    }
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
    const { deps, input, step } = this;
    if (this.left || this.over) {
      // Answered just as the step was left: it must not stay.
      this.answeredAt = new Date();
      this.hangUp('normal');
      return;
    }
    this.answeredAt = new Date();
    this.withdraw = () => undefined;
    input.log.info('the new leg answered', { uuid: this.leg.uuid, channelId: event.channel.id });
    this.onRinging();
    this.post('answered', { startTime: this.answeredAt });
    this.limitTimer = setTimeout(() => {
      input.log.info('the connected call reached its limit; hanging up the new leg', { uuid: this.leg.uuid, limitSeconds: step.limitSeconds });
      this.hangUp('normal');
    }, step.limitSeconds * 1000);
    this.limitTimer.unref();
    const bridge = async (): Promise<boolean> => {
      if (step.endpoint.type === 'phone' && step.endpoint.onAnswerUrl !== undefined && deps.whisper) {
        // The callee hears its document first; the caller keeps hearing ringback meanwhile.
        this.whispering = deps.whisper({ caller: this.call, leg: this.leg, channelId: this.channelId, url: step.endpoint.onAnswerUrl, method: step.endpoint.onAnswerMethod ?? 'GET', log: input.log });
        await this.whispering.done;
        this.whispering = undefined;
        if (this.left || this.over) return false;
      }
      this.stopRingback();
      if (step.endpoint.type === 'phone' && step.endpoint.dtmfAnswer !== undefined) await sendDtmfWithPauses(deps.ari, this.channelId, step.endpoint.dtmfAnswer, () => !this.left);
      if (this.left) return false;
      await deps.ari.bridges.create({ bridgeId: this.bridgeId, type: 'mixing', name: `connect-${this.leg.uuid}` });
      if (this.left) return true;
      await deps.ari.bridges.addChannel(this.bridgeId, [input.channelId, this.channelId]);
      if (step.record && !this.left && !this.over) this.startRecording(step.record);
      return true;
    };
    this.bridged = bridge().catch((err: unknown) => {
      input.log.error('could not bridge the new leg to the call; hanging it up', { uuid: this.leg.uuid, err: errorMessage(err) });
      this.hangUp('normal');
      return true;
    });
    // Left while the bridge was being made: destroy what was made.
    void this.bridged.then(() => {
      if (this.left) this.destroyBridge();
    });
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
      if (this.left || this.answeredAt !== undefined || this.over) return;
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

  private hangUp(reason: 'normal'): void {
    this.deps.ari.channels.hangup(this.channelId, reason).catch((err: unknown) => {
      if (!isAriStatus(err, 404)) this.input.log.warn('could not hang up the new leg', { uuid: this.leg.uuid, err: errorMessage(err) });
    });
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

  /** The new leg hung up (or was hung up) after answering. */
  private finishAnswered(): void {
    if (this.over) return;
    const endTime = new Date();
    const startTime = this.answeredAt ?? endTime;
    const durationSeconds = Math.max(0, Math.round((endTime.getTime() - startTime.getTime()) / 1000));
    this.post('completed', { startTime, endTime, durationSeconds });
    this.input.log.info('the new leg hung up', { uuid: this.leg.uuid });
    const outcome: DialOutcome = { type: 'dial.over', status: 'completed', legUuid: this.leg.uuid, durationSeconds };
    if (!this.recording) {
      this.end(outcome);
      return;
    }
    // The outcome (TwiML's action request) carries the recording: it waits until the file is kept.
    this.over = true;
    void this.recording.stop();
    void this.recorded.then((recording) => this.end(recording === undefined ? outcome : { ...outcome, recording }));
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

  /** The new leg never answered: its failure status; with `synchronous`, the reply may replace the rest. */
  private finishUnanswered(status: CallStatus, detail: string | undefined, reason?: string): void {
    if (this.over) return;
    const extra: StatusExtra = { endTime: new Date(), durationSeconds: 0, ...(detail === undefined ? {} : { detail }), ...(reason === undefined ? {} : { reason }) };
    this.input.log.info('the new leg was not answered', { uuid: this.leg.uuid, status, detail: detail ?? null });
    if (!this.step.synchronous || !FAILURES.has(status) || this.left) {
      this.post(status, extra);
      this.end({ type: 'dial.over', status, legUuid: this.leg.uuid, durationSeconds: 0 });
      return;
    }
    this.over = true;
    void this.ask(status, extra).then((replace) => this.end({ type: 'dial.over', status, legUuid: this.leg.uuid, durationSeconds: 0, ...(replace === undefined ? {} : { replace }) }));
  }

  /** Keeps the new leg's status for GET /v1/calls; a final one closes its record. */
  private record(status: CallStatus, extra?: StatusExtra): void {
    const final = status === 'completed' || FAILURES.has(status) || status === 'cancelled';
    recordStatus(this.deps.history, this.leg.uuid, status, final ? { ...extra, endTime: extra?.endTime ?? new Date(), durationSeconds: extra?.durationSeconds ?? 0 } : extra);
  }

  /** Sends a failure status and waits for the reply: an NCCO in it is the rest of the call. */
  private async ask(status: CallStatus, extra: StatusExtra): Promise<Program | undefined> {
    const { call, input } = this;
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
    return replyProgram(this.deps, call, body, input.log, event.target.url).replace;
  }

  private end(outcome: DialOutcome): void {
    this.over = true;
    clearTimeout(this.limitTimer);
    clearTimeout(this.goneTimer);
    this.withdraw();
    this.stopRingback();
    // Late events of a gone channel have nobody to go to.
    this.unrouteChannel();
    this.resolveDone();
    if (!this.left) this.sendBack(outcome);
  }

  private post(status: CallStatus, extra?: StatusExtra): void {
    this.record(status, extra);
    const event = this.event(status, extra);
    if (event) this.call.events?.post(event.target, event.data);
  }

  /** The new leg's status event in the caller's dialect, and where it goes (none when the program asked for none). */
  private event(status: CallStatus, extra: StatusExtra = {}) {
    const app = this.call.app;
    if (!app || this.target.url === '') return undefined;
    return dialectOf(app).statusEvent({ leg: this.leg, app, status }, status, new Date(), { ...extra, parentUuid: this.call.leg.uuid }, this.target);
  }
}
