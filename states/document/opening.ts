/**
 * opening: finds the call's program (the application, its answer webhook,
 * the document parsed and checked) before the channel is answered, as a
 * hosted voice API does; then answers. A call that cannot run (an unknown
 * application, a webhook that failed, a document that is not valid) is
 * answered only to hear why, and is hung up.
 */
import { assign } from 'xstate';
import { document, legInput } from './setup.js';

export const opening = document.createStateConfig({
  invoke: {
    src: 'open',
    input: ({ context }) => legInput(context),
    onDone: [
      {
        // TwiML `<Reject>` first: the call is refused unanswered.
        guard: ({ event }) => event.output.outcome === 'ready' && event.output.program.steps[0]?.kind === 'reject',
        target: 'next',
        actions: assign({ program: ({ event }) => (event.output.outcome === 'ready' ? event.output.program : { steps: [] }) }),
      },
      {
        guard: ({ event }) => event.output.outcome === 'ready',
        target: 'answering',
        actions: assign({ program: ({ event }) => (event.output.outcome === 'ready' ? event.output.program : { steps: [] }) }),
      },
      {
        target: 'refusing',
        actions: assign({ refusal: ({ event }) => (event.output.outcome === 'refused' ? { reason: event.output.reason, prompt: event.output.prompt } : undefined) }),
      },
    ],
    onError: {
      target: 'refusing',
      actions: [
        ({ context, event }) => context.input.log.error('could not open the call', { err: String(event.error) }),
        assign({ refusal: { reason: 'internal error', prompt: [] } }),
      ],
    },
  },
  // Nothing runs before the call is answered; a replacement now has nothing to replace.
  on: { 'ari.dtmf': {}, 'document.replace': {} },
});

export const answering = document.createStateConfig({
  invoke: {
    src: 'answer',
    input: ({ context }) => ({ ...legInput(context), announce: true }),
    onDone: { target: 'next' },
    onError: {
      target: 'closed',
      actions: ({ context, event }) => context.input.log.warn('could not answer; ending the call', { err: String(event.error) }),
    },
  },
  // Nothing runs before the call is answered; a replacement now has nothing to replace.
  on: { 'ari.dtmf': {}, 'document.replace': {} },
});

export const refusing = document.createStateConfig({
  initial: 'answering',
  states: {
    answering: {
      invoke: {
        src: 'answer',
        input: ({ context }) => ({ ...legInput(context), announce: false }),
        onDone: [{ guard: ({ context }) => (context.refusal?.prompt.length ?? 0) > 0, target: 'telling' }, { target: '#document.closed' }],
        onError: { target: '#document.closed' },
      },
    },
    telling: {
      invoke: {
        src: 'playback',
        input: ({ context }) => ({ target: { channelId: context.input.channelId }, media: context.refusal!.prompt, log: context.input.log }),
      },
      on: { 'playback.finished': { target: '#document.closed' } },
    },
  },
  // Nothing runs before the call is answered; a replacement now has nothing to replace.
  on: { 'ari.dtmf': {}, 'document.replace': {} },
});
