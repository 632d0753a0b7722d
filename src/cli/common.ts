/** Small helpers shared by the CLI's command groups. */
import { openStore, type VoicemailStore } from '../storage/index.js';
import type { CommandContext } from './command.js';

/** A string option's value (undefined when absent). */
export function text(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** "1 message", "2 messages". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Opens the store the service uses, runs `fn`, and closes it. */
export async function withStore<T>(ctx: CommandContext, fn: (store: VoicemailStore) => Promise<T>): Promise<T> {
  const config = ctx.localConfig();
  const store = openStore(config.dataDir, { defaultMaxMessages: config.voicemail.maxMessages });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
