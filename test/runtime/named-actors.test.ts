import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { assign, setup } from 'xstate';
import { createLogger } from '../../src/logger.js';
import { NamedActors } from '../../src/runtime/named-actors.js';

const log = createLogger({ level: 'error', silent: true });

/** A room: members join and leave; it is idle when empty. */
const room = setup({
  types: { input: {} as { name: string }, context: {} as { name: string; members: string[] }, events: {} as { type: 'join' | 'leave'; who: string } },
}).createMachine({
  context: ({ input }) => ({ name: input.name, members: [] }),
  on: {
    join: { actions: assign({ members: ({ context, event }) => [...context.members, event.who] }) },
    leave: { actions: assign({ members: ({ context, event }) => context.members.filter((m) => m !== event.who) }) },
  },
});

function rooms(options: { persist?: (name: string, members: string[]) => Promise<void> } = {}) {
  const actors = new NamedActors(log);
  const written: [string, string[]][] = [];
  const pool = actors.pool({
    kind: 'room',
    logic: room,
    idleMs: 60_000,
    input: (name) => ({ name }),
    isIdle: (snapshot) => snapshot.context.members.length === 0,
    persist: async (name, snapshot) => {
      await options.persist?.(name, snapshot.context.members);
      written.push([name, snapshot.context.members]);
    },
  });
  return { actors, pool, written };
}

describe('long-lived named actors', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('creates an actor on first use, one per name, and persists each change in order', async () => {
    const { pool, written } = rooms();
    pool.ref('sales').send({ type: 'join', who: 'a' });
    pool.ref('sales').send({ type: 'join', who: 'b' });
    pool.ref('support').send({ type: 'join', who: 'c' });
    await vi.advanceTimersByTimeAsync(0);
    expect(pool.names()).toEqual(['sales', 'support']);
    expect(written.filter(([name]) => name === 'sales').map(([, m]) => m)).toEqual([[], ['a'], ['a', 'b']]);
  });

  it('stops an actor that has been empty for the idle time, and creates it afresh on the next use', async () => {
    const { pool } = rooms();
    const ref = pool.ref('sales');
    ref.send({ type: 'join', who: 'a' });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(pool.names()).toEqual(['sales']); // not empty
    ref.send({ type: 'leave', who: 'a' });
    await vi.advanceTimersByTimeAsync(59_000);
    expect(pool.names()).toEqual(['sales']);
    await vi.advanceTimersByTimeAsync(1001);
    expect(pool.names()).toEqual([]);
    ref.send({ type: 'join', who: 'b' }); // the handle the call kept still works
    expect(pool.get('sales')?.getSnapshot().context.members).toEqual(['b']);
  });

  it('stopAll stops every actor and resolves only once their writes are done', async () => {
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const { actors, pool, written } = rooms({ persist: (_name, members) => (members.length === 1 ? slow : Promise.resolve()) });
    pool.ref('sales').send({ type: 'join', who: 'a' });
    let stopped = false;
    const stopping = actors.stopAll().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false); // the write of ['a'] is still running
    release();
    await stopping;
    expect(written.at(-1)).toEqual(['sales', ['a']]);
    expect(pool.get('sales')).toBeUndefined(); // no actor after the stores may close
    pool.ref('sales').send({ type: 'join', who: 'late' }); // dropped, not an error
    expect(pool.names()).toEqual([]);
  });
});
