/**
 * Work that must get done even while Asterisk restarts or briefly fails
 * (keeping a message after the caller hung up, deleting a rejected take):
 * the request is tried again after a growing pause when no answer came
 * (status 0: time-out, connection refused or reset) or Asterisk failed (5xx).
 * Any other answer (404, 409…) is the request's own outcome and is not retried.
 */
import { AriError } from '../errors.js';

/** Pauses between tries, in ms: about 4 s in all, within a call's post-call time. */
const PAUSES_MS = [250, 500, 1000, 2000] as const;

/** True when trying `err`'s request again may succeed. */
export function isTransientAriError(err: unknown): boolean {
  return err instanceof AriError && (err.status === 0 || err.status >= 500);
}

/** Runs `request`; on a transient failure, again after each pause; the last failure is thrown. */
export async function retryAri<T>(request: () => Promise<T>, pauses: readonly number[] = PAUSES_MS): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await request();
    } catch (err) {
      const pause = pauses[attempt];
      if (pause === undefined || !isTransientAriError(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}
