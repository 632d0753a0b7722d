/**
 * A dialect: how one family of call documents (Vonage NCCO, Twilio TwiML)
 * talks with its program. Both parse into the same Program and run on the
 * same document machine and effects; what differs is here: the document's
 * syntax, the requests' fields and encoding, their signature, and which
 * status events are sent. src/documents/ncco and src/documents/twiml each
 * implement it; the voice-API effects only call this interface.
 */
import type { Program, Report, StepResult } from '../../states/document/program.js';
import type { VoiceApp, WebhookMethod } from '../storage/voice-types.js';
import type { WebhookTarget } from '../webhooks/client.js';
import type { Leg } from './leg.js';

/** The dialects an application can speak. */
export type DialectName = 'ncco' | 'twiml';

/** A call's status, in the service's words (NCCO's, which TwiML maps to its own). */
export type CallStatus =
  | 'started'
  | 'ringing'
  | 'answered'
  | 'completed'
  | 'busy'
  | 'timeout'
  | 'unanswered'
  | 'failed'
  | 'rejected'
  | 'cancelled';

/** What a status event may carry besides the status. */
export interface StatusExtra {
  readonly startTime?: Date;
  readonly endTime?: Date;
  readonly durationSeconds?: number;
  /** Why it failed or ended (a one-line reason). */
  readonly reason?: string;
  /** Vonage's `detail` word (`internal_error`, `declined`…). */
  readonly detail?: string;
  /** The leg that dialled this one, when it was dialled from a call. */
  readonly parentUuid?: string;
}

/** Where a call's status events go: a URL, and (TwiML) which events are asked for. */
export interface StatusTarget extends WebhookTarget {
  /** TwiML `StatusCallbackEvent` words (`initiated ringing answered completed`); absent: the dialect's default. */
  readonly events?: readonly string[];
}

/** Where a document came from: relative URLs resolve against it (TwiML); events default to the call's. */
export interface DocumentOrigin {
  /** The URL the document was fetched from; absent for an inline document. */
  readonly url?: string;
  /** The call's event URL and method (NCCO actions without an `eventUrl` report there). */
  readonly events: WebhookTarget;
}

/** Something in a valid document that will not run as written: logged once when the document is accepted. */
export interface DocumentNote {
  readonly level: 'error' | 'debug';
  readonly message: string;
  /** Where in the document (`index 2, canSpeak`; `<Gather> input`). */
  readonly where?: string;
}

/** A parsed document, or why it is not valid (one line naming the element / field). */
export type ParsedDocument =
  | { readonly ok: true; readonly program: Program; readonly notes: readonly DocumentNote[] }
  | { readonly ok: false; readonly reason: string };

/** A request about to go out, encoded and signed. */
export interface EncodedRequest {
  /** For a GET, the data are in its query. */
  readonly url: URL;
  readonly body?: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** How a dialect's requests are put on the wire, signed, and their replies read. */
export interface WebhookWire {
  /** Builds one request: the data in the query (GET) or the body (POST), with its signature. */
  encode(method: WebhookMethod, url: URL, data: Readonly<Record<string, unknown>>): Promise<EncodedRequest>;
  /** The document a reply holds (for `parse`); undefined when it holds none. Throws a one-line Error when it cannot be read. */
  decode(body: string, contentType: string | undefined): unknown;
  /** The data sent to the fallback URL after the primary failed. */
  fallbackData(data: Readonly<Record<string, unknown>>, reason: string, primaryUrl: string, kind: 'answer' | 'event'): Record<string, unknown>;
}

/** What the payloads need to know about a call. */
export interface DialectCall {
  readonly leg: Leg;
  readonly app: VoiceApp;
  /** The leg's status now (for TwiML's `CallStatus` on every request). */
  readonly status: CallStatus;
}

/** One dialect. */
export interface Dialect {
  readonly name: DialectName;
  /** The application's wire: encoding and signature of every request to its program. */
  wire(app: VoiceApp): WebhookWire;
  /** Reads a document (what `wire.decode` returned, or an inline document from the REST API). */
  parse(document: unknown, origin: DocumentOrigin): ParsedDocument;
  /** True when a reply carries a document to run (NCCO: a non-empty array; TwiML: any reply). */
  isDocument(document: unknown): boolean;
  /** The answer webhook's fields. */
  answerData(call: DialectCall): Record<string, unknown>;
  /** A step's result as its report's fields; undefined: nothing is sent and the program goes on (TwiML's empty `<Gather>`). */
  reportData(report: Report, result: StepResult, call: DialectCall, links: { readonly publicUrl: string }, at: Date): Record<string, unknown> | undefined;
  /** A status event of the call, where it goes; undefined when this status is not sent there. */
  statusEvent(call: DialectCall, status: CallStatus, at: Date, extra: StatusExtra, target: StatusTarget): { readonly target: WebhookTarget; readonly data: Record<string, unknown> } | undefined;
  /** What runs when a reply is not a valid document: the caller is told (or not) and the call ends. */
  errorProgram(): Program;
  /** A request whose reply would replace the rest failed (no answer, an error status): true, the call ends with `errorProgram` (Twilio's 11200); false, it goes on (NCCO). */
  readonly endsOnFailedReply: boolean;
}
