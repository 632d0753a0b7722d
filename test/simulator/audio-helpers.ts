/**
 * Audio for the fidelity tests that listen: sine "voices" written at any rate (as the
 * recorded scenarios wrote theirs with sox), and the Goertzel amplitude the transcripts'
 * `audio` lines report (same 16-bit scale), so a test can say who was heard when.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { decodeWav } from '../../src/simulator/media/audio.js';

/** Samples of a sine tone. */
export function sine(rate: number, hz: number, seconds: number, amplitude = 4900): Int16Array {
  const out = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate));
  return out;
}

/** Raw little-endian 16-bit samples (`.sln`, `.sln16`). */
export function rawPcm(samples: Int16Array): Buffer {
  const buf = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) buf.writeInt16LE(samples[i] ?? 0, i * 2);
  return buf;
}

/** A canonical mono 16-bit WAVE file at `rate`. */
export function wavBytes(samples: Int16Array, rate: number): Buffer {
  const data = rawPcm(samples);
  const head = Buffer.alloc(44);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(36 + data.length, 4);
  head.write('WAVEfmt ', 8, 'ascii');
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20);
  head.writeUInt16LE(1, 22);
  head.writeUInt32LE(rate, 24);
  head.writeUInt32LE(rate * 2, 28);
  head.writeUInt16LE(2, 32);
  head.writeUInt16LE(16, 34);
  head.write('data', 36, 'ascii');
  head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}

/** Writes an 8 kHz tone "voice" as a `.wav` (the transcripts' `zz-t400` and friends). */
export function writeVoice(path: string, hz: number, seconds: number): void {
  writeFileSync(path, wavBytes(sine(8000, hz, seconds), 8000));
}

/** The samples of a stored 8 kHz WAVE recording. */
export function readRecording(path: string): Int16Array {
  return decodeWav(readFileSync(path)) ?? new Int16Array(0);
}

/** Goertzel amplitude of `hz` in samples [fromMs, toMs) of 8 kHz audio (a pure tone of amplitude A gives about A). */
export function toneAmp(samples: Int16Array, hz: number, fromMs: number, toMs: number): number {
  const from = Math.max(0, Math.round(fromMs * 8));
  const to = Math.min(samples.length, Math.round(toMs * 8));
  const n = to - from;
  if (n <= 0) return 0;
  const w = (2 * Math.PI * hz) / 8000;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = from; i < to; i++) {
    const s0 = (samples[i] ?? 0) + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return Math.round((2 * Math.sqrt(Math.max(0, power))) / n);
}

/** Root mean square of samples [fromMs, toMs). */
export function rms(samples: Int16Array, fromMs: number, toMs: number): number {
  const from = Math.max(0, Math.round(fromMs * 8));
  const to = Math.min(samples.length, Math.round(toMs * 8));
  let sum = 0;
  for (let i = from; i < to; i++) sum += (samples[i] ?? 0) ** 2;
  return to > from ? Math.round(Math.sqrt(sum / (to - from))) : 0;
}
