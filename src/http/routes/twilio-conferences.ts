/**
 * Twilio's Conferences and their Participants (TWIML.md §4), translated to
 * ConferenceControl. A conference's path slot takes its `CF…` SID or its
 * friendly name (the live one of that name), as Twilio's docs show; a
 * participant's takes its call's `CA…` SID (labels are not supported).
 * Deliberate differences: `Beep` `onEnter`/`onExit` beep both ways (the
 * control has one switch); an empty `WaitUrl` is the default wait, not
 * silence; `HoldMethod`, `Label` and coaching are ignored, as unknown
 * parameters are. The conference parameters (`ConferenceStatusCallback*`,
 * `ConferenceRecord`, `MaxParticipants`) go on the new leg's `<Conference>`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConferenceControl, ConferenceRecord, ParticipantChange, ParticipantRecord, ParticipantRequest } from '../../apps/voice-api/control-types.js';
import { fromSid, toSid } from '../../documents/twiml/sids.js';
import { badParam, notFound, unavailable } from '../twilio-errors.js';
import { accountOf, controlled, pathSid, type AccountParams } from './twilio-context.js';
import { bodyForm, bool, callerId, destination, list, method, oneOf, queryForm, statusEvents, text, url, whole, type Form } from './twilio-form.js';
import { accountPath, conferenceJson, pageJson, pageOf, pageRequest, participantJson } from './twilio-resources.js';

const CONFERENCE_STATUSES = ['init', 'in-progress', 'completed'] as const;

type ByConference = { Params: AccountParams & { conference: string } };
type ByFile = { Params: AccountParams & { file: string } };
type ByParticipant = { Params: AccountParams & { conference: string; file: string } };

// Any Twilio SID: a path slot shaped so but of another kind names nothing here.
const ANY_SID = /^[A-Za-z]{2}[0-9a-fA-F]{32}$/;

/** `Beep`: true, false, onEnter or onExit (both beeping: the control has one switch). */
function beep(form: Form): boolean {
  const value = oneOf(form, 'Beep', ['true', 'false', 'onEnter', 'onExit'] as const);
  return value !== 'false';
}

function participantRequest(form: Form): ParticipantRequest {
  const request: { -readonly [K in keyof ParticipantRequest]: ParticipantRequest[K] } = {
    to: destination(form),
    from: callerId(form),
    muted: bool(form, 'Muted') ?? false,
    startOnEnter: bool(form, 'StartConferenceOnEnter') ?? true,
    endOnExit: bool(form, 'EndConferenceOnExit') ?? false,
    beep: beep(form),
  };
  if (text(form, 'WaitUrl') !== '') {
    const waitUrl = url(form, 'WaitUrl');
    if (waitUrl !== undefined) request.waitUrl = waitUrl;
  }
  const timeout = whole(form, 'Timeout', 5, 600);
  if (timeout !== undefined) request.timeoutSeconds = timeout;
  const statusUrl = url(form, 'StatusCallback');
  const statusMethod = method(form, 'StatusCallbackMethod', 'POST');
  if (statusUrl !== undefined) {
    request.statusUrl = statusUrl;
    request.statusMethod = statusMethod;
  }
  const events = statusEvents(form);
  if (events !== undefined) request.statusEvents = events;
  const conferenceUrl = url(form, 'ConferenceStatusCallback');
  if (conferenceUrl !== undefined) {
    const kinds = conferenceEvents(form);
    request.conferenceEvents = { url: conferenceUrl, method: method(form, 'ConferenceStatusCallbackMethod', 'POST'), ...(kinds === undefined ? {} : { events: kinds }) };
  }
  const record = oneOf(form, 'ConferenceRecord', ['true', 'false', 'record-from-start', 'do-not-record'] as const);
  if (record === 'true' || record === 'record-from-start') request.record = true;
  const recordingUrl = url(form, 'ConferenceRecordingStatusCallback');
  if (recordingUrl !== undefined) {
    request.recordingStatusUrl = recordingUrl;
    request.recordingStatusMethod = method(form, 'ConferenceRecordingStatusCallbackMethod', 'POST');
  }
  const max = whole(form, 'MaxParticipants', 2, 250);
  if (max !== undefined) request.maxParticipants = max;
  return request;
}

