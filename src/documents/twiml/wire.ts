/**
 * How TwiML requests go on the wire (TWIML.md §3, §3.4): a GET carries the
 * fields in its query, a POST as a form body, and both are signed with
 * `X-Twilio-Signature` over exactly what is sent. A reply is read by its
 * content type (reply.ts).
 */
import type { EncodedRequest, WebhookWire } from '../dialect.js';
import type { WebhookMethod } from '../../storage/voice-types.js';
import { readTwimlReply } from './reply.js';
import { twilioSignature } from './signature.js';

// What a TwiML reply may be: a document, audio to play, or text to say (TWIML.md §1).
const ACCEPT = 'application/xml, text/xml, audio/*, text/plain';

/** Twilio's error code for a document fetch that failed (sent to the fallback URL). */
const FETCH_FAILED = '11200';

/** The wire of a TwiML application whose auth token is `authToken` (empty: requests go unsigned). */
export function twimlWire(authToken: string): WebhookWire {
  return {
    encode: (method, url, data) => Promise.resolve(encode(authToken, method, url, data)),
    decode: (body, contentType) => readTwimlReply(body, contentType),
    fallbackData: (data, _reason, primaryUrl) => ({ ...data, ErrorCode: FETCH_FAILED, ErrorUrl: primaryUrl }),
  };
}

function encode(authToken: string, method: WebhookMethod, url: URL, data: Readonly<Record<string, unknown>>): EncodedRequest {
  const pairs = formPairs(data);
  const out = new URL(url);
  // The fragment is never sent, so the program's server cannot sign it.
  out.hash = '';
  const headers: Record<string, string> = { accept: ACCEPT };
  let body: string | undefined;
  let signed: Record<string, string[]> = {};
  if (method === 'GET') {
    // Appended as text: re-serialising searchParams would re-encode the query the program wrote.
    const query = new URLSearchParams(pairs).toString();
    if (query !== '') out.search = out.search === '' ? query : `${out.search.slice(1)}&${query}`;
  } else {
    body = new URLSearchParams(pairs).toString();
    signed = byName(pairs);
    headers['content-type'] = 'application/x-www-form-urlencoded';
    // An explicit length keeps undici from chunking (as the NCCO client does).
    headers['content-length'] = String(Buffer.byteLength(body, 'utf8'));
  }
  // Without a token a signature would prove nothing; the NCCO wire likewise signs only with a secret.
  if (authToken !== '') headers['x-twilio-signature'] = twilioSignature(authToken, out.href, signed);
  return body === undefined ? { url: out, headers } : { url: out, body, headers };
}

/** Every field as name-value pairs: an array repeats its name, null and undefined are left out. */
function formPairs(data: Readonly<Record<string, unknown>>): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(data)) {
    for (const item of Array.isArray(value) ? (value as unknown[]) : [value]) {
      const text = fieldText(item);
      if (text !== undefined) pairs.push([name, text]);
    }
  }
  return pairs;
}

function fieldText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

function byName(pairs: readonly [string, string][]): Record<string, string[]> {
  // A Map, so a field named `__proto__` stays a field.
  const out = new Map<string, string[]>();
  for (const [name, value] of pairs) {
    const values = out.get(name);
    if (values === undefined) out.set(name, [value]);
    else values.push(value);
  }
  return Object.fromEntries(out);
}
