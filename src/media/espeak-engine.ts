/**
 * The espeak-ng speech engine: the voice from the language (and gender), the
 * speed from the rate, SSML through `-m` after keeping only what espeak-ng
 * understands. The text goes through a file, never as an argument.
 */
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { v7 as uuidv7 } from 'uuid';
import { wavFormat } from '../audio/wav.js';
import { AppError } from '../errors.js';
import { ToolFailure, firstProblem, runTool, type ToolRunner } from '../sounds/tools.js';
import { abortReason, mediaError } from './media-errors.js';
import { toEspeakSsml, ssmlWords } from './espeak-ssml.js';
import { chooseVoice, parseLanguages, parseVariants, type EspeakVoices } from './espeak-voices.js';
import type { SpeechEngine, SpeechRequest } from './speech-engine.js';

/** espeak-ng's default speed, words per minute. */
const DEFAULT_WPM = 175;
// The range espeak-ng accepts for -s.
const MIN_WPM = 80;
const MAX_WPM = 450;
/** Far more than a prompt needs (NCCO allows 1500 characters): bounds espeak-ng's time. */
const MAX_TEXT = 10_000;

/** The `-s` value for a rate in % of normal. */
export function espeakSpeed(rate: number | undefined): number {
  const percent = rate === undefined || !Number.isFinite(rate) || rate <= 0 ? 100 : rate;
  return Math.min(MAX_WPM, Math.max(MIN_WPM, Math.round((DEFAULT_WPM * percent) / 100)));
}

/** What espeak-ng reads and how: the text file's content and whether `-m` is needed. */
export function espeakInput(request: Pick<SpeechRequest, 'text' | 'ssml'>): { text: string; markup: boolean } {
  // Control characters other than line breaks and tabs are never speech.
  // eslint-disable-next-line no-control-regex
  const text = request.text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ' ');
  const input = request.ssml ? { text: toEspeakSsml(text), markup: true } : { text: text.trim(), markup: false };
  const words = input.markup ? ssmlWords(input.text) : input.text;
  if (words === '' && !/<break\b/.test(input.text)) throw mediaError('TTS_FAILED', 'the text to say is empty');
  if (input.text.length > MAX_TEXT) throw mediaError('TTS_FAILED', `the text to say is ${input.text.length} characters long; the limit is ${MAX_TEXT}`);
  return input;
}

/** Text to speech with espeak-ng (Debian package espeak-ng). */
export class EspeakEngine implements SpeechEngine {
  readonly name = 'espeak-ng';
  private readonly runner: ToolRunner;
  private readonly timeoutMs: number;
  private voices: Promise<EspeakVoices> | undefined;

  constructor(options: { runner?: ToolRunner; timeoutMs?: number } = {}) {
    this.runner = options.runner ?? runTool;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** The voices this espeak-ng has, asked once (again after a failure). */
  listVoices(): Promise<EspeakVoices> {
    this.voices ??= (async () => {
      const [languages, variants] = await Promise.all([
        this.runner('espeak-ng', ['--voices'], { timeoutMs: 10_000 }),
        this.runner('espeak-ng', ['--voices=variant'], { timeoutMs: 10_000 }),
      ]);
      return { languages: parseLanguages(languages.stdout), variants: parseVariants(variants.stdout) };
    })();
    this.voices.catch(() => {
      this.voices = undefined;
    });
    return this.voices;
  }

  /** The `-v` argument for a language and gender. */
  async voiceFor(language: string, gender?: 'female' | 'male'): Promise<string> {
    try {
      return chooseVoice(language, gender, await this.listVoices());
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw mediaError('TTS_FAILED', `espeak-ng cannot list its voices: ${err instanceof Error ? err.message : String(err)}`, err);
    }
  }

  /** Renders `request` into a 22.05 kHz wav at `outFile`. */
  async render(request: SpeechRequest, outFile: string, signal: AbortSignal): Promise<{ voice: string }> {
    if (signal.aborted) throw abortReason(signal);
    const input = espeakInput(request);
    const voice = await this.voiceFor(request.language, request.gender);
    const textFile = `${outFile}.${uuidv7()}.txt`;
    await writeFile(textFile, input.text, 'utf8');
    try {
      const args = ['-v', voice, '-s', String(espeakSpeed(request.rate)), '-b', '1', ...(input.markup ? ['-m'] : []), '-w', outFile, '-f', textFile];
      await this.runner('espeak-ng', args, { timeoutMs: this.timeoutMs, signal });
    } catch (err) {
      if (signal.aborted) throw abortReason(signal);
      if (err instanceof ToolFailure) {
        throw mediaError('TTS_FAILED', err.timedOut ? `espeak-ng did not finish within ${this.timeoutMs / 1000} s` : `espeak-ng failed: ${firstProblem(err.stderr)}`, err);
      }
      throw err;
    } finally {
      await unlink(textFile).catch(() => undefined);
    }
    const written = await readFile(outFile).catch(() => undefined);
    if (written === undefined || wavFormat(written) === undefined) throw mediaError('TTS_FAILED', `espeak-ng wrote no wav file for voice ${voice}`);
    return { voice };
  }
}
