/**
 * record: the caller's voice. Blocking (an end condition set: silence or a
 * key, voicemail style) it records the channel and reports before the next
 * step; otherwise it runs in the background (a snoop, so later prompts are
 * not held up behind it, transcripts fact 17) and reports by itself when it
 * ends. A hang-up keeps what was recorded: Asterisk stores it, the program
 * still gets its record event. Keys other than `*` and `#` are watched here,
 * because ARI's `terminateOn` takes only none, any, `*` and `#`.
 */
import { v7 as uuidv7 } from 'uuid';
import { assign, sendTo, spawnChild } from 'xstate';
import { document, legInput, stepOf } from '../setup.js';
import type { DocumentContext } from '../types.js';

const isBackground = ({ context }: { context: DocumentContext }) => !stepOf(context, 'record').blocking;

/** `*` and `#` Asterisk ends the recording on itself; any other key is ours to watch. */
const asteriskKey = (key: string | undefined): key is '*' | '#' => key === '*' || key === '#';

const isEndKey = ({ context, event }: { context: DocumentContext; event: { type: string; digit?: string } }) => {
  const key = stepOf(context, 'record').endOnKey;
  return key !== undefined && !asteriskKey(key) && event.digit === key;
};

const now = () => new Date().toISOString();

const finished = [
  { guard: ({ event }: { event: { cancelled: boolean } }) => event.cancelled, target: '#document.next', actions: 'advance' as const },
  { target: 'keeping' },
] as const;

export const record = document.createStateConfig({
  initial: 'choosing',
  states: {
    choosing: {
      always: [
        {
          guard: isBackground,
          target: '#document.next',
          actions: [spawnChild('backgroundRecording', { input: ({ context }) => ({ ...legInput(context), step: stepOf(context, 'record') }) }), 'advance'],
        },
        { target: 'capturing' },
      ],
    },
    // The recorder is invoked here, around `recording` and `finishing`, so it outlives a hang-up: its
    // RecordingFinished must still reach us, and call.end must still reach it.
    capturing: {
      entry: assign({ take: ({ context }) => ({ name: `voice-api/${context.input.leg}/${uuidv7()}`, startedAt: undefined }) }),
      invoke: {
        id: 'recorder',
        src: 'recording',
        input: ({ context }) => {
          const step = stepOf(context, 'record');
          return {
            target: { channelId: context.input.channelId },
            name: context.take!.name,
            format: 'wav',
            beep: step.beep,
            ifExists: 'overwrite' as const,
            terminateOn: asteriskKey(step.endOnKey) ? step.endOnKey : ('none' as const),
            maxDurationSeconds: step.maxSeconds,
            ...(step.endOnSilenceSeconds === undefined ? {} : { maxSilenceSeconds: step.endOnSilenceSeconds }),
            // Left any other way (the document replaced, the service ending): what was recorded is kept.
            onExit: 'stop' as const,
            log: context.input.log,
          };
        },
      },
      initial: 'recording',
      states: {
        recording: {
          on: {
            'ari.dtmf': [{ guard: isEndKey, actions: sendTo('recorder', { type: 'recording.stop' }) }, {}],
            // Asterisk stops and stores it at the hang-up; RecordingFinished follows.
            'ari.hangup': { target: 'finishing', actions: 'markCallerGone' },
            'ari.stasisEnd': { target: 'finishing', actions: 'markCallerGone' },
            'call.end': { target: 'finishing', actions: ['markCallerGone', sendTo('recorder', { type: 'recording.stop' })] },
          },
        },
        finishing: {
          on: { 'ari.hangup': {}, 'ari.stasisEnd': {}, 'call.end': {}, 'ari.dtmf': {}, 'document.replace': {} },
          after: { recordingFinish: { target: '#document.record.keeping' } },
        },
      },
      on: {
        'recording.started': { actions: assign({ take: ({ context }) => ({ name: context.take!.name, startedAt: now() }) }) },
        'recording.finished': finished,
        'recording.failed': {
          target: '#document.next',
          actions: [({ context, event }) => context.input.log.error('recording failed; going on', { recording: event.name, reason: event.reason }), 'advance'],
        },
      },
    },
    keeping: {
      invoke: {
        src: 'keepRecording',
        input: ({ context }) => ({
          ...legInput(context),
          step: stepOf(context, 'record'),
          name: context.take!.name,
          startedAt: context.take!.startedAt ?? now(),
          endedAt: now(),
        }),
        onDone: { target: 'reporting', actions: assign({ kept: ({ event }) => event.output }) },
        onError: {
          target: '#document.next',
          actions: [({ context, event }) => context.input.log.warn('no recording to report', { recording: context.take?.name, err: String(event.error) }), 'advance'],
        },
      },
      on: { 'ari.hangup': { actions: 'markCallerGone' }, 'ari.stasisEnd': { actions: 'markCallerGone' }, 'call.end': { actions: 'markCallerGone' }, 'ari.dtmf': {}, 'document.replace': {} },
    },
    reporting: {
      invoke: {
        src: 'report',
        input: ({ context }) => ({ ...legInput(context), report: stepOf(context, 'record').report, result: context.kept! }),
        onDone: { target: '#document.next', actions: 'advance' },
        onError: { target: '#document.next', actions: 'advance' },
      },
      on: { 'ari.hangup': { actions: 'markCallerGone' }, 'ari.stasisEnd': { actions: 'markCallerGone' }, 'call.end': { actions: 'markCallerGone' }, 'ari.dtmf': {}, 'document.replace': {} },
    },
  },
});
