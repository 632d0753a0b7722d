/**
 * The document machine's input, context, events and effect contracts. The
 * machine runs a `Program` (program.ts) on one call; everything dialect-specific
 * or effectful is behind the named effects src/apps/voice-api provides.
 */
import type { CallEvent, CallInput, CallLog } from '../shared/call.js';
import type { PlaybackEmitted, RecordingEmitted } from '../shared/effects.js';
import type { DialRecorded, Program, RecordStep, Report, Speech, StepResult } from './program.js';

/** Input of a document call: the runtime's, plus the leg the effects know the call by. */
export interface DocumentInput extends CallInput {
  /** The leg's id (src/documents/leg.ts): how every effect finds the call's session. */
  readonly leg: string;
  readonly settings: DocumentSettings;
}

export interface DocumentSettings {
  /** After a hang-up during a recording, how long to wait for Asterisk to finish it, in ms. */
  readonly recordingFinishMs: number;
  /** Plays a `loop: 0` prompt at most this many times (a bound, in case a caller never hangs up). */
  readonly maxLoops: number;
}

/** What opening a call gave: a program to run, or a refusal with the prompt the caller hears. */
export type OpenResult =
  | { readonly outcome: 'ready'; readonly program: Program }
  | { readonly outcome: 'refused'; readonly reason: string; readonly prompt: readonly string[] };

/** Input of the effects that only need the call. */
export interface LegInput {
  readonly leg: string;
  readonly channelId: string;
  readonly log: CallLog;
}

export interface SpeechInput extends LegInput {
  readonly speech: Speech;
  readonly level: number;
}

export interface MediaInput extends LegInput {
  readonly url: string;
  readonly level: number;
}

/** A prompt ready to play. */
export interface RenderedPrompt {
  readonly media: string;
}

export interface KeepRecordingInput extends LegInput {
  readonly step: RecordStep;
  /** The ARI recording name. */
  readonly name: string;
  readonly startedAt: string;
  readonly endedAt: string;
}

/** Input of `answer`: `announce` tells the program (its `answered` event); a refused call is answered only to hear why. */
export interface AnswerInput extends LegInput {
  readonly announce: boolean;
}

export interface RejectInput extends LegInput {
  readonly reason: 'busy' | 'rejected';
}

export interface TonesInput extends LegInput {
  readonly digits: string;
}

export interface BackgroundRecordingInput extends LegInput {
  readonly step: RecordStep;
}

export interface ReportInput extends LegInput {
  readonly report: Report;
  readonly result: StepResult;
}

/** What a report's reply asks for: the rest of the document replaced, or nothing. */
export interface ReportReply {
  readonly replace?: Program;
}

/** Events the machine handles. */
export type DocumentEvent =
  | CallEvent
  | PlaybackEmitted
  | RecordingEmitted
  /** Replaces everything that has not run yet (a reply to a report, or a transfer from outside). */
  | { type: 'document.replace'; program: Program };

/** The machine's context. */
export interface DocumentContext {
  readonly input: DocumentInput;
  program: Program;
  /** The step now running (an index into `program.steps`). */
  pc: number;
  /** Keys pressed during barge-in prompts, waiting for the next collect. */
  typedAhead: string;
  /** The collect step's keys so far. */
  digits: string;
  /** The collect step has what it needs (`maxDigits` keys, or the submit key). */
  submitted: boolean;
  /** How the collect step ended. */
  timedOut: boolean;
  /** The prompt being played, once rendered. */
  media: string | undefined;
  /** Times the current prompt has played (for `loop: 0`). */
  plays: number;
  /** The blocking recording of the current record step; `endedBy`: the key that ended it, or `hangup`. */
  take: { name: string; startedAt: string | undefined; endedBy?: string } | undefined;
  /** How the dial step's new leg ended, for its `after` report. */
  dialed: { status: string; legUuid?: string; durationSeconds?: number; recording?: DialRecorded } | undefined;
  /** What the record step kept, to report. */
  kept: Extract<StepResult, { kind: 'record' }> | undefined;
  /** The caller is gone, or the service is ending the call: no further step runs (a recording still finishing may report). */
  callerGone: boolean;
  refusal: { reason: string; prompt: readonly string[] } | undefined;
}
