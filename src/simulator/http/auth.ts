/**
 * ARI credentials (fact 3): HTTP basic auth or `?api_key=user:pass`, for REST, the
 * WebSocket and api-docs alike; anything else is `401 {"message":"Authentication required"}`.
 */
import type { IncomingMessage } from 'node:http';

/** The one ARI user (ari.conf). */
export interface Credentials {
  username: string;
  password: string;
}

/** Whether the request carries the right credentials. */
export function authorized(req: IncomingMessage, url: URL, creds: Credentials): boolean {
  const header = req.headers.authorization;
  if (header !== undefined && /^basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon !== -1 && decoded.slice(0, colon) === creds.username && decoded.slice(colon + 1) === creds.password) return true;
  }
  const key = url.searchParams.get('api_key');
  if (key !== null) {
    const colon = key.indexOf(':');
    if (colon !== -1 && key.slice(0, colon) === creds.username && key.slice(colon + 1) === creds.password) return true;
  }
  return false;
}
