/**
 * record: the caller's voice. Blocking (an end condition set: silence or a
 * key, voicemail style) it records the channel and reports before the next
 * step; otherwise it runs in the background (a snoop, so later prompts are
 * not held up behind it, transcripts fact 17) and reports by itself when it
 * ends. A hang-up keeps what was recorded: Asterisk stores it, the program
 * still gets its record event. Keys other than `*` and `#` are watched here,
 * because ARI's `terminateOn` takes only none, any, `*` and `#`. A TwiML
 * action's reply replaces the rest of the program.
 */
import { v7 as uuidv7 } from 'uuid';
import { assign, sendTo, spawnChild } from 'xstate';
import { document, legInput, stepOf } from '../setup.js';
import type { DocumentContext } from '../types.js';

const isBackground = ({ context }: { context: DocumentContext }) => !stepOf(context, 'record').blocking;

/** A lone `*` or `#` Asterisk ends the recording on itself; any other key (or set of keys) is ours to watch. */
const asteriskKey = (keys: string | undefined): keys is '*' | '#' => keys === '*' || keys === '#';

const isEndKey = ({ context, event }: { context: DocumentContext; event: { type: string; digit?: string } }) => {
  const keys = stepOf(context, 'record').endKeys;
  return keys !== undefined && event.digit !== undefined && keys.includes(event.digit);
};

/** Remembers what ended the recording (a key, the hang-up) for the program. */
const endedByHangup = document.assign({ take: ({ context }) => context.take && { ...context.take, endedBy: context.take.endedBy ?? 'hangup' } });

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
            terminateOn: asteriskKey(step.endKeys) ? step.endKeys : ('none' as const),
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
            'ari.dtmf': [
              {
                guard: isEndKey,
                actions: [
                  assign(({ context, event }) => ({ take: context.take && { ...context.take, endedBy: context.take.endedBy ?? event.digit } })),
                  // Asterisk ends on a lone * or # itself; the stop is then a harmless extra.
                  sendTo('recorder', { type: 'recording.stop' }),
                ],
              },
              {},
            ],
            // Asterisk stops and stores it at the hang-up; RecordingFinished follows.
            'ari.hangup': { target: 'finishing', actions: ['markCallerGone', endedByHangup] },
            'ari.stasisEnd': { target: 'finishing', actions: ['markCallerGone', endedByHangup] },
            'call.end': { target: 'finishing', actions: ['markCallerGone', sendTo('recorder', { type: 'recording.stop' })] },
          },
        },
        finishing: {
          on: { 'ari.hangup': {}, 'ari.stasisEnd': {}, 'call.end': {}, 'ari.dtmf': {}, 'document.replace': {} },
          after: { recordingFinish: { target: '#document.record.keeping' } },
        },
      },
      on: {
        'recording.started': { actions: assign({ take: ({ context }) => ({ ...context.take!, startedAt: now() }) }) },
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
        onDone: {
          target: 'reporting',
          actions: assign({ kept: ({ context, event }) => (context.take?.endedBy === undefined ? event.output : { ...event.output, endedBy: context.take.endedBy }) }),
        },
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
        onDone: [
          // A TwiML action's reply: the rest of the program (unless the caller has gone).
          {
            guard: ({ context, event }) => event.output.replace !== undefined && !context.callerGone,
            target: '#document.next',
            actions: assign({ program: ({ event }) => event.output.replace!, pc: 0, media: undefined, plays: 0, take: undefined, kept: undefined }),
          },
          { target: '#document.next', actions: 'advance' },
        ],
        onError: { target: '#document.next', actions: 'advance' },
      },
      on: { 'ari.hangup': { actions: 'markCallerGone' }, 'ari.stasisEnd': { actions: 'markCallerGone' }, 'call.end': { actions: 'markCallerGone' }, 'ari.dtmf': {}, 'document.replace': {} },
    },
  },
});
