/**
 * Prompt audio: speech and fetched media turned into files Asterisk plays,
 * `sound:<soundsDir>/stasis-flows/{tts,media}/<key>` (an 8 kHz `.wav` and a
 * 16 kHz `.sln16`), with `level` baked in. Each distinct request is rendered
 * once; identical requests in flight share one render; fetched URLs are
 * revalidated with ETag / Last-Modified. Nothing is left behind by a failure.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { AppError, errorMessage } from '../errors.js';
import { convertAudio, type ConvertedSound } from '../sounds/convert.js';
import { runTool, type ToolRunner } from '../sounds/tools.js';
import { audioExtension } from './audio-type.js';
import { maxAgeSeconds, readNote, writeNote, type MediaNote, type SpeechNote } from './cache-notes.js';
import { download, httpUrl, shownUrl, type DownloadLimits, type Validators } from './http-download.js';
import { abortReason, isMediaError, mediaError } from './media-errors.js';
import { SharedWork } from './shared-work.js';
import { hasSound, installSound, soundUri } from './sound-files.js';
import type { SpeechEngine, SpeechRequest } from './speech-engine.js';
import type { CallLog } from '../../states/shared/call.js';

/** What it logs through: a call's child logger or the root one. */
export type CallLogLike = CallLog;

/** Where prompt audio goes and how it is made. */
export interface PromptAudioOptions {
  dataDir: string;
  /** Asterisk's sounds directory (ASTERISK_SOUNDS_DIR). */
  soundsDir: string;
  engine: SpeechEngine;
  runner?: ToolRunner;
  log: CallLogLike;
  fetch?: { maxBytes?: number /* default 20 MiB */; timeoutMs?: number /* default 30 s */; maxRedirects?: number /* default 5 */ };
}

// Bump when the audio for the same request would change (other sox or espeak-ng options).
const CACHE_VERSION = 1;
/** The sub-folder of the sounds directory that holds what this service renders. */
export const PROMPT_SOUNDS_FOLDER = 'stasis-flows';
const MAX_GAIN_DB = 10;
const MIN_GAIN_DB = -20;

/** A level in -1…1 (anything else clamped; not a number: 0), to 0.01. */
export function normaliseLevel(level: number): number {
  if (!Number.isFinite(level)) return 0;
  return Math.round(Math.min(1, Math.max(-1, level)) * 100) / 100;
}

/** The gain for a level: -1 → -20 dB, 0 → 0 dB, 1 → +10 dB, linear in dB on each side. */
export function levelToGainDb(level: number): number {
  const l = normaliseLevel(level);
  const db = l < 0 ? -l * MIN_GAIN_DB : l * MAX_GAIN_DB;
  return Math.round(db * 100) / 100;
}

function keyOf(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify([CACHE_VERSION, ...parts])).digest('hex').slice(0, 40);
}

function isAbort(signal: AbortSignal, err: unknown): boolean {
  return signal.aborted || (err instanceof Error && err.name === 'AbortError');
}

/** Renders speech and fetched media into sounds Asterisk plays. */
export class PromptAudio {
  private readonly runner: ToolRunner;
  private readonly limits: DownloadLimits;
  private readonly work = new SharedWork<string>();

  constructor(private readonly options: PromptAudioOptions) {
    this.runner = options.runner ?? runTool;
    this.limits = {
      maxBytes: options.fetch?.maxBytes ?? 20 * 1024 * 1024,
      timeoutMs: options.fetch?.timeoutMs ?? 30_000,
      maxRedirects: options.fetch?.maxRedirects ?? 5,
    };
  }

  private soundBase(kind: 'tts' | 'media', key: string): string {
    return path.join(path.resolve(this.options.soundsDir), PROMPT_SOUNDS_FOLDER, kind, key);
  }

  private noteFile(kind: 'tts' | 'media', key: string): string {
    return path.join(path.resolve(this.options.dataDir), 'media-cache', kind, `${key}.json`);
  }

