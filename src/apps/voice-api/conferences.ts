/**
 * The voice API's conferences, behind the REST API (TwiML `Conferences`,
 * `Participants`): the named conversations (states/conversation) seen as
 * sessions. A session starts when a room gets its first member and ends
 * when the room is over; each has its own uuid (v4: a conference SID is `CF`
 * and its hex). The registry follows the rooms through what they emit
 * (`room.*`, forwarded by the pool) and acts on them with room events
 * (`conversation.end`, `.kick`, `.hold`, `.mute`); announcements are played
 * into the session's bridge (everyone hears them, over the conversation:
 * MAPPING.md "Speak into a live call", facts 53 and 83) or on one leg.
 * A TwiML session's status callback events (`<Conference statusCallback>`)
 * go, in order, to the first member's target that asked for them.
 */
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import type { CloseReason, ConferenceEvents, MemberView, RoomEmitted } from '../../../states/conversation/types.js';
import type { Step } from '../../../states/document/program.js';
import { routeKey } from '../../ari/router.js';
import { dialectOf } from '../../documents/dialects.js';
import { asksConferenceEvent, conferenceEventParams, type ConferenceEvent, type ConferenceParticipant } from '../../documents/twiml/payloads.js';
import { toSid } from '../../documents/twiml/sids.js';
import { errorMessage, isAriStatus } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { VoiceApp } from '../../storage/voice-types.js';
import { isSuccess, logUrl, type WebhookTarget } from '../../webhooks/client.js';
import {
  ControlError,
  type AnnounceSource,
  type CallControl,
  type ConferenceControl,
  type ConferenceRecord,
  type DocumentSource,
  type ParticipantChange,
  type ParticipantRecord,
  type ParticipantRequest,
} from './control-types.js';
import type { RoomPool } from './conversation.js';
import type { VoiceDeps } from './effects.js';

/** Ended sessions kept for list and get. */
export const KEPT_SESSIONS = 200;
/** A `loop: 0` prompt in an announcement plays this many times (it cannot run "until the hang-up" of a room). */
const ANNOUNCE_MAX_LOOPS = 10;
/** An announcement's playback stays routed to us at most this long without its PlaybackFinished. */
const UNROUTE_AFTER_MS = 10 * 60_000;

/** What the conferences are built with. */
export interface ConferenceDeps extends Pick<VoiceDeps, 'ari' | 'store' | 'client' | 'audio'> {
  /** The service's rooms: the pool the memberships join (conversationMembership). */
  readonly rooms: RoomPool;
  /** Places the calls `addParticipant` dials. */
  readonly control: CallControl;
  readonly log: Logger;
}

/** A member of a live session, as the registry keeps it. */
interface Participant {
  readonly memberId: string;
  readonly channelId: string;
  record: ParticipantRecord;
}

interface Session {
  readonly id: string;
  readonly applicationId: string;
  readonly name: string;
  /** The room's key in the pool (`<application id>:<name>`). */
  readonly key: string;
  readonly bridgeId: string;
  status: ConferenceRecord['status'];
  readonly createdAt: string;
  updatedAt: string;
  endReason?: string;
  endedByUuid?: string;
  /** Live members, by membership id. */
  readonly members: Map<string, Participant>;
  /** Legs `addParticipant` is dialling, by call uuid, until they join or their call ends. */
  readonly dialling: Map<string, ParticipantRecord>;
  /** Where the session's status callback events go: the first member's that asked (Twilio: the conference creator's). */
  events?: ConferenceEvents;
  /** The SequenceNumber of the last event sent. */
  sequence: number;
  /** The events being sent, one after the other. */
  posting: Promise<void>;
}

/** A conference event before it is numbered and dated. */
type EventFacts = DistributiveOmit<ConferenceEvent, 'applicationId' | 'conferenceId' | 'name' | 'at' | 'sequence'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A participant record as a conference event describes it. */
function asParticipant(record: ParticipantRecord): ConferenceParticipant {
  return { leg: record.callUuid, muted: record.muted, held: record.hold, startOnEnter: record.startOnEnter, endOnExit: record.endOnExit };
}

