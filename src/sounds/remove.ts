/**
 * Removing a sound from a language: every format of it, then a check through
 * ARI that Asterisk no longer lists it there. A prompt a flow plays is only
 * removed with `force`: calls in that language would fail without it.
 */
import path from 'node:path';
import type { AriPort } from '../ari/port.js';
import { AppError, errorMessage } from '../errors.js';
import { promptsByName } from './inventory.js';
import { checkLanguage, checkSoundName } from './names.js';
import type { SoundsDir } from './sounds-dir.js';
import { verifyGone, type VerifyOptions } from './verify.js';

/** What to remove. */
export interface RemoveRequest {
  readonly name: string;
  readonly language: string;
  readonly soundsDir: SoundsDir;
  readonly force: boolean;
  /** The prompts each flow declares (src/apps/prompts.ts). */
  readonly flowPrompts: Readonly<Record<string, readonly string[]>>;
}

/** What was removed. */
export interface Removed {
  readonly files: readonly string[];
  /** Flows that play this sound (non-empty only with `force`). */
  readonly flows: readonly string[];
  readonly verified: boolean;
}

/** Removes every format of a sound in a language; connects (when `connect` is given) before deleting anything. */
export async function removeSound(
  request: RemoveRequest,
  deps: { connect: (() => Promise<AriPort>) | undefined; verify?: VerifyOptions },
): Promise<Removed> {
  const { name, language, soundsDir } = request;
  checkSoundName(name);
  checkLanguage(language);
  await soundsDir.checkExists();
  const files = await soundsDir.filesOf(name, language);
  if (files.length === 0) throw new AppError('NOT_FOUND', `${name} is not in ${language} (no ${name}.* in ${soundsDir.languageDir(language)})`);
  const flows = promptsByName(request.flowPrompts).get(name) ?? [];
  if (flows.length > 0 && !request.force) {
    throw new AppError('CONFLICT', `${name} is a prompt of ${flows.join(', ')}: calls in ${language} would fail without it; use --force to remove it anyway`);
  }
  await soundsDir.checkWritable(language);
  let ari: AriPort | undefined;
  if (deps.connect) {
    try {
      ari = await deps.connect();
    } catch (err) {
      throw new AppError('ARI_UNREACHABLE', `${errorMessage(err)}; nothing was removed (--no-verify removes without asking Asterisk)`, { cause: err });
    }
  }
  const removed = await soundsDir.remove(name, language);
  if (ari) {
    try {
      await verifyGone(ari, name, language, deps.verify);
    } catch (err) {
      const code = err instanceof AppError ? err.code : 'ARI_REQUEST_FAILED';
      throw new AppError(code, `removed ${removed.map((f) => path.basename(f)).join(', ')} from ${soundsDir.languageDir(language)}, but ${errorMessage(err)}`, { cause: err });
    }
  }
  return { files: removed, flows, verified: ari !== undefined };
}
