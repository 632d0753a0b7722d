/**
 * Who may fetch a recording, until Vonage's RS256 application JWTs arrive
 * (next issue): anyone on a loopback address, or a request carrying
 * `Authorization: Bearer <JWT>` signed HS256 with the signature secret of the
 * recording's application. The token is never logged.
 */
import { BlockList, isIP } from 'node:net';
import { decodeJwt, jwtVerify } from 'jose';
import type { VoiceApp, VoiceRecording, VoiceStore } from '../storage/index.js';
import { HttpApiError } from './errors.js';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** True for 127.0.0.0/8 and ::1, IPv4-mapped forms (::ffff:127.0.0.1) included. */
export function isLoopback(address: string | undefined): boolean {
  const family = address === undefined ? 0 : isIP(address);
  return family !== 0 && LOOPBACK.check(address!, family === 4 ? 'ipv4' : 'ipv6');
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : /^Bearer +([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim())?.[1];
}

/** True when `token` is an HS256 JWT signed with the app's secret, valid now, and naming this app if it names one. */
export async function verifyAppToken(token: string, app: VoiceApp): Promise<boolean> {
  if (app.signatureSecret === undefined) return false;
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(app.signatureSecret), { algorithms: ['HS256'] });
    const claimed = payload.application_id;
    return claimed === undefined || (typeof claimed === 'string' && claimed.toLowerCase() === app.id);
  } catch {
    return false;
  }
}

/** The application a token says it is from (unverified: only to pick the key to verify it with). */
async function claimedApp(store: VoiceStore, token: string): Promise<VoiceApp | undefined> {
  try {
    const claimed = decodeJwt(token).application_id;
    return typeof claimed === 'string' ? await store.getApp(claimed) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The recording `id` names, when the caller may have it. Throws 401 before
 * 404 to a caller that is not trusted, so ids cannot be probed; a valid token
 * of an application learns that a recording is unknown.
 */
export async function authorizeRecording(store: VoiceStore, id: string, remoteAddress: string, authorization: string | undefined): Promise<VoiceRecording> {
  const recording = await store.getRecording(id);
  const unknown = () => new HttpApiError('not-found', `recording "${id}" does not exist`);
  if (isLoopback(remoteAddress)) {
    if (!recording) throw unknown();
    return recording;
  }
  const token = bearerToken(authorization);
  if (token === undefined) throw new HttpApiError('unauthorized', 'a Bearer JWT signed with the application\'s signature secret is required from a non-loopback address');
  const app = recording ? await store.getApp(recording.applicationId) : await claimedApp(store, token);
  if (!app || !(await verifyAppToken(token, app))) throw new HttpApiError('unauthorized', 'the Bearer token is not valid for this recording');
  if (!recording) throw unknown();
  return recording;
}
