/**
 * Replays a recorded transcript against the simulator: a ManualClock started at the
 * recorded wall-clock time, every REST request sent at its recorded moment, then the
 * answers and the target app's Playback and Recording events set side by side with the
 * recorded ones. Timing-sensitive facts (the beep's deaf window, a stop cutting one
 * file of a number:) are then held to the very requests Asterisk answered.
 */
import { join } from 'node:path';
import { decodeWav } from '../../src/simulator/media/audio.js';
import { rms, toneAmp, writeVoice } from './audio-helpers.js';
import { AUTH, TestAri, transcript } from './helpers.js';
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

/** What a replay does before its first request and after its last (the simulator is still up). */
interface DriveHooks {
  setup?: (ari: TestAri) => void;
  done?: (ari: TestAri) => Promise<void>;
}

/** Every answer and every event the simulator sent, for a transcript run request by request. */
interface Driven {
  requests: ReplayedRequest[];
  events: AriEvent[];
}

/**
 * Runs `lines` against a fresh simulator whose clock starts at the recording's own time.
 * A request that reacted to a Playback / Recording event waits (up to 100 ms of
 * simulated time) for the simulator's copy of that event, so a few ms of difference
 * cannot reorder the scenario. The simulator is closed afterwards.
 */
async function drive(lines: TranscriptLine[], hooks: DriveHooks = {}): Promise<Driven> {
  const base = scenarioStart(lines);
  const ari = await TestAri.start({ clockStart: base });
  try {
    hooks.setup?.(ari);
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
    await hooks.done?.(ari);
    return { requests, events: [...events.events] };
  } finally {
    await ari.close();
  }
}

/** Runs `lines` (see `drive`) and sets the Playback and Recording events of app `app` side by side. */
export async function replay(lines: TranscriptLine[], app = 'target'): Promise<Replay> {
  const { requests, events } = await drive(lines);
  const recordedEvents = lines
    .filter((l) => l.kind === 'event' && l.app === app && l.event !== undefined)
    .map((l) => keyOf(l.event as Record<string, unknown>))
    .filter((k): k is EventKey => k !== undefined);
  const simulatedEvents = events
    .filter((e: AriEvent) => e.application === app)
    .map((e) => keyOf(e))
    .filter((k): k is EventKey => k !== undefined);
  return { requests, recordedEvents, simulatedEvents };
}

/** The call-progress events compared by `replayCalls` (dialplan steps and variables are left out). */
const CALL_EVENTS = new Set(['Dial', 'ChannelStateChange', 'StasisStart', 'StasisEnd', 'ChannelHangupRequest', 'ChannelDestroyed', 'ChannelCallerId', 'ChannelConnectedLine', 'ChannelDtmfReceived', 'ChannelEnteredBridge', 'ChannelLeftBridge']);

/** A call-progress event reduced to what both sides must agree on. */
export interface CallEventKey {
  type: string;
  state: string;
  detail: string;
  /** Epoch ms (Asterisk's timestamp). */
  at: number;
}

function callKeyOf(e: Record<string, unknown>): { stream: string; key: CallEventKey } | undefined {
  const type = String(e['type']);
  if (!CALL_EVENTS.has(type)) return undefined;
  const ch = (e['channel'] ?? e['peer']) as Record<string, unknown> | undefined;
  if (ch === undefined) return undefined;
  const caller = ch['caller'] as { name?: string; number?: string } | undefined;
  const detail = [
    'dialstatus' in e ? `dialstatus=${String(e['dialstatus'])}` : '',
    'cause' in e ? `cause=${String(e['cause'])}` : '',
    e['soft'] === true ? 'soft' : '',
    'cause_txt' in e ? `(${String(e['cause_txt'])})` : '',
    'args' in e ? `args=${JSON.stringify(e['args'])}` : '',
    'digit' in e ? `digit=${String(e['digit'])}` : '',
    'bridge' in e ? `bridge=${String((e['bridge'] as { id?: unknown }).id)}` : '',
    type === 'StasisStart' || type === 'ChannelCallerId' ? `caller=${caller?.name ?? ''}<${caller?.number ?? ''}>` : '',
  ].filter((x) => x !== '').join(' ');
  return { stream: `${String(e['application'])} ${String(ch['id'])}`, key: { type, state: String(ch['state']), detail, at: asterisk(String(e['timestamp'])) } };
}

/** Call-progress events per `app channel` stream, in order. */
function callStreams(events: Record<string, unknown>[]): Map<string, CallEventKey[]> {
  const out = new Map<string, CallEventKey[]>();
  for (const e of events) {
    const k = callKeyOf(e);
    if (k === undefined) continue;
    const list = out.get(k.stream) ?? [];
    list.push(k.key);
    out.set(k.stream, list);
  }
  return out;
}

/** The outcome of `replayCalls`. */
export interface CallReplay {
  requests: ReplayedRequest[];
  /** Per `app channel`, the recorded call-progress events. */
  recorded: Map<string, CallEventKey[]>;
  simulated: Map<string, CallEventKey[]>;
}

/**
 * Runs `lines` (see `drive`) and sets the call-progress events (Dial, state changes,
 * Stasis entry and exit, hangup requests, destruction, caller id) of both apps side by
 * side, one stream per app and channel: the order across channels is a race between
 * Asterisk's threads (Busy() and Congestion() were recorded in two orders), the order
 * on one channel is not.
 */
