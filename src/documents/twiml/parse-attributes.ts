/**
 * Typed reads of one TwiML element's attributes. Each read names the element
 * and attribute it checks, so a wrong value becomes one line
 * (`<Gather> numDigits must be a whole number ≥ 1, got "x"`); attributes never
 * read are noted and ignored, as Twilio ignores them. Private to the parser.
 */
import { AppError } from '../../errors.js';
import type { DocumentNote, DocumentOrigin } from '../dialect.js';
import type { XmlElement } from './parse-xml.js';

/** What every element's reading shares: where URLs resolve, and the notes gathered so far. */
export interface ParseContext {
  readonly origin: DocumentOrigin;
  readonly notes: DocumentNote[];
}

/** A document that cannot run: the message is the whole one-line reason. */
export class TwimlError extends AppError {
  constructor(message: string) {
    super('INVALID_INPUT', message);
    this.name = 'TwimlError';
  }
}

/** A value as it appears in a reason: quoted, cut short so a huge value cannot flood a log line. */
export function quoted(value: string): string {
  const text = JSON.stringify(value);
  return text.length <= 60 ? text : `${text.slice(0, 56)}..."`;
}

/** Adds a note. */
export function note(context: ParseContext, level: DocumentNote['level'], where: string, message: string): void {
  context.notes.push({ level, where, message });
}

/** `text` resolved against the document's URL as an absolute http(s) URL; `fail` says why not. */
export function resolveUrl(text: string, origin: DocumentOrigin, fail: (message: string) => never): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    if (origin.url === undefined) fail(`${quoted(text)} is relative, and the document has no URL to resolve it against`);
    try {
      url = new URL(text, origin.url);
    } catch {
      fail(`must be an http(s) URL, got ${quoted(text)}`);
    }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(`must be an http(s) URL, got ${quoted(text)}`);
  return url.href;
}

const BOUNDLESS = Number.MAX_SAFE_INTEGER;

/** Reads one element's attributes, remembering which it read. */
export class Attributes {
  private readonly read = new Set<string>();

  /** `where` names the element in messages (`<Gather>`, `<Dial><Number>`). */
  constructor(
    private readonly element: XmlElement,
    readonly where: string,
    private readonly context: ParseContext,
  ) {}

  /** The attribute as written, marking it as known. */
  raw(name: string): string | undefined {
    this.read.add(name);
    return this.element.attributes.get(name);
  }

  /** True when the element has it. */
  has(name: string): boolean {
    return this.element.attributes.has(name);
  }

  /** Fails naming the element and the attribute. */
  fail(name: string, message: string): never {
    throw new TwimlError(`${this.where} ${name} ${message}`);
  }

  /** `true` or `false` (as written: TwiML has no other spelling), or `fallback` when absent. */
  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (value !== 'true' && value !== 'false') this.fail(name, `must be true or false, got ${quoted(value)}`);
    return value === 'true';
  }

  /** A whole number in [min, max], or `fallback` when absent. */
  whole(name: string, fallback: number, min: number, max = BOUNDLESS): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      const range = max === BOUNDLESS ? ` ≥ ${min}` : ` from ${min} to ${max}`;
      this.fail(name, `must be a whole number${range}, got ${quoted(value)}`);
    }
    return parsed;
  }

  /** One of `values` (exactly as written), or `fallback` when absent. */
  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const found = values.find((v) => v === value);
    if (found === undefined) this.fail(name, `must be one of ${values.join(', ')}, got ${quoted(value)}`);
    return found;
  }

  /** `GET` or `POST` (any case), `POST` when absent. */
  method(name: string): 'GET' | 'POST' {
    const value = this.raw(name);
    if (value === undefined) return 'POST';
    const upper = value.trim().toUpperCase();
    if (upper !== 'GET' && upper !== 'POST') this.fail(name, `must be GET or POST, got ${quoted(value)}`);
    return upper;
  }

  /** Space-separated words, each one of `allowed`; `fallback` when absent. */
  words(name: string, allowed: readonly string[], fallback: readonly string[]): readonly string[] {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const words = value.split(/[\s,]+/).filter((word) => word !== '');
    const wrong = words.find((word) => !allowed.includes(word));
    if (words.length === 0 || wrong !== undefined) this.fail(name, `must be words among ${allowed.join(' ')}, got ${quoted(value)}`);
    return words;
  }

  /** An absolute http(s) URL, resolved against the document's; undefined when absent (or empty, with `emptyIsAbsent`). */
  url(name: string, options: { emptyIsAbsent?: boolean } = {}): string | undefined {
    const value = this.raw(name)?.trim();
    if (value === undefined || (value === '' && options.emptyIsAbsent === true)) return undefined;
    return resolveUrl(value, this.context.origin, (message) => this.fail(name, message));
  }

  /** A known attribute this service does not act on: noted when present. */
  ignore(name: string, level: DocumentNote['level'], why: string): void {
    if (this.raw(name) !== undefined) note(this.context, level, `${this.where} ${name}`, `${this.where} ${name} ${why}`);
  }

  /** Notes every attribute never read: Twilio ignores attributes it does not know. */
  finish(): void {
    for (const name of this.element.attributes.keys()) {
      if (!this.read.has(name)) note(this.context, 'debug', `${this.where} ${name}`, `${this.where} ${name} is not a known attribute: ignored`);
    }
  }
}