const CONFERENCE_EVENTS = ['start', 'end', 'join', 'leave', 'mute', 'hold', 'modify', 'speaker', 'announcement'] as const;

/** `ConferenceStatusCallbackEvent`: words of CONFERENCE_EVENTS, or undefined (Twilio's default, start and end). */
function conferenceEvents(form: Form): string[] | undefined {
  const events = list(form, 'ConferenceStatusCallbackEvent');
  if (events === undefined) return undefined;
  const bad = events.find((e) => !(CONFERENCE_EVENTS as readonly string[]).includes(e));
  if (bad !== undefined) throw badParam(`ConferenceStatusCallbackEvent must be words of ${CONFERENCE_EVENTS.join(', ')}, got ${JSON.stringify(bad).slice(0, 40)}`);
  return [...new Set(events)];
}

function participantChange(form: Form): ParticipantChange {
  const change: { -readonly [K in keyof ParticipantChange]: ParticipantChange[K] } = {};
  const muted = bool(form, 'Muted');
  if (muted !== undefined) change.muted = muted;
  const hold = bool(form, 'Hold');
  if (hold !== undefined) change.hold = hold;
  const holdUrl = url(form, 'HoldUrl');
  if (holdUrl !== undefined) change.holdUrl = holdUrl;
  const announceUrl = url(form, 'AnnounceUrl');
  if (announceUrl !== undefined) change.announce = { url: announceUrl, method: method(form, 'AnnounceMethod', 'POST') };
  return change;
}

