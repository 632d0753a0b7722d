/**
 * The voice API's call control, behind the REST API (`/v1/calls`): placing
 * outbound calls, and acting on live ones (hang up, mute, earmuff, transfer,
 * speech or audio into the leg, DTMF). Every request names its application;
 * a call of another application is "not found".
 */
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import type { CallEvent } from '../../../states/shared/call.js';
import type { AriEvent } from '../../ari/types.js';
import { routeKey } from '../../ari/router.js';
import { dialectOf } from '../../documents/dialects.js';
import { voiceTraits } from '../../documents/voices.js';
import { errorMessage, isAriStatus } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { CallRuntime } from '../../runtime/call-runtime.js';
import { newVoiceCall, type VoiceCall } from './calls.js';
import { sendDtmfWithPauses } from './dtmf.js';
import {
  ControlError,
  type Announcement,
  type CallAction,
  type CallControl,
  type CallEndpoint,
  type CallFilter,
  type CallRecord,
  type DocumentSource,
  type OutboundCallRequest,
} from './control-types.js';
import { dialectCall, eventQueue, eventTarget, newRecord, postStatus, type VoiceDeps } from './effects.js';
import { unansweredStatus } from './history.js';

/** What call control needs beyond the effects' dependencies. */
export interface ControlDeps extends VoiceDeps {
  readonly runtime: () => CallRuntime;
  readonly log: Logger;
  /** Dial strings: `{number}` and `{uri}` are replaced (STASIS_FLOWS_VOICE_PHONE_ENDPOINT, ..._SIP_ENDPOINT). */
  readonly endpoints: { readonly phone: string; readonly sip: string };
  /** Plays a `loop: 0` announcement at most this many times. */
  readonly maxLoops: number;
}

/** The dial string for an endpoint. */
export function dialString(templates: ControlDeps['endpoints'], to: CallEndpoint): string {
  // `{number}` is digits only: a TwiML `+` (E.164 as written) is the trunk's business, not the dial string's.
  if (to.type === 'phone') return templates.phone.replaceAll('{number}', to.number.replace(/^\+/, ''));
  return templates.sip.replaceAll('{uri}', to.uri.replace(/^sips?:/, ''));
}

