/**
 * `X-Twilio-Signature` (TWIML.md §3.4): HMAC-SHA1, keyed with the account's
 * auth token, over the full URL requested followed by the form parameters
 * (names sorted, each name immediately followed by its value), Base64.
 * Programs check it with Twilio's own helpers, so this follows twilio-node's
 * `getExpectedTwilioSignature` exactly.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The parameters a signature covers: a form POST's fields (a repeated name: its values); a GET has none. */
export type SignedParams = Readonly<Record<string, string | readonly string[]>>;

/** The `X-Twilio-Signature` of a request to `url` (with its query) carrying `params` (empty for a GET). */
export function twilioSignature(authToken: string, url: string, params: SignedParams): string {
  let data = url;
  // Default sort (UTF-16 code units), as twilio-node sorts names and values.
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!;
    // Repeated values count once: twilio-node and twilio-python both dedupe before sorting,
    // so a signature over duplicates would not verify with their validators.
    const values = typeof value === 'string' ? [value] : [...new Set(value)].sort();
    for (const v of values) data += name + v;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** True when `signature` is the one `twilioSignature` gives for this request (compared in constant time). */
export function validTwilioSignature(authToken: string, url: string, params: SignedParams, signature: string): boolean {
  const expected = Buffer.from(twilioSignature(authToken, url, params), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  // The length of a SHA-1 signature is public, so checking it first leaks nothing.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
