/**
 * Adding sounds, the whole way: check the names and the sounds directory,
 * convert every input into a private staging folder (nothing is written to
 * Asterisk's folder before every input is known to be good), connect to ARI,
 * install each sound (temporary file, then rename), and check through ARI
 * that Asterisk lists it in the language and formats written.
 */
import path from 'node:path';
import type { AriPort } from '../ari/port.js';
import { AppError, errorMessage } from '../errors.js';
import { convertForAsterisk, type ConvertedSound } from './convert.js';
import { OUTPUT_FORMATS } from './formats.js';
import { checkLanguage, checkSoundName } from './names.js';
import type { Progress } from './progress.js';
import type { SoundsDir } from './sounds-dir.js';
import type { ToolRunner } from './tools.js';
import { verifyListed, type VerifyOptions } from './verify.js';

/** One sound to add: an audio file and the name it gets. */
export interface AddItem {
  readonly input: string;
  readonly name: string;
  /** What to call the input in messages (default: the file's path). */
  readonly label?: string;
}

/** What to add, where. */
export interface AddRequest {
  readonly items: readonly AddItem[];
  readonly language: string;
  readonly soundsDir: SoundsDir;
  /** Replace sounds that already exist in the language (every old format is removed). */
  readonly replace: boolean;
}

/** What `addSounds` works with. */
export interface AddDeps {
  readonly runner: ToolRunner;
  readonly progress: Progress;
  /** A private folder for converted files, removed by the caller. */
  readonly stagingDir: string;
  /** Connects to ARI once every input converted; undefined: install without verifying. */
  readonly connect: (() => Promise<AriPort>) | undefined;
  readonly verify?: VerifyOptions;
}

/** One sound added. */
export interface AddedSound {
  readonly name: string;
  readonly language: string;
  readonly label: string;
  readonly source: string;
  readonly durationSeconds: number;
  readonly written: readonly string[];
  readonly removed: readonly string[];
  /** Codecs Asterisk lists for it in the language; undefined when not verified. */
  readonly listed: readonly string[] | undefined;
}

const labelOf = (item: AddItem) => item.label ?? item.input;

/** Fails unless names are valid and distinct, the folder is writable, and (without `replace`) nothing is overwritten. */
async function checkRequest(request: AddRequest): Promise<void> {
  checkLanguage(request.language);
  if (request.items.length === 0) throw new AppError('INVALID_INPUT', 'no sound to add');
  const seen = new Map<string, string>();
  for (const item of request.items) {
    checkSoundName(item.name);
    const other = seen.get(item.name);
    if (other !== undefined) throw new AppError('INVALID_INPUT', `${other} and ${labelOf(item)} would both be named ${item.name}; add them separately with --name`);
    seen.set(item.name, labelOf(item));
  }
  await request.soundsDir.checkWritable(request.language);
  if (request.replace) return;
  for (const item of request.items) {
    const existing = await request.soundsDir.filesOf(item.name, request.language);
    if (existing.length > 0) {
      throw new AppError(
        'CONFLICT',
        `${item.name} already exists in ${request.language} (${existing.map((f) => path.basename(f.path)).join(', ')}); use --force to replace it`,
      );
    }
  }
}

/** Converts every input; all problems are reported together, in one line. */
async function convertAll(request: AddRequest, deps: AddDeps): Promise<ConvertedSound[]> {
  const converted: ConvertedSound[] = [];
  const problems: string[] = [];
  for (const [index, item] of request.items.entries()) {
    deps.progress.step(`converting ${labelOf(item)}`);
    try {
      converted.push(await convertForAsterisk(item.input, deps.stagingDir, `${index}-${item.name}`, deps.runner));
    } catch (err) {
      if (!(err instanceof AppError) || err.code === 'DEPENDENCY_MISSING') throw err;
      problems.push(errorMessage(err));
    }
  }
  if (problems.length === 1) throw new AppError('INVALID_INPUT', `${problems[0]}; nothing was written`);
  if (problems.length > 1) throw new AppError('INVALID_INPUT', `${problems.length} of ${request.items.length} inputs cannot be added: ${problems.join('; ')}; nothing was written`);
  return converted;
}

/** Adds every item, or none when an input, the folder or ARI fails before the first write. */
export async function addSounds(request: AddRequest, deps: AddDeps): Promise<AddedSound[]> {
  await checkRequest(request);
  const converted = await convertAll(request, deps);
  let ari: AriPort | undefined;
  if (deps.connect) {
    try {
      ari = await deps.connect();
    } catch (err) {
      throw new AppError('ARI_UNREACHABLE', `${errorMessage(err)}; nothing was written (--no-verify installs without asking Asterisk)`, { cause: err });
    }
  }
  const added: AddedSound[] = [];
  const addedNames = () => (added.length === 0 ? '' : ` (already added: ${added.map((a) => a.name).join(', ')})`);
  for (const [index, item] of request.items.entries()) {
    const sound = converted[index]!;
    deps.progress.step(ari ? `adding and verifying ${item.name}` : `adding ${item.name}`);
    let installed;
    try {
      installed = await request.soundsDir.install(item.name, request.language, sound.files, { replace: request.replace });
    } catch (err) {
      throw new AppError('INVALID_INPUT', `${errorMessage(err)}${addedNames()}`, { cause: err });
    }
    let listed: string[] | undefined;
    if (ari) {
      try {
        listed = await verifyListed(ari, item.name, request.language, OUTPUT_FORMATS.map((f) => f.codec), deps.verify);
      } catch (err) {
        const where = `${installed.written.map((f) => path.relative(request.soundsDir.root, f)).join(', ')} under ${request.soundsDir.root}`;
        const hint = err instanceof AppError && err.code === 'SOUND_MISSING' ? '; check that ASTERISK_SOUNDS_DIR is the sounds directory of this Asterisk' : '';
        throw new AppError(
          err instanceof AppError ? err.code : 'ARI_REQUEST_FAILED',
          `wrote ${where}, but ${errorMessage(err)}; the files are complete and stay in place${addedNames()}${hint}`,
          { cause: err },
        );
      }
    }
    added.push({ name: item.name, language: request.language, label: labelOf(item), source: sound.source, durationSeconds: sound.durationSeconds, ...installed, listed });
  }
  return added;
}
