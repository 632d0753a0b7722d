/**
 * Runs one callback effect under a minimal parent machine, collecting what it
 * sends back, so effect tests can drive it with commands and synthetic events.
 */
import { createActor, sendTo, setup, type AnyActorLogic, type AnyEventObject } from 'xstate';
import type { CallLog } from '../../states/shared/call.js';

/** A logger that keeps lines in memory. */
export function memoryLog(): CallLog & { lines: { level: string; message: string; meta?: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; meta?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, meta?: Record<string, unknown>) => lines.push({ level, message, ...(meta ? { meta } : {}) });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Starts `logic` as the invoked child `effect`; `received` fills with what it sends back. */
export function runEffect(logic: AnyActorLogic, input: unknown) {
  const received: AnyEventObject[] = [];
  const parent = setup({ actors: { effect: logic } }).createMachine({
    initial: 'running',
    states: {
      running: {
        invoke: { id: 'effect', src: 'effect', input: () => input },
        on: {
          'test.command': { actions: sendTo('effect', ({ event }) => (event as unknown as { command: AnyEventObject }).command) },
          'test.leave': { target: 'left' },
          '*': { actions: ({ event }) => received.push(event) },
        },
      },
      left: {},
    },
  });
  const actor = createActor(parent).start();
  return {
    received,
    /** Sends a command to the effect (as a machine's sendTo would). */
    command: (command: AnyEventObject) => actor.send({ type: 'test.command', command }),
    /** Leaves the invoking state: the effect's cleanup runs. */
    leave: () => actor.send({ type: 'test.leave' }),
    stop: () => actor.stop(),
  };
}

/** Lets pending promise callbacks run. */
export const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
