import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// Scenario files drive real timers against the simulator (or a real Asterisk), so
// they get generous per-test time-outs; pure machine tests finish in milliseconds.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/**/*.test.ts', 'states/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Scenario files mostly wait on timers and sockets, not the CPU: run several at once
    // even on a 2-core machine (vitest's default there would be one at a time).
    poolOptions: { forks: { minForks: 1, maxForks: 4 } },
  },
});
