/**
 * The internal program a call document (an NCCO today, TwiML next) is parsed
 * into: a list of typed steps the document machine runs top to bottom. The
 * words here are the machine's (say, play, collect), not a dialect's; where a
 * step's result goes back to the program's server, a `Report` says where, and
 * the dialect's own code (src/documents/) formats the payload. NCCO and
 * TwiML both parse into these steps (src/documents/ncco, src/documents/twiml).
 */

/** Options every prompt (say, play) has. */
export interface PromptOptions {
  /** Times to play it; 0: until the caller hangs up (or barges in). */
  readonly loop: number;
  /** Gain, -1 (quietest) … 1 (loudest); 0 leaves the audio as it is. */
  readonly level: number;
  /** A key ends the prompt and counts for the next `collect`. */
  readonly bargeIn: boolean;
}

/** What to synthesise. */
export interface Speech {
  readonly text: string;
  /** `text` is SSML (`<speak>…</speak>`). */
  readonly ssml: boolean;
  /** BCP-47 (`en-US`, `ja-JP`). */
  readonly language: string;
  /** The voice's gender where the document chose one (a Polly-style voice name). */
  readonly gender?: 'female' | 'male';
  /** Speaking rate, in percent of normal (100). */
  readonly rate?: number;
}

/**
 * Where a step's result (digits, a recording, a notification) is sent, and in
 * which dialect shape. The machine hands it to the `report` effect unread.
 */
export interface Report {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  /** The payload shape, in the dialect's words (`ncco-input`, `ncco-record`, `twiml-gather`, `twiml-action`…). */
  readonly shape: string;
  /**
   * The step waits for the reply, and a document in it replaces the rest of
   * the program. Default: collect, notify and dial results wait, a record
   * event does not (NCCO); a TwiML `action` always does.
   */
  readonly replies?: boolean;
  /** Which status events go to `url` (TwiML `statusCallbackEvent`: `initiated ringing answered completed`); absent: the dialect's default. */
  readonly events?: readonly string[];
}

export interface SayStep {
  readonly kind: 'say';
  readonly speech: Speech;
  readonly prompt: PromptOptions;
}

export interface PlayStep {
  readonly kind: 'play';
  /** An http(s) URL of an audio file (MP3, WAV, OGG). */
  readonly url: string;
  readonly prompt: PromptOptions;
}

export interface CollectStep {
  readonly kind: 'collect';
  /** Submit once this many keys are in (1 … 20 for NCCO; `Infinity`: no limit, TwiML's default). */
  readonly maxDigits: number;
  /** Submit this long after the step starts, and after each key. */
  readonly timeoutMs: number;
  /** The key that submits (and is not part of the digits): NCCO `submitOnHash` → `#`, TwiML `finishOnKey`; none when absent. */
  readonly submitKey?: string;
  /** The document also asked for speech, which is not supported: the result says so; keys still work. */
  readonly speechRequested: boolean;
  readonly report: Report;
}

export interface RecordStep {
  readonly kind: 'record';
  /** The format the program receives. */
  readonly format: 'mp3' | 'wav' | 'ogg';
  /** Silence that ends it, in seconds. */
  readonly endOnSilenceSeconds?: number;
  /** The keys that end it, any of `0`-`9`, `*`, `#` (NCCO `endOnKey`: one; TwiML `finishOnKey`: a set). */
  readonly endKeys?: string;
  /** Cut the silence at both ends before the program gets it (TwiML `trim="trim-silence"`). */
  readonly trimSilence?: boolean;
  /** Where the recording's status goes once it is stored (TwiML `recordingStatusCallback`), beside `report`. */
  readonly statusReport?: Report;
  /** Longest recording, in seconds. */
  readonly maxSeconds: number;
  readonly beep: boolean;
  /** True: the program waits for it (voicemail style); false: it runs beside the rest, to the hang-up or `maxSeconds`. */
  readonly blocking: boolean;
  readonly report: Report;
}

export interface NotifyStep {
  readonly kind: 'notify';
  readonly payload: Readonly<Record<string, unknown>>;
  readonly report: Report;
}

export interface WaitStep {
  readonly kind: 'wait';
  readonly ms: number;
}

/** Joins a named conversation (NCCO `conversation`, TwiML `<Conference>`): blocks until the leg leaves it. */
export interface JoinStep {
  readonly kind: 'join';
  /** The conversation's name (scoped to the application by the effect). */
  readonly name: string;
  /** Played to this leg while the conversation has not started (else the default music on hold). */
  readonly musicOnHoldUrl?: string;
  /** This leg starts the conversation (others waiting hear each other from then on). */
  readonly startOnEnter: boolean;
  /** False: it starts it only once someone else is there, waiting with the music till then (TwiML); default true (NCCO). */
  readonly startsAlone?: boolean;
  /** When this leg leaves, the conversation ends for every leg. */
  readonly endOnExit: boolean;
  /** Record the conversation from its start; the record event goes to `report`. */
  readonly record: boolean;
  /** This leg is not heard (`mute`, or `canSpeak: []`). */
  readonly muted: boolean;
  /** This leg hears nothing (`canHear: []`). */
  readonly deaf: boolean;
  readonly report: Report;
  /** A beep into the conversation when this leg enters and/or leaves (TwiML `beep`; NCCO: none). */
  readonly beep?: 'enter' | 'exit' | 'both';
  /** At most this many legs (NCCO: 50; TwiML `maxParticipants`). */
  readonly maxLegs?: number;
  /** Conversation events (`start`, `end`, `join`, `leave`, `mute`…) and where they go (TwiML `statusCallback`). */
  readonly events?: { readonly report: Report; readonly kinds: readonly string[] };
}

