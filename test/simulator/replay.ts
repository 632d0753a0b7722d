/**
 * Replays a recorded transcript against the simulator: a ManualClock started at the
 * recorded wall-clock time, every REST request sent at its recorded moment, then the
 * answers and the target app's Playback and Recording events set side by side with the
 * recorded ones. Timing-sensitive facts (the beep's deaf window, a stop cutting one
 * file of a number:) are then held to the very requests Asterisk answered.
 */
import { TestAri, transcript } from './helpers.js';
import type { AriEvent, AriReply, EventLog, TranscriptLine } from './helpers.js';

/** One request of the transcript, with what Asterisk and the simulator answered. */
export interface ReplayedRequest {
  method: string;
  path: string;
  /** Recorded time, ms since the scenario started. */
  t: number;
  recorded: { status: number; body: unknown };
  got: AriReply;
}

/** A Playback or Recording event reduced to what both sides must agree on. */
export interface EventKey {
  type: string;
  subject: string;
  state: string;
  duration: number | null;
  media: string | null;
  next: string | null;
  /** Epoch ms (Asterisk's timestamp). */
  at: number;
}

/** The outcome of a replay. */
export interface Replay {
  requests: ReplayedRequest[];
  recordedEvents: EventKey[];
  simulatedEvents: EventKey[];
}

const asterisk = (timestamp: string): number => Date.parse(timestamp.replace('+0000', 'Z'));

function keyOf(e: Record<string, unknown>): EventKey | undefined {
  const type = String(e['type']);
  if (!type.startsWith('Playback') && !type.startsWith('Recording')) return undefined;
  const obj = (e['playback'] ?? e['recording']) as Record<string, unknown>;
  return {
    type,
    subject: String(obj['id'] ?? obj['name']),
    state: String(obj['state']),
    duration: typeof obj['duration'] === 'number' ? obj['duration'] : null,
    media: typeof obj['media_uri'] === 'string' ? obj['media_uri'] : null,
    next: typeof obj['next_media_uri'] === 'string' ? obj['next_media_uri'] : null,
    at: asterisk(String(e['timestamp'])),
  };
}

/** The lines of a transcript, up to (not including) the first note matching `until`. */
export function transcriptPart(file: string, until?: RegExp): TranscriptLine[] {
  const lines = transcript(file);
  const end = until === undefined ? -1 : lines.findIndex((l) => l.kind === 'note' && until.test(String((l as { text?: unknown }).text)));
  return end === -1 ? lines : lines.slice(0, end);
}

/** Scenario time 0 on Asterisk's clock: events carry both, and the latest-arriving difference is the client's lag. */
function scenarioStart(lines: TranscriptLine[]): number {
  const offsets = lines.filter((l) => l.kind === 'event' && l.event !== undefined).map((l) => asterisk(String(l.event?.['timestamp'])) - l.t);
  if (offsets.length === 0) throw new Error('transcript without events');
  return Math.max(...offsets);
}

/** `app:type:subject`, to count occurrences of an event on either side. */
const tag = (e: Record<string, unknown>): string => `${String(e['application'])}:${String(e['type'])}:${keyOf(e)?.subject ?? ''}`;

/**
 * The recorded event a request reacted to: one that arrived at most 5 ms before it
 * (the recording script waited for it), as `tag` and how many such had come by then.
 */
function reactionTo(lines: TranscriptLine[], index: number): { tag: string; count: number } | undefined {
  const req = lines[index];
  if (req === undefined) return undefined;
  for (let i = index - 1; i >= 0; i--) {
    const l = lines[i];
    if (l === undefined || req.t - l.t > 5) return undefined;
    if (l.kind !== 'event' || l.event === undefined || keyOf(l.event) === undefined) continue;
    const t = tag(l.event);
    const count = lines.slice(0, i + 1).filter((x) => x.kind === 'event' && x.event !== undefined && tag(x.event) === t).length;
    return { tag: t, count };
  }
  return undefined;
}

