/**
 * HTTP errors as Asterisk answers them: a status and a JSON body, almost always
 * `{"message": "..."}` (fact 1).
 */

/** An ARI error response. Thrown by handlers; the server turns it into the reply. */
export class AriError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The body, when it is not `{"message": message}`. */
    readonly body: unknown = { message },
  ) {
    super(message);
    this.name = 'AriError';
  }
}

/** `ast_ari_response_alloc_failed`: the one body that is not `{"message"}` (fact 1). */
export function allocationFailed(): AriError {
  return new AriError(500, 'Allocation failed', { error: 'Allocation failed' });
}

/** Shorthands for the common statuses. */
export const badRequest = (message: string): AriError => new AriError(400, message);
export const notFound = (message: string): AriError => new AriError(404, message);
export const conflict = (message: string): AriError => new AriError(409, message);
export const unprocessable = (message: string): AriError => new AriError(422, message);
export const internalError = (message: string): AriError => new AriError(500, message);
