/**
 * espeak-ng and its cache: the same text, voice and language is synthesised
 * once; anything different is synthesised again.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { synthesise, ttsCacheDir, type SpeechOptions } from '../../src/sounds/synthesise.js';
import { runTool, type Tool, type ToolRunner } from '../../src/sounds/tools.js';
import { readWav, tempDir } from './media.js';

let dir: string;
let cleanup: () => Promise<void>;
let runs: { tool: Tool; args: readonly string[] }[];
let options: SpeechOptions;

/** The real runner, recording every program run. */
const counting: ToolRunner = (tool, args, opts) => {
  runs.push({ tool, args });
  return runTool(tool, args, opts);
};

const espeakRuns = () => runs.filter((r) => r.tool === 'espeak-ng').length;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  runs = [];
  const stagingDir = path.join(dir, 'staging');
  await mkdir(stagingDir);
  options = { cacheDir: ttsCacheDir(path.join(dir, 'data')), stagingDir, runner: counting };
});

afterEach(async () => {
  await cleanup();
});

describe('synthesise', () => {
  it('speaks with espeak-ng: a 22.05 kHz mono wav of plausible length', async () => {
    const speech = await synthesise({ text: 'Please hold, your call is important to us.', language: 'en' }, options);
    expect(speech).toMatchObject({ voice: 'en', cached: false });
    const wav = await readWav(speech.wav);
    expect(wav).toMatchObject({ sampleRate: 22_050, channels: 1, bits: 16 });
    expect(wav.seconds).toBeGreaterThan(1.5);
    expect(wav.seconds).toBeLessThan(6);
  });

  it('the same text, voice and language comes from the cache: espeak-ng does not run again', async () => {
    const first = await synthesise({ text: 'Thank you for calling.', language: 'en' }, options);
    const second = await synthesise({ text: '  Thank you for calling.  ', language: 'en' }, options);
    expect(espeakRuns()).toBe(1);
    expect(second).toMatchObject({ cached: true, voice: 'en' });
    expect(await readFile(second.wav)).toEqual(await readFile(first.wav));
    expect(second.wav.startsWith(options.cacheDir)).toBe(true);
    const cached = (await readdir(options.cacheDir)).sort();
    expect(cached).toHaveLength(2);
    const note = JSON.parse(await readFile(path.join(options.cacheDir, cached.find((f) => f.endsWith('.json'))!), 'utf8')) as unknown;
    expect(note).toEqual({ text: 'Thank you for calling.', voice: 'en', language: 'en' });
  });

  it('another text, voice or language is synthesised anew', async () => {
    await synthesise({ text: 'Goodbye.', language: 'en' }, options);
    await synthesise({ text: 'Goodbye!', language: 'en' }, options);
    await synthesise({ text: 'Goodbye.', language: 'en', voice: 'en-us' }, options);
    await synthesise({ text: 'Goodbye.', language: 'en_GB' }, options);
    expect(espeakRuns()).toBe(4);
    await synthesise({ text: 'Goodbye.', language: 'en', voice: 'en-us' }, options);
    expect(espeakRuns()).toBe(4);
  });

  it('the voice follows the language: fr_FR is spoken by fr-fr', async () => {
    const speech = await synthesise({ text: 'Bonjour.', language: 'fr_FR' }, options);
    expect(speech.voice).toBe('fr-fr');
    expect(runs.find((r) => r.tool === 'espeak-ng')!.args).toEqual(expect.arrayContaining(['-v', 'fr-fr']));
  });

  it('a language espeak-ng has no voice for asks for --voice', async () => {
    const err = await synthesise({ text: 'Hello.', language: 'zz_test' }, options).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_INPUT', message: 'espeak-ng has no voice "zz-test" or "zz": choose one with --voice (espeak-ng --voices lists them)' });
    expect(espeakRuns()).toBe(2);
  });

  it('bad text and voices are refused before espeak-ng runs', async () => {
    await expect(synthesise({ text: '   ', language: 'en' }, options)).rejects.toThrow('the text to say is empty');
    await expect(synthesise({ text: 'x'.repeat(4001), language: 'en' }, options)).rejects.toThrow(/4001 characters long; the limit is 4000/);
    await expect(synthesise({ text: 'Hi', language: 'en', voice: '--help' }, options)).rejects.toThrow(/is not an espeak-ng voice name/);
    expect(espeakRuns()).toBe(0);
  });

  it('text that looks like options is spoken, not parsed', async () => {
    const speech = await synthesise({ text: '--version -w /tmp/x', language: 'en' }, options);
    expect((await readWav(speech.wav)).seconds).toBeGreaterThan(0.5);
  });

  it('a cache that cannot be written does not stop the prompt', async () => {
    const blocked = path.join(dir, 'not-a-dir');
    await writeFile(blocked, 'x');
    const speech = await synthesise({ text: 'Still here.', language: 'en' }, { ...options, cacheDir: path.join(blocked, 'tts-cache') });
    expect(speech.cached).toBe(false);
    expect((await readWav(speech.wav)).seconds).toBeGreaterThan(0.3);
  });
});
