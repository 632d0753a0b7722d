/**
 * What the REST call-control API (src/http/routes/calls.ts) may ask of the
 * voice API's calls, in the service's words; the routes translate Vonage's
 * JSON to and from these. Implemented by src/apps/voice-api/control.ts.
 */

/** Where an outbound call goes. */
export type CallEndpoint =
  | { readonly type: 'phone'; readonly number: string; readonly dtmfAnswer?: string }
  | { readonly type: 'sip'; readonly uri: string; readonly headers?: Readonly<Record<string, string>> };

/** Where a call's document comes from: inline, or an answer URL fetched when the callee answers. */
export type DocumentSource = { readonly ncco: readonly unknown[] } | { readonly answerUrl: string; readonly answerMethod: 'GET' | 'POST' };

/** A REST `POST /v1/calls`. */
export interface OutboundCallRequest {
  readonly to: CallEndpoint;
  /** The caller id shown to the callee (a phone number). */
  readonly from?: string;
  readonly document: DocumentSource;
  /** Where this call's events go (else the application's event URL). */
  readonly eventUrl?: string;
  readonly eventMethod?: 'GET' | 'POST';
  /** Seconds to ring (1-120, default 60). */
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
