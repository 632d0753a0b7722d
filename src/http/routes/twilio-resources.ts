/**
 * The Twilio REST API's resources as JSON (TWIML.md §4 field names): Call,
 * Conference, Participant, Recording and list pages. Times are RFC 2822 as
 * Twilio writes them; URIs are relative (`/2010-04-01/…`), as Twilio's are,
 * and the SDK joins them to its base URL. Fields of things this service does
 * not have (prices, trunks, caller-name lookups…) are null.
 */
import type { CallRecord, ConferenceRecord, ParticipantRecord } from '../../apps/voice-api/control-types.js';
import { callStatus } from '../../documents/twiml/payloads.js';
import { toSid, type SidPrefix } from '../../documents/twiml/sids.js';
import type { VoiceRecording } from '../../storage/index.js';
import { whole, type Form } from './twilio-form.js';

export const API_VERSION = '2010-04-01';

type Json = Record<string, unknown>;

/** An ISO time as Twilio writes times (`Thu, 03 Dec 2026 12:00:00 +0000`); null when unknown. */
export function rfc2822(iso: string | undefined): string | null {
  if (iso === undefined) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date.toUTCString().replace(/GMT$/, '+0000');
}

/** The SID of an id that should be a uuid; null when it is not one (an id made before SIDs, in a test…). */
export function sidOrNull(prefix: SidPrefix, id: string | undefined): string | null {
  try {
    return id === undefined ? null : toSid(prefix, id);
  } catch {
    return null;
  }
}

/** `/2010-04-01/Accounts/AC…`: where an account's resources hang. */
export function accountPath(accountSid: string): string {
  return `/${API_VERSION}/Accounts/${accountSid}`;
}

/** A call leg as Twilio's Call resource. */
export function callJson(call: CallRecord, accountSid: string): Json {
  const sid = toSid('CA', call.uuid);
  const to = call.to.type === 'phone' ? call.to.number : call.to.uri;
  // Numbers as the leg has them (E.164 `+` kept as written): the webhooks send them so too (twiml/payloads.ts).
  const from = call.from.number;
  return {
    sid,
    date_created: rfc2822(call.startTime ?? call.endTime),
    date_updated: rfc2822(call.endTime ?? call.startTime),
    parent_call_sid: null,
    account_sid: accountSid,
    to,
    to_formatted: to,
    from,
    from_formatted: from,
    phone_number_sid: null,
    status: callStatus(call.status),
    start_time: rfc2822(call.startTime),
    end_time: rfc2822(call.endTime),
    duration: call.duration === undefined ? null : String(call.duration),
    price: null,
    price_unit: null,
    direction: call.direction === 'inbound' ? 'inbound' : 'outbound-api',
    answered_by: null,
    api_version: API_VERSION,
    forwarded_from: null,
    group_sid: null,
    caller_name: null,
    queue_time: null,
    trunk_sid: null,
    uri: `${accountPath(accountSid)}/Calls/${sid}.json`,
    // Twilio lists recordings, notifications, streams… of a call here; this service serves none of those lists.
    subresource_uris: {},
  };
}

/** A conversation as Twilio's Conference resource. */
export function conferenceJson(conference: ConferenceRecord, accountSid: string): Json {
  const sid = toSid('CF', conference.id);
  const uri = `${accountPath(accountSid)}/Conferences/${sid}`;
  return {
    account_sid: accountSid,
    date_created: rfc2822(conference.createdAt),
    date_updated: rfc2822(conference.updatedAt),
    api_version: API_VERSION,
    friendly_name: conference.name,
    region: null,
    sid,
    status: conference.status,
    uri: `${uri}.json`,
    subresource_uris: { participants: `${uri}/Participants.json` },
    reason_conference_ended: conference.endReason ?? null,
    call_sid_ending_conference: sidOrNull('CA', conference.endedByUuid),
  };
}

/** A leg in a conversation as Twilio's Participant resource. */
export function participantJson(participant: ParticipantRecord, accountSid: string): Json {
  const conferenceSid = toSid('CF', participant.conferenceId);
  const callSid = toSid('CA', participant.callUuid);
  return {
    account_sid: accountSid,
    call_sid: callSid,
    label: null,
    call_sid_to_coach: null,
    coaching: false,
    conference_sid: conferenceSid,
    date_created: rfc2822(participant.createdAt),
    date_updated: rfc2822(participant.updatedAt),
    end_conference_on_exit: participant.endOnExit,
    muted: participant.muted,
    hold: participant.hold,
    start_conference_on_enter: participant.startOnEnter,
    status: participant.status,
    queue_time: null,
    uri: `${accountPath(accountSid)}/Conferences/${conferenceSid}/Participants/${callSid}.json`,
  };
}

/** A recording as a minimal Recording resource (`….json`). */
export function recordingJson(recording: VoiceRecording, accountSid: string, sid: string): Json {
  return {
    account_sid: accountSid,
    api_version: API_VERSION,
    call_sid: sidOrNull('CA', recording.callUuid),
    conference_sid: null,
    date_created: rfc2822(recording.createdAt),
    date_updated: rfc2822(recording.createdAt),
    start_time: rfc2822(recording.createdAt),
    // The store keeps the file's size, not its length in time.
    duration: null,
    sid,
    price: null,
    price_unit: null,
    status: 'completed',
    channels: 1,
    source: null,
    error_code: null,
    uri: `${accountPath(accountSid)}/Recordings/${sid}.json`,
    media_url: `${accountPath(accountSid)}/Recordings/${sid}`,
    subresource_uris: {},
  };
}

/** Which page of a list: `PageSize` (1-1000, default 50) and `Page` (from 0). */
export interface PageRequest {
  readonly page: number;
  readonly pageSize: number;
}

/** The page a list request asks for. */
export function pageRequest(query: Form): PageRequest {
  return { pageSize: whole(query, 'PageSize', 1, 1000) ?? 50, page: whole(query, 'Page', 0, 1_000_000) ?? 0 };
}

/**
 * A list page: `key` holds this page's items; the URIs repeat the filters,
 * relative, as Twilio's do. `total` is how many match in all.
 */
export function pageJson(key: string, path: string, filters: Readonly<Record<string, string>>, request: PageRequest, items: readonly Json[], total: number): Json {
  const uri = (page: number) => `${path}?${new URLSearchParams({ ...filters, PageSize: String(request.pageSize), Page: String(page) }).toString()}`;
  const start = request.page * request.pageSize;
  return {
    [key]: items,
    first_page_uri: uri(0),
    next_page_uri: start + request.pageSize < total ? uri(request.page + 1) : null,
    previous_page_uri: request.page > 0 ? uri(request.page - 1) : null,
    page: request.page,
    page_size: request.pageSize,
    start,
    end: items.length === 0 ? start : start + items.length - 1,
    uri: uri(request.page),
  };
}

/** The slice of `all` a page request asks for. */
export function pageOf<T>(all: readonly T[], request: PageRequest): T[] {
  const start = request.page * request.pageSize;
  return all.slice(start, start + request.pageSize);
}
