/**
 * Test helpers for the sound tools: real audio files made with sox and
 * espeak-ng, temporary folders, and whether permissions apply to this process.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { wavDurationSeconds, wavFormat, type WavFormat } from '../../src/audio/wav.js';

const run = promisify(execFile);

/** A temporary directory, removed by the returned function. */
export async function tempDir(prefix = 'stasis-flows-sounds-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Makes a tone with sox: the format comes from the file's extension (wav, mp3,
 * ogg, flac). `volume` 0 makes digital silence of the same length.
 */
export async function makeTone(file: string, options: { rate: number; channels: number; seconds: number; volume?: number }): Promise<string> {
  const { rate, channels, seconds, volume = 0.5 } = options;
  const bits = file.endsWith('.mp3') || file.endsWith('.ogg') ? [] : ['-b', '16'];
  await run('sox', ['-n', '-r', String(rate), '-c', String(channels), ...bits, file, 'synth', String(seconds), 'sine', '440', 'vol', String(volume)], { timeout: 30_000 });
  return file;
}

/** Speaks `text` into a wav with espeak-ng (22.05 kHz mono). */
export async function makeSpeech(file: string, text: string): Promise<string> {
  await run('espeak-ng', ['-v', 'en', '-w', file, text], { timeout: 30_000 });
  return file;
}

/** A WAVE file's header and duration. */
export async function readWav(file: string): Promise<WavFormat & { seconds: number }> {
  const buf = await readFile(file);
  const fmt = wavFormat(buf);
  if (!fmt) throw new Error(`${file} is not a WAVE file`);
  return { ...fmt, seconds: wavDurationSeconds(buf) ?? 0 };
}

/**
 * True when chmod stops this process from writing (false as root, which
 * ignores permission bits): tests of unwritable folders skip otherwise.
 */
export async function permissionsApply(dir: string): Promise<boolean> {
  const probe = path.join(dir, 'probe');
  await chmod(dir, 0o555);
  try {
    await writeFile(probe, 'x');
    await rm(probe, { force: true });
    return false;
  } catch {
    return true;
  } finally {
    await chmod(dir, 0o755);
  }
}
