/**
 * Converts an audio file (wav of any rate or channel count, mp3, ogg, flac...)
 * with sox into the files Asterisk plays without transcoding, and checks the
 * result: the right rate, channels and sample size, not empty, not silent.
 */
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { wavDurationSeconds, wavFormat } from '../audio/wav.js';
import { AppError } from '../errors.js';
import { OUTPUT_FORMATS, type OutputFormat } from './formats.js';
import { ToolFailure, firstProblem, type ToolRunner } from './tools.js';

/** One converted file, still in the staging directory. */
export interface StagedFile {
  readonly format: OutputFormat;
  readonly path: string;
}

/** An input converted for Asterisk. */
export interface ConvertedSound {
  readonly input: string;
  readonly files: readonly StagedFile[];
  readonly durationSeconds: number;
  /** What the input was, for the admin: "44100 Hz stereo, MPEG audio". */
  readonly source: string;
}

/** Peak below this (about -60 dBFS) is silence: sox's dither alone reaches a few units. */
const SILENCE_PEAK = 33;

/** sox handlers and the Debian packages that provide them (sox itself depends on libsox-fmt-base). */
const HANDLER_PACKAGES: Readonly<Record<string, string>> = {
  mp3: 'libsox-fmt-mp3',
  mp2: 'libsox-fmt-mp3',
  ogg: 'libsox-fmt-base',
  oga: 'libsox-fmt-base',
  flac: 'libsox-fmt-base',
};

function invalid(message: string): AppError {
  return new AppError('INVALID_INPUT', message);
}

