/**
 * ari-client turns every failed request into `new Error(<response body>)`: the
 * HTTP status is lost. Asterisk's error bodies are stable, so the status is
 * recovered from the message (`../shared/ari-transcripts`, facts 1-4 and the
 * per-resource facts); a message we have never seen maps to 500.
 */
import { AriError } from '../errors.js';

// Exact messages whose status depends on the operation (Asterisk is not uniform).
const BY_OPERATION: Record<string, Record<string, number>> = {
  'bridges.addChannel': { 'Channel not found': 400 },
  'bridges.removeChannel': { 'Channel not found': 400 },
};

// Ordered: the first pattern that matches wins.
const BY_MESSAGE: [RegExp, number][] = [
  [/^Authentication required$/, 401],
  [/forbidden/i, 403],
  [/^Channel not in this bridge$|^Event source (does not exist|was not subscribed to)$|format is unknown/, 422],
  // Asterisk's own 409 wordings (api-docs): "Channel not in Stasis application", "Recording not in session", "… is not in the 'Down' state".
  [/already exists|^Can only \w+ while|does not support reloading|isn't playing music|^Channel (.* )?not in Stasis|^Recording not in session$|is not in the '\w+' state/i, 409],
  [/not found|could not be found|^No .* found/i, 404],
  [/required|must be specified|^Missing|invalid|cannot be negative/i, 400],
  [/^Error parsing request$|^Failed to|^Allocation failed$|^Unable to|Internal Server Error/i, 500],
];

/** The message Asterisk put in an error body (`{"message": ...}` or `{"error": ...}`), or the raw text. */
export function ariErrorMessage(raw: unknown): string {
  const text = raw instanceof Error ? raw.message : typeof raw === 'string' ? raw : JSON.stringify(raw);
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown };
    if (typeof body.message === 'string') return body.message;
    if (typeof body.error === 'string') return body.error;
  } catch {
    // not a JSON body: a transport error
  }
  return text;
}

/** The HTTP status Asterisk answered with, recovered from its message. */
export function statusOf(operation: string, message: string): number {
  const exact = BY_OPERATION[operation]?.[message];
  if (exact !== undefined) return exact;
  for (const [pattern, status] of BY_MESSAGE) if (pattern.test(message)) return status;
  return 500;
}

/** True when an ari-client failure carries an HTTP answer (a JSON body), not a transport error. */
function isHttpAnswer(raw: unknown): boolean {
  const text = raw instanceof Error ? raw.message : typeof raw === 'string' ? raw : '';
  return text.startsWith('{');
}

/** Maps an ari-client failure to an AriError with status, operation and resource id. */
export function toAriError(operation: string, resourceId: string | undefined, raw: unknown): AriError {
  const message = ariErrorMessage(raw);
  const status = isHttpAnswer(raw) ? statusOf(operation, message) : 0;
  return new AriError({ status, operation, resourceId, message, cause: raw });
}