const DTMF = /^[0-9A-D*#p]+$/;
/** How often a whisper checks that the leg still plays audio of its own (else the rest goes on the leg). */
const WHISPER_WATCH_MS = 100;
/** How long speech, audio or DTMF sent into a call waits for it to be answered. */
const ANSWER_WAIT_MS = 15_000;

/** The voice API's call control. */
export class VoiceCallControl implements CallControl {
  constructor(private readonly deps: ControlDeps) {}

  /** A live call of this application, or ControlError. */
  private live(applicationId: string, uuid: string): VoiceCall {
    const record = this.deps.history.get(uuid);
    if (!record || record.applicationId !== applicationId) throw new ControlError('not-found', `no call ${uuid}`);
    const call = this.deps.calls.find(uuid);
    if (!call || record.endTime !== undefined) throw new ControlError('gone', `call ${uuid} is over`);
    return call;
  }

  /**
   * A live call that is in Stasis and answered (media can reach it). A call
   * whose answer webhook is still running is waited for, briefly: the
   * program may speak into a leg from inside that webhook (seed 002 does).
   */
  private async inCall(applicationId: string, uuid: string): Promise<VoiceCall> {
    const call = this.live(applicationId, uuid);
    if (call.answeredAt === undefined) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          call.onAnswered.delete(resume);
          reject(new ControlError('invalid', `call ${uuid} is not answered`));
        }, ANSWER_WAIT_MS);
        const resume = () => {
          clearTimeout(timer);
          resolve();
        };
        call.onAnswered.add(resume);
      });
    }
    if (call.channelId === '') throw new ControlError('invalid', `call ${uuid} is not answered`);
    return call;
  }

  async create(applicationId: string, request: OutboundCallRequest): Promise<CallRecord> {
    const { deps } = this;
    const app = await deps.store.getApp(applicationId);
    if (!app) throw new ControlError('not-found', `no application ${applicationId}`);
    if ('ncco' in request.document || 'twiml' in request.document) {
      // An inline document is checked before anything is dialled.
      const inline = 'ncco' in request.document ? request.document.ncco : request.document.twiml;
      const parsed = dialectOf(app).parse(inline, { events: { url: request.eventUrl ?? app.eventUrl, method: request.eventMethod ?? app.eventMethod } });
      if (!parsed.ok) throw new ControlError('invalid', parsed.reason);
    }
    const uuid = uuidv4();
    const to = request.to.type === 'phone' ? request.to.number : request.to.uri;
    const log = deps.log.child({ app: deps.stasisApp, voiceApp: app.name, uuid, direction: 'outbound' });
    const call = newVoiceCall({
      leg: { uuid, conversationUuid: `CON-${uuidv4()}`, from: request.from ?? '', to, direction: 'outbound' },
      channelId: '',
      appName: app.name,
      log,
      language: 'en',
      app,
      source: request.document,
      ...(request.eventUrl
        ? { eventTarget: { url: request.eventUrl, method: request.eventMethod ?? 'POST', ...(request.statusEvents ? { events: request.statusEvents } : {}) } }
        : {}),
    });
    call.events = eventQueue(deps, call, app, log);
    deps.calls.add(call);
    deps.history.put(newRecord(call.leg, app.id, request.to, call.startedAt));
    const ringing = () => {
      if (deps.history.get(uuid)?.status !== 'started') return;
      postStatus(deps, call, 'ringing');
    };
    // Before the request: its outcome (busy) may come back before the request's own reply.
    postStatus(deps, call, 'started');
    let channelId: string;
    try {
      ({ channelId } = await deps.runtime().originate(
        {
          endpoint: dialString(deps.endpoints, request.to),
          timeout: request.ringingTimer ?? 60,
          ...(request.from ? { callerId: request.from } : {}),
          stasisApp: deps.stasisApp,
        },
        {
          kind: 'start',
          app: deps.stasisApp,
          args: [app.name, to],
          data: { leg: uuid, lengthSeconds: String(request.lengthTimer ?? 7200) },
          onEvent: (event: AriEvent) => {
            // The outcome may come before the originate's own reply (busy in a few ms, fact 73).
            if (event.type === 'ChannelDestroyed' && call.channelId === '') deps.calls.bindChannel(call, event.channel.id);
            if (event.type === 'ChannelStateChange' && event.channel.state === 'Ringing') ringing();
            if (event.type === 'Dial' && event.dialstatus !== '') {
              call.dialStatus = event.dialstatus;
              if (event.dialstatus === 'RINGING') ringing();
            }
          },
        },
      ));
    } catch (err) {
      postStatus(deps, call, 'failed', { detail: 'cannot_route', reason: errorMessage(err), endTime: new Date(), durationSeconds: 0 });
      deps.history.update(uuid, { status: 'failed', endTime: new Date().toISOString(), duration: 0 });
      void call.events?.idle().then(() => deps.calls.remove(call));
      log.warn('outbound call could not be placed', { err: errorMessage(err) });
      throw new ControlError('invalid', `the call could not be placed: ${errorMessage(err)}`);
    }
    if (call.channelId === '') deps.calls.bindChannel(call, channelId);
    log.info('outbound call placed', { channelId, to });
    // As Vonage answers: the call is started (it may be ringing already).
    return { ...deps.history.get(uuid)!, status: 'started' };
  }

  /** An outbound call ended before it was answered: its final status. */
  unanswered(call: VoiceCall, cause: number | undefined): void {
    const { status, detail } = unansweredStatus(call.dialStatus, cause, call.cancelled === true);
    const endTime = new Date();
    postStatus(this.deps, call, status, { endTime, durationSeconds: 0, ...(detail ? { detail } : {}) });
    this.deps.history.update(call.leg.uuid, { status, endTime: endTime.toISOString(), duration: 0 });
  }

  get(applicationId: string, uuid: string): CallRecord | undefined {
    const record = this.deps.history.get(uuid);
    return record?.applicationId === applicationId ? record : undefined;
  }

  list(applicationId: string, filter: CallFilter): { calls: readonly CallRecord[]; count: number } {
    return this.deps.history.list(applicationId, filter);
  }

  async modify(applicationId: string, uuid: string, action: CallAction): Promise<void> {
    const call = this.live(applicationId, uuid);
    const { ari } = this.deps;
    switch (action.action) {
      case 'cancel': {
        if (call.answeredAt !== undefined) throw new ControlError('invalid', `call ${uuid} is answered: only a call not yet answered can be canceled`);
        call.cancelled = true;
        if (call.channelId !== '') {
          await ari.channels.hangup(call.channelId).catch((err: unknown) => {
            if (!isAriStatus(err, 404)) throw err;
          });
        }
        return;
      }
      case 'hangup': {
        if (call.answeredAt === undefined && call.channelId !== '') {
          // Still ringing: cancel it.
          call.cancelled = true;
          await ari.channels.hangup(call.channelId).catch((err: unknown) => {
            if (!isAriStatus(err, 404)) throw err;
          });
          return;
        }
        if (!this.deps.runtime().send(call.channelId, { type: 'call.end', reason: 'request' } satisfies CallEvent)) throw new ControlError('gone', `call ${uuid} is over`);
        return;
      }
      case 'mute':
      case 'unmute':
      case 'earmuff':
      case 'unearmuff': {
        const live = await this.inCall(applicationId, uuid);
        // Mute: the leg is not heard (audio from it); earmuff: the leg hears nothing (audio to it).
        const direction = action.action.endsWith('mute') ? 'in' : 'out';
        if (action.action.startsWith('un')) await ari.channels.unmute(live.channelId, direction);
        else await ari.channels.mute(live.channelId, direction);
        live.log.info(`call ${action.action}d by the program`);
        return;
      }
      case 'transfer': {
        const program = await this.documentOf(call, action.document);
        for (const deliver of call.commands) deliver({ type: 'document.replace', program });
        call.log.info('call transferred to a new NCCO by the program');
        return;
      }
    }
  }

  /** A transfer's document, parsed: inline, or fetched from its URL. */
  private async documentOf(call: VoiceCall, source: DocumentSource) {
    const app = call.app!;
    const dialect = dialectOf(app);
    let body: unknown;
    let url: string | undefined;
    if ('ncco' in source) {
      body = source.ncco;
    } else if ('twiml' in source) {
      body = source.twiml;
    } else {
      const reply = await this.deps.client.fetchDocument({ url: source.answerUrl, method: source.answerMethod }, undefined, dialect.answerData(dialectCall(call)), {
        kind: 'answer',
        wire: dialect.wire(app),
        log: call.log,
      });
      if (!reply.ok) throw new ControlError('invalid', `destination: ${reply.reason}`);
      body = reply.body;
      url = reply.url;
    }
    const parsed = dialect.parse(body, { events: eventTarget(call), ...(url === undefined ? {} : { url }) });
    if (!parsed.ok) throw new ControlError('invalid', parsed.reason);
    return parsed.program;
  }

  async announce(applicationId: string, uuid: string, announcement: Announcement): Promise<void> {
    const call = await this.inCall(applicationId, uuid);
    const { deps } = this;
    const signal = new AbortController().signal;
    let media: string;
    if (announcement.kind === 'talk') {
      const traits = announcement.voiceName === undefined ? undefined : voiceTraits(announcement.voiceName);
      media = await deps.audio.speak(
        {
          text: announcement.text,
          ssml: announcement.text.trimStart().startsWith('<speak'),
          language: announcement.language ?? traits?.language ?? 'en-US',
          ...(traits ? { gender: traits.gender } : {}),
          level: announcement.level,
        },
        signal,
      );
    } else {
      media = await deps.audio.fetch({ url: announcement.url, level: announcement.level }, signal);
    }
    await this.stopAnnouncement(applicationId, uuid, announcement.kind).catch(() => undefined);
    const copies = announcement.loop === 0 ? deps.maxLoops : Math.min(announcement.loop, deps.maxLoops);
    const list = Array.from({ length: copies }, () => media);
    // Over a prompt or hold music a playback on the leg would wait for it to end (Asterisk
    // queues a channel's playbacks, fact 15): whisper it into the leg instead (fact 91: heard
    // mixed with what the leg is playing). On a quiet leg, play it on the leg itself.
    if (!this.playsOwnMedia(call)) {
      await this.playOnLeg(call, uuid, announcement.kind, list, 0);
      call.log.info(`${announcement.kind} sent into the call by the program`, { over: 'silence' });
      return;
    }
    await this.playWhispered(call, uuid, announcement.kind, list);
    call.log.info(`${announcement.kind} sent into the call by the program`, { over: 'its own audio' });
  }

  /** Plays an announcement on the leg itself, from `offsetms` into its first item; it is the leg's `kind` announcement until it ends. */
  private async playOnLeg(call: VoiceCall, uuid: string, kind: Announcement['kind'], media: string[], offsetms: number): Promise<void> {
    const { ari } = this.deps;
    const playbackId = uuidv7();
    const unroute = ari.events.route(routeKey.playback(playbackId), (event) => {
      if (event.type !== 'PlaybackFinished') return;
      unroute();
      if (call.announcements.get(kind) === playbackId) call.announcements.delete(kind);
    });
    call.announcements.set(kind, playbackId);
    try {
      await ari.channels.play(call.channelId, { playbackId, media, ...(offsetms > 0 ? { offsetms } : {}) });
    } catch (err) {
      unroute();
      if (call.announcements.get(kind) === playbackId) call.announcements.delete(kind);
      if (isAriStatus(err, 404)) throw new ControlError('gone', `call ${uuid} is over`);
      throw err;
    }
  }

  /**
   * Whispers an announcement into the leg through a snoop channel. A whisper is
   * heard only while the leg writes audio of its own (fact 91): when that ends
   * first (the prompt is over, the music stops as the conversation starts), the
   * rest is played on the leg itself, from where the whisper had got to.
   */
  private async playWhispered(call: VoiceCall, uuid: string, kind: Announcement['kind'], media: string[]): Promise<void> {
    const { ari } = this.deps;
    const playbackId = uuidv7();
    let startedAt: number | undefined;
    const timers: { watch?: NodeJS.Timeout } = {};
    let unroute: () => void = () => undefined;
    const over = () => {
      clearInterval(timers.watch);
      unroute();
      if (call.announcements.get(kind) === playbackId) call.announcements.delete(kind);
    };
    // The snoop may end first (the leg hung up, fact 92): its playback's PlaybackFinished may never come.
    const whisper = await this.whisperChannel(call, uuid, over);
    unroute = ari.events.route(routeKey.playback(playbackId), (event) => {
      if (event.type === 'PlaybackStarted') startedAt ??= Date.now();
      if (event.type !== 'PlaybackFinished') return;
      over();
      whisper.end();
    });
    call.announcements.set(kind, playbackId);
    try {
      await ari.channels.play(whisper.channelId, { playbackId, media });
    } catch (err) {
      over();
      whisper.end();
      if (isAriStatus(err, 404)) throw new ControlError('gone', `call ${uuid} is over`);
      throw err;
    }
    startedAt ??= Date.now();
    timers.watch = setInterval(() => {
      if (this.playsOwnMedia(call) || call.announcements.get(kind) !== playbackId) return;
      const elapsed = Date.now() - (startedAt ?? Date.now());
      over();
      ari.playbacks.stop(playbackId).catch(() => undefined);
      whisper.end();
      call.log.debug('the leg went quiet during a whisper: the rest is played on the leg', { elapsedMs: elapsed });
      this.playOnLeg(call, uuid, kind, media, elapsed).catch((err: unknown) => call.log.warn('could not play the rest of the announcement', { err: errorMessage(err) }));
    }, WHISPER_WATCH_MS);
    timers.watch.unref();
  }

  /** True while the leg plays audio of its own: a prompt of its document, hold music, a ringback tone. */
  private playsOwnMedia(call: VoiceCall): boolean {
    if (call.ownMedia.size > 0) return true;
    // The document machine's prompt states (`{"say":"playing"}`, `{"play":"playing"}`).
    const state = this.deps.runtime().get(call.channelId)?.state ?? '';
    return /"(say|play)":"playing"/.test(state);
  }

  /** A snoop channel that whispers into the leg (what is played on it, its far end hears); `end` hangs it up. */
  private async whisperChannel(call: VoiceCall, uuid: string, gone: () => void): Promise<{ channelId: string; end: () => void }> {
    const { ari } = this.deps;
    const snoopId = `whisper-${uuidv7()}`;
    // Ours until its StasisEnd: the runtime must not take it for a new call.
    const unroute = ari.events.route(routeKey.channel(snoopId), (event) => {
      if (event.type !== 'StasisEnd') return;
      unroute();
      gone();
    });
    try {
      await ari.channels.snoop(call.channelId, { app: this.deps.stasisApp, whisper: 'out', snoopId, appArgs: 'voice-api-whisper' });
    } catch (err) {
      unroute();
      if (isAriStatus(err, 404)) throw new ControlError('gone', `call ${uuid} is over`);
      throw err;
    }
    let ended = false;
    return {
      channelId: snoopId,
      end: () => {
        if (ended) return;
        ended = true;
        ari.channels.hangup(snoopId).catch(() => undefined);
        // Its StasisEnd may never come (the leg hung up first, fact 92): drop the route anyway.
        setTimeout(unroute, 5000).unref();
      },
    };
  }

  async stopAnnouncement(applicationId: string, uuid: string, kind: Announcement['kind']): Promise<void> {
    const call = this.live(applicationId, uuid);
    const playbackId = call.announcements.get(kind);
    if (playbackId === undefined) return;
    call.announcements.delete(kind);
    await this.deps.ari.playbacks.stop(playbackId).catch((err: unknown) => {
      if (!isAriStatus(err, 404)) throw err;
    });
  }

  async sendDtmf(applicationId: string, uuid: string, digits: string): Promise<void> {
    if (!DTMF.test(digits)) throw new ControlError('invalid', 'digits: only 0-9, A-D, *, # and p (a 500 ms pause)');
    const call = await this.inCall(applicationId, uuid);
    await sendDtmfWithPauses(this.deps.ari, call.channelId, digits);
  }
}
