/**
 * The fields of every request a TwiML program receives (TWIML.md §3): the
 * standard parameters, a verb's result (`<Gather>`, `<Record>`, `<Dial>`,
 * `<Redirect>`, conference events and recordings) and the call's status
 * callbacks. Values are strings, as a form body or a query carries them;
 * the statuses come in the service's words (dialect.ts `CallStatus`) and
 * leave in Twilio's (MAPPING.md §2).
 */
import { AppError } from '../../errors.js';
import type { Report, StepResult } from '../../../states/document/program.js';
import type { CallStatus, DialectCall, StatusExtra } from '../dialect.js';
import { toSid, type SidPrefix } from './sids.js';

/** Request fields, as they go on the wire. */
export type TwimlParams = Record<string, string>;

const CALL_STATUS: Readonly<Record<CallStatus, string>> = {
  started: 'queued',
  ringing: 'ringing',
  answered: 'in-progress',
  completed: 'completed',
  busy: 'busy',
  timeout: 'no-answer',
  unanswered: 'no-answer',
  failed: 'failed',
  // Declined (cause 21, `<Reject reason="rejected">`): Twilio's final status is no-answer (TWIML.md, MAPPING.md §2).
  rejected: 'no-answer',
  cancelled: 'canceled',
};

/** A call status in Twilio's `CallStatus` words (`answered` → `in-progress`, `cancelled` → `canceled`…). */
export function callStatus(status: CallStatus): string {
  return CALL_STATUS[status];
}

// A dial result is the dialled leg's last status; Twilio's `DialCallStatus` has
// no `queued` or `ringing`, so those are not results.
const DIAL_CALL_STATUS: Readonly<Partial<Record<string, string>>> = (({ started: _queued, ringing: _ringing, ...final }) => ({ ...final, answered: 'answered' }))(CALL_STATUS);

/** A dialled leg's final status as `<Dial action>`'s `DialCallStatus`. Throws AppError INVALID_INPUT for a status that is not final. */
export function dialCallStatus(status: string): string {
  const mapped = DIAL_CALL_STATUS[status];
  if (mapped === undefined) throw new AppError('INVALID_INPUT', `a dial result needs a final status, got ${JSON.stringify(status)}`);
  return mapped;
}

/** The parameters every request of a call carries (TWIML.md §3.1), with `CallStatus` the call's status now. */
export function standardParams(call: DialectCall): TwimlParams {
  return {
    CallSid: sid('CA', call.leg.uuid),
    AccountSid: sid('AC', call.app.id),
    // Numbers go as the leg has them: a `+` the program or the caller id wrote is kept,
    // none is added (the leg keeps no number plan to know which are E.164; SIP names stay as they are).
    From: call.leg.from,
    To: call.leg.to,
    CallStatus: callStatus(call.status),
    ApiVersion: '2010-04-01',
    Direction: call.leg.direction === 'inbound' ? 'inbound' : 'outbound-api',
  };
}

/**
 * A document request: the standard parameters; `ringing` while an inbound leg
 * is not answered (Twilio's voice URL request), else its status. An outbound
 * leg (a REST call's Url, a `<Number url>`) is fetched once it answered: `in-progress`.
 */
export function answerParams(call: DialectCall): TwimlParams {
  const unanswered = call.status === 'started' || call.status === 'ringing';
  const status = unanswered ? (call.leg.direction === 'outbound' ? 'in-progress' : 'ringing') : callStatus(call.status);
  return { ...standardParams(call), CallStatus: status };
}

/** How report fields refer to things only the runtime knows. */
export interface ReportLinks {
  /** The service's public base URL (recording URLs hang off it). */
  readonly publicUrl: string;
}

/**
 * A step's result as the fields of its request, in the shape `report.shape`
 * names, with the standard parameters; undefined when Twilio sends no request
 * (an empty `<Gather>`, an empty `<Record>`). Throws AppError INVALID_INPUT for
 * an unknown shape or a result of the wrong kind.
 */
