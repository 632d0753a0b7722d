/**
 * What a sound name and a language may be. A name becomes a file name in
 * `<soundsDir>/<language>/`, so it can never be a path.
 */
import path from 'node:path';
import { AppError } from '../errors.js';

// Letters, digits, "-" and "_": what Asterisk's own prompts use (vm-intro, queue-thankyou).
// No dot: Asterisk's sounds index takes everything after the last dot as the format.
const SOUND_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;
// The same shape config.ts accepts in STASIS_FLOWS_LANGUAGES.
const LANGUAGE = /^[A-Za-z]{2,3}([_-][A-Za-z0-9]+)*$/;

function shown(value: string): string {
  return value.length <= 60 ? JSON.stringify(value) : `${value.length} characters`;
}

/** Checks a sound name; the message says why a name is refused. */
export function checkSoundName(name: string): string {
  if (name.includes('/') || name.includes('\\') || name.includes('..')) {
    throw new AppError('INVALID_INPUT', `sound name ${shown(name)} must not contain "/", "\\" or "..": it names a file in the language's folder, not a path`);
  }
  if (!SOUND_NAME.test(name)) {
    throw new AppError('INVALID_INPUT', `sound name ${shown(name)} must be 1-80 letters, digits, "-" or "_", starting with a letter or digit`);
  }
  return name;
}

/** Checks a language code (`en`, `fr`, `pt_BR`): it names a folder of the sounds directory. */
export function checkLanguage(language: string): string {
  if (!LANGUAGE.test(language) || language.length > 40) {
    throw new AppError('INVALID_INPUT', `language ${shown(language)} must be a code such as en, fr or pt_BR`);
  }
  return language;
}

/** The sound name a file gets without `--name`: its base name without the extension. */
export function soundNameFromFile(file: string): string {
  const base = path.basename(file);
  const dot = base.lastIndexOf('.');
  const name = dot > 0 ? base.slice(0, dot) : base;
  if (!SOUND_NAME.test(name)) {
    throw new AppError('INVALID_INPUT', `${file}: its base name ${shown(name)} is not a valid sound name (letters, digits, "-" or "_"); give one with --name`);
  }
  return name;
}
