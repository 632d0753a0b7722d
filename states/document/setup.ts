/**
 * The document machine's setup: its effects by name (provided by
 * src/apps/voice-api), guards, actions and delays. Each step kind lives in its
 * own file under steps/, assembled in machine.ts.
 */
import { assign, fromCallback, setup } from 'xstate';
import { playbackEffect, promiseEffect, recordingEffect } from '../shared/effects.js';
import type { DialOutcome, DialStep, Step, StepKind } from './program.js';
import type {
  AnswerInput,
  BackgroundRecordingInput,
  DocumentContext,
  DocumentEvent,
  DocumentInput,
  KeepRecordingInput,
  LegInput,
  MediaInput,
  OpenResult,
  RejectInput,
  TonesInput,
  RenderedPrompt,
  ReportInput,
  ReportReply,
  SpeechInput,
} from './types.js';
import type { StepResult } from './program.js';
import type { MembershipEvent, MembershipInput } from '../conversation/types.js';

/** The step now running, narrowed to its kind (the state that runs a kind is only entered for it). */
export function stepOf<K extends StepKind>(context: DocumentContext, kind: K): Extract<Step, { kind: K }> {
  const step = context.program.steps[context.pc];
  if (step?.kind !== kind) throw new Error(`step ${context.pc} is ${step?.kind ?? 'missing'}, not ${kind}`);
  return step as Extract<Step, { kind: K }>;
}

/** The input every leg effect needs. */
export function legInput(context: DocumentContext): LegInput {
  return { leg: context.input.leg, channelId: context.input.channelId, log: context.input.log };
}

/** Input of the `dialer` effect. */
export interface DialInput extends LegInput {
  readonly step: DialStep;
}

const notProvided = (name: string) => () => {
  throw new Error(`effect "${name}" was not provided to this machine`);
};

export const document = setup({
  types: {
    input: {} as DocumentInput,
    context: {} as DocumentContext,
    events: {} as DocumentEvent | MembershipEvent | DialOutcome,
  },
  actors: {
    playback: playbackEffect,
    recording: recordingEffect,
    /** Finds the program: the application, its answer webhook, the document parsed. */
    open: promiseEffect<OpenResult, LegInput>('open'),
    /** Answers the channel and tells the program. */
    answer: promiseEffect<void, AnswerInput>('answer'),
    speech: promiseEffect<RenderedPrompt, SpeechInput>('speech'),
    media: promiseEffect<RenderedPrompt, MediaInput>('media'),
    /** Turns a finished recording into the file the program downloads. */
    keepRecording: promiseEffect<Extract<StepResult, { kind: 'record' }>, KeepRecordingInput>('keepRecording'),
    /** A recording beside the rest of the document, to the hang-up or its maximum; it reports by itself. */
    backgroundRecording: fromCallback<{ type: 'noop' }, BackgroundRecordingInput>(notProvided('backgroundRecording')),
    /** Events from outside the call (a REST transfer): sent back into the machine. None by default. */
    commands: fromCallback<{ type: 'noop' }, LegInput>(() => undefined),
    /** The leg's place in a named conversation: joins on start, leaves in its cleanup; sends back `conversation.left`. */
    membership: fromCallback<MembershipEvent, MembershipInput>(notProvided('membership')),
    /** Dials the step's endpoint and bridges it to the leg; sends back `dial.over` once the new leg is over. Its cleanup hangs the new leg up. */
    dialer: fromCallback<{ type: 'noop' }, DialInput>(notProvided('dialer')),
    /** Sends a step's result to the program; the reply may replace the rest. */
    report: promiseEffect<ReportReply, ReportInput>('report'),
    /** Ends the call with busy or rejected, unanswered when it was not answered yet (TwiML `<Reject>`). */
    reject: promiseEffect<void, RejectInput>('reject'),
    /** Sends DTMF into the leg (TwiML `<Play digits>`). */
    tones: promiseEffect<void, TonesInput>('tones'),
  },
  delays: {
    collectTimeout: ({ context }) => stepOf(context, 'collect').timeoutMs,
    waitTime: ({ context }) => stepOf(context, 'wait').ms,
    recordingFinish: ({ context }) => context.input.settings.recordingFinishMs,
  },
  guards: {
    isCallerGone: ({ context }) => context.callerGone,
    isProgramOver: ({ context }) => context.pc >= context.program.steps.length,
  },
  actions: {
    /** On to the next step. */
    advance: assign({ pc: ({ context }) => context.pc + 1, media: undefined, plays: 0, take: undefined, kept: undefined }),
    markCallerGone: assign({ callerGone: true }),
  },
});

/** The step kinds, for the dispatcher. */
export const STEP_KINDS: readonly StepKind[] = ['say', 'play', 'collect', 'record', 'notify', 'wait', 'join', 'dial', 'hangup', 'reject', 'tones'];