export function reportParams(report: Report, result: StepResult, call: DialectCall, links: ReportLinks): TwimlParams | undefined {
  const base = standardParams(call);
  switch (report.shape) {
    case 'twiml-gather':
    case 'twiml-gather-always': {
      const r = expect(result, 'collect', report.shape);
      // Without actionOnEmptyResult, Twilio skips the action on no keys and runs the next verb.
      if (r.digits === '' && report.shape === 'twiml-gather') return undefined;
      return { ...base, Digits: r.digits };
    }
    case 'twiml-record': {
      const r = expect(result, 'record', report.shape);
      const seconds = recordingSeconds(r);
      // A 44-byte WAV is a header and no audio: Twilio makes no request for an empty recording.
      if (seconds === 0 || r.size <= 44) return undefined;
      return {
        ...base,
        ...recordingFields(base, r.recordingId, links),
        RecordingDuration: String(seconds),
        ...(r.endedBy === undefined ? {} : { Digits: r.endedBy }),
      };
    }
    case 'twiml-recording-status':
    case 'twiml-dial-recording':
    case 'twiml-conference-recording': {
      const r = expect(result, 'record', report.shape);
      // No ConferenceSid: a record result does not say which conversation it recorded.
      return {
        ...base,
        ...recordingFields(base, r.recordingId, links),
        RecordingStatus: 'completed',
        RecordingDuration: String(recordingSeconds(r)),
        RecordingChannels: '1',
        RecordingSource: RECORDING_SOURCES[report.shape] ?? 'RecordVerb',
      };
    }
    case 'twiml-dial': {
      const r = expect(result, 'dial', report.shape);
      return {
        ...base,
        DialCallStatus: dialCallStatus(r.status),
        ...(r.legUuid === undefined ? {} : { DialCallSid: sid('CA', r.legUuid) }),
        ...(r.durationSeconds === undefined ? {} : { DialCallDuration: String(Math.round(r.durationSeconds)) }),
        ...(r.recording === undefined
          ? {}
          : { ...recordingFields(base, r.recording.recordingId, links), RecordingDuration: String(recordingSeconds({ kind: 'record', ...r.recording })) }),
      };
    }
    case 'twiml-action':
    case 'twiml-conference-events': {
      const r = expect(result, 'notify', report.shape);
      // The payload is the more specific: its fields win over the standard ones.
      return { ...base, ...stringFields(r.payload) };
    }
    default:
      throw new AppError('INVALID_INPUT', `unknown TwiML report shape ${JSON.stringify(report.shape)}`);
  }
}

/** Twilio's `RecordingSource` for each recording status shape. */
const RECORDING_SOURCES: Readonly<Record<string, string>> = { 'twiml-recording-status': 'RecordVerb', 'twiml-dial-recording': 'DialVerb', 'twiml-conference-recording': 'Conference' };

/** Twilio's `StatusCallbackEvent` word for a status: every final status is `completed`. */
export function statusCallbackEvent(status: CallStatus): string {
  switch (status) {
    case 'started':
      return 'initiated';
    case 'ringing':
      return 'ringing';
    case 'answered':
      return 'answered';
    default:
      return 'completed';
  }
}

/** Events sent when the program named none (TWIML.md §3.2). */
export const DEFAULT_STATUS_EVENTS: readonly string[] = Object.freeze(['completed']);

/**
 * A status callback's fields (TWIML.md §3.2); undefined when `events` does not
 * ask for this status's event word, or for a `failed` that is an invalid
 * document (`detail: internal_error`): NCCO reports that as an event, Twilio does not.
 */
export function statusCallback(
  call: DialectCall,
  status: CallStatus,
  at: Date,
  extra: StatusExtra = {},
  events: readonly string[] = DEFAULT_STATUS_EVENTS,
): TwimlParams | undefined {
  if (status === 'failed' && extra.detail === 'internal_error') return undefined;
  const event = statusCallbackEvent(status);
  // No events listed means Twilio's default: only `completed`.
  if (!(events.length === 0 ? DEFAULT_STATUS_EVENTS : events).includes(event)) return undefined;
  const params: TwimlParams = {
    ...standardParams(call),
    CallStatus: callStatus(status),
    // RFC 2822 as Date#toUTCString writes it (`GMT`, not `+0000`).
    Timestamp: at.toUTCString(),
    CallbackSource: 'call-progress-events',
  };
  // A leg dialled from a call is Twilio's `outbound-dial`, and names its parent.
  if (extra.parentUuid !== undefined) {
    params['Direction'] = 'outbound-dial';
    params['ParentCallSid'] = sid('CA', extra.parentUuid);
  }
  if (event === 'completed' && extra.durationSeconds !== undefined) {
    params['CallDuration'] = String(Math.max(0, Math.round(extra.durationSeconds)));
  }
  // No SequenceNumber: it would need a counter per call, kept beside the call; programs rarely read it.
  return params;
}

/** Twilio's conference `StatusCallbackEvent` words. */
export type ConferenceEventName =
  | 'conference-start'
  | 'conference-end'
  | 'participant-join'
  | 'participant-leave'
  | 'participant-mute'
  | 'participant-unmute'
  | 'participant-hold'
  | 'participant-unhold';

// The `statusCallbackEvent` word that asks for each event: `mute` and `hold` ask for both directions.
const CONFERENCE_EVENT_WORD: Readonly<Record<ConferenceEventName, string>> = {
  'conference-start': 'start',
  'conference-end': 'end',
  'participant-join': 'join',
  'participant-leave': 'leave',
  'participant-mute': 'mute',
  'participant-unmute': 'mute',
  'participant-hold': 'hold',
  'participant-unhold': 'hold',
};