/**
 * Runs `lines` against a fresh simulator whose clock starts at the recording's own time,
 * for the events of app `app`. A request that reacted to an event waits (up to 100 ms of
 * simulated time) for the simulator's copy of that event, so a few ms of difference
 * cannot reorder the scenario. The simulator is closed afterwards.
 */
export async function replay(lines: TranscriptLine[], app = 'target'): Promise<Replay> {
  const base = scenarioStart(lines);
  const ari = await TestAri.start({ clockStart: base });
  try {
    const events: EventLog = await ari.connect();
    const requests: ReplayedRequest[] = [];
    for (const [index, req] of lines.entries()) {
      if (req.kind !== 'req') continue;
      const res = lines.find((l) => l.kind === 'res' && l.seq === req.seq);
      const wait = base + req.t - ari.clock.now();
      if (wait > 0) await ari.clock.advance(wait);
      const reaction = reactionTo(lines, index);
      for (let ms = 0; reaction !== undefined && ms < 100; ms++) {
        await events.settle(1);
        if (events.events.filter((e) => tag(e) === reaction.tag).length >= reaction.count) break;
        await ari.clock.advance(1);
      }
      const got = await ari.req(req.method ?? 'GET', (req.path ?? '').replace(/^\/ari/, ''), req.body ?? undefined);
      requests.push({ method: req.method ?? '', path: req.path ?? '', t: req.t, recorded: { status: res?.status ?? 0, body: res?.body ?? null }, got });
    }
    const last = lines.at(-1)?.t ?? 0;
    if (base + last > ari.clock.now()) await ari.clock.advance(base + last - ari.clock.now());
    await events.settle(50);
    const recordedEvents = lines
      .filter((l) => l.kind === 'event' && l.app === app && l.event !== undefined)
      .map((l) => keyOf(l.event as Record<string, unknown>))
      .filter((k): k is EventKey => k !== undefined);
    const simulatedEvents = events.events
      .filter((e: AriEvent) => e.application === app)
      .map((e) => keyOf(e))
      .filter((k): k is EventKey => k !== undefined);
    return { requests, recordedEvents, simulatedEvents };
  } finally {
    await ari.close();
  }
}

/** The events without their times, for an exact comparison of order and content. */
export function withoutTimes(keys: EventKey[]): Omit<EventKey, 'at'>[] {
  return keys.map(({ at: _at, ...rest }) => rest);
}

/** The largest difference in time between two event lists of the same shape. */
export function worstLag(a: EventKey[], b: EventKey[]): number {
  return Math.max(0, ...a.map((k, i) => Math.abs(k.at - (b[i]?.at ?? Infinity))));
}

/**
 * Where the simulator answered differently, one line each. Statuses must match; bodies
 * too for recordings, playbacks and errors, except the `state` of a 201 (Asterisk
 * answers "queued" or, when its thread was quicker, already "playing"/"recording",
 * facts 19 and 34). Channel bodies (names, ids, times) and files are not compared.
 */
export function requestMismatches(requests: ReplayedRequest[]): string[] {
  const out: string[] = [];
  for (const r of requests) {
    const label = `${r.method} ${r.path} at ${r.t} ms`;
    if (r.got.status !== r.recorded.status) {
      out.push(`${label}: ${r.got.status} ${r.got.text}, recorded ${r.recorded.status} ${JSON.stringify(r.recorded.body)}`);
      continue;
    }
    const error = typeof r.recorded.body === 'object' && r.recorded.body !== null && 'message' in r.recorded.body;
    const media = /\/(recordings|playbacks)\//.test(r.path) && !r.path.endsWith('/file');
    const created = r.recorded.status === 201;
    if (!error && !media && !created) continue;
    const normal = (body: unknown): unknown => (created && typeof body === 'object' && body !== null ? { ...body, state: '(queued or started)' } : body);
    if (JSON.stringify(normal(r.got.body)) !== JSON.stringify(normal(r.recorded.body))) {
      out.push(`${label}: ${r.got.text}, recorded ${JSON.stringify(r.recorded.body)}`);
    }
  }
  return out;
}
