/**
 * The soak, small (issue 14): 40 fuzzed calls over every flow, with a
 * WebSocket drop and an Asterisk restart among them, must pass every check
 * the full soak makes, so `npm test` keeps the soak working. The full runs
 * are `npm run soak -- --calls 1000` (CI) and `--calls 10000`.
 */
import { describe, expect, it } from 'vitest';
import { planCall } from './calls.js';
import { callRng } from './prng.js';
import { runSoak } from './soak.js';

describe('soak', () => {
  it('replays: the same seed and call index draw the same plan, another index another', () => {
    const a = planCall(callRng(42, 7), 7);
    expect(planCall(callRng(42, 7), 7)).toEqual(a);
    const others = [8, 9, 10].map((i) => JSON.stringify({ ...planCall(callRng(42, i), i), index: 7 }));
    expect(others.some((other) => other !== JSON.stringify(a))).toBe(true);
  });

  it('40 fuzzed calls with a WebSocket drop and an Asterisk restart leave nothing behind and lose no message', async () => {
    const report = await runSoak({ calls: 40, seed: 14, concurrency: 10, dropEvery: 15, restartEvery: 30 });
    const failed = report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
    const calls = report.failedCalls.map((c) => `call ${c.plan.index}: ${c.problems.join('; ')} [${c.states.join(' → ')}]`);
    expect([...failed, ...calls]).toEqual([]);
    expect(Object.keys(report.byFlow).sort()).toEqual(['queue', 'vm-playback', 'vm-record', 'voice-api']);
    expect(report.drops + report.restarts).toBe(2);
  }, 180_000);
});
