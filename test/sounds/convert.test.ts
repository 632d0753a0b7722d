/**
 * Conversion with sox, on real files of several formats and rates made here:
 * the output is what Asterisk plays without transcoding, and bad input is one
 * clear error.
 */
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { convertForAsterisk, type ConvertedSound } from '../../src/sounds/convert.js';
import { ToolFailure, runTool, type ToolRunner } from '../../src/sounds/tools.js';
import { makeSpeech, makeTone, permissionsApply, readWav, tempDir } from './media.js';

let dir: string;
let staging: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  staging = path.join(dir, 'staging');
  await mkdir(staging);
});

afterAll(async () => {
  await cleanup();
});

async function convert(file: string, runner: ToolRunner = runTool): Promise<ConvertedSound> {
  return convertForAsterisk(file, staging, path.basename(file).replace(/\W/g, '_'), runner);
}

async function convertFails(file: string): Promise<AppError> {
  const err = await convert(file).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as Error).message).not.toContain('\n');
  return err as AppError;
}

/** A valid 8 kHz mono 16-bit WAVE header with a data chunk of 0 bytes. */
function emptyWav(): Buffer {
  const buf = Buffer.alloc(44);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36, 4);
  buf.write('WAVEfmt ', 8, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(8000, 24);
  buf.writeUInt32LE(16_000, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(0, 40);
  return buf;
}

/** Checks both outputs: 8 kHz mono 16-bit PCM wav, and 16 kHz 16-bit headerless sln16, of the expected length. */
async function expectAsteriskReady(sound: ConvertedSound, seconds: number, tolerance = 0.06): Promise<void> {
  const wav = sound.files.find((f) => f.format.ext === 'wav')!;
  const sln16 = sound.files.find((f) => f.format.ext === 'sln16')!;
  const header = await readWav(wav.path);
  expect(header).toMatchObject({ audioFormat: 1, sampleRate: 8000, channels: 1, bits: 16 });
  expect(header.seconds).toBeCloseTo(seconds, 0);
  expect(Math.abs(header.seconds - seconds)).toBeLessThan(tolerance);
  expect(Math.abs(sound.durationSeconds - seconds)).toBeLessThan(tolerance);
  // sln16: raw 16-bit samples at 16 kHz, no header: 32,000 bytes a second.
  const raw = await readFile(sln16.path);
  expect(raw.subarray(0, 4).toString('ascii')).not.toBe('RIFF');
  expect(Math.abs(raw.length / 32_000 - seconds)).toBeLessThan(tolerance);
}

describe('conversion for Asterisk', () => {
  it('a 44.1 kHz stereo wav becomes 8 kHz mono wav and 16 kHz sln16 of the same length', async () => {
    const sound = await convert(await makeTone(path.join(dir, 'stereo.wav'), { rate: 44_100, channels: 2, seconds: 1.5 }));
    await expectAsteriskReady(sound, 1.5);
    expect(sound.source).toMatch(/44100 Hz stereo/);
  });

  it('a 22.05 kHz mono wav', async () => {
    await expectAsteriskReady(await convert(await makeTone(path.join(dir, 'mono22.wav'), { rate: 22_050, channels: 1, seconds: 1 })), 1);
  });

  it('an 8 kHz mono wav keeps its length (and gains a 16 kHz version)', async () => {
    await expectAsteriskReady(await convert(await makeTone(path.join(dir, 'mono8.wav'), { rate: 8000, channels: 1, seconds: 0.7 })), 0.7);
  });

  it('an mp3 (the encoder pads a few ms)', async () => {
    const sound = await convert(await makeTone(path.join(dir, 'tone.mp3'), { rate: 44_100, channels: 2, seconds: 2 }));
    await expectAsteriskReady(sound, 2, 0.1);
    expect(sound.source).toMatch(/MPEG/);
  });

  it('an ogg vorbis file', async () => {
    const sound = await convert(await makeTone(path.join(dir, 'tone.ogg'), { rate: 48_000, channels: 2, seconds: 1.2 }));
    await expectAsteriskReady(sound, 1.2);
    expect(sound.source).toMatch(/Vorbis/);
  });

  it('a flac file', async () => {
    const sound = await convert(await makeTone(path.join(dir, 'tone.flac'), { rate: 32_000, channels: 1, seconds: 0.8 }));
    await expectAsteriskReady(sound, 0.8);
    expect(sound.source).toMatch(/FLAC/);
  });

  it('speech from espeak-ng (22.05 kHz)', async () => {
    const file = await makeSpeech(path.join(dir, 'speech.wav'), 'Please leave a message after the tone.');
    const spoken = await readWav(file);
    await expectAsteriskReady(await convert(file), spoken.seconds);
  });

  it('a name starting with "-" is read as a file, never as an option', async () => {
    await makeTone(path.join(dir, '-dash.wav'), { rate: 16_000, channels: 1, seconds: 0.5 });
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      await expectAsteriskReady(await convert('-dash.wav'), 0.5);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('bad input is one clear line', () => {
  it('digital silence', async () => {
    const err = await convertFails(await makeTone(path.join(dir, 'silence.wav'), { rate: 8000, channels: 1, seconds: 1, volume: 0 }));
    expect(err.message).toMatch(/silence\.wav is silent \(1\.00 s/);
  });

  it('silence in an mp3', async () => {
    const err = await convertFails(await makeTone(path.join(dir, 'silence.mp3'), { rate: 44_100, channels: 2, seconds: 1, volume: 0 }));
    expect(err.message).toMatch(/is silent/);
  });

  it('an empty file', async () => {
    const file = path.join(dir, 'empty.wav');
    await writeFile(file, '');
    expect((await convertFails(file)).message).toBe(`${file} is empty (0 bytes)`);
  });

  it('a wav with a header and no samples', async () => {
    const file = path.join(dir, 'nosamples.wav');
    await writeFile(file, emptyWav());
    expect((await stat(file)).size).toBe(44);
    expect((await convertFails(file)).message).toMatch(/holds no audio/);
  });

  it('a text file', async () => {
    const file = path.join(dir, 'notes.txt');
    await writeFile(file, 'hello');
    expect((await convertFails(file)).message).toBe(`${file} is not an audio file sox can read (.txt); use wav, mp3, ogg or flac`);
  });

  it('text named .wav', async () => {
    const file = path.join(dir, 'fake.wav');
    await writeFile(file, 'this is not audio at all');
    expect((await convertFails(file)).message).toMatch(/fake\.wav is not an audio file sox can read: WAVE: RIFF header not found/);
  });

  it('a file without extension sox cannot identify', async () => {
    const file = path.join(dir, 'mystery');
    await writeFile(file, 'x'.repeat(1000));
    expect((await convertFails(file)).message).toMatch(/unknown audio type; give the file its extension/);
  });

  it('a file that does not exist, and a directory', async () => {
    expect((await convertFails(path.join(dir, 'nope.wav'))).message).toMatch(/nope\.wav: no such file/);
    expect((await convertFails(dir)).message).toMatch(/is not a regular file/);
  });

  it('an unreadable file', async (ctx) => {
    const file = await makeTone(path.join(dir, 'secret.wav'), { rate: 8000, channels: 1, seconds: 0.3 });
    if (!(await permissionsApply(dir))) ctx.skip('running as root: chmod does not stop reading');
    await chmod(file, 0o000);
    try {
      expect((await convertFails(file)).message).toMatch(/secret\.wav: cannot read it \(permission denied\)/);
    } finally {
      await chmod(file, 0o644);
    }
  });

  it('a missing sox names the Debian package', async () => {
    const file = await makeTone(path.join(dir, 'ok.wav'), { rate: 8000, channels: 1, seconds: 0.3 });
    // What runTool raises when the program is not on PATH.
    const missing: ToolRunner = () => Promise.reject(new AppError('DEPENDENCY_MISSING', 'sox is not installed: install the Debian package sox (apt-get install sox)'));
    const err = await convert(file, missing).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DEPENDENCY_MISSING', message: expect.stringMatching(/Debian package sox/) as unknown });
  });

  it('a sox without the mp3 handler names libsox-fmt-mp3', async () => {
    const file = await makeTone(path.join(dir, 'handler.mp3'), { rate: 8000, channels: 1, seconds: 0.3 });
    const noMp3: ToolRunner = () => Promise.reject(new ToolFailure('sox', "sox FAIL formats: no handler for file extension `mp3'\n", false));
    const err = await convert(file, noMp3).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DEPENDENCY_MISSING', message: 'sox cannot read .mp3 files here: install the Debian package libsox-fmt-mp3' });
  });
});

describe('runTool', () => {
  it('a program that is not installed is DEPENDENCY_MISSING naming its package', async () => {
    const original = process.env.PATH;
    process.env.PATH = dir; // no sox here
    try {
      const err = await runTool('sox', ['--version']).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'DEPENDENCY_MISSING', message: 'sox is not installed: install the Debian package sox (apt-get install sox)' });
    } finally {
      process.env.PATH = original;
    }
  });

  it('a program that runs too long is stopped', async () => {
    const err = await runTool('sox', ['-n', '-t', 'wav', '/dev/null', 'synth', '3600', 'sine', '440'], { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ToolFailure', timedOut: true });
  });
});