/** Twilio's words for why a conference ended (`reason_conference_ended`); `failed` is ours (its bridge could not be made). */
function endReason(reason: CloseReason, kicked: boolean): string {
  switch (reason) {
    case 'request':
      return 'conference-ended-via-api';
    case 'end-on-exit':
      return kicked ? 'participant-with-end-conference-on-exit-kicked' : 'participant-with-end-conference-on-exit-left';
    case 'empty':
      return kicked ? 'last-participant-kicked' : 'last-participant-left';
    case 'failed':
      return 'conference-failed';
  }
}

const XML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const xml = (text: string): string => text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);

/** The document a dialled participant runs: it joins the conference by name. */
export function joinDocument(app: Pick<VoiceApp, 'dialect'>, name: string, request: ParticipantRequest): DocumentSource {
  if (app.dialect === 'twiml') {
    const attributes = [
      `muted="${request.muted}"`,
      `startConferenceOnEnter="${request.startOnEnter}"`,
      `endConferenceOnExit="${request.endOnExit}"`,
      `beep="${request.beep}"`,
      ...(request.waitUrl === undefined ? [] : [`waitUrl="${xml(request.waitUrl)}"`]),
      ...(request.maxParticipants === undefined ? [] : [`maxParticipants="${request.maxParticipants}"`]),
      ...(request.record === true ? ['record="record-from-start"'] : []),
      ...(request.recordingStatusUrl === undefined ? [] : [`recordingStatusCallback="${xml(request.recordingStatusUrl)}"`, `recordingStatusCallbackMethod="${request.recordingStatusMethod ?? 'POST'}"`]),
      ...(request.conferenceEvents === undefined
        ? []
        : [
            `statusCallback="${xml(request.conferenceEvents.url)}"`,
            `statusCallbackMethod="${request.conferenceEvents.method}"`,
            ...(request.conferenceEvents.events === undefined ? [] : [`statusCallbackEvent="${request.conferenceEvents.events.join(' ')}"`]),
          ]),
    ];
    return { twiml: `<Response><Dial><Conference ${attributes.join(' ')}>${xml(name)}</Conference></Dial></Response>` };
  }
  return {
    ncco: [
      {
        action: 'conversation',
        name,
        startOnEnter: request.startOnEnter,
        endOnExit: request.endOnExit,
        mute: request.muted,
        ...(request.waitUrl === undefined ? {} : { musicOnHoldUrl: [request.waitUrl] }),
      },
    ],
  };
}

/** `ms` of silence as Asterisk's own sounds (`silence/1` … `silence/10`), whole seconds, at least one. */
function silence(ms: number): string[] {
  let seconds = Math.max(1, Math.round(ms / 1000));
  const media: string[] = [];
  while (seconds > 0) {
    const chunk = Math.min(10, seconds);
    media.push(`sound:silence/${chunk}`);
    seconds -= chunk;
  }
  return media;
}

/** The voice API's conferences. */
export class VoiceConferences implements ConferenceControl {
  /** Every session kept, live and ended, by id, in the order they opened. */
  private readonly sessions = new Map<string, Session>();
  /** Live sessions by bridge id (what the room's events name). */
  private readonly byBridge = new Map<string, Session>();
  /** Ended sessions' ids, oldest first. */
  private readonly ended: string[] = [];

  constructor(private readonly deps: ConferenceDeps) {
    deps.rooms.onEmitted((key, event) => this.observe(key, event));
  }

