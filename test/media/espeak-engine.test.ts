/**
 * The espeak-ng engine against the real espeak-ng: which voice speaks each
 * language and gender, the voice list asked once, SSML breaks that take time,
 * the rate, and an abort that kills espeak-ng.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EspeakEngine, espeakInput, espeakSpeed } from '../../src/media/espeak-engine.js';
import { isMediaError } from '../../src/media/media-errors.js';
import type { SpeechRequest } from '../../src/media/speech-engine.js';
import { readWav, tempDir } from '../sounds/media.js';
import { countingRunner } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('stasis-flows-espeak-test-'));
});

afterEach(async () => {
  await cleanup();
});

const signal = () => new AbortController().signal;
const say = (text: string, more: Partial<SpeechRequest> = {}): SpeechRequest => ({ text, ssml: false, language: 'en-US', ...more });

describe('EspeakEngine voices', () => {
  it.each([
    ['en-US', 'en-us'],
    ['en-GB', 'en-gb'],
    ['ja-JP', 'ja'],
    ['de-DE', 'de'],
    ['pt-BR', 'pt-br'],
    ['en_gb', 'en-gb'],
    ['xx-YY', 'en'],
    ['', 'en'],
  ])('%s is spoken by %s', async (language, voice) => {
    expect(await new EspeakEngine().voiceFor(language)).toBe(voice);
  });

  it('gender picks a variant espeak-ng ships', async () => {
    const engine = new EspeakEngine();
    expect(await engine.voiceFor('en-GB', 'female')).toBe('en-gb+f3');
    expect(await engine.voiceFor('de-DE', 'male')).toBe('de+m3');
  });

  it('asks espeak-ng for its voices once', async () => {
    const { runner, runs } = countingRunner();
    const engine = new EspeakEngine({ runner });
    await engine.voiceFor('en-US');
    await engine.voiceFor('ja-JP', 'female');
    await engine.render(say('one'), path.join(dir, 'a.wav'), signal());
    await engine.render(say('two'), path.join(dir, 'b.wav'), signal());
    expect(runs.filter((r) => r.args[0]?.startsWith('--voices')).map((r) => r.args[0]).sort()).toEqual(['--voices', '--voices=variant']);
  });
});

describe('EspeakEngine.render', () => {
  it('renders a wav and says which voice spoke; the text goes through a file', async () => {
    const { runner, runs } = countingRunner();
    const out = path.join(dir, 'hello.wav');
    const result = await new EspeakEngine({ runner }).render(say('-v xx --help Hello there, welcome.', { gender: 'female' }), out, signal());
    expect(result).toEqual({ voice: 'en-us+f3' });
    const wav = await readWav(out);
    expect(wav).toMatchObject({ channels: 1, bits: 16 });
    expect(wav.seconds).toBeGreaterThan(1);
    const speak = runs.find((r) => r.args.includes('-w'))!;
    expect(speak.args.some((a) => a.includes('Hello'))).toBe(false);
    expect(speak.args).toContain('-f');
    expect(speak.args).not.toContain('-m');
  });

  it('Japanese text with the ja voice', async () => {
    const out = path.join(dir, 'ja.wav');
    expect(await new EspeakEngine().render(say('こんにちは', { language: 'ja-JP' }), out, signal())).toEqual({ voice: 'ja' });
    expect((await readWav(out)).seconds).toBeGreaterThan(0.3);
  });

  it('SSML: a <break> adds its time, and markup is not read out', async () => {
    const engine = new EspeakEngine();
    const plain = path.join(dir, 'plain.wav');
    const marked = path.join(dir, 'marked.wav');
    const paused = path.join(dir, 'paused.wav');
    await engine.render(say('Hello world'), plain, signal());
    await engine.render(say('<speak>Hello <emphasis>world</emphasis><amazon:effect name="whispered"></amazon:effect></speak>', { ssml: true }), marked, signal());
    await engine.render(say('<speak>Hello <break time="2s"/> world</speak>', { ssml: true }), paused, signal());
    const [p, m, b] = [await readWav(plain), await readWav(marked), await readWav(paused)];
    // Read out, the markup would take seconds.
    expect(Math.abs(m.seconds - p.seconds)).toBeLessThan(0.5);
    expect(b.seconds - p.seconds).toBeGreaterThan(1.5);
    expect(b.seconds - p.seconds).toBeLessThan(2.6);
  });

  it('SSML with <audio src> is spoken without touching the file (espeak-ng would crash on it)', async () => {
    const out = path.join(dir, 'audio.wav');
    await new EspeakEngine().render(say('<speak>Hi <audio src="/etc/passwd">there</audio></speak>', { ssml: true }), out, signal());
    expect((await readWav(out)).seconds).toBeGreaterThan(0.3);
  });

  it('the rate changes the speed', async () => {
    const engine = new EspeakEngine();
    const text = 'The quick brown fox jumps over the lazy dog, twice over.';
    await engine.render(say(text), path.join(dir, 'normal.wav'), signal());
    await engine.render(say(text, { rate: 200 }), path.join(dir, 'fast.wav'), signal());
    const [normal, fast] = [await readWav(path.join(dir, 'normal.wav')), await readWav(path.join(dir, 'fast.wav'))];
    expect(fast.seconds).toBeLessThan(normal.seconds * 0.7);
  });

  it('empty text is TTS_FAILED', async () => {
    const err = await new EspeakEngine().render(say('   '), path.join(dir, 'x.wav'), signal()).catch((e: unknown) => e);
    expect(isMediaError(err, 'TTS_FAILED')).toBe(true);
  });

  it('an abort kills espeak-ng and rejects with the abort', async () => {
    const controller = new AbortController();
    const engine = new EspeakEngine();
    await engine.voiceFor('en-US');
    const long = 'This sentence goes on and on. '.repeat(300);
    const started = Date.now();
    const rendering = engine.render(say(long), path.join(dir, 'long.wav'), controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(rendering).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe('espeak-ng arguments', () => {
  it('speed: 175 wpm × rate / 100, within what espeak-ng accepts', () => {
    expect(espeakSpeed(undefined)).toBe(175);
    expect(espeakSpeed(200)).toBe(350);
    expect(espeakSpeed(10)).toBe(80);
    expect(espeakSpeed(1000)).toBe(450);
  });

  it('plain text is never marked up; SSML gets -m', () => {
    expect(espeakInput({ text: ' a <b> c ', ssml: false })).toEqual({ text: 'a <b> c', markup: false });
    expect(espeakInput({ text: 'Hi <break time="1s"/>', ssml: true })).toEqual({ text: '<speak>Hi <break time="1s"/></speak>', markup: true });
  });
});
