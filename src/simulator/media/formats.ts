/**
 * Sound file formats as Asterisk knows them: which file extensions it reads, the codec
 * name `GET /sounds` reports for each (a `.wav` file is "slin", fact 30), how long a
 * file plays, and its samples.
 */
import { readFileSync, statSync } from 'node:fs';
import { wavFormat } from '../../audio/wav.js';
import { PER_MS, decodeG711, decodeSlin, decodeWav, tone } from './audio.js';

interface FormatInfo {
  /** The codec name Asterisk lists in `GET /sounds`. */
  codec: string;
  /** Milliseconds of audio in a file of this many bytes (when there is no header). */
  durationMs: (bytes: number) => number;
}

/**
 * File extensions Asterisk's format modules read (format_wav, format_gsm, format_pcm,
 * format_sln, format_g722, format_g729, format_wav_gsm), by preference when a sound
 * exists in several: the ones the simulator can decode come first.
 */
const FORMATS: Record<string, FormatInfo> = {
  wav: { codec: 'slin', durationMs: (b) => Math.max(0, b - 44) / 16 },
  wav16: { codec: 'slin16', durationMs: (b) => Math.max(0, b - 44) / 32 },
  sln: { codec: 'slin', durationMs: (b) => b / 16 },
  raw: { codec: 'slin', durationMs: (b) => b / 16 },
  sln16: { codec: 'slin16', durationMs: (b) => b / 32 },
  ulaw: { codec: 'ulaw', durationMs: (b) => b / 8 },
  ul: { codec: 'ulaw', durationMs: (b) => b / 8 },
  mu: { codec: 'ulaw', durationMs: (b) => b / 8 },
  alaw: { codec: 'alaw', durationMs: (b) => b / 8 },
  al: { codec: 'alaw', durationMs: (b) => b / 8 },
  gsm: { codec: 'gsm', durationMs: (b) => Math.floor(b / 33) * 20 },
  WAV: { codec: 'gsm', durationMs: (b) => Math.floor(Math.max(0, b - 60) / 65) * 40 },
  wav49: { codec: 'gsm', durationMs: (b) => Math.floor(Math.max(0, b - 60) / 65) * 40 },
  g722: { codec: 'g722', durationMs: (b) => b / 8 },
  g729: { codec: 'g729', durationMs: (b) => b },
};

/** Every readable extension, best first. */
export const SOUND_EXTENSIONS: readonly string[] = Object.keys(FORMATS);

/** The codec name of a file extension, or undefined when Asterisk would not read it. */
export function codecOfExtension(ext: string): string | undefined {
  return FORMATS[ext]?.codec;
}

/**
 * Formats a recording can be written in (`format=` of record). Deliberate difference:
 * Asterisk also records g722, g729 and others; the simulator has no encoder for them
 * and answers 422 as for an unknown format.
 */
export const RECORDING_FORMATS: readonly string[] = ['wav', 'wav16', 'sln', 'sln16', 'ulaw', 'alaw', 'gsm'];

/** A sound file's length and samples (8 kHz), read once per file version. */
export interface MediaFile {
  path: string;
  ext: string;
  durationMs: number;
  samples: Int16Array;
}

const cache = new Map<string, { mtimeMs: number; size: number; file: MediaFile }>();

/** Reads a media file; undefined when it does not exist, cannot be read, or Asterisk would refuse it (fact 94). */
export function loadMediaFile(path: string, ext: string): MediaFile | undefined {
  const info = FORMATS[ext];
  if (info === undefined) return undefined;
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return undefined;
  }
  if (!stat.isFile()) return undefined;
  const hit = cache.get(path);
  if (hit !== undefined && hit.mtimeMs === stat.mtimeMs && hit.size === stat.size) return hit.file;
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch {
    return undefined;
  }
  const file = decode(path, ext, buf, info);
  if (file === undefined) return undefined;
  cache.set(path, { mtimeMs: stat.mtimeMs, size: stat.size, file });
  return file;
}

/** Decodes media bytes that are not a file of the sounds directory (an http download); undefined as for loadMediaFile. */
export function decodeMediaBytes(name: string, ext: string, buf: Buffer): MediaFile | undefined {
  const info = FORMATS[ext];
  return info === undefined ? undefined : decode(name, ext, buf, info);
}

/** The sample rate each WAVE extension must have: format_wav reads `.wav` as 8 kHz only, `.wav16` as 16 kHz only. */
const WAV_RATES: Record<string, number> = { wav: 8000, wav16: 16000 };

/**
 * Whether format_wav would open this file (check_header): 16-bit PCM, mono, at the rate
 * of its extension. Otherwise the playback fails at once, e.g. a 16 kHz `.wav` ("Unexpected
 * frequency mismatch 16000 (expecting 8000)", fact 94).
 */
export function wavReadable(buf: Buffer, ext: string): boolean {
  const fmt = wavFormat(buf);
  return fmt !== undefined && fmt.audioFormat === 1 && fmt.bits === 16 && fmt.channels === 1 && fmt.sampleRate === WAV_RATES[ext];
}

function decode(path: string, ext: string, buf: Buffer, info: FormatInfo): MediaFile | undefined {
  let samples: Int16Array | undefined;
  let durationMs = info.durationMs(buf.length);
  switch (ext) {
    case 'wav':
    case 'wav16': {
      if (!wavReadable(buf, ext)) return undefined;
      const fmt = wavFormat(buf);
      if (fmt !== undefined && fmt.byteRate > 0) durationMs = (fmt.dataBytes / fmt.byteRate) * 1000;
      samples = decodeWav(buf);
      break;
    }
    case 'sln':
    case 'raw':
      samples = decodeSlin(buf, 8000);
      break;
    case 'sln16':
      samples = decodeSlin(buf, 16000);
      break;
    case 'ulaw':
    case 'ul':
    case 'mu':
      samples = decodeG711(buf, 'ulaw');
      break;
    case 'alaw':
    case 'al':
      samples = decodeG711(buf, 'alaw');
      break;
    default:
      // Deliberate difference: GSM, G.722 and G.729 are not decoded; a tone of the file's
      // real length stands in, so the far end and recordings still hear "talking".
      samples = undefined;
  }
  const length = Math.round(durationMs * PER_MS);
  if (samples === undefined) samples = tone(length);
  return { path, ext, durationMs, samples: samples.length === length ? samples : fit(samples, length) };
}

function fit(samples: Int16Array, length: number): Int16Array {
  const out = new Int16Array(length);
  out.set(samples.subarray(0, length));
  return out;
}