  /** Follows one room's life. */
  private observe(key: string, event: RoomEmitted): void {
    const at = new Date();
    const now = at.toISOString();
    if (event.type === 'room.opened') {
      const colon = key.indexOf(':');
      const session: Session = {
        id: uuidv4(),
        applicationId: key.slice(0, colon),
        name: key.slice(colon + 1),
        key,
        bridgeId: event.bridgeId,
        status: 'init',
        createdAt: now,
        updatedAt: now,
        members: new Map(),
        dialling: new Map(),
        sequence: 0,
        posting: Promise.resolve(),
      };
      this.sessions.set(session.id, session);
      this.byBridge.set(event.bridgeId, session);
      return;
    }
    const session = this.byBridge.get(event.bridgeId);
    if (!session) return;
    session.updatedAt = now;
    switch (event.type) {
      case 'room.started':
        session.status = 'in-progress';
        this.tell(session, at, { event: 'conference-start' });
        break;
      case 'room.joined': {
        session.dialling.delete(event.member.leg);
        session.events ??= event.events;
        const record = this.participantRecord(session, event.member, now, now);
        session.members.set(event.member.id, { memberId: event.member.id, channelId: event.member.channelId, record });
        this.tell(session, at, { event: 'participant-join', participant: asParticipant(record) });
        break;
      }
      case 'room.changed': {
        const participant = session.members.get(event.member.id);
        if (!participant) break;
        const before = participant.record;
        participant.record = this.participantRecord(session, event.member, before.createdAt, now);
        const after = asParticipant(participant.record);
        if (before.muted !== after.muted) this.tell(session, at, { event: after.muted ? 'participant-mute' : 'participant-unmute', participant: after });
        if (before.hold !== after.held) this.tell(session, at, { event: after.held ? 'participant-hold' : 'participant-unhold', participant: after });
        break;
      }
      case 'room.left': {
        const participant = session.members.get(event.id);
        session.members.delete(event.id);
        if (participant) this.tell(session, at, { event: 'participant-leave', participant: asParticipant(participant.record) });
        break;
      }
      case 'room.closed': {
        const reason = endReason(event.reason, event.kicked === true);
        const by = event.reason === 'request' || event.reason === 'failed' ? undefined : event.by;
        this.tell(session, at, { event: 'conference-end', reason, ...(by === undefined ? {} : { endedBy: by }) });
        this.finish(session, reason, by);
        break;
      }
    }
  }

  /** Sends a conference event the session's target asked for, after the ones before it; a failure is only logged. */
  private tell(session: Session, at: Date, facts: EventFacts): void {
    const target = session.events;
    // Only TwiML joins ask for events (NCCO has none): the shape says the payload is Twilio's.
    if (target?.report.shape !== 'twiml-conference-events' || !asksConferenceEvent(target.kinds, facts.event)) return;
    // Numbered among the events sent, so the program sees 1, 2, 3… whatever it asked for.
    session.sequence += 1;
    const event: ConferenceEvent = { ...facts, applicationId: session.applicationId, conferenceId: session.id, name: session.name, at, sequence: session.sequence };
    const { url, method } = target.report;
    session.posting = session.posting.then(() => this.post(session, { url, method }, event));
  }

  /** Signs and sends one event with the application's wire; never throws. */
  private async post(session: Session, target: WebhookTarget, event: ConferenceEvent): Promise<void> {
    const log = this.deps.log.child({ conference: session.name, conferenceId: session.id });
    const what = { event: event.event, url: logUrl(target.url) };
    try {
      const app = await this.deps.store.getApp(session.applicationId);
      if (!app) {
        log.warn('conference event not sent: the application is gone', what);
        return;
      }
      const response = await this.deps.client.send(target, conferenceEventParams({ ...event, applicationId: app.id }), { kind: 'event', wire: dialectOf(app).wire(app), log });
      if (!isSuccess(response.status)) log.warn('conference event refused', { ...what, status: response.status });
    } catch (err) {
      log.warn('conference event not sent', { ...what, err: errorMessage(err) });
    }
  }

  private participantRecord(session: Session, member: MemberView, createdAt: string, updatedAt: string): ParticipantRecord {
    return {
      conferenceId: session.id,
      callUuid: member.leg,
      muted: member.muted,
      hold: member.held,
      startOnEnter: member.startOnEnter,
      endOnExit: member.endOnExit,
      status: 'connected',
      createdAt,
      updatedAt,
    };
  }

