/**
 * `npm run bench:e2e`: the service as its own process, against the ARI
 * simulator in another process over real HTTP and WebSocket, driven from a
 * third process by N concurrent scripted retrieval calls (e2e/driver.ts).
 * When ../shared/peers/tutorial-node exists, the same driver then runs the
 * tutorial's own Node voicemail on the same simulator, and the ratios are
 * printed. Per run: app CPU per call and per 1,000 ARI events the app
 * received, ARI requests per call, RSS peak, heap per live call, p50 / p99
 * key → next prompt, and the simulator's and the driver's CPU.
 *
 *   npm run bench:e2e [-- --sizes 20,200,1000] [--peer-sizes 20,200] [--write-readme]
 *
 * BENCH_APP_FLAGS adds node flags to the app under test (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { v7 as uuidv7 } from 'uuid';
import { encodeWav, tone } from '../../src/simulator/media/audio.js';
import { openStore } from '../../src/storage/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const peerSource = resolve(root, '../shared/peers/tutorial-node');
const MESSAGES_PER_MAILBOX = 3;
const MESSAGE_SECONDS = 12;
const DRIVER = { user: 'bench-driver', password: 'bench' };
const CLK_TCK = 100;
const appFlags = (process.env.BENCH_APP_FLAGS ?? '').split(' ').filter((f) => f !== '');

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '20,200,1000' },
    'peer-sizes': { type: 'string', default: '20,200' },
    'write-readme': { type: 'boolean', default: false },
  },
});
const sizes = values.sizes.split(',').map(Number);
const peerSizes = values['peer-sizes'].split(',').map(Number).filter((n) => sizes.includes(n));

interface Run {
  who: 'stasis-flows' | 'tutorial';
  calls: number;
  failed: number;
  errors: string[];
  appCpuMs: number;
  appEvents: number;
  appRequests: number;
  requestsByOp: Record<string, number>;
  rssPeakMiB: number;
  heapPerCallKiB: number;
  p50: number;
  p99: number;
  simCpuMs: number;
  driverCpuMs: number;
  wallMs: number;
}

/** utime + stime of a process, in ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/** The peak resident set of a process (VmHWM), in MiB. */
function rssPeakMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Starts a process and resolves once a line of its output matches `ready`. */
function startProcess(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; ready: RegExp | number; ipc?: boolean; name: string }): Promise<ChildProcess> {
  const child = spawn(command, args, {
    cwd: options.cwd ?? root,
    env: { ...process.env, ...options.env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolveStart, reject) => {
    let seen = '';
    const drain = () => {
      child.stdout?.resume();
      child.stderr?.resume();
    };
    if (typeof options.ready === 'number') {
      // A process that says nothing when it is up: ready once it has run this long.
      const timer = setTimeout(() => {
        drain();
        resolveStart(child);
      }, options.ready);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${options.name} exited (${code})`));
      });
      return;
    }
    const ready = options.ready;
    const timer = setTimeout(() => reject(new Error(`${options.name} did not start: ${seen.slice(-2000)}`)), 30_000);
    const onData = (chunk: Buffer) => {
      if (seen.length < 100_000) seen += chunk.toString();
      if (ready.test(seen)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        // Keep draining: a full pipe would block the process.
        drain();
        resolveStart(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${options.name} exited (${code}) before it was ready: ${seen.slice(-2000)}`)));
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function heapOf(child: ChildProcess): Promise<number> {
  return new Promise((resolveHeap) => {
    const timer = setTimeout(() => resolveHeap(Number.NaN), 5000);
    child.once('message', (message: { heapUsed: number }) => {
      clearTimeout(timer);
      resolveHeap(message.heapUsed);
    });
    child.send('heap');
  });
}

/** Mailboxes with messages: the recordings on the simulator's disk, the rows in our database. */
function seed(recordingsDir: string, dataDir: string, mailboxes: string[]): Promise<void> {
  const audio = encodeWav(tone(MESSAGE_SECONDS * 8000, 4000, 440));
  const store = openStore(dataDir);
  return (async () => {
    try {
      for (const mailbox of mailboxes) {
        await store.addMailbox({ id: mailbox, name: `Bench ${mailbox}` });
        for (let i = 0; i < MESSAGES_PER_MAILBOX; i++) {
          const id = uuidv7();
          const recording = `voicemail/${mailbox}/${id}`;
          mkdirSync(join(recordingsDir, dirname(recording)), { recursive: true });
          writeFileSync(join(recordingsDir, `${recording}.wav`), audio);
          await store.addMessage({ id, mailbox, recording, callerNumber: '2001', callerName: 'Bench', receivedAt: new Date().toISOString(), durationSeconds: MESSAGE_SECONDS });
        }
      }
    } finally {
      await store.close();
    }
  })();
}

async function stats(url: string, method = 'GET'): Promise<{ requests: Record<string, Record<string, number>>; events: Record<string, number> }> {
  const res = await fetch(`${url}/simulator/stats`, { method, headers: { authorization: `Basic ${Buffer.from(`${DRIVER.user}:${DRIVER.password}`).toString('base64')}` } });
  return (await res.json()) as { requests: Record<string, Record<string, number>>; events: Record<string, number> };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface DriverResult {
  failed: number;
  errors: string[];
  latenciesMs: number[];
  driverCpuMs: number;
  wallMs: number;
}

/** Runs the driver process with `calls` calls; `allUp` is called once every call listens to its first message. */
function drive(url: string, calls: number, mailboxes: string[], allUp: () => void): Promise<DriverResult> {
  const rampMs = Math.min(10_000, calls * 20);
  const driver = spawn('node', ['--import', 'tsx', join(root, 'test/bench/e2e/driver.ts'), JSON.stringify({ url, ...DRIVER, app: 'vm-playback', calls, mailboxes, rampMs })], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise<DriverResult>((resolveRun, reject) => {
    let buffer = '';
    driver.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const message = JSON.parse(line) as Partial<DriverResult> & { allUp?: boolean; done?: boolean };
        if (message.allUp) allUp();
        if (message.done) {
          if (process.env.BENCH_DEBUG) process.stderr.write(`${line}\n`);
          resolveRun(message as DriverResult);
        }
      }
    });
    driver.once('exit', (code) => {
      if (code !== 0) reject(new Error(`driver exited with ${code}`));
    });
  });
}

/** One run: a fresh simulator, the app (ours or the peer), and the driver with N calls. */
async function run(who: Run['who'], calls: number, peerDir: string | undefined): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'stasis-flows-bench-'));
  const recordingsDir = join(dir, 'recording');
  const dataDir = join(dir, 'data');
  mkdirSync(recordingsDir, { recursive: true });
  // Four-digit mailboxes: the tutorial finds messages by prefix (`^voicemail/<mailbox>`).
  const mailboxes = Array.from({ length: Math.min(calls, 50) }, (_, i) => String(9000 + i));
  await seed(recordingsDir, dataDir, mailboxes);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const sim = await startProcess('node', [join(root, 'dist/src/simulator/main.js'), '--port', String(port), '--recordings', recordingsDir, '--more-user', `${DRIVER.user}:${DRIVER.password}`], {
    ready: /listening/,
    name: 'simulator',
  });
  const ari = { ARI_URL: url, ARI_USERNAME: 'asterisk', ARI_PASSWORD: 'asterisk' };
  const app =
    who === 'stasis-flows'
      ? await startProcess('node', [...appFlags, '--expose-gc', '--import', join(root, 'test/bench/e2e/heap-probe.mjs'), join(root, 'dist/src/main.js')], {
          env: { ...ari, STASIS_FLOWS_DATA_DIR: dataDir, STASIS_FLOWS_VM_ENVELOPE: 'false', LOG_LEVEL: 'info', ASTERISK_SOUNDS_DIR: '/usr/share/asterisk/sounds', STASIS_FLOWS_HTTP_PORT: '0' },
          ready: /"message":"ready"/,
          ipc: true,
          name: 'stasis-flows',
        })
      : await startProcess('node', ['--expose-gc', '--import', join(root, 'test/bench/e2e/heap-probe.mjs'), 'vm-playback.js'], {
          cwd: peerDir,
          env: ari,
          ready: 3000, // it prints nothing when it is up
          ipc: true,
          name: 'tutorial',
        });
  try {
    await new Promise((r) => setTimeout(r, 500));
    // A few calls first, not measured: a service runs for days, its code is compiled and its caches full.
    await drive(url, Math.min(10, calls), mailboxes, () => undefined);
    const heapBefore = await heapOf(app);
    await stats(url, 'DELETE');
    const appCpu0 = cpuMs(app.pid!);
    const simCpu0 = cpuMs(sim.pid!);
    let heapAllUp = Number.NaN;
    const result = await drive(url, calls, mailboxes, () => void heapOf(app).then((h) => (heapAllUp = h)));
    // The calls' post-call work (heard → old, MWI) belongs to the run too.
    await new Promise((r) => setTimeout(r, 1000));
    const appCpuMs = cpuMs(app.pid!) - appCpu0;
    const simCpuMs = cpuMs(sim.pid!) - simCpu0;
    const served = await stats(url);
    const requestsByOp = served.requests['asterisk'] ?? {};
    const appEvents = Object.entries(served.events)
      .filter(([name]) => name !== 'bench-driver')
      .reduce((n, [, count]) => n + count, 0);
    return {
      who,
      calls,
      failed: result.failed,
      errors: result.errors,
      appCpuMs,
      appEvents,
      appRequests: Object.values(requestsByOp).reduce((a, b) => a + b, 0),
      requestsByOp,
      rssPeakMiB: rssPeakMiB(app.pid!),
      heapPerCallKiB: (heapAllUp - heapBefore) / 1024 / calls,
      p50: percentile(result.latenciesMs, 50),
      p99: percentile(result.latenciesMs, 99),
      simCpuMs,
      driverCpuMs: result.driverCpuMs,
      wallMs: result.wallMs,
    };
  } finally {
    await stopProcess(app);
    await stopProcess(sim);
    rmSync(dir, { recursive: true, force: true });
  }
}

