/**
 * Stubbed effects for pure machine tests: each records what the machine asked
 * for and lets the test decide when and how it ends.
 */
import { fromCallback, fromPromise, type EventObject } from 'xstate';
import type { PlaybackCommand, PlaybackInput, RecordingCommand, RecordingInput } from '../../states/shared/effects.js';
import type { CallLog } from '../../states/shared/call.js';
import type { DocumentInput, DocumentSettings } from '../../states/document/types.js';

/** A playback the machine started. */
export interface StubPlayback {
  input: PlaybackInput;
  commands: PlaybackCommand[];
  stopped: boolean;
  finish(state?: 'done' | 'failed'): void;
}

/** A recording the machine started. */
export interface StubRecording {
  input: RecordingInput;
  commands: RecordingCommand[];
  stopped: boolean;
  finish(duration: number, options?: { cancelled?: boolean }): void;
  fail(reason: string): void;
  /** Reports RecordingStarted (done at once unless the stub was made with `startAtOnce: false`). */
  start(): void;
}

/** A `playback` stub: `plays` lists every playback started, in order. */
export function stubPlayback() {
  const plays: StubPlayback[] = [];
  const logic = fromCallback<PlaybackCommand, PlaybackInput>(({ input, sendBack, receive }) => {
    const play: StubPlayback = {
      input,
      commands: [],
      stopped: false,
      finish: (state = 'done') => sendBack({ type: 'playback.finished', state }),
    };
    plays.push(play);
    receive((command) => play.commands.push(command));
    sendBack({ type: 'playback.started', playbackId: `pb-${plays.length}`, media: input.media[0] ?? '', index: 0 });
    return () => {
      play.stopped = true;
    };
  });
  return { logic, plays, media: () => plays.map((p) => p.input.media.join('+')), last: () => plays.at(-1)! };
}

/** A `recording` stub: `takes` lists every recording started, in order. */
export function stubRecording(options: { startAtOnce?: boolean } = {}) {
  const takes: StubRecording[] = [];
  const logic = fromCallback<RecordingCommand, RecordingInput>(({ input, sendBack, receive }) => {
    const take: StubRecording = {
      input,
      commands: [],
      stopped: false,
      finish: (duration, options = {}) =>
        sendBack({ type: 'recording.finished', name: input.name, duration, cancelled: options.cancelled ?? false }),
      fail: (reason) => sendBack({ type: 'recording.failed', name: input.name, reason }),
      start: () => sendBack({ type: 'recording.started', name: input.name }),
    };
    takes.push(take);
    receive((command) => take.commands.push(command));
    if (options.startAtOnce !== false) take.start();
    return () => {
      take.stopped = true;
    };
  });
  return { logic, takes, last: () => takes.at(-1)! };
}

/** A one-shot effect stub that records its inputs and answers with `answer`. */
export function stubPromise<TOutput, TInput>(answer: (input: TInput) => TOutput | Promise<TOutput>) {
  const inputs: TInput[] = [];
  const logic = fromPromise<TOutput, TInput>(async ({ input }) => {
    inputs.push(input);
    return answer(input);
  });
  return { logic, inputs };
}

/** Lets pending promise callbacks and actor events settle. */
export const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

/** A callback effect that only runs (a background job): `runs` lists each start, with whether its cleanup ran. */
export function stubCallback<TInput, TEvent extends EventObject = EventObject>() {
  const runs: { input: TInput; stopped: boolean }[] = [];
  const logic = fromCallback<TEvent, TInput>(({ input }) => {
    const run = { input, stopped: false };
    runs.push(run);
    return () => {
      run.stopped = true;
    };
  });
  return { logic, runs, last: () => runs.at(-1)! };
}

/** The input of a document machine under test: one inbound call on channel c1, leg leg-1. */
export function documentInput(log: CallLog, settings: DocumentSettings = { recordingFinishMs: 2000, maxLoops: 4 }): DocumentInput {
  return { channelId: 'c1', args: ['app'], caller: { name: '', number: '200' }, language: 'en', direction: 'inbound', data: {}, log, leg: 'leg-1', settings };
}