  /** A session is over: kept (the last KEPT_SESSIONS) for list and get. */
  private finish(session: Session, reason: string | undefined, by: string | undefined): void {
    session.status = 'completed';
    session.updatedAt = new Date().toISOString();
    if (reason !== undefined) session.endReason = reason;
    if (by !== undefined) session.endedByUuid = by;
    session.members.clear();
    session.dialling.clear();
    this.byBridge.delete(session.bridgeId);
    this.ended.push(session.id);
    while (this.ended.length > KEPT_SESSIONS) this.sessions.delete(this.ended.shift()!);
  }

  /** Ends a live session whose room went away without a word (stopped at shutdown, or failed): nothing of it is left. */
  private checked(session: Session): Session {
    if (session.status === 'completed') return session;
    const room = this.deps.rooms.peek(session.key);
    if (room?.getSnapshot().context.bridgeId !== session.bridgeId) this.finish(session, undefined, undefined);
    return session;
  }

  /** The session of this application, by id or (the live one) by name. */
  private find(applicationId: string, idOrName: string): Session | undefined {
    const byId = this.sessions.get(idOrName);
    if (byId?.applicationId === applicationId) return this.checked(byId);
    for (const session of this.byBridge.values()) {
      if (session.applicationId === applicationId && session.name === idOrName) return this.checked(session);
    }
    return undefined;
  }

  /** A live session, or ControlError. */
  private live(applicationId: string, id: string): Session {
    const session = this.find(applicationId, id);
    if (!session) throw new ControlError('not-found', `no conference ${id}`);
    if (session.status === 'completed') throw new ControlError('gone', `conference ${id} is over`);
    return session;
  }

  private record(session: Session): ConferenceRecord {
    return {
      id: session.id,
      applicationId: session.applicationId,
      name: session.name,
      status: session.status,
      createdAt: session.createdAt,
      updatedAt: session.updatedAt,
      ...(session.endReason === undefined ? {} : { endReason: session.endReason }),
      ...(session.endedByUuid === undefined ? {} : { endedByUuid: session.endedByUuid }),
    };
  }

  list(applicationId: string, filter: { readonly name?: string; readonly status?: ConferenceRecord['status'] }): readonly ConferenceRecord[] {
    const out: ConferenceRecord[] = [];
    for (const session of [...this.sessions.values()].reverse()) {
      if (session.applicationId !== applicationId) continue;
      this.checked(session);
      if (filter.name !== undefined && session.name !== filter.name) continue;
      if (filter.status !== undefined && session.status !== filter.status) continue;
      out.push(this.record(session));
    }
    return out;
  }

  get(applicationId: string, idOrName: string): ConferenceRecord | undefined {
    const session = this.find(applicationId, idOrName);
    return session && this.record(session);
  }

