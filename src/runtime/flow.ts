/**
 * A flow: what runs on a channel that enters one Stasis application. A fixed
 * machine (voicemail) and a machine built from a document at call time both
 * end up here. `defineFlow` checks, at compile time, that the machine accepts
 * the runtime's events and that `input` builds the machine's own input, then
 * hides the machine's types behind `CallActor`, so the runtime needs no casts.
 */
import { createActor, type Actor, type AnyStateMachine, type EventFromLogic, type InputFrom } from 'xstate';
import type { CallEvent, CallInput, CallOutput } from '../../states/shared/call.js';

/** What the runtime sees of a call's actor at any moment. */
export interface CallView {
  status: 'active' | 'done' | 'error' | 'stopped';
  /** The current state, as one label (`greeting`, `{"recording":"capturing"}`). */
  state: string;
  /** The final state's output, once done. */
  output: CallOutput;
}

/** A call's root actor, as the runtime drives it. */
export interface CallActor {
  start(): void;
  stop(): void;
  send(event: CallEvent): void;
  view(): CallView;
  /** Follows the actor: every snapshot (read `view()` when needed: it costs), an error, the end. Returns the unsubscribe function. */
  subscribe(observer: { next(): void; error(err: unknown): void; complete(): void }): () => void;
}

/** How a flow is declared (src/apps/*): its machine, effects provided, and how its input is built. */
export interface FlowDefinition<TLogic extends AnyStateMachine> {
  /** The Stasis application name (`Stasis(<app>,...)` in the dialplan). */
  readonly app: string;
  /** The call's root machine, effects already provided. */
  readonly logic: TLogic;
  /** Sounds the flow plays (for start-up and deployment checks). */
  readonly prompts: readonly string[];
  /** Answer the channel before the machine starts (default true). */
  readonly answer?: boolean;
  /** Extra fields for the call's logger, from the app's arguments (e.g. the mailbox). */
  logFields?(args: readonly string[]): Record<string, unknown>;
  /** Builds the machine's input from the call's (adding the flow's settings). */
  input(call: CallInput): InputFrom<TLogic>;
}

/** A compile-time check: a flow's machine must accept every event the runtime sends. */
type AcceptsCallEvents<TLogic extends AnyStateMachine> = [CallEvent] extends [EventFromLogic<TLogic>]
  ? unknown
  : { 'the machine must accept every CallEvent (states/shared/call.ts)': never };

/** A flow ready for the runtime. */
export interface Flow {
  readonly app: string;
  readonly prompts: readonly string[];
  readonly answer: boolean;
  logFields(args: readonly string[]): Record<string, unknown>;
  /** Creates (does not start) the call's actor. */
  createActor(call: CallInput, id: string): CallActor;
}

function stateLabel(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Reads a hand-over from a final state's output, checking its shape. */
function callOutput(output: unknown): CallOutput {
  if (typeof output !== 'object' || output === null || !('handOver' in output)) return {};
  const handOver: unknown = output.handOver;
  if (typeof handOver !== 'object' || handOver === null || !('app' in handOver) || !('args' in handOver)) return {};
  const { app, args } = handOver;
  if (typeof app !== 'string' || !Array.isArray(args) || !args.every((a): a is string => typeof a === 'string')) return {};
  return { handOver: { app, args } };
}

/** Declares a flow. */
export function defineFlow<TLogic extends AnyStateMachine>(definition: FlowDefinition<TLogic> & AcceptsCallEvents<TLogic>): Flow {
  const { app, prompts, logic } = definition;
  return {
    app,
    prompts,
    answer: definition.answer !== false,
    logFields: (args) => definition.logFields?.(args) ?? {},
    createActor(call, id) {
      // Actor<AnyStateMachine>: the machine's own types end here, checked above.
      const actor: Actor<AnyStateMachine> = createActor(logic, { input: definition.input(call), id });
      const view = (): CallView => {
        const snapshot = actor.getSnapshot();
        return { status: snapshot.status, state: stateLabel(snapshot.value), output: snapshot.status === 'done' ? callOutput(snapshot.output) : {} };
      };
      return {
        start: () => void actor.start(),
        stop: () => void actor.stop(),
        send: (event) => actor.send(event),
        view,
        subscribe(observer) {
          const subscription = actor.subscribe({ next: () => observer.next(), error: (err) => observer.error(err), complete: () => observer.complete() });
          return () => subscription.unsubscribe();
        },
      };
    },
  };
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

  /** The flow of an app. */
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
