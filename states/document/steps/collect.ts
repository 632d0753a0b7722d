/**
 * collect: keys from the caller (NCCO `input`, TwiML `<Gather>`). It starts
 * with the keys typed during barge-in prompts; it submits when `maxDigits` are
 * in, on its `submitKey`, or `timeoutMs` after it started or after the
 * last key (then flagged timed out, digits or not). The result goes to the
 * program; a document in the reply replaces the rest.
 */
import { assign } from 'xstate';
import { takeKeys } from '../../shared/digits.js';
import { document, legInput, stepOf } from '../setup.js';
import type { DocumentContext } from '../types.js';

/** Takes keys into the step's digits. */
const take = (context: DocumentContext, keys: string) => {
  const taken = takeKeys(stepOf(context, 'collect'), context.digits, keys);
  return { digits: taken.digits, submitted: taken.complete };
};

export const collect = document.createStateConfig({
  entry: assign(({ context }) => ({ ...take({ ...context, digits: '' }, context.typedAhead), typedAhead: '', timedOut: false })),
  initial: 'checking',
  states: {
    checking: {
      always: [{ guard: ({ context }) => context.submitted, target: 'reporting' }, { target: 'waiting' }],
    },
    waiting: {
      on: {
        'ari.dtmf': {
          target: 'checking',
          actions: assign(({ context, event }) => take(context, event.digit)),
        },
      },
      // Re-entered after each key (through checking), so the time-out restarts.
      after: { collectTimeout: { target: 'reporting', actions: assign({ timedOut: true }) } },
    },
    reporting: {
      invoke: {
        src: 'report',
        input: ({ context }) => {
          const step = stepOf(context, 'collect');
          return {
            ...legInput(context),
            report: step.report,
            result: {
              kind: 'collect' as const,
              digits: context.digits,
              timedOut: context.timedOut,
              ...(step.speechRequested ? { speechError: 'Speech input is not supported' } : {}),
            },
          };
        },
        onDone: [
          {
            guard: ({ event }) => event.output.replace !== undefined,
            target: '#document.next',
            actions: assign({ program: ({ event }) => event.output.replace!, pc: 0, media: undefined, plays: 0, take: undefined }),
          },
          { target: '#document.next', actions: 'advance' },
        ],
        onError: {
          target: '#document.next',
          actions: [({ context, event }) => context.input.log.warn('input result could not be sent; going on', { err: String(event.error) }), 'advance'],
        },
      },
      // Keys now belong to nobody: the result is on its way.
      on: { 'ari.dtmf': {} },
    },
  },
  on: { 'ari.dtmf': {} },
});
