/**
 * The bench driver: its own process, N concurrent scripted retrieval calls
 * over ARI (plain WebSocket and HTTP, as light as it can be, so the app is
 * the one measured). Each call: dial the app, wait for the first message, then
 * 2, 2, 3, 1 a second apart, 6 and wait for the next message, 4 and wait for
 * it, #. Key → next prompt is timed from the app side's ChannelDtmfReceived
 * (the originating app sees it too, transcripts fact 9) to the next
 * PlaybackStarted on the app's channel.
 *
 * Input: one JSON argument ({ url, user, password, app, calls, mailboxes, rampMs }).
 * Output on stdout, one JSON line each: {"allUp":true} once every call is
 * listening to its first message, then {"done":...} with the results.
 */
import WebSocket from 'ws';

interface Options {
  url: string;
  user: string;
  password: string;
  app: string;
  calls: number;
  mailboxes: string[];
  rampMs: number;
}

interface AriEvent {
  type: string;
  digit?: string;
  channel?: { id: string };
  playback?: { id: string; media_uri: string; target_uri: string };
}

type Waiter = { match: (e: AriEvent) => boolean; resolve: (e: AriEvent) => void };

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const auth = `Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}`;
const DRIVER_APP = 'bench-driver';
const STEP_TIMEOUT_MS = 30_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waiters by the app-side channel id. */
const waiters = new Map<string, Set<Waiter>>();

function channelOf(e: AriEvent): string | undefined {
  if (e.playback) return e.playback.target_uri.startsWith('channel:') ? e.playback.target_uri.slice(8) : undefined;
  return e.channel?.id;
}

function onEvent(e: AriEvent): void {
  const id = channelOf(e);
  if (id === undefined) return;
  const set = waiters.get(id);
  if (!set) return;
  for (const w of [...set]) {
    if (w.match(e)) {
      set.delete(w);
      w.resolve(e);
    }
  }
}

function waitFor(channelId: string, match: (e: AriEvent) => boolean, what: string): Promise<AriEvent> {
  let set = waiters.get(channelId);
  if (!set) waiters.set(channelId, (set = new Set()));
  const target = set;
  return new Promise((resolve, reject) => {
    const waiter: Waiter = {
      match,
      resolve: (e) => {
        clearTimeout(timer);
        resolve(e);
      },
    };
    const timer = setTimeout(() => {
      target.delete(waiter);
      reject(new Error(`${channelId}: no ${what} within ${STEP_TIMEOUT_MS} ms`));
    }, STEP_TIMEOUT_MS);
    target.add(waiter);
  });
}

async function request(method: string, path: string, body?: unknown): Promise<number> {
  const res = await fetch(`${options.url}/ari${path}`, {
    method,
    headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await res.arrayBuffer();
  return res.status;
}

const isMessage = (e: AriEvent) => e.type === 'PlaybackStarted' && (e.playback?.media_uri.startsWith('recording:') ?? false);
const isPrompt = (e: AriEvent) => e.type === 'PlaybackStarted';
const isDigit = (digit: string) => (e: AriEvent) => e.type === 'ChannelDtmfReceived' && e.digit === digit;
const isGone = (e: AriEvent) => e.type === 'StasisEnd' || e.type === 'ChannelDestroyed';

interface CallResult {
  ok: boolean;
  error?: string;
  latenciesMs: number[];
}

let upCount = 0;

async function call(index: number): Promise<CallResult> {
  const tag = `b${process.pid}-${index}`;
  const phone = `${tag}-1`;
  const appSide = `${tag}-2`;
  const mailbox = options.mailboxes[index % options.mailboxes.length]!;
  const latenciesMs: number[] = [];
  const press = (digit: string) => request('POST', `/channels/${phone}/dtmf?dtmf=${encodeURIComponent(digit)}`);
  /** Presses a key and times the app's ChannelDtmfReceived → its next PlaybackStarted. */
  const timedKey = async (digit: string) => {
    // One waiter for both, checked synchronously: several events can arrive in one read.
    let receivedAt: number | undefined;
    const prompt = waitFor(
      appSide,
      (e) => {
        if (receivedAt === undefined) {
          if (isDigit(digit)(e)) receivedAt = performance.now();
          return false;
        }
        return isPrompt(e);
      },
      `a prompt after ${digit}`,
    );
    await press(digit);
    await prompt;
    latenciesMs.push(performance.now() - receivedAt!);
  };
  const gone = waitFor(appSide, isGone, 'the end of the call');
  gone.catch(() => undefined);
  try {
    const first = waitFor(appSide, isMessage, 'the first message');
    const status = await request('POST', `/channels?endpoint=Local/${options.app}@stasis-flows-test/n&app=${DRIVER_APP}&channelId=${phone}&otherChannelId=${appSide}`, {
      variables: { STASIS_ARGS: mailbox, CALLER_LANG: 'en' },
    });
    if (status !== 200) throw new Error(`originate answered ${status}`);
    await first;
    upCount++;
    if (upCount === options.calls) process.stdout.write(`${JSON.stringify({ allUp: true })}\n`);
    for (const digit of ['2', '2', '3', '1']) {
      await sleep(1000);
      await press(digit);
    }
    await sleep(1000);
    const next = waitFor(appSide, isMessage, 'the next message');
    await timedKey('6');
    await next;
    const back = waitFor(appSide, isMessage, 'the previous message');
    await timedKey('4');
    await back;
    await press('#');
    await gone;
    return { ok: true, latenciesMs };
  } catch (err) {
    await request('DELETE', `/channels/${phone}`).catch(() => undefined);
    return { ok: false, error: err instanceof Error ? err.message : String(err), latenciesMs };
  } finally {
    waiters.delete(appSide);
  }
}

async function main(): Promise<void> {
  const ws = new WebSocket(`${options.url.replace(/^http/, 'ws')}/ari/events?app=${DRIVER_APP}&api_key=${options.user}:${options.password}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.on('message', (data: Buffer) => onEvent(JSON.parse(data.toString('utf8')) as AriEvent));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const results = await Promise.all(
    Array.from({ length: options.calls }, async (_, i) => {
      await sleep((i * options.rampMs) / options.calls);
      return call(i);
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  const failures = results.filter((r) => !r.ok);
  process.stdout.write(
    `${JSON.stringify({
      done: true,
      calls: results.length,
      failed: failures.length,
      errors: [...new Set(failures.map((f) => f.error))].slice(0, 5),
      latenciesMs: results.flatMap((r) => r.latenciesMs),
      driverCpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: performance.now() - t0,
    })}\n`,
  );
  ws.close();
}

await main();
