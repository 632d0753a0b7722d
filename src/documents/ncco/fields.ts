/**
 * Typed reads of one NCCO action's fields. Each read names the field it checks,
 * so a wrong value becomes one problem naming the action index and field, and
 * whatever was never read is left over as an unknown (ignored) field.
 */
import { AppError } from '../../errors.js';

/** A field that fails its check: carries where, for the parser's one-line reason. */
export class NccoFieldError extends AppError {
  readonly field: string | undefined;

  constructor(field: string | undefined, message: string) {
    super('INVALID_INPUT', message);
    this.name = 'NccoFieldError';
    this.field = field;
  }
}

/** A value as it appears in a reason: JSON, cut short so a huge value cannot flood a log line. */
export function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    // JSON.stringify gives undefined for functions and symbols, never met in parsed JSON.
    text = JSON.stringify(value) ?? typeof value;
  } catch {
    text = typeof value;
  }
  return text.length <= 60 ? text : `${text.slice(0, 57)}...`;
}

/** True for a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the fields of one JSON object, remembering which it read. */
export class FieldReader {
  private readonly read = new Set<string>();

  /** `prefix` names a nested object in messages (`dtmf.` for `dtmf.maxDigits`). */
  constructor(
    private readonly fields: Readonly<Record<string, unknown>>,
    private readonly prefix = '',
  ) {}

  /** The field's raw value, marking it as known. */
  raw(name: string): unknown {
    this.read.add(name);
    return this.fields[name];
  }

  /** True when the field is there (and not null). */
  has(name: string): boolean {
    const value = this.fields[name];
    return value !== undefined && value !== null;
  }

  /** Fails naming the field. */
  fail(name: string, message: string): never {
    throw new NccoFieldError(this.prefix + name, `${this.prefix}${name} ${message}`);
  }

  /** A boolean, or `fallback` when absent. */
  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') this.fail(name, `must be true or false, got ${shown(value)}`);
    return value;
  }

  /** A string, or undefined when absent. */
  string(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') this.fail(name, `must be a string, got ${shown(value)}`);
    return value;
  }

  /** A whole number in [min, max], or `fallback` when absent. */
  wholeNumber(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(name, `must be a whole number${range(min, max)}, got ${shown(value)}`);
    }
    return value;
  }

  /** A number in [min, max] (JSON number, or a numeric string when `strings`), or undefined when absent. */
  number(name: string, min: number, max: number, options: { strings?: boolean } = {}): number | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    const parsed = options.strings === true && typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < min || parsed > max) {
      this.fail(name, `must be a number${range(min, max)}, got ${shown(value)}`);
    }
    return parsed;
  }

  /** One of `values` (compared without case), or `fallback` when absent. */
  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined || value === null) return fallback;
    const found = typeof value === 'string' ? values.find((v) => v.toLowerCase() === value.toLowerCase()) : undefined;
    if (found === undefined) this.fail(name, `must be one of ${values.join(', ')}, got ${shown(value)}`);
    return found;
  }

  /**
   * One http(s) URL: NCCO writes URLs as an array of one string; a bare string is
   * accepted too, since hand-written NCCOs often drop the brackets.
   */
  url(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    const candidate = Array.isArray(value) && value.length === 1 ? (value[0] as unknown) : value;
    if (typeof candidate !== 'string' || !isHttpUrl(candidate)) {
      this.fail(name, `must be an array of one http(s) URL, got ${shown(value)}`);
    }
    return candidate;
  }

  /** `GET` or `POST` (any case), or `fallback` when absent. */
  method(name: string, fallback: 'GET' | 'POST'): 'GET' | 'POST' {
    return this.oneOf(name, ['GET', 'POST'] as const, fallback);
  }

  /** A JSON object, or undefined when absent. */
  object(name: string): Record<string, unknown> | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (!isObject(value)) this.fail(name, `must be an object, got ${shown(value)}`);
    return value;
  }

  /** The fields never read, with the prefix: what the parser lists as ignored. */
  unknown(): string[] {
    return Object.keys(this.fields)
      .filter((key) => !this.read.has(key))
      .map((key) => this.prefix + key);
  }
}

function range(min: number, max: number): string {
  if (min <= -Number.MAX_SAFE_INTEGER) return '';
  if (max >= Number.MAX_SAFE_INTEGER) return ` of at least ${min}`;
  return min < 0 ? ` from ${min} to ${max}` : ` ${min}-${max}`;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
