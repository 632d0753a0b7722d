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
  },
});
