/**
 * Text to speech with espeak-ng, for "talk"-style prompts. Results are cached
 * under `<dataDir>/tts-cache/`, keyed by text, voice and language, so the same
 * prompt is never synthesised twice.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { wavFormat } from '../audio/wav.js';
import { AppError } from '../errors.js';
import { ToolFailure, firstProblem, type ToolRunner } from './tools.js';

/** What to say, in which language, with which espeak-ng voice (default: the language's). */
export interface SpeechRequest {
  readonly text: string;
  readonly language: string;
  readonly voice?: string;
}

/** A synthesised prompt: a wav file to convert like any other input. */
export interface Speech {
  readonly wav: string;
  /** The espeak-ng voice that spoke it. */
  readonly voice: string;
  /** True when it came from the cache (espeak-ng did not run). */
  readonly cached: boolean;
}

/** Where speech is cached and staged, and how espeak-ng is run. */
export interface SpeechOptions {
  readonly cacheDir: string;
  readonly stagingDir: string;
  readonly runner: ToolRunner;
}

// Bump when the cached audio would change for the same key (other espeak-ng options).
const CACHE_VERSION = 1;
const MAX_TEXT = 4000;
const VOICE = /^[A-Za-z0-9][A-Za-z0-9_+-]{0,59}$/;

/** The cache directory under the data directory. */
export function ttsCacheDir(dataDir: string): string {
  return path.join(dataDir, 'tts-cache');
}

function checkText(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') throw new AppError('INVALID_INPUT', 'the text to say is empty');
  if (trimmed.length > MAX_TEXT) throw new AppError('INVALID_INPUT', `the text to say is ${trimmed.length} characters long; the limit is ${MAX_TEXT}`);
  if (trimmed.includes('\u0000')) throw new AppError('INVALID_INPUT', 'the text to say contains a NUL character');
  return trimmed;
}

/** Voices to try: the one asked for, or the language's (`pt_BR` → `pt-br`, then `pt`). */
function voiceCandidates(request: SpeechRequest): string[] {
  if (request.voice !== undefined) {
    if (!VOICE.test(request.voice)) throw new AppError('INVALID_INPUT', `voice "${request.voice.slice(0, 60)}" is not an espeak-ng voice name (see espeak-ng --voices)`);
    return [request.voice];
  }
  const full = request.language.toLowerCase().replace(/_/g, '-');
  const base = full.split('-')[0]!;
  return [...new Set([full, base])];
}

function cacheKey(text: string, voice: string | undefined, language: string): string {
  return createHash('sha256').update(JSON.stringify([CACHE_VERSION, text, voice ?? null, language])).digest('hex');
}

async function isWav(file: string): Promise<boolean> {
  try {
    return wavFormat(await readFile(file)) !== undefined;
  } catch {
    return false;
  }
}

const noVoice = (failure: ToolFailure) => /voice does not exist/i.test(failure.stderr);

/** Runs espeak-ng with each candidate voice until one exists; returns the wav and the voice. */
async function speak(text: string, candidates: readonly string[], options: SpeechOptions): Promise<{ wav: string; voice: string }> {
  const stem = path.join(options.stagingDir, `tts-${uuidv7()}`);
  // The text goes through a file, so nothing in it can be read as an option.
  await writeFile(`${stem}.txt`, text, 'utf8');
  for (const voice of candidates) {
    try {
      await options.runner('espeak-ng', ['-v', voice, '-w', `${stem}.wav`, '-f', `${stem}.txt`], { timeoutMs: 60_000 });
      return { wav: `${stem}.wav`, voice };
    } catch (err) {
      if (!(err instanceof ToolFailure)) throw err;
      if (noVoice(err) && voice !== candidates.at(-1)) continue;
      if (noVoice(err)) throw new AppError('INVALID_INPUT', `espeak-ng has no voice ${candidates.map((c) => `"${c}"`).join(' or ')}: choose one with --voice (espeak-ng --voices lists them)`);
      throw new AppError('INVALID_INPUT', err.timedOut ? 'espeak-ng did not finish in time' : `espeak-ng failed: ${firstProblem(err.stderr)}`);
    }
  }
  throw new AppError('INVALID_INPUT', 'no espeak-ng voice to try');
}

/**
 * Stores a synthesised wav in the cache (temporary file, then rename), with a
 * JSON note of what it says for whoever looks in the folder; a cache that
 * cannot be written is skipped.
 */
async function remember(wav: string, cached: string, note: { text: string; voice: string; language: string }): Promise<void> {
  const part = `${cached}.${uuidv7()}.part`;
  try {
    await mkdir(path.dirname(cached), { recursive: true });
    await writeFile(noteOf(cached), `${JSON.stringify(note, null, 2)}\n`, 'utf8');
    await copyFile(wav, part);
    await rename(part, cached);
  } catch {
    // The cache only saves time; the prompt itself is still added.
    await unlink(part).catch(() => undefined);
  }
}

const noteOf = (cached: string) => cached.replace(/\.wav$/, '.json');

/** The voice a cached prompt was spoken with, from its note. */
async function cachedVoice(cached: string, fallback: string): Promise<string> {
  try {
    const note = JSON.parse(await readFile(noteOf(cached), 'utf8')) as { voice?: unknown };
    return typeof note.voice === 'string' ? note.voice : fallback;
  } catch {
    return fallback;
  }
}

/** Synthesises `request.text`, or takes it from the cache. */
export async function synthesise(request: SpeechRequest, options: SpeechOptions): Promise<Speech> {
  const text = checkText(request.text);
  const candidates = voiceCandidates(request);
  const cached = path.join(options.cacheDir, `${cacheKey(text, request.voice, request.language)}.wav`);
  if (await isWav(cached)) return { wav: cached, voice: await cachedVoice(cached, candidates[0]!), cached: true };
  const spoken = await speak(text, candidates, options);
  await remember(spoken.wav, cached, { text, voice: spoken.voice, language: request.language });
  return { wav: spoken.wav, voice: spoken.voice, cached: false };
}
