/**
 * The digit collector: plays a prompt and collects digits until `#`, or a
 * pause after the prompt or the last digit (a mailbox, a PIN, a forward
 * target; the next flows collect digits the same way). A digit stops the
 * prompt (type-ahead) and restarts the pause.
 *
 * The machine that uses it provides the `playback` effect, the actions
 * `clearDigits` and `appendDigit`, and the delay `digitTimeout`.
 *
 * `takeKeys` is the rule for keys with a limit (a document's collect step:
 * at most `maxDigits`, a submit key or none), shared by every collector.
 */
import type { CallLog } from './call.js';
import type { PlaybackInput } from './effects.js';
import { isDigit, isKey } from './keys.js';

interface WithCall {
  input: { channelId: string; log: CallLog };
}

/** A state that collects digits; `done` (a `#id` target) is where `#` or the pause leads. */
export function collectDigits<TContext extends WithCall, const TDone extends `#${string}`>(prompt: string, done: TDone) {
  return {
    initial: 'prompting' as const,
    states: {
      prompting: {
        // Cleared here, not on the parent: a digit re-enters `waiting` and must not lose the others.
        entry: 'clearDigits' as const,
        invoke: {
          src: 'playback' as const,
          input: ({ context }: { context: TContext }): PlaybackInput => ({ target: { channelId: context.input.channelId }, media: [prompt], log: context.input.log }),
        },
        on: { 'playback.finished': { target: 'waiting' as const } },
      },
      waiting: {
        after: { digitTimeout: { target: done } },
      },
    },
    on: {
      'ari.dtmf': [
        { guard: isKey('#'), target: done },
        { guard: isDigit, target: '.waiting' as const, reenter: true, actions: 'appendDigit' as const },
      ],
    },
  };
}

/** Adds keys to the digits so far: the digits, and whether they are complete. */
export function takeKeys(step: { readonly maxDigits: number; readonly submitKey?: string }, digits: string, keys: string): { digits: string; complete: boolean } {
  let out = digits;
  for (const key of keys) {
    if (key === step.submitKey) return { digits: out, complete: true };
    out += key;
    if (out.length >= step.maxDigits) return { digits: out, complete: true };
  }
  return { digits: out, complete: false };
}
