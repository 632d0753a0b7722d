/**
 * Audio samples: everything inside the simulator is 8 kHz, 16-bit, mono signed linear
 * ("slin", Asterisk's own internal format), one Int16Array per sound. This file decodes
 * the sound formats Asterisk reads and encodes the ones recordings are written in.
 */
// WAVE headers are read by the project's one parser (src/audio/wav.ts), shared with the product.
import { wavFormat } from '../../audio/wav.js';

/** Samples per second of the internal audio. */
export const RATE = 8000;
/** Samples per millisecond. */
export const PER_MS = RATE / 1000;
/** One 20 ms voice frame, the unit Asterisk reads, writes and analyses audio in. */
export const FRAME_SAMPLES = 160;

/** Reads a RIFF/WAVE file of 16-bit PCM (8 or 16 kHz, mono or stereo) into 8 kHz mono. */
export function decodeWav(buf: Buffer): Int16Array | undefined {
  const fmt = wavFormat(buf);
  if (fmt === undefined || fmt.audioFormat !== 1 || fmt.bits !== 16) return undefined;
  const frames = Math.floor(fmt.dataBytes / (2 * fmt.channels));
  const mono = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < fmt.channels; c++) sum += buf.readInt16LE(fmt.dataOffset + (i * fmt.channels + c) * 2);
    mono[i] = Math.round(sum / fmt.channels);
  }
  return resampleTo8k(mono, fmt.sampleRate);
}

/** Reads raw little-endian 16-bit samples at `rate` Hz into 8 kHz. */
export function decodeSlin(buf: Buffer, rate: number): Int16Array {
  const samples = new Int16Array(Math.floor(buf.length / 2));
  for (let i = 0; i < samples.length; i++) samples[i] = buf.readInt16LE(i * 2);
  return resampleTo8k(samples, rate);
}

function resampleTo8k(samples: Int16Array, rate: number): Int16Array {
  if (rate === RATE || rate <= 0) return samples;
  const ratio = rate / RATE;
  const out = new Int16Array(Math.floor(samples.length / ratio));
  for (let i = 0; i < out.length; i++) out[i] = samples[Math.floor(i * ratio)] ?? 0;
  return out;
}

/** G.711 mu-law byte to a linear sample. */
export function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
  return sign ? -magnitude : magnitude;
}

/** G.711 A-law byte to a linear sample. */
export function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const sign = a & 0x80;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  let magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  magnitude = Math.min(magnitude, 32767);
  return sign ? magnitude : -magnitude;
}

const SEG_UEND = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
const SEG_AEND = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

function segment(value: number, table: number[]): number {
  const i = table.findIndex((end) => value <= end);
  return i === -1 ? table.length : i;
}

/** A linear sample to G.711 mu-law (the reference g711.c algorithm). */
export function linearToUlaw(sample: number): number {
  let pcm = sample >> 2;
  let mask = 0xff;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7f;
  }
  pcm = Math.min(pcm, 8159) + (0x84 >> 2);
  const seg = segment(pcm, SEG_UEND);
  if (seg >= 8) return 0x7f ^ mask;
  return (((seg << 4) | ((pcm >> (seg + 1)) & 0x0f)) ^ mask) & 0xff;
}

/** A linear sample to G.711 A-law (the reference g711.c algorithm). */
export function linearToAlaw(sample: number): number {
  let pcm = sample >> 3;
  let mask = 0xd5;
  if (pcm < 0) {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const seg = segment(pcm, SEG_AEND);
  if (seg >= 8) return 0x7f ^ mask;
  const aval = (seg << 4) | ((seg < 2 ? pcm >> 1 : pcm >> seg) & 0x0f);
  return (aval ^ mask) & 0xff;
}

/** Decodes a buffer of 8-bit G.711 samples. */
export function decodeG711(buf: Buffer, law: 'ulaw' | 'alaw'): Int16Array {
  const out = new Int16Array(buf.length);
  const f = law === 'ulaw' ? ulawToLinear : alawToLinear;
  for (let i = 0; i < buf.length; i++) out[i] = f(buf[i] ?? 0);
  return out;
}

/** A canonical 44-byte-header WAVE file, as Asterisk's format_wav writes it. */
export function encodeWav(samples: Int16Array, rate = RATE): Buffer {
  const data = rate === RATE ? samples : upsample(samples, rate / RATE);
  const buf = Buffer.alloc(44 + data.length * 2);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + data.length * 2, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(data.length * 2, 40);
  for (let i = 0; i < data.length; i++) buf.writeInt16LE(data[i] ?? 0, 44 + i * 2);
  return buf;
}

/** Raw little-endian samples (Asterisk's `sln` / `sln16`). */
export function encodeSlin(samples: Int16Array, rate = RATE): Buffer {
  const data = rate === RATE ? samples : upsample(samples, rate / RATE);
  const buf = Buffer.alloc(data.length * 2);
  for (let i = 0; i < data.length; i++) buf.writeInt16LE(data[i] ?? 0, i * 2);
  return buf;
}

/** 8-bit G.711. */
export function encodeG711(samples: Int16Array, law: 'ulaw' | 'alaw'): Buffer {
  const f = law === 'ulaw' ? linearToUlaw : linearToAlaw;
  const buf = Buffer.alloc(samples.length);
  for (let i = 0; i < samples.length; i++) buf[i] = f(samples[i] ?? 0);
  return buf;
}

/** Asterisk's own GSM 06.10 silence frame (format_gsm.c), 33 bytes per 20 ms. */
const GSM_SILENCE = Buffer.from([
  0xd8, 0x20, 0xa2, 0xe1, 0x5a, 0x50, 0x00, 0x49, 0x24, 0x92, 0x49, 0x24, 0x50, 0x00, 0x49, 0x24, 0x92, 0x49, 0x24, 0x50, 0x00, 0x49,
  0x24, 0x92, 0x49, 0x24, 0x50, 0x00, 0x49, 0x24, 0x92, 0x49, 0x24,
]);

/**
 * A GSM file of the right length. Deliberate difference: the simulator has no GSM
 * encoder, so every frame is GSM silence whatever was heard.
 */
export function encodeGsmSilence(samples: number): Buffer {
  const frames = Math.ceil(samples / FRAME_SAMPLES);
  return Buffer.concat(Array.from({ length: frames }, () => GSM_SILENCE));
}

function upsample(samples: Int16Array, factor: number): Int16Array {
  const out = new Int16Array(samples.length * factor);
  for (let i = 0; i < out.length; i++) out[i] = samples[Math.floor(i / factor)] ?? 0;
  return out;
}

/**
 * A 440 Hz tone: what the simulator plays for media it cannot decode (GSM, G.722),
 * so the far end and recordings still hear "talking" for the file's real length.
 */
export function tone(samples: number, amplitude = 6000, hz = 440): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / RATE));
  return out;
}

/** Mean absolute amplitude of a frame: what Asterisk's silence detector compares to its threshold. */
export function frameEnergy(frame: Int16Array, length = frame.length): number {
  let sum = 0;
  for (let i = 0; i < length; i++) sum += Math.abs(frame[i] ?? 0);
  return length === 0 ? 0 : Math.floor(sum / length);
}
