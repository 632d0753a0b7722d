/**
 * The voice API's store: applications (answer and event webhooks, managed
 * with `stasis-flows voice-app`) and the recordings their calls made. The
 * service reads applications at call time while the CLI writes them.
 */
import type { DialectName } from '../documents/dialect.js';

/** How a webhook is requested. */
export type WebhookMethod = 'GET' | 'POST';

/** What a recording is encoded as (NCCO `record.format`). */
export type RecordingFormat = 'mp3' | 'wav' | 'ogg';

/** A voice application: where its calls fetch their documents (NCCO or TwiML) and post their events. */
export interface VoiceApp {
  /** The application_id, uuid v4 (a TwiML app's Account SID is `toSid('AC', id)`). */
  id: string;
  /** What the dialplan names: `Stasis(voice-api,<name>)`. */
  name: string;
  /** What its documents and webhooks speak; fixed when the app is added. */
  dialect: DialectName;
  answerUrl: string;
  answerMethod: WebhookMethod;
  eventUrl: string;
  eventMethod: WebhookMethod;
  fallbackAnswerUrl?: string;
  /**
   * NCCO: HS256 key for signing webhooks and checking download tokens. TwiML: the
   * auth token (X-Twilio-Signature's HMAC key, the REST API's Basic-auth password),
   * always set. Never printed nor logged, except a generated token once by `voice-app`.
   */
  signatureSecret?: string;
  /** PEM SPKI RSA public key that verifies the application's REST JWTs (RS256). */
  publicKey?: string;
  /** ISO 8601, UTC. */
  createdAt: string;
}

/**
 * What `addApp` takes. The dialect defaults to 'ncco'; methods are case-insensitive and
 * default to POST for events, and for the answer to GET (ncco) or POST (twiml, as Twilio).
 * A twiml app needs a `signatureSecret` (its auth token).
 */
export interface NewVoiceApp {
  name: string;
  dialect?: DialectName;
  answerUrl: string;
  eventUrl: string;
  answerMethod?: WebhookMethod;
  eventMethod?: WebhookMethod;
  fallbackAnswerUrl?: string;
  signatureSecret?: string;
  /** PEM SPKI RSA public key; checked with jose's `importSPKI`. */
  publicKey?: string;
}

/** A recording a call made, served by the HTTP API at its recording URL. */
export interface VoiceRecording {
  /** The file id in the recording URL: 1-64 letters, digits, `-` or `_` (a uuid in practice). */
  id: string;
  applicationId: string;
  callUuid: string;
  conversationUuid: string;
  format: RecordingFormat;
  /** Absolute path of the audio file. */
  path: string;
  /** Bytes. */
  size: number;
  /** ISO 8601, UTC. */
  createdAt: string;
}

/**
 * Voice applications and recordings. Errors are `AppError`s: `INVALID_INPUT`
 * (a field breaks a rule; a patch changes the dialect or removes a twiml app's
 * secret), `APP_EXISTS` (the name is taken), `CONFLICT` (the recording id is taken),
 * `NOT_FOUND` (updating an unknown application). Reads of unknown things
 * return `undefined`.
 */
export interface VoiceStore {
  /** Creates an application with a new application_id. */
  addApp(app: NewVoiceApp): Promise<VoiceApp>;
  /** The application with this name, or with this application_id (what the Twilio REST API looks up, from the Account SID). */
  getApp(nameOrId: string): Promise<VoiceApp | undefined>;
  /** Every application, by name. */
  listApps(): Promise<VoiceApp[]>;
  /**
   * Changes the fields given; an empty `fallbackAnswerUrl`, `signatureSecret` (ncco only) or
   * `publicKey` clears it. A `dialect` other than the app's is refused: remove and add instead.
   */
  updateApp(name: string, patch: Partial<NewVoiceApp>): Promise<VoiceApp>;
  /** Removes an application; false when there was none. Its recordings stay (see voice-sqlite.ts). */
  removeApp(name: string): Promise<boolean>;
  /** Records a recording's file. */
  addRecording(recording: VoiceRecording): Promise<void>;
  /** The recording, or undefined. */
  getRecording(id: string): Promise<VoiceRecording | undefined>;
  /** Closes the database; the store is unusable afterwards. */
  close(): Promise<void>;
}