/** Fails with one line when `input` cannot be read at all, before sox is involved. */
async function checkReadable(input: string): Promise<void> {
  let info;
  try {
    info = await stat(input);
    await access(input, constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw invalid(`${input}: no such file`);
    if (code === 'EACCES' || code === 'EPERM') throw invalid(`${input}: cannot read it (permission denied)`);
    throw invalid(`${input}: cannot read it (${code ?? String(err)})`);
  }
  if (!info.isFile()) throw invalid(`${input} is not a regular file`);
  if (info.size === 0) throw invalid(`${input} is empty (0 bytes)`);
}

/** Turns sox's complaint about an input into one line an admin can act on. */
function soxProblem(input: string, failure: ToolFailure): AppError {
  if (failure.timedOut) return invalid(`${input}: sox did not finish converting it in time`);
  const problem = firstProblem(failure.stderr);
  const handler = /no handler for file extension `([^']*)'/.exec(problem)?.[1];
  if (handler !== undefined) {
    const pkg = HANDLER_PACKAGES[handler.toLowerCase()];
    if (pkg !== undefined) return new AppError('DEPENDENCY_MISSING', `sox cannot read .${handler} files here: install the Debian package ${pkg}`);
    return invalid(`${input} is not an audio file sox can read (.${handler}); use wav, mp3, ogg or flac`);
  }
  if (/can't determine type/.test(problem)) return invalid(`${input}: unknown audio type; give the file its extension (.wav, .mp3, .ogg, .flac)`);
  const reason = problem.replace(/^can't open input file `[^']*':\s*/, '').replace(/`([^']*)'/g, '$1');
  return invalid(`${input} is not an audio file sox can read: ${reason}`);
}

async function sox(runner: ToolRunner, input: string, args: readonly string[], signal?: AbortSignal): Promise<string> {
  try {
    // An absolute path never looks like an option or like "-" (stdin) to sox.
    return (await (signal ? runner('sox', args, { signal }) : runner('sox', args))).stdout;
  } catch (err) {
    if (err instanceof ToolFailure) throw soxProblem(input, err);
    throw err;
  }
}

function field(info: string, name: string): string | undefined {
  return new RegExp(`^${name}\\s*:\\s*(.+)$`, 'm').exec(info)?.[1]?.trim();
}

/** Describes an input from `sox --i`: rate, channels, encoding. */
function describeSource(info: string): string {
  const rate = field(info, 'Sample Rate');
  const channels = Number(field(info, 'Channels') ?? '0');
  const encoding = field(info, 'Sample Encoding');
  const layout = channels === 1 ? 'mono' : channels === 2 ? 'stereo' : `${channels} channels`;
  return [rate === undefined ? undefined : `${rate} Hz ${layout}`, encoding].filter(Boolean).join(', ');
}

function outputArgs(format: OutputFormat, file: string): string[] {
  const common = ['-r', String(format.sampleRate), '-c', '1', '-b', '16', '-e', 'signed-integer'];
  // wavpcm: a plain PCM header (format 1), the only kind Asterisk's format_wav reads.
  if (format.ext === 'wav') return [...common, '-t', 'wavpcm', file];
  // .sln16 is headerless; Asterisk reads it in the host's byte order (little-endian on x86 and arm64).
  return [...common, '-L', '-t', 'raw', file];
}

function peak(buf: Buffer, offset: number, bytes: number): number {
  let max = 0;
  for (let i = offset; i + 1 < offset + bytes; i += 2) max = Math.max(max, Math.abs(buf.readInt16LE(i)));
  return max;
}

/** Checks the 8 kHz wav sox wrote: its header, its length, that it is not silent (unless `allowSilent`). */
async function checkWav(input: string, file: string, allowSilent = false): Promise<number> {
  const buf = await readFile(file);
  const fmt = wavFormat(buf);
  if (!fmt || fmt.audioFormat !== 1 || fmt.sampleRate !== 8000 || fmt.channels !== 1 || fmt.bits !== 16) {
    throw new AppError('INVALID_INPUT', `${input}: sox did not produce 8 kHz mono 16-bit PCM (got ${fmt ? `${fmt.sampleRate} Hz, ${fmt.channels} ch, ${fmt.bits} bit` : 'no WAVE header'})`);
  }
  const duration = wavDurationSeconds(buf) ?? 0;
  if (fmt.dataBytes < 2) throw invalid(`${input} holds no audio (0 s)`);
  if (!allowSilent && peak(buf, fmt.dataOffset, fmt.dataBytes) < SILENCE_PEAK) throw invalid(`${input} is silent (${duration.toFixed(2)} s of silence)`);
  return duration;
}

/** Options of `convertAudio`. */
export interface ConvertOptions {
  /** A gain in dB baked into every output (sox's `gain` effect; `-G` still guards against clipping). */
  readonly gainDb?: number;
  /** Accept digital silence (a fetched pause is a valid prompt; `add` refuses it). */
  readonly allowSilent?: boolean;
  /** Kills sox when aborted; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Converts `input` into every output format, in `stagingDir` (file names start
 * with `stem`), and checks the result. Throws one-line AppErrors for bad input.
 */
export async function convertForAsterisk(input: string, stagingDir: string, stem: string, runner: ToolRunner): Promise<ConvertedSound> {
  return convertAudio(input, stagingDir, stem, runner, {});
}

/** `convertForAsterisk` with a gain, silence allowed or not, and an abort signal. */
export async function convertAudio(input: string, stagingDir: string, stem: string, runner: ToolRunner, options: ConvertOptions): Promise<ConvertedSound> {
  const { signal } = options;
  const gain = options.gainDb === undefined || options.gainDb === 0 ? [] : ['gain', options.gainDb.toFixed(2)];
  const absolute = path.resolve(input);
  await checkReadable(input);
  const info = await sox(runner, input, ['--i', absolute], signal);
  const files: StagedFile[] = [];
  for (const format of OUTPUT_FORMATS) {
    const file = path.join(stagingDir, `${stem}.${format.ext}`);
    // -G: guard against clipping when resampling (sox lowers the gain instead).
    await sox(runner, input, ['-V1', '-G', absolute, ...outputArgs(format, file), ...gain], signal);
    files.push({ format, path: file });
  }
  const wav = files.find((f) => f.format.ext === 'wav');
  const durationSeconds = wav === undefined ? 0 : await checkWav(input, wav.path, options.allowSilent);
  return { input, files, durationSeconds, source: describeSource(info) };
}
