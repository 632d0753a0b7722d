/**
 * Pieces every call machine is built from, so each flow does not copy them:
 * what a hang-up does, the events that no longer matter once the caller is
 * gone, and the post-call state (work that must run once, then an optional
 * goodbye, then the call closes).
 */
import type { CallLog } from './call.js';
import type { PlaybackInput } from './effects.js';

/** The caller hung up or the channel left Stasis: go to `target` (a state id or a relative target). */
export function callerGone<const TTarget extends string>(target: TTarget) {
  return { 'ari.hangup': { target }, 'ari.stasisEnd': { target } } as const;
}

/**
 * A call machine's root handlers: the caller hanging up goes to `hangUp`, the
 * service ending the call (`call.end`) to `end`, from any state that does not
 * say otherwise.
 */
export function callEnds<const THangUp extends string, const TEnd extends string>(hangUp: THangUp, end: TEnd) {
  return { ...callerGone(hangUp), 'call.end': { target: end } } as const;
}

/** Events that still arrive for a gone (or going) channel, and change nothing. */
export const IGNORE_CALLER = { 'ari.hangup': {}, 'ari.stasisEnd': {}, 'ari.dtmf': {}, 'call.end': {} } as const;

interface WithLog {
  input: { log: CallLog; channelId: string };
}

/** Options of a post-call state. */
export interface PostCallOptions<TContext extends WithLog, TSrc extends string, TWorkInput, TAction extends string, TGuard extends string> {
  /** The state that runs the work (`saving`, `finishing`). */
  state: string;
  /** The work: a promise effect by name, its input, and the guard that says it is still to be done (it runs once). */
  work: { src: TSrc; input: (args: { context: TContext }) => TWorkInput; needed: TGuard; done: TAction };
  /** What to log when the work fails (the call still ends normally), and what to log with it. */
  failure: string;
  failureMeta?: (context: TContext) => Record<string, unknown>;
  /** A goodbye played after the work while the caller is still there (`ending`), when `when` holds. */
  goodbye?: { when: TGuard; media: readonly string[] };
  /** Where a hang-up during the goodbye goes (the hung-up post-call state); none: the caller is already gone. */
  hangUp?: string;
  /** Where the call goes once this is done. */
  then: string;
}

/**
 * A post-call state: runs `work` once (only when `needed` holds; a failure is
 * logged and the call goes on), then the goodbye if any, then `then`. A
 * hang-up while the work runs waits for it, so it is done exactly once; a
 * hang-up during the goodbye goes to `hangUp`.
 */
export function postCallState<TContext extends WithLog, const TSrc extends string, TWorkInput, const TAction extends string, const TGuard extends string>(
  options: PostCallOptions<TContext, TSrc, TWorkInput, TAction, TGuard>,
) {
  const logFailure = ({ context, event }: { context: TContext; event: { error: unknown } }) =>
    context.input.log.error(options.failure, { ...options.failureMeta?.(context), err: String(event.error) });
  const afterWork = options.goodbye ? 'deciding' : 'done';
  const work = {
    invoke: {
      src: options.work.src,
      input: options.work.input,
      onDone: { target: afterWork, actions: options.work.done },
      // Marked done too: the hung-up state must not try again.
      onError: { target: afterWork, actions: [options.work.done, logFailure] },
    },
    ...(options.hangUp === undefined ? {} : { on: IGNORE_CALLER }),
  };
  const goodbye = options.goodbye && {
    deciding: { always: [{ guard: options.goodbye.when, target: 'goodbye' }, { target: 'done' }] },
    goodbye: {
      invoke: {
        src: 'playback' as const,
        input: ({ context }: { context: TContext }): PlaybackInput => ({ target: { channelId: context.input.channelId }, media: options.goodbye!.media, log: context.input.log }),
      },
      on: { 'playback.finished': { target: 'done' } },
    },
  };
  return {
    initial: 'checking',
    states: {
      checking: { always: [{ guard: options.work.needed, target: options.state }, { target: afterWork }] },
      [options.state]: work,
      ...goodbye,
      done: { type: 'final' as const },
    },
    on: options.hangUp === undefined ? IGNORE_CALLER : { ...callerGone(options.hangUp), 'call.end': {} },
    onDone: { target: options.then },
  };
}
