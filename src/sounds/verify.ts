/**
 * Checks through ARI's sounds resource that Asterisk sees what was written or
 * removed. Asterisk reads its sounds index from disk on every request (fact
 * 32), so no reload is needed; a few short retries absorb a slow file system.
 */
import type { AriPort } from '../ari/port.js';
import { AppError, isAriStatus } from '../errors.js';

/** How long to keep asking before concluding that Asterisk does not see a change. */
export interface VerifyOptions {
  attempts?: number;
  delayMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The codecs Asterisk lists for `name` in `language`, sorted; [] when it lists none. */
export async function listedFormats(ari: AriPort, name: string, language: string): Promise<string[]> {
  try {
    const sound = await ari.sounds.get(name);
    return [...new Set(sound.formats.filter((f) => f.language === language).map((f) => f.format))].sort();
  } catch (err) {
    // Asterisk answers 404 "Sound not found" for a name it has in no language (fact 31).
    if (isAriStatus(err, 404)) return [];
    throw err;
  }
}

async function poll(check: () => Promise<boolean>, options: VerifyOptions): Promise<boolean> {
  const attempts = options.attempts ?? 10;
  for (let i = 0; i < attempts; i++) {
    if (await check()) return true;
    if (i + 1 < attempts) await sleep(options.delayMs ?? 100);
  }
  return false;
}

/** Waits until Asterisk lists `name` in `language` in every one of `codecs`; returns what it lists. */
export async function verifyListed(ari: AriPort, name: string, language: string, codecs: readonly string[], options: VerifyOptions = {}): Promise<string[]> {
  let listed: string[] = [];
  const ok = await poll(async () => {
    listed = await listedFormats(ari, name, language);
    return codecs.every((codec) => listed.includes(codec));
  }, options);
  if (!ok) {
    const missing = codecs.filter((codec) => !listed.includes(codec));
    throw new AppError('SOUND_MISSING', `Asterisk does not list ${name} in ${language} as ${missing.join(', ')} (it lists ${listed.length === 0 ? 'nothing' : listed.join(', ')})`);
  }
  return listed;
}

/** Waits until Asterisk lists `name` in no format in `language`. */
export async function verifyGone(ari: AriPort, name: string, language: string, options: VerifyOptions = {}): Promise<void> {
  let listed: string[] = [];
  const ok = await poll(async () => {
    listed = await listedFormats(ari, name, language);
    return listed.length === 0;
  }, options);
  if (!ok) throw new AppError('CONFLICT', `Asterisk still lists ${name} in ${language} as ${listed.join(', ')}`);
}
