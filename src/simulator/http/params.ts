/**
 * Request parameters as Asterisk's generated ARI stubs read them: query string first,
 * then the fields of a JSON body override them (for every operation; that is how
 * `{"media": ["a", "b"]}` works, fact 24), path parameters apart. A repeated query
 * parameter keeps only its last value (`media=a&media=b` plays b).
 */

/** The parameters of one request. */
export class Params {
  constructor(
    private readonly query: ReadonlyMap<string, string>,
    private readonly path: Readonly<Record<string, string>>,
    /** The JSON body, when it was an object. */
    readonly body: Readonly<Record<string, unknown>> | undefined,
  ) {}

  private raw(name: string): unknown {
    if (Object.hasOwn(this.path, name)) return this.path[name];
    if (this.body !== undefined && Object.hasOwn(this.body, name)) return this.body[name];
    return this.query.get(name);
  }

  /** Whether the parameter was given at all. */
  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  /** A string parameter (numbers and booleans from a JSON body are turned into text). */
  str(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(',');
    return JSON.stringify(v);
  }

  /** A path parameter (always present when the route matched). */
  pathParam(name: string): string {
    return this.path[name] ?? '';
  }

  /** An integer, parsed as C's atoi does ("abc" is 0). */
  int(name: string, fallback: number): number {
    const v = this.raw(name);
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'number') return Math.trunc(v);
    const m = /^\s*([+-]?\d+)/.exec(this.str(name) ?? '');
    return m === null ? 0 : Number.parseInt(m[1] ?? '0', 10);
  }

  /** A boolean, as Asterisk's ast_true reads it. */
  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name);
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'boolean') return v;
    return /^(yes|true|y|t|1|on)$/i.test((this.str(name) ?? '').trim());
  }

  /**
   * A list (allowMultiple): a JSON array, or the comma-separated value of the
   * query or path. A JSON string is one item, commas and all (fact 72).
   */
  list(name: string): string[] | undefined {
    const v = this.raw(name);
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : String(x)));
    const s = this.str(name) ?? '';
    const fromBody = !Object.hasOwn(this.path, name) && this.body !== undefined && Object.hasOwn(this.body, name);
    if (fromBody) return s === '' ? [] : [s];
    return s === '' ? [] : s.split(',');
  }

  /** A JSON object from the body (for example `variables`). */
  object(name: string): Record<string, unknown> | undefined {
    const v = this.body?.[name];
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  }
}
