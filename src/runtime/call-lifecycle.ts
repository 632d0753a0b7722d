/**
 * One call's lifecycle, as the runtime sees it, in one table instead of flags:
 *
 *   answering ─answered─▶ running ─endRequested─▶ ending
 *       │                   │  ╲                    │
 *       │        hangupRequested, flow done         │ (same, or the end bound)
 *       │                   ▼    (we hang up)       ▼
 *       │               hangingUp ◀─────────────────┘
 *       │                   │ StasisEnd
 *       ▼                   ▼
 *      gone ◀──flow done── postCall        (StasisEnd from running or ending: postCall too)
 *
 * A call is `gone` once its actor is finished and Asterisk has said the
 * channel left Stasis (or a bound passed). `hangUp` in a step says the runtime
 * must send the hang-up: only a call that is not already going away gets one.
 */

/** Where a call is. */
export type CallPhase = 'answering' | 'running' | 'ending' | 'hangingUp' | 'postCall' | 'gone';

/** What can happen to a call. */
export type CallTrigger =
  /** The answer request succeeded (or the flow does not answer) and the actor started. */
  | 'answered'
  /** The channel could not be answered. */
  | 'answerFailed'
  /** The service asks the flow to end the call (shutdown, an API). */
  | 'endRequested'
  /** Asterisk says the channel is being hung up (ChannelHangupRequest). */
  | 'hangupRequested'
  /** The channel left Stasis (StasisEnd, or found gone after a reconnection). */
  | 'stasisEnd'
  /** The flow reached its final state. */
  | 'flowDone'
  /** The flow reached its final state handing the channel to another flow (no hang-up). */
  | 'handedOver'
  /** The flow threw: it is stopped. */
  | 'flowFailed'
  /** The bound of the current phase passed. */
  | 'timedOut';

/** The outcome of a trigger. */
export interface LifecycleStep {
  readonly phase: CallPhase;
  /** Send the hang-up now. */
  readonly hangUp?: boolean;
}

const go = (phase: CallPhase, hangUp = false): LifecycleStep => ({ phase, hangUp });

const TABLE: Readonly<Record<CallPhase, Partial<Record<CallTrigger, LifecycleStep>>>> = {
  answering: {
    answered: go('running'),
    answerFailed: go('gone'),
    stasisEnd: go('gone'),
    // The flow never ran: nothing to end gracefully.
    endRequested: go('gone', true),
    timedOut: go('gone', true),
  },
  running: {
    endRequested: go('ending'),
    hangupRequested: go('hangingUp'),
    stasisEnd: go('postCall'),
    flowDone: go('hangingUp', true),
    flowFailed: go('hangingUp', true),
    handedOver: go('gone'),
  },
  ending: {
    hangupRequested: go('hangingUp'),
    stasisEnd: go('postCall'),
    flowDone: go('hangingUp', true),
    flowFailed: go('hangingUp', true),
    handedOver: go('gone'),
    timedOut: go('hangingUp', true),
  },
  hangingUp: {
    stasisEnd: go('postCall'),
    // The channel never confirmed it left (a lost event): stop waiting.
    timedOut: go('gone'),
  },
  postCall: {
    flowDone: go('gone'),
    flowFailed: go('gone'),
    handedOver: go('gone'),
    timedOut: go('gone'),
  },
  gone: {},
};

/** What `trigger` does to a call in `phase`; undefined when it changes nothing. */
export function lifecycleStep(phase: CallPhase, trigger: CallTrigger): LifecycleStep | undefined {
  return TABLE[phase][trigger];
}

/** The phases whose end is bounded by a timer (the runtime arms it on entry). */
export const BOUNDED_PHASES: ReadonlySet<CallPhase> = new Set<CallPhase>(['ending', 'hangingUp', 'postCall']);
