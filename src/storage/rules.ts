/**
 * What a mailbox and a message may hold. Every store implementation checks
 * input with these, so the rules (and their messages) are the same everywhere.
 */
import { validate as isUuid } from 'uuid';
import { AppError } from '../errors.js';
import type { Folder } from './types.js';

const MAILBOX_ID = /^[A-Za-z0-9_-]{1,40}$/;
const PIN = /^[0-9]{4,16}$/;
// Names end up in tables and log lines: one line, printable.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Limits of a mailbox's message count. */
export const MAX_MESSAGES_RANGE = { min: 1, max: 100_000 } as const;
/** The message limit used when neither the caller nor the store's options give one. */
export const DEFAULT_MAX_MESSAGES = 100;

/** True when `s` can be a mailbox id: 1-40 letters, digits, `-` or `_` (so never a path). */
export function isMailboxId(s: unknown): s is string {
  return typeof s === 'string' && MAILBOX_ID.test(s);
}

/** True when `s` has the shape of a PIN: 4-16 digits. */
export function isPin(s: unknown): s is string {
  return typeof s === 'string' && PIN.test(s);
}

function invalid(message: string): AppError {
  return new AppError('INVALID_INPUT', message);
}

// Echo what was given only when it is short: a 10 kB name is not worth printing back.
function shown(value: unknown): string {
  if (typeof value !== 'string') return typeof value;
  return value.length <= 50 ? JSON.stringify(value) : `${value.length} characters`;
}

/** Checks a mailbox id. */
export function checkMailboxId(id: unknown): string {
  if (!isMailboxId(id)) throw invalid(`mailbox id must be 1-40 letters, digits, "-" or "_", got ${shown(id)}`);
  return id;
}

/** Checks and trims a mailbox's display name. */
export function checkName(name: unknown): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed.length < 1 || trimmed.length > 80 || CONTROL.test(trimmed)) {
    throw invalid(`mailbox name is required: 1-80 characters on one line, got ${shown(name)}`);
  }
  return trimmed;
}

/** Checks a PIN. The message never repeats the PIN given. */
export function checkPin(pin: unknown): string {
  if (!isPin(pin)) throw invalid('mailbox pin must be 4-16 digits');
  return pin;
}

/** Checks a mailbox's message limit. */
export function checkMaxMessages(n: unknown): number {
  const { min, max } = MAX_MESSAGES_RANGE;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw invalid(`mailbox maxMessages must be a whole number from ${min} to ${max}, got ${String(n)}`);
  }
  return n;
}

/** Checks a recording name (a greeting or a message's audio). */
export function checkRecording(field: string, name: unknown): string {
  if (typeof name !== 'string' || name.length < 1 || name.length > 255 || CONTROL.test(name) || /\s/.test(name)) {
    throw invalid(`${field} must be a recording name of 1-255 characters without spaces, got ${shown(name)}`);
  }
  return name;
}

/** Checks a message id: any uuid (the flows use v7, named after the recording). */
export function checkMessageId(id: unknown): string {
  if (typeof id !== 'string' || !isUuid(id)) throw invalid(`message id must be a uuid, got ${shown(id)}`);
  return id;
}

/** Checks a folder name. */
export function checkFolder(folder: unknown): Folder {
  if (folder !== 'new' && folder !== 'old') throw invalid(`message folder must be "new" or "old", got ${shown(folder)}`);
  return folder;
}

/** Checks a caller id part; empty is fine (unknown caller). */
export function checkCallerField(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length > 200 || CONTROL.test(value)) {
    throw invalid(`message ${field} must be text of at most 200 characters on one line, got ${shown(value)}`);
  }
  return value;
}

/** Checks a timestamp and normalizes it to UTC ISO 8601, so that text order is time order. */
export function checkTimestamp(field: string, value: unknown): string {
  const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw invalid(`message ${field} must be an ISO 8601 date-time, got ${shown(value)}`);
  return new Date(ms).toISOString();
}

/** Checks a duration in seconds. */
export function checkDuration(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalid(`message durationSeconds must be a number of seconds, 0 or more, got ${String(value)}`);
  }
  return value;
}