/** Registers the Conferences and Participants routes on the (authenticated) scope. */
export function twilioConferenceRoutes(scope: FastifyInstance, deps: { conferences?: ConferenceControl }): void {
  const onRequest = (_request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
    done(deps.conferences ? undefined : unavailable('conferences are'));
  };
  const control = () => deps.conferences!;
  const base = '/Accounts/:accountSid/Conferences';

  /** The conference a path slot names (its CF SID or friendly name), else 404. */
  const conferenceOf = (request: FastifyRequest, slot: string): ConferenceRecord => {
    const id = fromSid('CF', slot);
    if (id === undefined && ANY_SID.test(slot)) throw notFound(request.url);
    const conference = control().get(accountOf(request).app.id, id ?? slot);
    if (!conference) throw notFound(request.url);
    return conference;
  };
  const bySlotFile = (request: FastifyRequest, file: string) => {
    if (!file.endsWith('.json') || file.length === '.json'.length) throw notFound(request.url);
    return conferenceOf(request, file.slice(0, -'.json'.length));
  };
  const participantOf = (request: FastifyRequest, conference: ConferenceRecord, file: string): ParticipantRecord => {
    const found = control().participant(accountOf(request).app.id, conference.id, pathSid(request, file, 'CA'));
    if (!found) throw notFound(request.url);
    return found;
  };
  const what = (conference: ConferenceRecord) => `conference ${conference.name}`;

  scope.get<{ Params: AccountParams }>(`${base}.json`, { onRequest }, (request) => {
    const { app, accountSid } = accountOf(request);
    const query = queryForm(request);
    const page = pageRequest(query);
    const name = text(query, 'FriendlyName', 128);
    const status = oneOf(query, 'Status', CONFERENCE_STATUSES);
    const filters: Record<string, string> = {};
    if (name !== undefined) filters.FriendlyName = name;
    if (status !== undefined) filters.Status = status;
    const all = control().list(app.id, { ...(name !== undefined ? { name } : {}), ...(status !== undefined ? { status } : {}) });
    const items = pageOf(all, page).map((c) => conferenceJson(c, accountSid));
    return pageJson('conferences', `${accountPath(accountSid)}/Conferences.json`, filters, page, items, all.length);
  });

  scope.get<ByFile>(`${base}/:file`, { onRequest }, (request) => conferenceJson(bySlotFile(request, request.params.file), accountOf(request).accountSid));

  scope.post<ByFile>(`${base}/:file`, { onRequest }, async (request) => {
    const { app, accountSid } = accountOf(request);
    const conference = bySlotFile(request, request.params.file);
    const form = bodyForm(request);
    const status = oneOf(form, 'Status', ['completed'] as const);
    const announceUrl = url(form, 'AnnounceUrl');
    const announceMethod = method(form, 'AnnounceMethod', 'POST');
    if (status !== undefined && announceUrl !== undefined) throw badParam('Status and AnnounceUrl cannot both be given');
    if (announceUrl !== undefined) await controlled(request, what(conference), () => control().announce(app.id, conference.id, { url: announceUrl, method: announceMethod }));
    if (status === 'completed') await controlled(request, what(conference), () => control().end(app.id, conference.id));
    // An ended conference may be gone from the control's view already.
    const now = control().get(app.id, conference.id) ?? (status === 'completed' ? { ...conference, status: 'completed' as const } : conference);
    return conferenceJson(now, accountSid);
  });

  scope.post<ByConference>(`${base}/:conference/Participants.json`, { onRequest }, async (request, reply) => {
    const { app, accountSid } = accountOf(request);
    const conference = conferenceOf(request, request.params.conference);
    const participant = await controlled(request, what(conference), () => control().addParticipant(app.id, conference.id, participantRequest(bodyForm(request))));
    return reply.code(201).send(participantJson(participant, accountSid));
  });

  scope.get<ByConference>(`${base}/:conference/Participants.json`, { onRequest }, (request) => {
    const { app, accountSid } = accountOf(request);
    const conference = conferenceOf(request, request.params.conference);
    const query = queryForm(request);
    const page = pageRequest(query);
    const muted = bool(query, 'Muted');
    const hold = bool(query, 'Hold');
    const filters: Record<string, string> = {};
    if (muted !== undefined) filters.Muted = String(muted);
    if (hold !== undefined) filters.Hold = String(hold);
    const all = control()
      .participants(app.id, conference.id)
      .filter((p) => (muted === undefined || p.muted === muted) && (hold === undefined || p.hold === hold));
    const items = pageOf(all, page).map((p) => participantJson(p, accountSid));
    return pageJson('participants', `${accountPath(accountSid)}/Conferences/${toSid('CF', conference.id)}/Participants.json`, filters, page, items, all.length);
  });

  const participantPath = `${base}/:conference/Participants/:file`;
  scope.get<ByParticipant>(participantPath, { onRequest }, (request) => {
    const conference = conferenceOf(request, request.params.conference);
    return participantJson(participantOf(request, conference, request.params.file), accountOf(request).accountSid);
  });

  scope.post<ByParticipant>(participantPath, { onRequest }, async (request) => {
    const { app, accountSid } = accountOf(request);
    const conference = conferenceOf(request, request.params.conference);
    const callUuid = pathSid(request, request.params.file, 'CA');
    const change = participantChange(bodyForm(request));
    const updated = await controlled(request, what(conference), () => control().updateParticipant(app.id, conference.id, callUuid, change));
    return participantJson(updated, accountSid);
  });

  scope.delete<ByParticipant>(participantPath, { onRequest }, async (request, reply) => {
    const { app } = accountOf(request);
    const conference = conferenceOf(request, request.params.conference);
    const callUuid = pathSid(request, request.params.file, 'CA');
    await controlled(request, what(conference), () => control().removeParticipant(app.id, conference.id, callUuid));
    return reply.code(204).send();
  });
}
