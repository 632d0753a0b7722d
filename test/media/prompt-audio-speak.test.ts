/**
 * PromptAudio.speak with the real espeak-ng and sox: the files Asterisk plays
 * at the URI's path, rendered once per request, shared by concurrent
 * requests, the level baked in, nothing left by a failure.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EspeakEngine } from '../../src/media/espeak-engine.js';
import { isMediaError, mediaError } from '../../src/media/media-errors.js';
import { levelToGainDb, PromptAudio } from '../../src/media/prompt-audio.js';
import type { SpeechEngine } from '../../src/media/speech-engine.js';
import { readWav, tempDir } from '../sounds/media.js';
import { countingEngine, memoryLog, wavPeak } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let soundsDir: string;
let dataDir: string;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('stasis-flows-prompt-test-'));
  soundsDir = path.join(dir, 'sounds');
  dataDir = path.join(dir, 'data');
});

afterEach(async () => {
  await cleanup();
});

const signal = () => new AbortController().signal;
const hello = { text: 'Hello, and welcome.', ssml: false, language: 'en-US', level: 0 };

function pathOf(uri: string): string {
  expect(uri).toMatch(/^sound:\//);
  return uri.slice('sound:'.length);
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true }).catch(() => [] as string[]);
  const files: string[] = [];
  for (const entry of entries) if ((await stat(path.join(root, entry))).isFile()) files.push(entry);
  return files.sort();
}

describe('PromptAudio.speak', () => {
  it('writes an 8 kHz mono .wav and a .sln16 at the URI path (no extension in the URI)', async () => {
    const audio = new PromptAudio({ dataDir, soundsDir, engine: new EspeakEngine(), log: memoryLog() });
    const base = pathOf(await audio.speak(hello, signal()));
    expect(path.isAbsolute(base)).toBe(true);
    expect(path.dirname(base)).toBe(path.join(soundsDir, 'stasis-flows', 'tts'));
    expect(path.extname(base)).toBe('');
    const wav = await readWav(`${base}.wav`);
    expect(wav).toMatchObject({ audioFormat: 1, sampleRate: 8000, channels: 1, bits: 16 });
    expect(wav.seconds).toBeGreaterThan(0.8);
    const sln16 = await stat(`${base}.sln16`);
    // 16 kHz, 2 bytes a sample: twice the 8 kHz data, give or take resampler edges.
    expect(sln16.size / wav.dataBytes).toBeCloseTo(2, 1);
    expect((await stat(`${base}.wav`)).mode & 0o777).toBe(0o644);
    // Only the finished files: no temporary file in Asterisk's folder, no staging left.
    expect(await filesUnder(path.join(soundsDir, 'stasis-flows', 'tts'))).toEqual([`${path.basename(base)}.sln16`, `${path.basename(base)}.wav`]);
    expect(await filesUnder(path.join(dataDir, 'media-cache', 'tmp'))).toEqual([]);
    const note = JSON.parse(await readFile(path.join(dataDir, 'media-cache', 'tts', `${path.basename(base)}.json`), 'utf8')) as Record<string, unknown>;
    expect(note).toMatchObject({ engine: 'espeak-ng', voice: 'en-us', language: 'en-US', level: 0 });
  });

  it('the same request again is not rendered again, even by a new PromptAudio', async () => {
    const engine = countingEngine(new EspeakEngine());
    const first = await new PromptAudio({ dataDir, soundsDir, engine, log: memoryLog() }).speak(hello, signal());
    const audio = new PromptAudio({ dataDir, soundsDir, engine, log: memoryLog() });
    expect(await audio.speak({ ...hello }, signal())).toBe(first);
    expect(engine.renders).toHaveLength(1);
  });

  it('two identical requests at once share one render', async () => {
    const engine = countingEngine(new EspeakEngine());
    const audio = new PromptAudio({ dataDir, soundsDir, engine, log: memoryLog() });
    const [a, b] = await Promise.all([audio.speak(hello, signal()), audio.speak(hello, signal())]);
    expect(a).toBe(b);
    expect(engine.renders).toHaveLength(1);
  });

  it('text, language, gender, rate, ssml and level each make another prompt', async () => {
    const engine = countingEngine(new EspeakEngine());
    const audio = new PromptAudio({ dataDir, soundsDir, engine, log: memoryLog() });
    const uris = await Promise.all([
      audio.speak(hello, signal()),
      audio.speak({ ...hello, text: 'Goodbye.' }, signal()),
      audio.speak({ ...hello, language: 'en-GB' }, signal()),
      audio.speak({ ...hello, gender: 'female' }, signal()),
      audio.speak({ ...hello, rate: 150 }, signal()),
      audio.speak({ ...hello, ssml: true }, signal()),
      audio.speak({ ...hello, level: -0.5 }, signal()),
    ]);
    expect(new Set(uris).size).toBe(7);
    expect(engine.renders).toHaveLength(7);
  });

  it('level is baked in: -1 is about 20 dB quieter', async () => {
    const audio = new PromptAudio({ dataDir, soundsDir, engine: new EspeakEngine(), log: memoryLog() });
    const normal = await wavPeak(`${pathOf(await audio.speak(hello, signal()))}.wav`);
    const quiet = await wavPeak(`${pathOf(await audio.speak({ ...hello, level: -1 }, signal()))}.wav`);
    const ratio = quiet / normal;
    expect(ratio).toBeGreaterThan(0.07);
    expect(ratio).toBeLessThan(0.14);
  });

  it('an engine failure is TTS_FAILED and leaves nothing behind', async () => {
    const failing: SpeechEngine = {
      name: 'broken',
      render: () => Promise.reject(new Error('voice server said no')),
    };
    const audio = new PromptAudio({ dataDir, soundsDir, engine: failing, log: memoryLog() });
    const err = await audio.speak(hello, signal()).catch((e: unknown) => e);
    expect(isMediaError(err, 'TTS_FAILED')).toBe(true);
    expect((err as Error).message).toContain('voice server said no');
    expect(await filesUnder(soundsDir)).toEqual([]);
    expect(await filesUnder(path.join(dataDir, 'media-cache'))).toEqual([]);
  });

  it("an engine's TTS_FAILED passes through; a wav that is not audio is TTS_FAILED", async () => {
    const refusing: SpeechEngine = { name: 'refusing', render: () => Promise.reject(mediaError('TTS_FAILED', 'the text to say is empty')) };
    const err = await new PromptAudio({ dataDir, soundsDir, engine: refusing, log: memoryLog() }).speak(hello, signal()).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: 'the text to say is empty' });
    const garbage: SpeechEngine = {
      name: 'garbage',
      render: async (_request, outFile) => {
        const { writeFile } = await import('node:fs/promises');
        await writeFile(outFile, 'not audio at all');
        return { voice: 'x' };
      },
    };
    const bad = await new PromptAudio({ dataDir, soundsDir, engine: garbage, log: memoryLog() }).speak(hello, signal()).catch((e: unknown) => e);
    expect(isMediaError(bad, 'TTS_FAILED')).toBe(true);
    expect((bad as Error).message).not.toContain(dataDir);
    expect(await filesUnder(soundsDir)).toEqual([]);
  });

  it('an abort rejects at once; a second caller of the same render still gets it', async () => {
    const engine = countingEngine(new EspeakEngine());
    const audio = new PromptAudio({ dataDir, soundsDir, engine, log: memoryLog() });
    const leaving = new AbortController();
    const request = { ...hello, text: 'A longer sentence, so that there is time to give up on it.' };
    const first = audio.speak(request, leaving.signal);
    const second = audio.speak(request, signal());
    leaving.abort();
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    expect(pathOf(await second)).toContain(path.join(soundsDir, 'stasis-flows', 'tts'));
    expect(engine.renders).toHaveLength(1);
  });

  it('an abort of the only caller stops the render and leaves nothing', async () => {
    const audio = new PromptAudio({ dataDir, soundsDir, engine: new EspeakEngine(), log: memoryLog() });
    const controller = new AbortController();
    const speaking = audio.speak({ ...hello, text: 'On and on. '.repeat(400) }, controller.signal);
    setTimeout(() => controller.abort(), 30);
    await expect(speaking).rejects.toMatchObject({ name: 'AbortError' });
    // The render winds down after the caller is told: give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await filesUnder(soundsDir)).toEqual([]);
    expect(await filesUnder(path.join(dataDir, 'media-cache', 'tmp'))).toEqual([]);
  });
});

describe('levelToGainDb', () => {
  it('maps -1…1 to -20…+10 dB, clamped', () => {
    expect(levelToGainDb(-1)).toBe(-20);
    expect(levelToGainDb(-0.5)).toBe(-10);
    expect(levelToGainDb(0)).toBe(0);
    expect(levelToGainDb(0.3)).toBe(3);
    expect(levelToGainDb(1)).toBe(10);
    expect(levelToGainDb(7)).toBe(10);
    expect(levelToGainDb(Number.NaN)).toBe(0);
  });
});