export async function replayCalls(lines: TranscriptLine[]): Promise<CallReplay> {
  const { requests, events } = await drive(lines, { setup: writeVoices });
  const recorded = callStreams(lines.filter((l) => l.kind === 'event' && l.event !== undefined).map((l) => l.event as Record<string, unknown>));
  const simulated = callStreams(events);
  return { requests, recorded, simulated };
}

/** Streams without times, for an exact comparison. */
export function streamsWithoutTimes(streams: Map<string, CallEventKey[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, list] of [...streams].sort(([a], [b]) => a.localeCompare(b))) out[k] = list.map((e) => `${e.type} ${e.state} ${e.detail}`.trim());
  return out;
}

/** The largest difference in time between two sets of streams of the same shape. */
export function worstStreamLag(a: Map<string, CallEventKey[]>, b: Map<string, CallEventKey[]>): number {
  let worst = 0;
  for (const [k, list] of a) list.forEach((e, i) => (worst = Math.max(worst, Math.abs(e.at - (b.get(k)?.[i]?.at ?? Infinity)))));
  return worst;
}

/**
 * Channel answers that differ in what a call shows: state, caller and connected line,
 * and the dialplan app (`AppDial2`, `Stasis`), one line each.
 */
export function channelBodyMismatches(requests: ReplayedRequest[]): string[] {
  const out: string[] = [];
  const view = (b: unknown): string => {
    const c = b as { state?: unknown; caller?: unknown; connected?: unknown; dialplan?: { app_name?: unknown; app_data?: unknown } };
    return JSON.stringify({ state: c.state, caller: c.caller, connected: c.connected, app: c.dialplan?.app_name, data: c.dialplan?.app_data });
  };
  for (const r of requests) {
    if (r.recorded.status !== 200 || r.got.status !== 200 || !/\/channels/.test(r.path)) continue;
    const body = r.recorded.body as Record<string, unknown> | null;
    if (body === null || typeof body !== 'object' || !('caller' in body)) continue;
    if (view(r.got.body) !== view(body)) out.push(`${r.method} ${r.path} at ${r.t} ms: ${view(r.got.body)}, recorded ${view(body)}`);
  }
  return out;
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

/** A recorded `audio` line: per labelled segment of a recording, the tone amplitudes heard. */
interface AudioLine {
  kind: 'audio';
  recording: string;
  segments: { label: string; from_ms: number; to_ms: number; rms: number; tone_amp: Record<string, number | null> }[];
}

/** The tones of the recorded "voices" (`zz-t400`...); MOH (500 Hz, low level) differs by install and is left out. */
const VOICE_TONES = [400, 1000, 2000, 3000];

/** The audio scenarios' "voices", a minute of each tone. */
function writeVoices(ari: TestAri): void {
  for (const hz of VOICE_TONES) writeVoice(join(ari.soundsDir, 'en', `zz-t${hz}.wav`), hz, 60);
}

/** A tone counts as heard above this mean Goertzel amplitude (heard ≈ 4900; silence or MOH leakage stays below a few hundred). */
const HEARD = 1000;

/** Below this, a voice tone is surely absent (a segment where one fades out stays above it). */
const ABSENT = 100;

/** Audible sound (RMS) with no voice at all is music on hold (Asterisk's ~300, the test MOH's ~3500). */
const SOUND = 100;

/**
 * Replays an audio scenario (`bridge-audio`, `holding-to-mixing`) with the same tone
 * "voices" in the sounds directory, and says, per recording and segment, which voices
 * were heard: `recording | segment: 400,1000` for both sides, for an exact comparison.
 */
export async function replayAudio(lines: TranscriptLine[]): Promise<{ requests: ReplayedRequest[]; recorded: string[]; simulated: string[] }> {
  const audio = lines.filter((l) => l.kind === 'audio') as unknown as AudioLine[];
  const describe = (rec: string, seg: AudioLine['segments'][number], amp: (hz: number) => number, level: number): string => {
    const voices = VOICE_TONES.filter((hz) => amp(hz) > HEARD).join(',');
    const music = level > SOUND && VOICE_TONES.every((hz) => amp(hz) < ABSENT);
    return `${rec} | ${seg.label}: ${voices || (music ? 'music' : 'nothing')}`;
  };
  const recorded = audio.flatMap((a) => a.segments.map((seg) => describe(a.recording, seg, (hz) => seg.tone_amp[String(hz)] ?? 0, seg.rms)));
  const simulated: string[] = [];
  const { requests } = await drive(lines, {
    setup: writeVoices,
    done: async (ari) => {
      for (const a of audio) {
        const res = await fetch(`${ari.url}/ari/recordings/stored/${encodeURIComponent(a.recording)}/file`, { headers: { authorization: AUTH } });
        const samples = res.ok ? (decodeWav(Buffer.from(await res.arrayBuffer())) ?? new Int16Array(0)) : new Int16Array(0);
        for (const seg of a.segments) simulated.push(describe(a.recording, seg, (hz) => toneAmp(samples, hz, seg.from_ms, seg.to_ms), rms(samples, seg.from_ms, seg.to_ms)));
      }
    },
  });
  return { requests, recorded, simulated };
}
