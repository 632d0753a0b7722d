/**
 * From a media URI to what is heard: `sound:`, `recording:`, `number:`, `digits:`,
 * `characters:` and `tone:`, with the outcomes Asterisk 22 shows (facts 20, 21, 29):
 * audio of the real length, a failure ("failed" at once), or silence forever (no
 * PlaybackFinished at all).
 */
import { findStored } from '../recordings/stored.js';
import { loadMediaFile } from './formats.js';
import type { MediaFile } from './formats.js';
import { findSoundFile } from './sounds.js';

/** What playing one media URI does. */
export type Resolution =
  /** Plays these files one after the other. `controllable`: sound: and recording: can be paused or skipped. */
  | { kind: 'audio'; files: MediaFile[]; controllable: boolean }
  /** PlaybackFinished "failed" right after PlaybackStarted: a missing sound file, `tone:` here. */
  | { kind: 'failed' }
  /** PlaybackStarted and nothing more: an unknown scheme, a missing recording, `number:abc`. */
  | { kind: 'silent' }
  /** `sound:http://…`: downloaded first (res_http_media_cache, media/http.ts), then played or failed (facts 95, 96). */
  | { kind: 'fetch'; url: string };

function sound(soundsDir: string, name: string, language: string): MediaFile | undefined {
  const found = findSoundFile(soundsDir, name, language);
  return found === undefined ? undefined : loadMediaFile(found.path, found.ext);
}

function sayFiles(soundsDir: string, names: string[], language: string): Resolution {
  const files: MediaFile[] = [];
  for (const n of names) {
    const f = sound(soundsDir, n, language);
    if (f === undefined) return { kind: 'failed' };
    files.push(f);
  }
  return { kind: 'audio', files, controllable: false };
}

/** The files `ast_say_number` plays in English. */
export function numberFiles(num: number): string[] | undefined {
  if (num === 0) return ['digits/0'];
  const out: string[] = [];
  let n = num;
  let hundred = false;
  while (n !== 0 || hundred) {
    if (n < 0) {
      out.push('digits/minus');
      n = -n;
    } else if (hundred) {
      out.push('digits/hundred');
      hundred = false;
    } else if (n < 20) {
      out.push(`digits/${n}`);
      n = 0;
    } else if (n < 100) {
      out.push(`digits/${Math.floor(n / 10) * 10}`);
      n %= 10;
    } else if (n < 1000) {
      out.push(`digits/${Math.floor(n / 100)}`);
      hundred = true;
      n %= 100;
    } else if (n < 1_000_000) {
      const head = numberFiles(Math.floor(n / 1000));
      if (head === undefined) return undefined;
      out.push(...head, 'digits/thousand');
      n %= 1000;
    } else if (n < 1_000_000_000) {
      const head = numberFiles(Math.floor(n / 1_000_000));
      if (head === undefined) return undefined;
      out.push(...head, 'digits/million');
      n %= 1_000_000;
    } else {
      return undefined;
    }
  }
  return out;
}

/** The files `ast_say_digit_str` plays. */
export function digitFiles(text: string): string[] {
  const out: string[] = [];
  for (const c of text) {
    if (c >= '0' && c <= '9') out.push(`digits/${c}`);
    else if (c === '*') out.push('digits/star');
    else if (c === '#') out.push('digits/pound');
    else if (c === '-') out.push('digits/minus');
  }
  return out;
}

const CHARACTER_FILES: Record<string, string> = {
  '*': 'digits/star',
  '#': 'digits/pound',
  '!': 'letters/exclaimation-point',
  '@': 'letters/at',
  $: 'letters/dollar',
  '-': 'letters/dash',
  '.': 'letters/dot',
  '=': 'letters/equals',
  '+': 'letters/plus',
  '/': 'letters/slash',
  ' ': 'letters/space',
};

/** The files `ast_say_character_str` plays. */
export function characterFiles(text: string): string[] {
  return [...text].map((c) => CHARACTER_FILES[c] ?? (c >= '0' && c <= '9' ? `digits/${c}` : `letters/${c.toLowerCase()}`));
}

/** Resolves one media URI for a language. */
export function resolveMedia(paths: { soundsDir: string; recordingsDir: string }, uri: string, language: string): Resolution {
  const colon = uri.indexOf(':');
  const scheme = colon === -1 ? '' : uri.slice(0, colon);
  const rest = colon === -1 ? '' : uri.slice(colon + 1);
  switch (scheme) {
    case 'sound': {
      if (/^https?:\/\//i.test(rest)) return { kind: 'fetch', url: rest };
      const f = sound(paths.soundsDir, rest, language);
      return f === undefined ? { kind: 'failed' } : { kind: 'audio', files: [f], controllable: true };
    }
    case 'recording': {
      const rec = findStored(paths.recordingsDir, rest);
      const f = rec === undefined ? undefined : loadMediaFile(rec.path, rec.format);
      return f === undefined ? { kind: 'silent' } : { kind: 'audio', files: [f], controllable: true };
    }
    case 'number': {
      // sscanf("%30d"): leading blanks, a sign, digits; anything after is ignored.
      const m = /^\s*([+-]?\d+)/.exec(rest);
      if (m === null) return { kind: 'silent' };
      const names = numberFiles(Number.parseInt(m[1] ?? '0', 10));
      return names === undefined ? { kind: 'failed' } : sayFiles(paths.soundsDir, names, language);
    }
    case 'digits':
      return sayFiles(paths.soundsDir, digitFiles(rest), language);
    case 'characters':
      return sayFiles(paths.soundsDir, characterFiles(rest), language);
    case 'tone':
      // Deliberate difference in kind, not in outcome: the recorded install had no
      // indications.conf, so tone: always failed at once (fact 29); the simulator does the same.
      return { kind: 'failed' };
    default:
      return { kind: 'silent' };
  }
}