function preparePeer(): string | undefined {
  if (!existsSync(peerSource)) {
    process.stdout.write(`note: ${peerSource} is not there; the tutorial peer rows are skipped.\n`);
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tutorial-peer-'));
  cpSync(peerSource, dir, { recursive: true });
  const ci = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
  if (ci.status !== 0) {
    process.stdout.write('note: npm ci failed for the tutorial peer; its rows are skipped.\n');
    return undefined;
  }
  return dir;
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

function table(runs: Run[]): string {
  const lines = [
    '| app | calls | failed | app CPU ms / call | app CPU ms / 1,000 events | ARI requests / call | RSS peak MiB | heap / live call KiB | key → prompt p50 / p99 ms | simulator CPU ms | driver CPU ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of runs) {
    lines.push(
      `| ${r.who} | ${r.calls} | ${r.failed} | ${fmt(r.appCpuMs / r.calls, 1)} | ${fmt((r.appCpuMs / r.appEvents) * 1000)} | ${fmt(r.appRequests / r.calls, 1)} | ${fmt(r.rssPeakMiB)} | ${fmt(r.heapPerCallKiB, 1)} | ${fmt(r.p50, 1)} / ${fmt(r.p99, 1)} | ${fmt(r.simCpuMs)} | ${fmt(r.driverCpuMs)} |`,
    );
  }
  return lines.join('\n');
}

function targets(runs: Run[]): string[] {
  const ours = (n: number) => runs.find((r) => r.who === 'stasis-flows' && r.calls === n);
  const peer = (n: number) => runs.find((r) => r.who === 'tutorial' && r.calls === n);
  const perEvent = (r: Run) => r.appCpuMs / r.appEvents;
  const out: string[] = [];
  const check = (what: string, met: boolean | undefined, detail: string) => out.push(`- ${what}: ${met === undefined ? 'not measured' : met ? 'met' : 'NOT met'} (${detail})`);
  for (const n of [20, 200]) {
    const o = ours(n);
    const p = peer(n);
    check(`app CPU per 1,000 events ≤ 1/3 of the tutorial's at N = ${n}`, o && p ? perEvent(o) <= perEvent(p) / 3 : undefined, o && p ? `${fmt(perEvent(p) / perEvent(o), 2)}x less` : 'needs both rows');
  }
  const o200 = ours(200);
  const p200 = peer(200);
  check('RSS peak ≤ the tutorial\'s at N = 200', o200 && p200 ? o200.rssPeakMiB <= p200.rssPeakMiB : undefined, o200 && p200 ? `${fmt(o200.rssPeakMiB)} vs ${fmt(p200.rssPeakMiB)} MiB` : 'needs both rows');
  const heap = runs.filter((r) => r.who === 'stasis-flows').map((r) => r.heapPerCallKiB);
  check('heap per live call ≤ 30 KB', heap.length ? Math.max(...heap) <= 30 : undefined, `${heap.map((h) => fmt(h, 1)).join(', ')} KiB`);
  const o1000 = ours(1000);
  check('p99 key → prompt ≤ 20 ms at N = 200', o200 ? o200.p99 <= 20 : undefined, o200 ? `${fmt(o200.p99, 1)} ms` : '');
  check('p99 key → prompt ≤ 50 ms at N = 1,000', o1000 ? o1000.p99 <= 50 : undefined, o1000 ? `${fmt(o1000.p99, 1)} ms` : '');
  const o20 = ours(20);
  check('per-event cost at N = 1,000 within 1.5x of N = 20', o20 && o1000 ? perEvent(o1000) <= 1.5 * perEvent(o20) : undefined, o20 && o1000 ? `${fmt(perEvent(o1000) / perEvent(o20), 2)}x` : '');
  return out;
}

async function main(): Promise<void> {
  if (!existsSync(join(root, 'dist/src/main.js'))) throw new Error('build first: npm run build');
  const peerDir = peerSizes.length > 0 ? preparePeer() : undefined;
  const runs: Run[] = [];
  for (const n of sizes) {
    process.stderr.write(`stasis-flows, ${n} calls...\n`);
    runs.push(await run('stasis-flows', n, undefined));
    if (peerDir && peerSizes.includes(n)) {
      process.stderr.write(`tutorial, ${n} calls...\n`);
      runs.push(await run('tutorial', n, peerDir));
    }
  }
  const ours = runs.filter((r) => r.who === 'stasis-flows').at(-1);
  const requests = ours ? Object.entries(ours.requestsByOp).map(([op, count]) => `${op} ${fmt(count / ours.calls, 2)}`).join(', ') : '';
  const report = [
    table(runs),
    '',
    'Targets:',
    ...targets(runs),
    '',
    `Requests per call (stasis-flows, N = ${ours?.calls ?? '?'}): ${requests}`,
    ...runs.filter((r) => r.failed > 0).map((r) => `Failed calls (${r.who}, ${r.calls}): ${r.errors.join('; ')}`),
  ].join('\n');
  process.stdout.write(`${report}\n`);
  if (values['write-readme']) {
    const readme = join(root, 'README.md');
    const text = readFileSync(readme, 'utf8');
    const block = `<!-- bench-e2e -->\n${report}\n\n(2 cores, Node 20; app, simulator and driver each in its own process; ${new Date().toISOString().slice(0, 10)}.)\n<!-- /bench-e2e -->`;
    writeFileSync(readme, text.replace(/<!-- bench-e2e -->[\s\S]*<!-- \/bench-e2e -->/, block));
  }
  if (peerDir) rmSync(peerDir, { recursive: true, force: true });
}

await main();