  end(applicationId: string, id: string): Promise<void> {
    try {
      const session = this.live(applicationId, id);
      // The room lets every member go and closes: `room.closed` completes the session, before send returns.
      this.deps.rooms.ref(session.key).send({ type: 'conversation.end' });
      this.deps.log.info('conference ended by the program', { conference: session.name, conferenceId: session.id });
      return Promise.resolve();
    } catch (err) {
      // A ControlError, as a rejection like every other method's.
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  async announce(applicationId: string, id: string, source: AnnounceSource): Promise<void> {
    const session = this.live(applicationId, id);
    const context = this.deps.rooms.peek(session.key)?.getSnapshot().context;
    const inMix = context?.ready === true && context.started && context.members.some((m) => m.seated && !m.held);
    if (!inMix) throw new ControlError('invalid', `conference ${id} has nobody in it to hear an announcement yet`);
    const media = await this.render(applicationId, session, source);
    await this.play(session, (playbackId) => this.deps.ari.bridges.play(session.bridgeId, { playbackId, media }));
    this.deps.log.info('announcement played into the conference', { conference: session.name, conferenceId: session.id, items: media.length });
  }

  /** Plays once, routing the playback to us until it finishes (no member's call takes its events); 404: the room or leg is gone. */
  private async play(session: Session, start: (playbackId: string) => Promise<unknown>): Promise<void> {
    const playbackId = uuidv7();
    const unroute = this.deps.ari.events.route(routeKey.playback(playbackId), (event) => {
      if (event.type === 'PlaybackFinished') unroute();
    });
    setTimeout(unroute, UNROUTE_AFTER_MS).unref();
    try {
      await start(playbackId);
    } catch (err) {
      unroute();
      if (isAriStatus(err, 404)) throw new ControlError('gone', `conference ${session.id} is over`);
      throw err;
    }
  }

  /**
   * An announcement's audio: the document at `source` (fetched in the
   * application's dialect) rendered to media, its say, play and wait steps
   * in order (a wait is Asterisk's own silence); anything else is skipped
   * with a warning. An audio reply is a play of its URL.
   */
  private async render(applicationId: string, session: Session, source: AnnounceSource): Promise<string[]> {
    const { deps } = this;
    const app = await deps.store.getApp(applicationId);
    if (!app) throw new ControlError('not-found', `no application ${applicationId}`);
    const log = deps.log.child({ conference: session.name, conferenceId: session.id, voiceApp: app.name });
    const dialect = dialectOf(app);
    const data =
      dialect.name === 'twiml'
        ? { AccountSid: toSid('AC', app.id), ConferenceSid: toSid('CF', session.id), FriendlyName: session.name }
        : { conversation_id: session.id, conversation_name: session.name };
    const reply = await deps.client.fetchDocument({ url: source.url, method: source.method }, undefined, data, { kind: 'answer', wire: dialect.wire(app), log });
    if (!reply.ok) throw new ControlError('invalid', `announce URL: ${reply.reason}`);
    const parsed = dialect.parse(reply.body, { url: reply.url, events: { url: app.eventUrl, method: app.eventMethod } });
    if (!parsed.ok) throw new ControlError('invalid', `announce URL: ${parsed.reason}`);
    const skipped = new Set<string>();
    const signal = new AbortController().signal;
    const parts: Promise<string[]>[] = [];
    for (const step of parsed.program.steps) {
      const rendered = this.renderStep(step, signal);
      if (rendered) parts.push(rendered);
      else skipped.add(step.kind);
    }
    if (skipped.size > 0) log.warn('announcement steps that cannot be played into a conference were skipped', { steps: [...skipped] });
    let media: string[];
    try {
      media = (await Promise.all(parts)).flat();
    } catch (err) {
      throw new ControlError('invalid', `announce URL: a prompt could not be rendered: ${errorMessage(err)}`);
    }
    if (media.length === 0) throw new ControlError('invalid', 'announce URL: the document has nothing to play');
    return media;
  }

  /** One step's media (copies for its loop); undefined for a step an announcement cannot play. */
  private renderStep(step: Step, signal: AbortSignal): Promise<string[]> | undefined {
    const { audio } = this.deps;
    const copies = (loop: number) => (loop === 0 ? ANNOUNCE_MAX_LOOPS : Math.min(loop, ANNOUNCE_MAX_LOOPS));
    switch (step.kind) {
      case 'say':
        return audio.speak({ ...step.speech, level: step.prompt.level }, signal).then((m) => Array.from({ length: copies(step.prompt.loop) }, () => m));
      case 'play':
        return audio.fetch({ url: step.url, level: step.prompt.level }, signal).then((m) => Array.from({ length: copies(step.prompt.loop) }, () => m));
      case 'wait':
        return Promise.resolve(silence(step.ms));
      default:
        return undefined;
    }
  }

  participants(applicationId: string, id: string): readonly ParticipantRecord[] {
    const session = this.find(applicationId, id);
    if (!session) throw new ControlError('not-found', `no conference ${id}`);
    for (const [uuid] of session.dialling) {
      // A leg whose call ended before it joined is not connecting any more.
      if (this.deps.control.get(applicationId, uuid)?.endTime !== undefined) session.dialling.delete(uuid);
    }
    return [...[...session.members.values()].map((p) => p.record), ...session.dialling.values()];
  }

  participant(applicationId: string, id: string, callUuid: string): ParticipantRecord | undefined {
    return this.participants(applicationId, id).find((p) => p.callUuid === callUuid);
  }

  /** The live member on a leg (the latest), or ControlError. */
  private member(session: Session, callUuid: string): Participant {
    const member = [...session.members.values()].findLast((p) => p.record.callUuid === callUuid);
    if (member) return member;
    if (session.dialling.has(callUuid)) throw new ControlError('invalid', `call ${callUuid} is not in conference ${session.id} yet`);
    throw new ControlError('not-found', `no participant ${callUuid} in conference ${session.id}`);
  }

  async addParticipant(applicationId: string, id: string, request: ParticipantRequest): Promise<ParticipantRecord> {
    const session = this.live(applicationId, id);
    const app = await this.deps.store.getApp(applicationId);
    if (!app) throw new ControlError('not-found', `no application ${applicationId}`);
    const call = await this.deps.control.create(applicationId, {
      to: request.to,
      ...(request.from === undefined ? {} : { from: request.from }),
      document: joinDocument(app, session.name, request),
      ...(request.statusUrl === undefined ? {} : { eventUrl: request.statusUrl, eventMethod: request.statusMethod ?? 'POST' }),
      ...(request.statusEvents === undefined ? {} : { statusEvents: request.statusEvents }),
      ...(request.timeoutSeconds === undefined ? {} : { ringingTimer: request.timeoutSeconds }),
    });
    const now = new Date().toISOString();
    const record: ParticipantRecord = {
      conferenceId: session.id,
      callUuid: call.uuid,
      muted: request.muted,
      hold: false,
      startOnEnter: request.startOnEnter,
      endOnExit: request.endOnExit,
      status: 'connecting',
      createdAt: now,
      updatedAt: now,
    };
    // The session may have ended meanwhile: the leg then opens a new one of that name.
    if (session.status !== 'completed') session.dialling.set(call.uuid, record);
    this.deps.log.info('dialling a participant into the conference', { conference: session.name, conferenceId: session.id, uuid: call.uuid });
    return record;
  }

  async updateParticipant(applicationId: string, id: string, callUuid: string, change: ParticipantChange): Promise<ParticipantRecord> {
    const session = this.live(applicationId, id);
    const member = this.member(session, callUuid);
    // Rendered first: a bad announce URL changes nothing.
    const media = change.announce ? await this.render(applicationId, session, change.announce) : undefined;
    const room = this.deps.rooms.ref(session.key);
    if (change.muted !== undefined) room.send({ type: 'conversation.mute', leg: callUuid, muted: change.muted });
    if (change.hold !== undefined) room.send({ type: 'conversation.hold', leg: callUuid, hold: change.hold, ...(change.holdUrl === undefined ? {} : { holdUrl: change.holdUrl }) });
    if (media) {
      // Fact 82: played on a bridged leg, only that leg hears it (and not the mix meanwhile).
      await this.play(session, (playbackId) => this.deps.ari.channels.play(member.channelId, { playbackId, media }));
    }
    return session.members.get(member.memberId)?.record ?? member.record;
  }

  async removeParticipant(applicationId: string, id: string, callUuid: string): Promise<void> {
    const session = this.live(applicationId, id);
    if (session.dialling.has(callUuid)) {
      // Not in yet: the call being placed is hung up.
      session.dialling.delete(callUuid);
      await this.deps.control.modify(applicationId, callUuid, { action: 'hangup' });
      return;
    }
    this.member(session, callUuid);
    this.deps.rooms.ref(session.key).send({ type: 'conversation.kick', leg: callUuid });
  }
}
