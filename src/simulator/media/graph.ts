/**
 * Who hears what. Audio is modelled generically, as in Asterisk:
 * - media played on (or music on hold started on) channel A is written to A, and A's
 *   far end hears it; for a Local channel half, the far end is the other half's read side;
 * - a mixing bridge passes each member's incoming audio to the other members (not a member
 *   added with `mute`), plus its own announcements and music; a holding bridge gives members
 *   only its music; a member with a playback or music of its own hears only that;
 * - a bridge recording hears every member and the bridge's own media;
 * - a snoop channel reads what its target reads and/or what is written to it, and silence;
 * - a whispering snoop's audio (what is written to the snoop channel) is mixed into what is
 *   written to its target (`out`) and/or read from it (`in`), but only into frames that flow
 *   anyway: a whisper never makes frames of its own (fact 91). Spies see a frame before the
 *   whispers are mixed into it, as in Asterisk's audiohook list (spies, then whispers).
 *
 * Recorders (the listeners) capture audio up to "now" before anything changes who hears
 * what, then re-plan; so a recording contains exactly what was audible, when it was.
 */
import { PER_MS } from './audio.js';

/** Something that writes samples: a playback, music on hold, a silence generator. */
export interface AudioSource {
  /** Adds its samples for global sample indices [from, to) into `out` (out[0] is sample `from`). */
  mixInto(out: Int32Array, from: number, to: number): void;
  /** Whether it produces a frame at global sample `sample` (silent or not); taken as always when absent. */
  covers?(sample: number): boolean;
}

/** Whether any of `sources` produces a frame at `sample`. */
function anyCovers(sources: readonly AudioSource[], sample: number): boolean {
  return sources.some((s) => s.covers?.(sample) ?? true);
}

/** The global sample index of a clock time. */
export function sampleAt(ms: number): number {
  return Math.round(ms * PER_MS);
}

/**
 * Plays `samples` from index `offset`, with that sample sounding at global sample
 * `startSample`; loops when asked (music on hold).
 */
export class PcmEmitter implements AudioSource {
  constructor(
    private readonly samples: Int16Array,
    private readonly startSample: number,
    private readonly offset: number,
    private readonly loop = false,
  ) {}

  mixInto(out: Int32Array, from: number, to: number): void {
    const n = this.samples.length;
    if (n === 0) return;
    for (let g = from; g < to; g++) {
      let i = this.offset + (g - this.startSample);
      if (this.loop) i = ((i % n) + n) % n;
      else if (i < 0 || i >= n) continue;
      out[g - from] = (out[g - from] ?? 0) + (this.samples[i] ?? 0);
    }
  }

  /** Inside the samples (always when looping). */
  covers(sample: number): boolean {
    const n = this.samples.length;
    if (n === 0) return false;
    if (this.loop) return true;
    const i = this.offset + (sample - this.startSample);
    return i >= 0 && i < n;
  }
}

/** Silent frames: a silence generator, or a mixing bridge with nothing to mix. */
export class SilenceEmitter implements AudioSource {
  mixInto(): void {}

  /** A frame every 20 ms, always. */
  covers(): boolean {
    return true;
  }
}

/**
 * `sources`, heard only where `gate` produces frames: a whisper, which Asterisk mixes into
 * frames passing through the channel and which makes no frames of its own (fact 91).
 */
export class GatedSource implements AudioSource {
  constructor(
    private readonly sources: readonly AudioSource[],
    private readonly gate: readonly AudioSource[],
  ) {}

  mixInto(out: Int32Array, from: number, to: number): void {
    const mix = new Int32Array(to - from);
    for (const s of this.sources) s.mixInto(mix, from, to);
    for (let g = from; g < to; g++) {
      if (anyCovers(this.gate, g)) out[g - from] = (out[g - from] ?? 0) + (mix[g - from] ?? 0);
    }
  }

  /** Frames flow only where the gate's do. */
  covers(sample: number): boolean {
    return anyCovers(this.gate, sample);
  }
}

/** The parts of a channel the audio model needs. */
export interface AudioChannel {
  readonly id: string;
  readonly outputs: ReadonlySet<AudioSource>;
  readonly muteIn: boolean;
  readonly muteOut: boolean;
  readonly destroyed: boolean;
  /** A playback or music on hold of its own is written to the channel (a silence generator is not). */
  readonly playsOwnMedia?: boolean;
  /** Muted by `addChannel?mute=true`: the bridge does not pass this member's audio on (fact 88). */
  readonly mutedInBridge?: boolean;
  readonly peer?: AudioChannel | undefined;
  readonly bridge?: AudioBridge | undefined;
  /** A snoop channel: the channel it spies on, and which directions it hears. */
  readonly spied?: { readonly target: AudioChannel; readonly in: boolean; readonly out: boolean } | undefined;
  /** The snoop channels whispering into this channel: into what it reads (`in`), what is written to it (`out`). */
  readonly whispers?: readonly { readonly snoop: AudioChannel; readonly in: boolean; readonly out: boolean }[];
}

