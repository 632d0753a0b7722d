/**
 * Who may use the HTTP API. REST requests carry Vonage's application JWT
 * (`Authorization: Bearer <JWT>`, RS256 with the application's private key,
 * NCCO.md 6.1), verified with the public key `voice-app --public-key` stored.
 * A recording may also be fetched from a loopback address, or with an HS256
 * JWT signed with the application's signature secret. Tokens are never logged.
 */
import { BlockList, isIP } from 'node:net';
import { decodeJwt, decodeProtectedHeader, errors, importSPKI, jwtVerify, type CryptoKey } from 'jose';
import { validate as isUuid } from 'uuid';
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
  let claimed: unknown;
  try {
    claimed = decodeJwt(token).application_id;
  } catch {
    return undefined;
  }
  // By id only: getApp also takes names, which a token must not stand for.
  return typeof claimed === 'string' && isUuid(claimed) ? store.getApp(claimed) : undefined;
}

// Imported keys by PEM: importing costs more than verifying. Bounded, so a churn of keys cannot grow it.
const KEYS = new Map<string, Promise<CryptoKey>>();
const MAX_KEYS = 256;

function publicKeyOf(pem: string): Promise<CryptoKey> {
  let key = KEYS.get(pem);
  if (!key) {
    if (KEYS.size >= MAX_KEYS) KEYS.clear();
    key = importSPKI(pem, 'RS256');
    KEYS.set(pem, key);
    key.catch(() => KEYS.delete(pem));
  }
  return key;
}

// Clocks of the SDK's host and ours may differ a little; Vonage's own tokens live 15 minutes.
const CLOCK_TOLERANCE_S = 30;

/** Why `token` is not an RS256 JWT of this app (application_id) signed with its private key and valid now; undefined when it is. */
async function applicationJwtProblem(token: string, app: VoiceApp): Promise<string | undefined> {
  if (app.publicKey === undefined) return 'its application has no public key';
  try {
    const { payload } = await jwtVerify(token, await publicKeyOf(app.publicKey), { algorithms: ['RS256'], clockTolerance: CLOCK_TOLERANCE_S });
    const claimed = payload.application_id;
    return typeof claimed === 'string' && claimed.toLowerCase() === app.id ? undefined : 'it names another application';
  } catch (err) {
    if (err instanceof errors.JWTExpired) return 'it has expired';
    if (err instanceof errors.JWSSignatureVerificationFailed) return 'its signature does not match the application\'s public key';
    if (err instanceof errors.JWTClaimValidationFailed) return `its "${err.claim}" claim is not valid now`;
    return 'it is not a valid RS256 JWT';
  }
}

/** True when `token` is an RS256 JWT of this app (application_id), signed with its private key, valid now. */
export async function verifyApplicationJwt(token: string, app: VoiceApp): Promise<boolean> {
  return (await applicationJwtProblem(token, app)) === undefined;
}

/** The `alg` of a token's header, or undefined when it is not a JWT. */
function algOf(token: string): string | undefined {
  try {
    return decodeProtectedHeader(token).alg;
  } catch {
    return undefined;
  }
}

/**
 * The application a REST request comes from: its Bearer token must be an
 * RS256 JWT naming a known application that has a public key, signed with the
 * matching private key, and not expired. Throws 401 otherwise, the one-line
 * detail saying which (never the token).
 */
export async function authenticateApplication(store: VoiceStore, authorization: string | undefined): Promise<VoiceApp> {
  const refuse = (why: string) => new HttpApiError('unauthorized', why);
  const token = bearerToken(authorization);
  if (token === undefined) throw refuse('an application JWT is required: Authorization: Bearer <JWT signed RS256 with the application\'s private key>');
  const alg = algOf(token);
  if (alg === undefined) throw refuse('the Bearer token is not a JWT');
  if (alg !== 'RS256') throw refuse(`the Bearer token must be signed RS256 with the application's private key, not ${JSON.stringify(alg).slice(0, 20)}`);
  const app = await claimedApp(store, token);
  if (!app) throw refuse('the Bearer token names no known application_id');
  if (app.publicKey === undefined) throw refuse(`application ${app.id} has no public key (voice-app set ${app.name} --public-key <file>)`);
  const problem = await applicationJwtProblem(token, app);
  if (problem !== undefined) throw refuse(`the Bearer token is refused: ${problem}`);
  return app;
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
  if (token === undefined) throw new HttpApiError('unauthorized', 'a Bearer JWT of the recording\'s application (RS256, or HS256 with its signature secret) is required from a non-loopback address');
  const app = recording ? await store.getApp(recording.applicationId) : await claimedApp(store, token);
  // The header picks the check: RS256 is the REST API's application JWT, anything else must be the HS256 secret token.
  const valid = app !== undefined && (algOf(token) === 'RS256' ? await verifyApplicationJwt(token, app) : await verifyAppToken(token, app));
  if (!valid) throw new HttpApiError('unauthorized', 'the Bearer token is not valid for this recording');
  if (!recording) throw unknown();
  return recording;
}
