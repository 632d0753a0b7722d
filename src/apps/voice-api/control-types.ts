/**
 * What the REST call-control API (src/http/routes/calls.ts) may ask of the
 * voice API's calls, in the service's words; the routes translate Vonage's
 * JSON to and from these. Implemented by src/apps/voice-api/control.ts.
 */

/** Where an outbound call goes. */
export type CallEndpoint =
  | { readonly type: 'phone'; readonly number: string; readonly dtmfAnswer?: string }
  | { readonly type: 'sip'; readonly uri: string; readonly headers?: Readonly<Record<string, string>> };

/** Where a call's document comes from: inline (an NCCO, a TwiML text), or an answer URL fetched when the callee answers. */
export type DocumentSource =
  | { readonly ncco: readonly unknown[] }
  | { readonly twiml: string }
  | { readonly answerUrl: string; readonly answerMethod: 'GET' | 'POST' };

/** A REST `POST /v1/calls`. */
export interface OutboundCallRequest {
  readonly to: CallEndpoint;
  /** The caller id shown to the callee (a phone number). */
  readonly from?: string;
  readonly document: DocumentSource;
  /** Where this call's events go (else the application's event URL). */
  readonly eventUrl?: string;
  readonly eventMethod?: 'GET' | 'POST';
  /** TwiML `StatusCallbackEvent`: which status events go to `eventUrl` (default: the dialect's). */
  readonly statusEvents?: readonly string[];
  /** Seconds to ring (1-600, default 60). */
  readonly ringingTimer?: number;
  /** Longest call, in seconds (default 7200). */
  readonly lengthTimer?: number;
}

/** The status a call is in, in Vonage's words (NCCO.md 4.2). */
export type CallState = 'started' | 'ringing' | 'answered' | 'completed' | 'busy' | 'cancelled' | 'failed' | 'rejected' | 'timeout' | 'unanswered';

/** What is known of one call (live or over), as `GET /v1/calls/{uuid}` shows it. */
export interface CallRecord {
  readonly uuid: string;
  readonly conversationUuid: string;
  readonly applicationId: string;
  readonly direction: 'inbound' | 'outbound';
  readonly status: CallState;
  /** Who is called (`to`) and who calls (`from`). */
  readonly to: CallEndpoint;
  readonly from: { readonly type: 'phone'; readonly number: string };
  readonly startTime: string | undefined;
  readonly endTime: string | undefined;
  /** Whole seconds, once over. */
  readonly duration: number | undefined;
}

/** Filters of `GET /v1/calls`. */
export interface CallFilter {
  readonly status?: CallState;
  readonly dateStart?: string;
  readonly dateEnd?: string;
  readonly conversationUuid?: string;
  readonly order: 'asc' | 'desc';
  readonly recordIndex: number;
  readonly pageSize: number;
}

/** Speech or audio sent into a live leg (`PUT /talk`, `PUT /stream`). */
export type Announcement =
  | { readonly kind: 'talk'; readonly text: string; readonly language?: string; readonly voiceName?: string; readonly loop: number; readonly level: number }
  | { readonly kind: 'stream'; readonly url: string; readonly loop: number; readonly level: number };

/** A call-control request on a live leg (`PUT /v1/calls/{uuid}`). */
export type CallAction =
  | { readonly action: 'hangup' }
  /** Hangs up only a call that is not answered yet (TwiML `Status=canceled`); else `invalid`. */
  | { readonly action: 'cancel' }
  | { readonly action: 'mute' | 'unmute' | 'earmuff' | 'unearmuff' }
  | { readonly action: 'transfer'; readonly document: DocumentSource };

/**
 * Why a control request could not be done: `not-found` (no such call for this
 * application), `gone` (the call is over), `invalid` (the request, e.g. an NCCO
 * that is not valid: `detail` says why).
 */
export class ControlError extends Error {
  constructor(
    readonly reason: 'not-found' | 'gone' | 'invalid',
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'ControlError';
  }
}

/** The voice API's calls, as one application sees them (every method checks the call is that application's). */
export interface CallControl {
  /** Places a call; resolves once Asterisk accepted it (status `started`). */
  create(applicationId: string, request: OutboundCallRequest): Promise<CallRecord>;
  get(applicationId: string, uuid: string): CallRecord | undefined;
  /** A page of calls, and how many match in all. */
  list(applicationId: string, filter: CallFilter): { readonly calls: readonly CallRecord[]; readonly count: number };
  /** Hangs up, mutes, earmuffs, or transfers a live call to a new document; throws ControlError. */
  modify(applicationId: string, uuid: string, action: CallAction): Promise<void>;
  /** Speech or audio into a live leg, over whatever it is doing; throws ControlError. */
  announce(applicationId: string, uuid: string, announcement: Announcement): Promise<void>;
  /** Stops what `announce` started (of that kind); throws ControlError. */
  stopAnnouncement(applicationId: string, uuid: string, kind: Announcement['kind']): Promise<void>;
  /** Sends DTMF into the leg (`p` = a 500 ms pause); throws ControlError. */
  sendDtmf(applicationId: string, uuid: string, digits: string): Promise<void>;
}

