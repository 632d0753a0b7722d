/**
 * Checks through ARI's sounds resource that prompts exist in a language
 * (tutorial exercise 1: Asterisk would quietly fall back to English).
 */
import type { AriPort } from '../ari/port.js';
import { isAriStatus } from '../errors.js';

/** How long a sound found installed is believed to stay so (a missing one is asked again every time). */
const PRESENT_TTL_MS = 60_000;

/** Per ARI connection: sound and language → when it was last found installed. */
const present = new WeakMap<AriPort, Map<string, number>>();

/**
 * True when `sound` is installed in `language` (any format). A sound found
 * installed is not asked again for a minute: Asterisk reads its sounds from
 * disk on every request (fact 32), and each call would otherwise ask.
 */
export async function soundInLanguage(ari: AriPort, sound: string, language: string): Promise<boolean> {
  let known = present.get(ari);
  if (!known) present.set(ari, (known = new Map<string, number>()));
  const key = `${language}|${sound}`;
  const seen = known.get(key);
  if (seen !== undefined && Date.now() - seen < PRESENT_TTL_MS) return true;
  try {
    const found = await ari.sounds.get(sound);
    const installed = found.formats.some((f) => f.language === language);
    if (installed) known.set(key, Date.now());
    else known.delete(key);
    return installed;
  } catch (err) {
    if (isAriStatus(err, 404)) {
      known.delete(key);
      return false;
    }
    throw err;
  }
}

/** The first of `sounds` missing in `language`, or undefined when all are there. */
export async function firstMissingSound(ari: AriPort, sounds: readonly string[], language: string): Promise<string | undefined> {
  const present = await Promise.all(sounds.map((sound) => soundInLanguage(ari, sound, language)));
  const index = present.indexOf(false);
  return index === -1 ? undefined : sounds[index];
}
