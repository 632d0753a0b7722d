/**
 * An ARI whose sounds resource reads a sounds directory as Asterisk 22 does
 * (the simulator's index, facts 30-32), counting requests and failing on demand.
 */
import type { AriPort } from '../../src/ari/port.js';
import type { Sound } from '../../src/ari/types.js';
import { AriError } from '../../src/errors.js';
import { getSound, listSounds } from '../../src/simulator/media/sounds.js';

/** A sounds-only ARI over a directory, counting requests, failing while `failWith` is set. */
export interface DiskAri {
  readonly ari: AriPort;
  requests: number;
  failWith: AriError | undefined;
  /** Makes every listing miss this sound (an Asterisk that reads another directory). */
  hide: Set<string>;
}

/** An AriPort whose sounds resource answers from `soundsDir` as Asterisk 22 does (facts 30-32); nothing else is offered. */
export function diskAri(soundsDir: string): DiskAri {
  /** Counts a request; runs `answer` unless a failure is set. */
  const request = async <T>(answer: () => T): Promise<T> => {
    await Promise.resolve(); // answers come later, as over HTTP
    state.requests++;
    if (state.failWith) throw state.failWith;
    return answer();
  };
  const sounds = {
    list: (filter: { lang?: string; format?: string } = {}) => request(() => listSounds(soundsDir, filter).filter((s) => !state.hide.has(s.id))),
    get: (soundId: string) =>
      request<Sound>(() => {
        const sound = state.hide.has(soundId) ? undefined : getSound(soundsDir, soundId);
        if (!sound) throw new AriError({ status: 404, operation: 'sounds.get', resourceId: soundId, message: 'Sound not found' });
        return sound;
      }),
  };
  // Only the sounds resource is used by the code under test; anything else would be a TypeError.
  const state: DiskAri = { ari: { sounds } as unknown as AriPort, requests: 0, failWith: undefined, hide: new Set() };
  return state;
}

/** An ARI error as the adapter raises it when no answer comes. */
export function noAnswer(operation = 'sounds.get'): AriError {
  return new AriError({ status: 0, operation, message: 'no answer within 100 ms' });
}
