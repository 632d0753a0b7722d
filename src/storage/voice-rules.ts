/**
 * What a voice application and a recording may hold, with the messages the
 * CLI shows when they are broken.
 */
import path from 'node:path';
import { importSPKI } from 'jose';
import { validate as isUuid } from 'uuid';
import type { DialectName } from '../documents/dialect.js';
import { AppError } from '../errors.js';
import type { RecordingFormat, WebhookMethod } from './voice-types.js';

const APP_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const RECORDING_ID = /^[A-Za-z0-9_-]{1,64}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const MAX_URL_LENGTH = 2048;
const MAX_SECRET_LENGTH = 256;

/** The dialects an application can speak (the CHECK of voice_apps.dialect). */
export const DIALECTS: readonly DialectName[] = ['ncco', 'twiml'];

/** The recording formats NCCO's `record` offers. */
export const RECORDING_FORMATS: readonly RecordingFormat[] = ['mp3', 'wav', 'ogg'];

function invalid(message: string): AppError {
  return new AppError('INVALID_INPUT', message);
}

// Echo short values only; never used for secrets.
function shown(value: unknown): string {
  if (typeof value !== 'string') return typeof value;
  return value.length <= 80 ? JSON.stringify(value) : `${value.length} characters`;
}

/** True when `s` can be a voice application's name. */
export function isAppName(s: unknown): s is string {
  return typeof s === 'string' && APP_NAME.test(s) && !isUuid(s);
}

/** Checks an application name: 1-64 letters, digits, `-`, `_` or `.`, and not a uuid (so `getApp` is never ambiguous). */
export function checkAppName(name: unknown): string {
  if (typeof name === 'string' && isUuid(name)) throw invalid(`voice app name must not be a uuid (those are application ids), got ${shown(name)}`);
  if (!isAppName(name)) throw invalid(`voice app name must be 1-64 letters, digits, "-", "_" or ".", got ${shown(name)}`);
  return name;
}

/** Checks a webhook URL: absolute http(s). `what` names the field in the message. */
export function checkWebhookUrl(what: string, url: unknown): string {
  if (typeof url !== 'string' || url.length > MAX_URL_LENGTH || CONTROL.test(url)) throw invalid(`${what} must be an http(s) URL, got ${shown(url)}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`${what} must be an http(s) URL, got ${shown(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw invalid(`${what} must be an http(s) URL, got ${shown(url)}`);
  return url;
}

/** Checks a webhook method, case-insensitive; returns it upper-case. */
export function checkMethod(what: string, method: unknown): WebhookMethod {
  const upper = typeof method === 'string' ? method.toUpperCase() : '';
  if (upper !== 'GET' && upper !== 'POST') throw invalid(`${what} must be GET or POST, got ${shown(method)}`);
  return upper;
}

/** True when `s` names a dialect. */
export function isDialect(s: unknown): s is DialectName {
  return DIALECTS.includes(s as DialectName);
}

/** Checks a dialect name, case-insensitive; returns it lower-case. `what` names the field in the message (`--dialect` for the CLI). */
export function checkDialect(dialect: unknown, what = 'dialect'): DialectName {
  const lower = typeof dialect === 'string' ? dialect.toLowerCase() : '';
  if (!isDialect(lower)) throw invalid(`${what} must be ${DIALECTS.join(' or ')}, got ${shown(dialect)}`);
  return lower;
}

/** Checks a signature secret. The message never repeats it. */
export function checkSecret(secret: unknown): string {
  if (typeof secret !== 'string' || secret.length < 1 || secret.length > MAX_SECRET_LENGTH || CONTROL.test(secret)) {
    throw invalid(`signature secret must be 1-${MAX_SECRET_LENGTH} characters on one line`);
  }
  return secret;
}

/**
 * Checks a PEM SPKI RSA public key (what verifies an application's RS256
 * JWTs); returns it trimmed. The message never repeats the key.
 */
export async function checkPublicKey(pem: unknown): Promise<string> {
  const expected = 'public key must be a PEM RSA public key ("-----BEGIN PUBLIC KEY-----")';
  if (typeof pem !== 'string' || pem.length > 16_384) throw invalid(expected);
  // A private key given by mistake is the usual slip: say so rather than "invalid".
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) throw invalid(`${expected}; this is a private key, give its public key`);
  const trimmed = pem.trim();
  try {
    // `RS256` makes jose refuse EC and Ed25519 keys too.
    await importSPKI(trimmed, 'RS256');
  } catch {
    throw invalid(expected);
  }
  return trimmed;
}

/** True when `s` can be a recording id (it becomes a URL path segment). */
export function isRecordingId(s: unknown): s is string {
  return typeof s === 'string' && RECORDING_ID.test(s);
}

/** Checks a recording's fields. */
export function checkRecordingFields(r: {
  id: unknown;
  applicationId: unknown;
  callUuid: unknown;
  conversationUuid: unknown;
  format: unknown;
  path: unknown;
  size: unknown;
  createdAt: unknown;
}): void {
  if (!isRecordingId(r.id)) throw invalid(`recording id must be 1-64 letters, digits, "-" or "_", got ${shown(r.id)}`);
  for (const [field, value] of [
    ['applicationId', r.applicationId],
    ['callUuid', r.callUuid],
    ['conversationUuid', r.conversationUuid],
  ] as const) {
    if (typeof value !== 'string' || value === '' || value.length > 128 || CONTROL.test(value)) throw invalid(`recording ${field} is required, got ${shown(value)}`);
  }
  if (!RECORDING_FORMATS.includes(r.format as RecordingFormat)) throw invalid(`recording format must be one of ${RECORDING_FORMATS.join(', ')}, got ${shown(r.format)}`);
  if (typeof r.path !== 'string' || !path.isAbsolute(r.path) || CONTROL.test(r.path)) throw invalid(`recording path must be absolute, got ${shown(r.path)}`);
  if (typeof r.size !== 'number' || !Number.isSafeInteger(r.size) || r.size < 0) throw invalid(`recording size must be a whole number of bytes, got ${String(r.size)}`);
  if (typeof r.createdAt !== 'string' || Number.isNaN(Date.parse(r.createdAt))) throw invalid(`recording createdAt must be an ISO 8601 time, got ${shown(r.createdAt)}`);
}
