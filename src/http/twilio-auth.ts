/**
 * Who may use the Twilio REST API: HTTP Basic `AccountSid:AuthToken`, as the
 * twilio SDK sends it. The Account SID is a TwiML application's
 * (`toSid('AC', app.id)`), the auth token its `signatureSecret`; the SID in
 * the path must be the username. API keys (`SK…`) are not supported. Tokens
 * are compared in constant time and never logged nor echoed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { fromSid } from '../documents/twiml/sids.js';
import type { VoiceApp, VoiceStore } from '../storage/index.js';
import { unauthorized } from './twilio-errors.js';

/** The username and password of an `Authorization: Basic …` header, or undefined. */
export function basicCredentials(header: string | undefined): { username: string; password: string } | undefined {
  const encoded = header === undefined ? undefined : /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header.trim())?.[1];
  if (encoded === undefined) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** True when the two strings are equal; the time taken does not depend on where they differ, nor on their lengths. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The TwiML application a request to `/Accounts/{accountSid}/…` comes from.
 * Throws a 401 (code 20003) when the credentials are missing, name another
 * account, or are not a TwiML application's SID and token; the message says
 * which of those only as far as it does not depend on the store.
 */
export async function authenticateAccount(store: VoiceStore, accountSid: string, authorization: string | undefined): Promise<VoiceApp> {
  const credentials = basicCredentials(authorization);
  if (!credentials) throw unauthorized('HTTP Basic credentials AccountSid:AuthToken are required');
  if (credentials.username !== accountSid) throw unauthorized('the AccountSid in the path is not the username of the credentials');
  const incorrect = () => unauthorized('the AccountSid or AuthToken is incorrect');
  const id = fromSid('AC', accountSid);
  if (id === undefined) throw incorrect();
  const app = await store.getApp(id);
  // getApp also takes names: the id must be the app's own. An NCCO app has no Basic access.
  if (!app || app.id !== id || app.dialect !== 'twiml' || app.signatureSecret === undefined) {
    // Spend the compare anyway, so an unknown SID answers in the time a wrong token does.
    sameSecret(credentials.password, '');
    throw incorrect();
  }
  if (!sameSecret(credentials.password, app.signatureSecret)) throw incorrect();
  return app;
}
