/**
 * The document machine: runs a call's program (an NCCO today, TwiML next)
 * step by step with a program counter. `next` dispatches on the step's kind;
 * each kind is a state in steps/. When the program ends the call is over and
 * the runtime hangs up at once. A reply that replaces the rest of the program
 * (`document.replace`) starts the new one from its first step; recordings in
 * the background go on. A program that starts with `reject` is never answered.
 */
import { assign } from 'xstate';
import { answering, opening, refusing } from './opening.js';
import { document, legInput } from './setup.js';
import { collect } from './steps/collect.js';
import { dial } from './steps/dial.js';
import { join } from './steps/join.js';
import { notify } from './steps/notify.js';
import { play } from './steps/play.js';
import { record } from './steps/record.js';
import { rejecting } from './steps/reject.js';
import { say } from './steps/say.js';
import { tones } from './steps/tones.js';
import { wait } from './steps/wait.js';
import type { StepKind } from './program.js';
import type { DocumentContext } from './types.js';

const isKind = (kind: StepKind) => ({ context }: { context: DocumentContext }) => context.program.steps[context.pc]?.kind === kind;

export const documentMachine = document.createMachine({
  id: 'document',
  context: ({ input }) => ({
    input,
    program: { steps: [] },
    pc: 0,
    typedAhead: '',
    digits: '',
    submitted: false,
    timedOut: false,
    media: undefined,
    plays: 0,
    take: undefined,
    kept: undefined,
    dialed: undefined,
    callerGone: false,
    refusal: undefined,
  }),
  initial: 'opening',
  // For the whole call: what the outside asks of it (a transfer) comes in as events.
  invoke: { src: 'commands', input: ({ context }) => legInput(context) },
  on: {
    'ari.hangup': { target: '.closed' },
    'ari.stasisEnd': { target: '.closed' },
    'call.end': { target: '.closed' },
    'document.replace': {
      target: '.next',
      actions: assign({ program: ({ event }) => event.program, pc: 0, media: undefined, plays: 0, take: undefined, kept: undefined, typedAhead: '' }),
    },
  },
  states: {
    opening,
    answering,
    refusing,
    next: {
      always: [
        { guard: 'isCallerGone', target: 'closed' },
        { guard: 'isProgramOver', target: 'closed' },
        { guard: isKind('say'), target: 'say' },
        { guard: isKind('play'), target: 'play' },
        { guard: isKind('collect'), target: 'collect' },
        { guard: isKind('record'), target: 'record' },
        { guard: isKind('notify'), target: 'notify' },
        { guard: isKind('wait'), target: 'wait' },
        { guard: isKind('join'), target: 'join' },
        { guard: isKind('dial'), target: 'dial' },
        { guard: isKind('reject'), target: 'rejecting' },
        { guard: isKind('tones'), target: 'tones' },
        { target: 'closed' },
      ],
    },
    say,
    play,
    collect,
    record,
    notify,
    wait,
    join,
    dial,
    rejecting,
    tones,
    closed: { type: 'final' },
  },
});

export type { DocumentInput, DocumentSettings, OpenResult, ReportInput, ReportReply } from './types.js';