  /** A private folder for one render, under the data directory. */
  private async staging(): Promise<string> {
    const tmp = path.join(path.resolve(this.options.dataDir), 'media-cache', 'tmp');
    await mkdir(tmp, { recursive: true });
    return mkdtemp(path.join(tmp, 'render-'));
  }

  private async convert(input: string, staging: string, level: number, signal: AbortSignal, allowSilent: boolean): Promise<ConvertedSound> {
    return convertAudio(input, staging, 'out', this.runner, { gainDb: levelToGainDb(level), allowSilent, signal });
  }

  /** Speech → a media URI (`sound:/abs/path/without/ext`), cached by (text, ssml, language, gender, rate, level, engine). */
  speak(request: SpeechRequest & { level: number }, signal: AbortSignal): Promise<string> {
    const level = normaliseLevel(request.level);
    const rate = request.rate ?? 100;
    const speech: SpeechRequest = { text: request.text, ssml: request.ssml, language: request.language, rate, ...(request.gender ? { gender: request.gender } : {}) };
    const key = keyOf(['tts', this.options.engine.name, speech.text, speech.ssml, speech.language, speech.gender ?? null, rate, level]);
    const base = this.soundBase('tts', key);
    return this.work.run(`tts:${key}`, signal, async (inner) => {
      if (await hasSound(base)) return soundUri(base);
      const staging = await this.staging();
      const started = Date.now();
      try {
        const wav = path.join(staging, 'speech.wav');
        let voice: string;
        let converted: ConvertedSound;
        try {
          ({ voice } = await this.options.engine.render(speech, wav, inner));
          converted = await this.convert(wav, staging, level, inner, false);
        } catch (err) {
          if (isAbort(inner, err)) throw abortReason(inner);
          if (isMediaError(err, 'TTS_FAILED') || (err instanceof AppError && err.code === 'DEPENDENCY_MISSING')) throw err;
          throw mediaError('TTS_FAILED', `${this.options.engine.name} could not say it: ${errorMessage(err).replace(wav, 'the speech')}`, err);
        }
        await installSound(converted.files, base);
        const note: SpeechNote = {
          engine: this.options.engine.name, voice, language: speech.language, ssml: speech.ssml, gender: speech.gender, rate, level,
          characters: speech.text.length, renderedAt: new Date().toISOString(),
        };
        await writeNote(this.noteFile('tts', key), note).catch((err: unknown) => this.options.log.warn('speech cache note not written', { key, error: errorMessage(err) }));
        // The text itself is not logged: a prompt may read out a code or a name.
        this.options.log.debug('speech rendered', { key, engine: this.options.engine.name, voice, characters: speech.text.length, seconds: converted.durationSeconds, ms: Date.now() - started });
        return soundUri(base);
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    });
  }

  /** An http(s) audio URL (MP3, WAV, OGG) → a media URI, cached by URL (+ level) with ETag / Last-Modified revalidation. */
  fetch(request: { url: string; level: number }, signal: AbortSignal): Promise<string> {
    let url: string;
    try {
      url = httpUrl(request.url).href;
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const level = normaliseLevel(request.level);
    const key = keyOf(['media', url, level]);
    return this.work.run(`media:${key}`, signal, (inner) => this.fetchOnce(url, level, key, inner));
  }

  private async fetchOnce(url: string, level: number, key: string, signal: AbortSignal): Promise<string> {
    const base = this.soundBase('media', key);
    const noteFile = this.noteFile('media', key);
    const log = this.options.log;
    const known = await readNote<MediaNote>(noteFile);
    const cached = known !== undefined && known.url === url && (await hasSound(base)) ? known : undefined;
    if (cached?.freshUntil !== undefined && Date.parse(cached.freshUntil) > Date.now()) return soundUri(base);
    const validators: Validators | undefined = cached && (cached.etag !== undefined || cached.lastModified !== undefined) ? { etag: cached.etag, lastModified: cached.lastModified } : undefined;
    const staging = await this.staging();
    const started = Date.now();
    try {
      const body = path.join(staging, 'body');
      let result;
      try {
        result = await download(url, body, this.limits, validators, signal);
      } catch (err) {
        if (isAbort(signal, err)) throw abortReason(signal);
        if (cached === undefined) throw err;
        log.warn('media revalidation failed, playing the cached copy', { url: shownUrl(url), fetchedAt: cached.fetchedAt, error: errorMessage(err) });
        return soundUri(base);
      }
      const now = new Date();
      const maxAge = maxAgeSeconds(result.cacheControl);
      const freshUntil = maxAge === undefined ? undefined : new Date(now.getTime() + maxAge * 1000).toISOString();
      if (result.notModified && cached !== undefined) {
        const note: MediaNote = { ...cached, etag: result.etag ?? cached.etag, lastModified: result.lastModified ?? cached.lastModified, validatedAt: now.toISOString(), freshUntil };
        await writeNote(noteFile, note).catch((err: unknown) => log.warn('media cache note not written', { url: shownUrl(url), error: errorMessage(err) }));
        log.debug('media not modified', { url: shownUrl(url), ms: Date.now() - started });
        return soundUri(base);
      }
      if (result.notModified) throw mediaError('MEDIA_FETCH_FAILED', `GET ${shownUrl(url)} answered 304 to a request without validators`);
      try {
        const converted = await this.convertBody(url, body, result.contentType, staging, level, signal);
        await installSound(converted.files, base);
        const note: MediaNote = {
          url, level, finalUrl: result.finalUrl, etag: result.etag, lastModified: result.lastModified, contentType: result.contentType,
          fetchedAt: now.toISOString(), validatedAt: now.toISOString(), freshUntil, bytes: result.bytes,
        };
        await writeNote(noteFile, note).catch((err: unknown) => log.warn('media cache note not written', { url: shownUrl(url), error: errorMessage(err) }));
        log.debug('media fetched', { url: shownUrl(url), bytes: result.bytes, contentType: result.contentType, seconds: converted.durationSeconds, ms: Date.now() - started });
        return soundUri(base);
      } catch (err) {
        if (isAbort(signal, err)) throw abortReason(signal);
        if (cached === undefined) throw err;
        log.warn('media changed but cannot be used, playing the cached copy', { url: shownUrl(url), fetchedAt: cached.fetchedAt, error: errorMessage(err) });
        return soundUri(base);
      }
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** Names the body by its type so sox reads it, and converts it; MEDIA_INVALID when it is not audio. */
  private async convertBody(url: string, body: string, contentType: string | undefined, staging: string, level: number, signal: AbortSignal): Promise<ConvertedSound> {
    const head = Buffer.alloc(16);
    const handle = await open(body, 'r');
    let read: number;
    try {
      ({ bytesRead: read } = await handle.read(head, 0, head.length, 0));
    } finally {
      await handle.close();
    }
    if (read === 0) throw mediaError('MEDIA_INVALID', `GET ${shownUrl(url)} answered an empty body, not audio`);
    const ext = audioExtension(head.subarray(0, read), contentType, url);
    if (ext === undefined) throw mediaError('MEDIA_INVALID', `${shownUrl(url)} is not MP3, WAV or OGG audio (Content-Type ${contentType ?? 'none'})`);
    const named = `${body}.${ext}`;
    await rename(body, named);
    try {
      return await this.convert(named, staging, level, signal, true);
    } catch (err) {
      if (isAbort(signal, err)) throw abortReason(signal);
      if (err instanceof AppError && err.code === 'INVALID_INPUT') throw mediaError('MEDIA_INVALID', err.message.split(named).join(shownUrl(url)), err);
      throw err;
    }
  }
}
