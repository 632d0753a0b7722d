/**
 * The service's start-up check: every prompt the flows play, in every
 * configured language. Asterisk would fall back to English (or fail the
 * playback) for a missing one, so an admin should hear about it before a
 * caller does. It only warns: the service starts anyway.
 */
import type { AriPort } from '../ari/port.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { listLanguage } from './inventory.js';

/**
 * Logs one warning per prompt missing in a language and returns them; never
 * throws (an ARI failure is one warning, and what was found so far is returned).
 */
export async function checkPromptsAtStartup(
  ari: AriPort,
  prompts: readonly string[],
  languages: readonly string[],
  log: Logger,
): Promise<{ sound: string; language: string }[]> {
  const missing: { sound: string; language: string }[] = [];
  const sounds = [...new Set(prompts)].sort();
  for (const language of [...new Set(languages)]) {
    let listed;
    try {
      listed = await listLanguage(ari, language);
    } catch (err) {
      log.warn('could not check the prompts through ARI', { language, err: errorMessage(err) });
      return missing;
    }
    for (const sound of sounds) {
      if (listed.has(sound)) continue;
      missing.push({ sound, language });
      log.warn(`sound ${sound} is missing in language ${language}`, {
        sound,
        language,
        hint: `stasis-flows sounds add <file> --name ${sound} --lang ${language}`,
      });
    }
  }
  return missing;
}