/** True when `<Conference statusCallbackEvent>`'s words (`start end join leave mute hold`) ask for this event. */
export function asksConferenceEvent(kinds: readonly string[], event: ConferenceEventName): boolean {
  return kinds.includes(CONFERENCE_EVENT_WORD[event]);
}

/** A participant as a conference event describes it. */
export interface ConferenceParticipant {
  /** The participant's leg uuid (its `CallSid`). */
  readonly leg: string;
  readonly muted: boolean;
  readonly held: boolean;
  readonly startOnEnter: boolean;
  readonly endOnExit: boolean;
}

/** What one conference event says: the conference, when, its place in the conference's sequence, and the event's own facts. */
export type ConferenceEvent = {
  readonly applicationId: string;
  /** The session's uuid (its `ConferenceSid`). */
  readonly conferenceId: string;
  /** The conference's name (`FriendlyName`). */
  readonly name: string;
  readonly at: Date;
  /** 1 for the conference's first event sent, then on. */
  readonly sequence: number;
} & (
  | { readonly event: 'conference-start' }
  | {
      readonly event: 'conference-end';
      /** Twilio's `ReasonConferenceEnded` words (`last-participant-left`…). */
      readonly reason: string;
      /** The leg whose leaving ended it (`CallSidEndingConference`). */
      readonly endedBy?: string;
    }
  | { readonly event: Exclude<ConferenceEventName, 'conference-start' | 'conference-end'>; readonly participant: ConferenceParticipant }
);

/**
 * A conference status callback's fields (`<Conference statusCallback>`,
 * TWIML.md `<Conference>`): the conference, the event, its RFC 2822
 * `Timestamp` and `SequenceNumber`, and the participant's `CallSid` and
 * flags, or why the conference ended. Throws AppError INVALID_INPUT when an
 * id is not a uuid.
 */
export function conferenceEventParams(e: ConferenceEvent): TwimlParams {
  const params: TwimlParams = {
    AccountSid: sid('AC', e.applicationId),
    ConferenceSid: sid('CF', e.conferenceId),
    FriendlyName: e.name,
    StatusCallbackEvent: e.event,
    Timestamp: e.at.toUTCString(),
    SequenceNumber: String(e.sequence),
  };
  if (e.event === 'conference-start') return params;
  if (e.event === 'conference-end') {
    return { ...params, ReasonConferenceEnded: e.reason, ...(e.endedBy === undefined ? {} : { CallSidEndingConference: sid('CA', e.endedBy) }) };
  }
  const p = e.participant;
  return {
    ...params,
    CallSid: sid('CA', p.leg),
    Muted: String(p.muted),
    Hold: String(p.held),
    EndConferenceOnExit: String(p.endOnExit),
    StartConferenceOnEnter: String(p.startOnEnter),
  };
}

function recordingFields(base: TwimlParams, recordingId: string, links: ReportLinks): TwimlParams {
  const recordingSid = sid('RE', recordingId);
  // No extension: the program adds `.wav` or `.mp3` to choose the format (TWIML.md §3.1).
  const url = `${links.publicUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${base['AccountSid']!}/Recordings/${recordingSid}`;
  return { RecordingSid: recordingSid, RecordingUrl: url };
}

/** Whole seconds between a recording's start and end. */
function recordingSeconds(r: Extract<StepResult, { kind: 'record' }>): number {
  const ms = Date.parse(r.endTime) - Date.parse(r.startTime);
  if (Number.isNaN(ms)) throw new AppError('INVALID_INPUT', `record result has a bad start or end time: ${r.startTime} / ${r.endTime}`);
  return Math.max(0, Math.round(ms / 1000));
}

/** A notify payload as form fields: scalars as text, objects as JSON, null and undefined left out. */
function stringFields(payload: Readonly<Record<string, unknown>>): TwimlParams {
  const fields: [string, string][] = [];
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'string') fields.push([name, value]);
    else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') fields.push([name, String(value)]);
    else fields.push([name, JSON.stringify(value)]);
  }
  return Object.fromEntries(fields);
}

function sid(prefix: SidPrefix, uuid: string): string {
  try {
    return toSid(prefix, uuid);
  } catch (err) {
    throw new AppError('INVALID_INPUT', `no ${prefix} SID for ${JSON.stringify(uuid)}: not a uuid`, { cause: err });
  }
}

function expect<K extends StepResult['kind']>(result: StepResult, kind: K, shape: string): Extract<StepResult, { kind: K }> {
  if (result.kind !== kind) {
    throw new AppError('INVALID_INPUT', `report shape ${shape} needs a ${kind} result, got ${result.kind}`);
  }
  return result as Extract<StepResult, { kind: K }>;
}