/** A named conversation (NCCO `conversation`, TwiML `<Conference>`), live or over, as the REST API shows it. */
export interface ConferenceRecord {
  /** A uuid, stable for this session of the room (a room made again under the same name is a new one). */
  readonly id: string;
  readonly applicationId: string;
  readonly name: string;
  /** `init`: legs wait for a starter; `in-progress`: started; `completed`: over. */
  readonly status: 'init' | 'in-progress' | 'completed';
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Why it ended (Twilio's words: `conference-ended-via-api`, `participant-with-end-conference-on-exit-left`, `last-participant-left`). */
  readonly endReason?: string;
  /** The leg whose leaving ended it. */
  readonly endedByUuid?: string;
}

/** One leg in a conversation. */
export interface ParticipantRecord {
  readonly conferenceId: string;
  readonly callUuid: string;
  readonly muted: boolean;
  readonly hold: boolean;
  readonly startOnEnter: boolean;
  readonly endOnExit: boolean;
  /** `connecting` while it is dialled, `connected` once in. */
  readonly status: 'connecting' | 'connected';
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A document read from a URL and played to a conversation or one leg (TwiML `AnnounceUrl`: audio, or `<Say>`/`<Play>`/`<Pause>`). */
export interface AnnounceSource {
  readonly url: string;
  readonly method: 'GET' | 'POST';
}

/** Dials a new leg into a conversation (TwiML Participants create). */
export interface ParticipantRequest {
  readonly to: CallEndpoint;
  readonly from?: string;
  readonly muted: boolean;
  readonly startOnEnter: boolean;
  readonly endOnExit: boolean;
  readonly beep: boolean;
  readonly waitUrl?: string;
  /** Seconds to ring (default 60). */
  readonly timeoutSeconds?: number;
  /** The new leg's status events (TwiML `StatusCallback`, `StatusCallbackEvent`). */
  readonly statusUrl?: string;
  readonly statusMethod?: 'GET' | 'POST';
  readonly statusEvents?: readonly string[];
  /** The conference's own events (TwiML `ConferenceStatusCallback*`; the first member's that asked wins). */
  readonly conferenceEvents?: { readonly url: string; readonly method: 'GET' | 'POST'; readonly events?: readonly string[] };
  /** Record the conference from its start (TwiML `ConferenceRecord`), its status to `recordingStatusUrl`. */
  readonly record?: boolean;
  readonly recordingStatusUrl?: string;
  readonly recordingStatusMethod?: 'GET' | 'POST';
  /** At most this many legs (TwiML `MaxParticipants`). */
  readonly maxParticipants?: number;
}

/** A change to one leg in a conversation (TwiML Participant update). */
export interface ParticipantChange {
  readonly muted?: boolean;
  readonly hold?: boolean;
  /** What a held leg hears (else the default music on hold). */
  readonly holdUrl?: string;
  /** Played to this leg only. */
  readonly announce?: AnnounceSource;
}

/** The conversations of one application, for the REST API; every method throws ControlError for an unknown or finished one. */
export interface ConferenceControl {
  /** Live and recent conversations, newest first. */
  list(applicationId: string, filter: { readonly name?: string; readonly status?: ConferenceRecord['status'] }): readonly ConferenceRecord[];
  /** By id, or by name (the live one of that name). */
  get(applicationId: string, idOrName: string): ConferenceRecord | undefined;
  /** Ends it: every leg leaves (and goes on with its document, or hangs up). */
  end(applicationId: string, id: string): Promise<void>;
  /** Everyone in it hears this, now (a bridge playback, over the conversation). */
  announce(applicationId: string, id: string, source: AnnounceSource): Promise<void>;
  participants(applicationId: string, id: string): readonly ParticipantRecord[];
  participant(applicationId: string, id: string, callUuid: string): ParticipantRecord | undefined;
  /** Dials `to` and joins it on answer; resolves once the call is placed (status `connecting`). */
  addParticipant(applicationId: string, id: string, request: ParticipantRequest): Promise<ParticipantRecord>;
  updateParticipant(applicationId: string, id: string, callUuid: string, change: ParticipantChange): Promise<ParticipantRecord>;
  /** Takes the leg out (it goes on with the rest of its document). */
  removeParticipant(applicationId: string, id: string, callUuid: string): Promise<void>;
}
