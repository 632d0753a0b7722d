/**
 * Twilio's request parameters: form bodies (`application/x-www-form-urlencoded`,
 * the only body type the Twilio API takes) and query strings, read with
 * URLSearchParams into one shape, and readers that check one parameter each
 * and throw a 400 naming it. Parameters nobody reads are ignored, as Twilio
 * ignores the ones it does not know.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CallEndpoint } from '../../apps/voice-api/control-types.js';
import { badParam } from '../twilio-errors.js';

/** Parameters by name; a repeated name (`StatusCallbackEvent`) has all its values. */
export type Form = Readonly<Record<string, string | readonly string[]>>;

/** Bytes a form body may have: a 4000-character `Twiml`, percent-encoded, fits several times. */
export const FORM_BODY_LIMIT = 64 * 1024;

/** The parameters of a form-encoded string. */
export function parseForm(text: string): Form {
  const form: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of new URLSearchParams(text)) {
    const had = form[key];
    form[key] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }
  return form;
}

/**
 * Makes `scope` take form bodies only: the JSON parser it inherits is removed,
 * so anything else is a 415 (and a body over the limit a 413).
 */
export function acceptFormBodies(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT }, (_request, body: string, done) => {
    done(null, parseForm(body));
  });
}

/** A request's body parameters ({} when it has none). */
export function bodyForm(request: FastifyRequest): Form {
  return (request.body as Form | undefined) ?? {};
}

/** A request's query parameters. */
export function queryForm(request: FastifyRequest): Form {
  const at = request.url.indexOf('?');
  return at < 0 ? {} : parseForm(request.url.slice(at + 1));
}

/** The one value of `name`, or undefined; given twice is a 400. */
export function text(form: Form, name: string, max = 2048): string | undefined {
  const value = form[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badParam(`${name} must be given once`);
  if (value.length > max) throw badParam(`${name} must be at most ${max} characters`);
  return value;
}

/** Every value of a repeatable `name`, each also split at spaces (TwiML's attribute form). */
export function list(form: Form, name: string): string[] | undefined {
  const value = form[name];
  if (value === undefined) return undefined;
  return (typeof value === 'string' ? [value] : value).flatMap((v) => v.split(/\s+/)).filter((v) => v !== '');
}

/** `true` or `false` (any case), or undefined. */
export function bool(form: Form, name: string): boolean | undefined {
  const value = text(form, name)?.toLowerCase();
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw badParam(`${name} must be true or false`);
  return value === 'true';
}

/** A whole number from `min` to `max`, or undefined. */
export function whole(form: Form, name: string, min: number, max: number): number | undefined {
  const value = text(form, name);
  if (value === undefined) return undefined;
  const n = /^\d{1,9}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!(n >= min && n <= max)) throw badParam(`${name} must be a whole number from ${min} to ${max}`);
  return n;
}

/** An absolute http(s) URL, or undefined (code 21205 when it is not one). */
export function url(form: Form, name: string): string | undefined {
  const value = text(form, name);
  if (value === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) throw badParam(`${name} must be an absolute http(s) URL`, 21205);
  return value;
}

/** `GET` or `POST` (any case), else `fallback`. */
export function method(form: Form, name: string, fallback: 'GET' | 'POST'): 'GET' | 'POST' {
  const value = text(form, name)?.toUpperCase();
  if (value === undefined) return fallback;
  if (value !== 'GET' && value !== 'POST') throw badParam(`${name} must be GET or POST`);
  return value;
}

/** One of `values`, or undefined. */
export function oneOf<T extends string>(form: Form, name: string, values: readonly T[]): T | undefined {
  const value = text(form, name);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) throw badParam(`${name} must be one of ${values.join(', ')}`);
  return value as T;
}

const STATUS_EVENTS = ['initiated', 'ringing', 'answered', 'completed'] as const;

/** `StatusCallbackEvent`'s values, each one of initiated, ringing, answered, completed; undefined when not given. */
export function statusEvents(form: Form, name = 'StatusCallbackEvent'): string[] | undefined {
  const events = list(form, name);
  if (events === undefined) return undefined;
  const bad = events.find((e) => !(STATUS_EVENTS as readonly string[]).includes(e));
  if (bad !== undefined) throw badParam(`${name} must be initiated, ringing, answered or completed, got ${JSON.stringify(bad).slice(0, 40)}`);
  return [...new Set(events)];
}

const PHONE = /^\+?[0-9]{1,32}$/;

/** `To`, required: a phone number (kept as written, `+` and all: the dial string drops it) or a `sip:` URI; `client:` is not something this service can call. */
export function destination(form: Form, name = 'To'): CallEndpoint {
  const value = text(form, name)?.trim();
  if (value === undefined || value === '') throw badParam(`${name} is required`, 21201);
  if (PHONE.test(value)) return { type: 'phone', number: value };
  // user@host only: a `/` or control character would reach the dial string as another endpoint.
  if (/^sips?:[^\s@/\p{Cc}]+@[^\s@/\p{Cc}]+$/iu.test(value)) return { type: 'sip', uri: value };
  if (/^client:/i.test(value)) throw badParam(`${name}: client: identities are not supported here; call a phone number or a sip: URI`, 21211);
  throw badParam(`${name} must be a phone number (digits, an optional leading +) or a sip: URI`, 21211);
}

/** `From`, required: a phone number as written (the caller id). */
export function callerId(form: Form, name = 'From'): string {
  const value = text(form, name)?.trim();
  if (value === undefined || value === '') throw badParam(`${name} is required`, 21213);
  if (!PHONE.test(value)) throw badParam(`${name} must be a phone number (digits, an optional leading +)`, 21212);
  return value;
}

/** `SendDigits` as a dial string's DTMF: `w` (half a second) becomes `p`, `W` (a second) `pp`. */
export function sendDigits(form: Form, name = 'SendDigits'): string | undefined {
  const value = text(form, name);
  if (value === undefined) return undefined;
  if (!/^[0-9*#wW]{1,32}$/.test(value)) throw badParam(`${name} must be 1 to 32 of 0-9, *, #, w and W`);
  return value.replaceAll('W', 'pp').replaceAll('w', 'p');
}