/** The parts of a bridge the audio model needs. */
export interface AudioBridge {
  readonly outputs: ReadonlySet<AudioSource>;
  readonly mixing: boolean;
  audioMembers(): readonly AudioChannel[];
  /** A softmix bridge writes a frame every 20 ms, silent or not (3 or more channels in a mixing bridge). */
  continuousFrames(): boolean;
}

const silenceFloor = new SilenceEmitter();

/** What arrives on a channel's read side: what its far end writes, and the whispers into it. */
export function heardBy(ch: AudioChannel, visited: Set<string> = new Set()): AudioSource[] {
  return withWhispers(ch, 'in', readSide(ch, visited), visited);
}

/** What is written to a channel (toward its far end): its own media plus, in a bridge, the bridge's mix, and the whispers into it. */
export function writtenTo(ch: AudioChannel, visited: Set<string> = new Set()): AudioSource[] {
  if (ch.muteOut || ch.destroyed || visited.has(ch.id)) return [];
  visited.add(ch.id);
  return withWhispers(ch, 'out', writeSide(ch, visited), visited);
}

/** What a channel reads, before any whisper is mixed in (what a spy on it sees). */
function readSide(ch: AudioChannel, visited: Set<string>): AudioSource[] {
  if (ch.muteIn || ch.destroyed) return [];
  const spied = ch.spied;
  if (spied !== undefined) {
    // A snoop channel reads a frame every 20 ms, silent while nothing flows (fact 90): spy=in
    // is what the target reads, spy=out what is written to it, both mixed for spy=both.
    const sources: AudioSource[] = [silenceFloor];
    if (spied.in) sources.push(...readSide(spied.target, new Set(visited)));
    if (spied.out) sources.push(...writtenBeforeWhispers(spied.target, new Set(visited)));
    return sources;
  }
  const far = ch.peer;
  if (far === undefined || far.destroyed) return [];
  return writtenTo(far, visited);
}

/** What is written to a channel before any whisper is mixed in (what a spy on it sees). */
function writtenBeforeWhispers(ch: AudioChannel, visited: Set<string>): AudioSource[] {
  if (ch.muteOut || ch.destroyed || visited.has(ch.id)) return [];
  visited.add(ch.id);
  return writeSide(ch, visited);
}

function writeSide(ch: AudioChannel, visited: Set<string>): AudioSource[] {
  const sources = [...ch.outputs];
  // A channel's own playback or music replaces what its bridge sends it (facts 82, 87).
  if (ch.bridge !== undefined && ch.playsOwnMedia !== true) sources.push(...bridgeMix(ch.bridge, ch, visited));
  return sources;
}

/**
 * `base` plus what the snoops whispering in `direction` have written to them, heard only
 * where `base` has frames; with nothing flowing, the whisper is not heard at all (fact 91).
 */
function withWhispers(ch: AudioChannel, direction: 'in' | 'out', base: AudioSource[], visited: Set<string>): AudioSource[] {
  if (base.length === 0 || ch.whispers === undefined) return base;
  const whispered: AudioSource[] = [];
  for (const w of ch.whispers) {
    // `visited` holds the target, so a snoop that also spies on it (or sits in its bridge) cannot loop back.
    if (w[direction]) whispered.push(...writtenTo(w.snoop, new Set(visited)));
  }
  return whispered.length === 0 ? base : [...base, new GatedSource(whispered, base)];
}

/** What a bridge gives one member (`exclude`), or a bridge recorder (no exclude). */
export function bridgeMix(bridge: AudioBridge, exclude: AudioChannel | undefined, visited: Set<string> = new Set()): AudioSource[] {
  const sources = [...bridge.outputs];
  if (bridge.mixing) {
    for (const m of bridge.audioMembers()) {
      if (m !== exclude && m.mutedInBridge !== true) sources.push(...heardBy(m, visited));
    }
    if (bridge.continuousFrames()) sources.push(silenceFloor);
  }
  return sources;
}

/** A recorder, told about every change to the audio graph. */
export interface AudioListener {
  /** Capture audio up to now with the sources planned so far. */
  flush(): void;
  /** Re-plan after a change: new sources, new timers (or finish). */
  refresh(): void;
}

/** Runs changes to the audio graph so that recorders always capture before them. */
export class MediaEngine {
  private readonly listeners = new Set<AudioListener>();
  private depth = 0;

  /** A recorder starts listening. */
  add(listener: AudioListener): void {
    this.listeners.add(listener);
  }

  /** A recorder stops listening. */
  remove(listener: AudioListener): void {
    this.listeners.delete(listener);
  }

  /** Runs `fn`, which changes who hears what; recorders capture before and re-plan after. */
  change<T>(fn: () => T): T {
    const outer = this.depth === 0;
    if (outer) for (const l of [...this.listeners]) l.flush();
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
      if (outer) for (const l of [...this.listeners]) if (this.listeners.has(l)) l.refresh();
    }
  }
}
