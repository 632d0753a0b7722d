/**
 * Long-lived named actors: things many calls share, one actor per name (a
 * queue today, a conversation next). An actor is created on first use,
 * persisted on every change (one write at a time, in order), stopped once it
 * has been empty and idle for a while, and every actor is stopped, with its
 * writes finished, before the stores close (`stopAll`). Each is subscribed
 * with an `error` handler: an unobserved actor error would be rethrown.
 */
import { createActor, type Actor, type AnyActorLogic, type EmittedFrom, type EventFromLogic, type InputFrom, type SnapshotFrom } from 'xstate';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';

/** One kind of named actor. */
export interface NamedActorKind<TLogic extends AnyActorLogic> {
  /** The kind, e.g. `queue`; actor ids are `<kind>:<name>`. */
  readonly kind: string;
  /** The machine, effects provided. */
  readonly logic: TLogic;
  /** The input of the actor named `name`. */
  input(name: string, log: Logger): InputFrom<TLogic>;
  /** True when the actor holds nothing (no members, nothing running): it may be stopped. */
  isIdle(snapshot: SnapshotFrom<TLogic>): boolean;
  /** Persists a snapshot (called on every change; the writes are chained). */
  persist?(name: string, snapshot: SnapshotFrom<TLogic>, log: Logger): Promise<void> | void;
  /** Runs once the actor has started (e.g. to seed it from the database). */
  started?(name: string, actor: Actor<TLogic>, log: Logger): void;
  /** Idle this long, the actor is stopped (the next use creates it again). Default 60 s. */
  readonly idleMs?: number;
}

interface Live<TLogic extends AnyActorLogic> {
  actor: Actor<TLogic>;
  writing: Promise<void>;
  idleTimer?: NodeJS.Timeout;
}

/** A stable handle on a named actor: each send reaches the live actor, created again if it was stopped as idle. */
export interface NamedActorRef<TEvent> {
  send(event: TEvent): void;
}

const DEFAULT_IDLE_MS = 60_000;

/** Hears what the pool's actors emit (XState `emit`), with the emitting actor's name. */
export type EmittedListener<TLogic extends AnyActorLogic> = (name: string, event: EmittedFrom<TLogic>) => void;

/** The named actors of one kind. */
export class NamedActorPool<TLogic extends AnyActorLogic> {
  private readonly live = new Map<string, Live<TLogic>>();
  private readonly emittedListeners = new Set<EmittedListener<TLogic>>();
  private closed = false;

  constructor(
    private readonly kind: NamedActorKind<TLogic>,
    private readonly log: Logger,
  ) {}

  /** The live actor of `name`, created on first use; undefined once the pool is stopped. */
  get(name: string): Actor<TLogic> | undefined {
    if (this.closed) return undefined;
    return (this.live.get(name) ?? this.create(name)).actor;
  }

  /** A handle for calls to hold (they may outlive one incarnation of the actor). */
  ref(name: string): NamedActorRef<EventFromLogic<TLogic>> {
    return {
      send: (event) => {
        const actor = this.get(name);
        if (actor) actor.send(event);
        else this.log.debug(`${this.kind.kind} is stopped; event dropped`, { name });
      },
    };
  }

  /** The names of the live actors. */
  names(): string[] {
    return [...this.live.keys()];
  }

  /** The live actor of `name` without creating it: undefined when there is none (never made, or stopped as idle). */
  peek(name: string): Actor<TLogic> | undefined {
    return this.live.get(name)?.actor;
  }

  /** Listens to what every actor of the pool emits, those made later included; returns the function that stops listening. */
  onEmitted(listener: EmittedListener<TLogic>): () => void {
    this.emittedListeners.add(listener);
    return () => this.emittedListeners.delete(listener);
  }

  private create(name: string): Live<TLogic> {
    const { kind } = this;
    const log = this.log.child({ [kind.kind]: name });
    const actor = createActor(kind.logic, { input: kind.input(name, log), id: `${kind.kind}:${name}` });
    const entry: Live<TLogic> = { actor, writing: Promise.resolve() };
    this.live.set(name, entry);
    // Before the start, so nothing it emits on its first events is missed.
    actor.on('*', (event) => {
      for (const listener of this.emittedListeners) {
        try {
          listener(name, event);
        } catch (err) {
          // An observer's bug must not reach the actor (it would fail it).
          log.error(`a ${kind.kind} observer failed`, { err: errorMessage(err) });
        }
      }
    });
    actor.subscribe({
      next: (snapshot) => {
        if (kind.persist) {
          entry.writing = entry.writing
            .then(async () => {
              await kind.persist?.(name, snapshot, log);
            })
            .catch((err: unknown) => {
              log.warn(`could not persist the ${kind.kind}`, { err: errorMessage(err) });
            });
        }
        this.watchIdle(name, entry, kind.isIdle(snapshot));
      },
      error: (err) => {
        // A bug in the machine: new calls get a fresh actor; this one's state is logged.
        log.error(`${kind.kind} actor failed`, { err: errorMessage(err), stack: err instanceof Error ? err.stack : undefined });
        this.forget(name, entry);
      },
    });
    actor.start();
    log.info(`${kind.kind} started`);
    kind.started?.(name, actor, log);
    return entry;
  }

  private watchIdle(name: string, entry: Live<TLogic>, idle: boolean): void {
    if (!idle) {
      clearTimeout(entry.idleTimer);
      entry.idleTimer = undefined;
      return;
    }
    entry.idleTimer ??= setTimeout(() => {
      entry.idleTimer = undefined;
      if (this.live.get(name) !== entry || !this.kind.isIdle(entry.actor.getSnapshot())) return;
      this.log.info(`${this.kind.kind} idle; stopped`, { [this.kind.kind]: name });
      this.forget(name, entry);
      entry.actor.stop();
    }, this.kind.idleMs ?? DEFAULT_IDLE_MS);
  }

  private forget(name: string, entry: Live<TLogic>): void {
    clearTimeout(entry.idleTimer);
    if (this.live.get(name) === entry) this.live.delete(name);
  }

  /** Stops every actor and waits for their writes; no actor is created afterwards. */
  async stop(): Promise<void> {
    this.closed = true;
    const entries = [...this.live.entries()];
    for (const [name, entry] of entries) {
      this.forget(name, entry);
      entry.actor.stop();
    }
    await Promise.all(entries.map(([, entry]) => entry.writing));
  }
}

/** Every pool of long-lived named actors of one service. */
export class NamedActors {
  private readonly pools: NamedActorPool<AnyActorLogic>[] = [];

  constructor(private readonly log: Logger) {}

  /** Registers a kind and returns its pool. */
  pool<TLogic extends AnyActorLogic>(kind: NamedActorKind<TLogic>): NamedActorPool<TLogic> {
    const pool = new NamedActorPool(kind, this.log);
    this.pools.push(pool);
    return pool;
  }

  /** Stops every named actor and waits until each has persisted its last state. */
  async stopAll(): Promise<void> {
    await Promise.all(this.pools.map((pool) => pool.stop()));
  }
}
