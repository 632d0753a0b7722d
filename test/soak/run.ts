/**
 * `npm run soak -- --calls N [--seed S] [--concurrency C] [--drop-every D] [--restart-every R]`:
 * runs the soak (test/soak/soak.ts), prints its checks, and exits non-zero
 * when one fails, naming the seed and the calls that replay it.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseArgs } from 'node:util';
import { runSoak, type SoakReport } from './soak.js';

/** global.gc, exposed now if node was started without --expose-gc (tsx starts it for us). */
function exposeGc(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as (() => void) | undefined;
}

/** The report as a person reads it. */
export function formatReport(report: SoakReport, verbose = false): string {
  const o = report.options;
  const lines = [
    `soak: ${o.calls} calls, seed ${o.seed}, concurrency ${o.concurrency}; ${report.drops} WebSocket drop(s), ${report.restarts} Asterisk restart(s)`,
    `  flows: ${Object.entries(report.byFlow).map(([flow, n]) => `${flow} ${n} calls (${report.statesReached[flow]?.length ?? 0} states reached)`).join(', ')}; ${report.dialFailures} dial(s) refused during outages`,
    `  ${report.seconds.toFixed(1)} s, ${report.callsPerSecond.toFixed(1)} calls/s; ${report.deposited} messages deposited`,
    ...(verbose ? Object.entries(report.statesReached).map(([flow, states]) => `  ${flow} reached: ${states.join(', ')}`) : []),
    ...report.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`),
  ];
  for (const call of report.failedCalls.slice(0, 10)) {
    lines.push(`  call ${call.plan.index} (replay: --seed ${o.seed} --calls ${call.plan.index + 1}): ${call.problems.join('; ')}`);
    lines.push(`    plan ${JSON.stringify(call.plan)}`);
    lines.push(`    states ${call.states.join(' → ')}`);
  }
  lines.push(report.ok ? 'soak: all checks hold' : `soak: FAILED (seed ${o.seed})`);
  return lines.join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '1000' },
      seed: { type: 'string' },
      concurrency: { type: 'string', default: '40' },
      'drop-every': { type: 'string', default: '300' },
      'restart-every': { type: 'string', default: '450' },
      /** Also list the states each flow reached. */
      verbose: { type: 'boolean', default: false },
    },
  });
  const int = (name: string, raw: string | undefined, min: number) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got "${raw}"`);
    return n;
  };
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : int('seed', values.seed, 0);
  const report = await runSoak({
    calls: int('calls', values.calls, 1),
    seed,
    concurrency: int('concurrency', values.concurrency, 1),
    dropEvery: int('drop-every', values['drop-every'], 0),
    restartEvery: int('restart-every', values['restart-every'], 0),
    gc: exposeGc(),
    progress: (line) => console.log(`soak: ${line}`),
  });
  console.log(formatReport(report, values.verbose));
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