/** Where a dial step calls. */
export type DialEndpoint =
  | {
      readonly type: 'phone';
      /** E.164 digits, with the `+` when the program wrote one (the dial string drops it). */
      readonly number: string;
      /** Keys sent into the new leg once it answers (`p`: a 500 ms pause). */
      readonly dtmfAnswer?: string;
      /** A document run on the new leg once it answers, before it is bridged (a whisper); the caller keeps hearing ringback. */
      readonly onAnswerUrl?: string;
      /** How `onAnswerUrl` is requested (NCCO: GET; TwiML `<Number method>`: POST by default). */
      readonly onAnswerMethod?: 'GET' | 'POST';
    }
  | {
      readonly type: 'sip';
      /** `sip:user@host`. */
      readonly uri: string;
      /** Sent as `X-<name>` headers in the INVITE. */
      readonly headers?: Readonly<Record<string, string>>;
    };

/** Dials a new leg and bridges it to this one (NCCO `connect`, TwiML `<Dial>`): blocks until the new leg ends. */
export interface DialStep {
  readonly kind: 'dial';
  readonly endpoint: DialEndpoint;
  /** Rung at the same time as `endpoint`, each with where its events go (TwiML's several nouns): the first to answer is connected, the others are hung up. */
  readonly alsoRing?: readonly { readonly endpoint: DialEndpoint; readonly report: Report }[];
  /** The caller id the new leg shows; else this leg's caller number. */
  readonly from?: string;
  /** Ring time, in seconds. */
  readonly timeoutSeconds: number;
  /** Longest connected call, in seconds: then the new leg is hung up. */
  readonly limitSeconds: number;
  /** A failure status's reply may carry a document that replaces the rest. */
  readonly synchronous: boolean;
  /** Played in a loop to this leg until the new leg answers (else ringing is indicated). */
  readonly ringbackUrl?: string;
  /** Where the new leg's status events go. */
  readonly report: Report;
  /** Where the dial's outcome goes once it is over (TwiML `<Dial action>`); its reply replaces the rest. */
  readonly after?: Report;
  /** The caller's `*` hangs the new leg up; the caller goes on (TwiML `hangupOnStar`). */
  readonly hangupOnStar?: boolean;
  /** Record the connected call, both legs mixed, from the answer (TwiML `<Dial record>`). */
  readonly record?: DialRecording;
}

/** How a dial step records its connected call. */
export interface DialRecording {
  readonly format: RecordStep['format'];
  /** Cut the silence at both ends before the program gets it (TwiML `trim`). */
  readonly trimSilence: boolean;
  /** Where the recording's status goes once it is kept (TwiML `recordingStatusCallback`). */
  readonly statusReport?: Report;
}

/** How a dial step ended (the `dialer` effect's last word). */
export interface DialOutcome {
  readonly type: 'dial.over';
  /** The new leg's final status (`completed`, `busy`, `timeout`, `cancelled`…). */
  readonly status: string;
  /** The new leg's uuid, once it was placed. */
  readonly legUuid?: string;
  /** Seconds it was connected. */
  readonly durationSeconds?: number;
  /** The connected call's recording, once kept (a step with `record`). */
  readonly recording?: DialRecorded;
  /** A synchronous failure's reply: the rest of the program. */
  readonly replace?: Program;
}

export interface HangupStep {
  readonly kind: 'hangup';
}

/** Ends the call without answering it (TwiML `<Reject>`); after the answer it is a hang-up. */
export interface RejectStep {
  readonly kind: 'reject';
  /** Busy (cause 17) or rejected (cause 21). */
  readonly reason: 'busy' | 'rejected';
}

/** Sends DTMF into the leg (TwiML `<Play digits>`). */
export interface TonesStep {
  readonly kind: 'tones';
  /** `0-9`, `A-D`, `*`, `#`; `p` is a 500 ms pause. */
  readonly digits: string;
}

/** One step of a program. */
export type Step = SayStep | PlayStep | CollectStep | RecordStep | NotifyStep | WaitStep | JoinStep | DialStep | HangupStep | RejectStep | TonesStep;

export type StepKind = Step['kind'];

/** A parsed, valid document. */
export interface Program {
  readonly steps: readonly Step[];
}

/** What a step reports back (the `report` effect's input, beside the `Report`). */
export type StepResult =
  | { readonly kind: 'collect'; readonly digits: string; readonly timedOut: boolean; readonly speechError?: string }
  | {
      readonly kind: 'record';
      /** The recording's id (the last part of its URL). */
      readonly recordingId: string;
      /** Bytes of the file the program downloads. */
      readonly size: number;
      readonly startTime: string;
      readonly endTime: string;
      /** What ended it: the key pressed, `hangup`, or absent (silence, the maximum). */
      readonly endedBy?: string;
    }
  | { readonly kind: 'notify'; readonly payload: Readonly<Record<string, unknown>> }
  | { readonly kind: 'dial'; readonly status: string; readonly legUuid?: string; readonly durationSeconds?: number; readonly recording?: DialRecorded };

/** A dial's kept recording, as its outcome carries it. */
export interface DialRecorded {
  readonly recordingId: string;
  readonly size: number;
  readonly startTime: string;
  readonly endTime: string;
}
