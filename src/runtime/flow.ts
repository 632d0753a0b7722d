/**
 * A flow: what runs on a channel that enters one Stasis application. A fixed
 * machine (voicemail) and a machine built from a document at call time both
 * end up here, as actor logic taking a CallInput.
 */
import type { AnyActorLogic } from 'xstate';
import type { CallInput } from '../../states/shared/call.js';

/**
 * Any actor logic a call can run (a provided state machine, in practice). It
 * takes a `CallInput` (states/shared/call.ts) and accepts `CallEvent`s.
 */
export type CallLogic = AnyActorLogic;

/** A flow registered under a Stasis application name. */
export interface Flow {
  /** The Stasis application name (`Stasis(<app>,...)` in the dialplan). */
  readonly app: string;
  /** The call's root logic, effects already provided. */
  readonly logic: CallLogic;
  /** Sounds the flow plays (for start-up and deployment checks). */
  readonly prompts: readonly string[];
  /** Answer the channel before the machine starts (default true). */
  readonly answer?: boolean;
  /** Extra fields for the call's logger, from the app's arguments (e.g. the mailbox). */
  logFields?(args: readonly string[]): Record<string, unknown>;
  /** Builds the machine's input from the call's (to add the flow's settings); default: the call input itself. */
  input?(call: CallInput): unknown;
}

/** Flows keyed by app name; app names must be unique. */
export class FlowRegistry {
  private readonly flows = new Map<string, Flow>();

  constructor(flows: Iterable<Flow> = []) {
    for (const flow of flows) this.add(flow);
  }

  /** Registers a flow; a second flow for the same app is a configuration error. */
  add(flow: Flow): void {
    if (this.flows.has(flow.app)) throw new Error(`two flows for Stasis app "${flow.app}"`);
    this.flows.set(flow.app, flow);
  }

  get(app: string): Flow | undefined {
    return this.flows.get(app);
  }

  /** The app names to register with Asterisk. */
  get apps(): string[] {
    return [...this.flows.keys()];
  }

  [Symbol.iterator](): IterableIterator<Flow> {
    return this.flows.values();
  }
}
