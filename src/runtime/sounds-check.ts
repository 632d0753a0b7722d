/**
 * Checks through ARI's sounds resource that prompts exist in a language
 * (tutorial exercise 1: Asterisk would quietly fall back to English).
 */
import type { AriPort } from '../ari/port.js';
import { isAriStatus } from '../errors.js';

/** True when `sound` is installed in `language` (any format). */
export async function soundInLanguage(ari: AriPort, sound: string, language: string): Promise<boolean> {
  try {
    const found = await ari.sounds.get(sound);
    return found.formats.some((f) => f.language === language);
  } catch (err) {
    if (isAriStatus(err, 404)) return false;
    throw err;
  }
}

/** The first of `sounds` missing in `language`, or undefined when all are there. */
export async function firstMissingSound(ari: AriPort, sounds: readonly string[], language: string): Promise<string | undefined> {
  const present = await Promise.all(sounds.map((sound) => soundInLanguage(ari, sound, language)));
  const index = present.indexOf(false);
  return index === -1 ? undefined : sounds[index];
}
