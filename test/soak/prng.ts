/** A small seeded PRNG for the soak: each call draws from its own stream, so a failing call replays from its seed and index. */

/** A random source: `next()` in [0, 1) and helpers over it. */
export interface Rng {
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

/** mulberry32 over a 32-bit state: fast, and good enough to fuzz with. */
export function rngFrom(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from nothing');
      return items[Math.floor(next() * items.length)]!;
    },
  };
}

/** The stream of call `index` in a run seeded `seed` (independent of every other call's draws). */
export function callRng(seed: number, index: number): Rng {
  // Mixing the index through an odd multiplier keeps neighbouring calls' streams apart.
  return rngFrom(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35));
}
