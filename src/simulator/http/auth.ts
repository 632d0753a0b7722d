/**
 * ARI credentials (fact 3): HTTP basic auth or `?api_key=user:pass`, for REST, the
 * WebSocket and api-docs alike; anything else is `401 {"message":"Authentication required"}`.
 */
import type { IncomingMessage } from 'node:http';

/** An ARI user (ari.conf). */
export interface Credentials {
  username: string;
  password: string;
}

/** The ARI user the request authenticates as, or undefined (one of `users`, as ari.conf may list several). */
export function authorizedUser(req: IncomingMessage, url: URL, users: readonly Credentials[]): string | undefined {
  const matches = (pair: string) => {
    const colon = pair.indexOf(':');
    if (colon === -1) return undefined;
    const user = users.find((u) => u.username === pair.slice(0, colon) && u.password === pair.slice(colon + 1));
    return user?.username;
  };
  const header = req.headers.authorization;
  if (header !== undefined && /^basic /i.test(header)) {
    const user = matches(Buffer.from(header.slice(6).trim(), 'base64').toString('utf8'));
    if (user !== undefined) return user;
  }
  const key = url.searchParams.get('api_key');
  return key === null ? undefined : matches(key);
}

/** Whether the request carries the credentials of one of `users`. */
export function authorized(req: IncomingMessage, url: URL, users: readonly Credentials[]): boolean {
  return authorizedUser(req, url, users) !== undefined;
}
