/**
 * A parsed subset of Asterisk's extensions.conf: contexts, `exten =>` / `same =>`,
 * priorities `1`, `n` and `n(label)`, `include =>`, `[globals]`, and extension patterns
 * (`_X.`, `_[a-z].`, with X Z N [..] . ! as in Asterisk). Which apps run is the PBX's
 * business (pbx.ts); this file only finds the step for (context, extension, priority).
 */
import { readFileSync } from 'node:fs';

/** One dialplan step: `App(data)`, data not yet substituted. */
export interface Step {
  priority: number;
  label?: string;
  app: string;
  data: string;
}

interface Extension {
  name: string;
  regex?: RegExp;
  /** Per-position choice counts, for Asterisk's "most specific pattern first" order. */
  weight: number[];
  steps: Map<number, Step>;
}

interface Context {
  name: string;
  extensions: Extension[];
  includes: string[];
}

function stripComment(line: string): string {
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && line[i + 1] === ';') {
      out += ';';
      i++;
    } else if (c === ';') {
      break;
    } else {
      out += c;
    }
  }
  return out.trim();
}

/** Compiles an Asterisk extension pattern (`_X.`) to a regular expression. */
export function compilePattern(pattern: string): { regex: RegExp; weight: number[] } {
  let src = '';
  const weight: number[] = [];
  for (let i = 1; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    const upper = c.toUpperCase();
    if (upper === 'X') {
      src += '[0-9]';
      weight.push(10);
    } else if (upper === 'Z') {
      src += '[1-9]';
      weight.push(9);
    } else if (upper === 'N') {
      src += '[2-9]';
      weight.push(8);
    } else if (c === '.') {
      src += '.+';
      weight.push(Number.MAX_SAFE_INTEGER - 1);
    } else if (c === '!') {
      src += '.*';
      weight.push(Number.MAX_SAFE_INTEGER);
    } else if (c === '[') {
      const end = pattern.indexOf(']', i);
      const body = end === -1 ? pattern.slice(i + 1) : pattern.slice(i + 1, end);
      src += `[${body.replace(/[\\\]^]/g, '\\$&')}]`;
      weight.push(classSize(body));
      i = end === -1 ? pattern.length : end;
    } else {
      src += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      weight.push(1);
    }
  }
  return { regex: new RegExp(`^${src}$`), weight };
}

function classSize(body: string): number {
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i + 1] === '-' && i + 2 < body.length) {
      n += Math.abs((body.charCodeAt(i + 2) ?? 0) - body.charCodeAt(i)) + 1;
      i += 2;
    } else {
      n++;
    }
  }
  return n;
}

function compareWeight(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? -1;
    const y = b[i] ?? -1;
    if (x !== y) return x - y;
  }
  return 0;
}

/** A loaded dialplan. */
export class Dialplan {
  private readonly contexts = new Map<string, Context>();
  /** `[globals]` variables. */
  readonly globals = new Map<string, string>();

  /** Parses extensions.conf text; `warn` hears about lines it does not understand. */
  static parse(text: string, warn: (line: string) => void = () => {}): Dialplan {
    const plan = new Dialplan();
    let context: Context | undefined;
    let section = '';
    let last: { ext: Extension; priority: number } | undefined;
    for (const raw of text.split(/\r?\n/)) {
      const line = stripComment(raw);
      if (line === '') continue;
      const header = /^\[([^\]]+)\]/.exec(line);
      if (header !== null) {
        section = (header[1] ?? '').trim();
        context = section === 'general' || section === 'globals' ? undefined : plan.context(section);
        last = undefined;
        continue;
      }
      const eq = /^([A-Za-z_]+)\s*=>?\s*(.*)$/.exec(line);
      if (eq === null) {
        warn(`dialplan: cannot parse "${line}"`);
        continue;
      }
      const key = (eq[1] ?? '').toLowerCase();
      const value = eq[2] ?? '';
      if (section === 'globals') {
        plan.globals.set(eq[1] ?? '', value);
        continue;
      }
      if (context === undefined) continue;
      if (key === 'include') {
        context.includes.push(value.trim());
      } else if (key === 'exten' || key === 'same') {
        const parsed = plan.addStep(context, key === 'same' ? last : undefined, value, warn);
        if (parsed !== undefined) last = parsed;
      } else {
        warn(`dialplan: ignoring "${line}"`);
      }
    }
    return plan;
  }

  /** Reads and parses a file; a missing file is an empty dialplan. */
  static load(path: string, warn: (line: string) => void = () => {}): Dialplan {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      warn(`dialplan: cannot read ${path}; the dialplan is empty`);
      return new Dialplan();
    }
    return Dialplan.parse(text, warn);
  }

  private context(name: string): Context {
    let ctx = this.contexts.get(name);
    if (ctx === undefined) {
      ctx = { name, extensions: [], includes: [] };
      this.contexts.set(name, ctx);
    }
    return ctx;
  }

  private addStep(
    context: Context,
    previous: { ext: Extension; priority: number } | undefined,
    value: string,
    warn: (line: string) => void,
  ): { ext: Extension; priority: number } | undefined {
    let rest = value;
    let ext: Extension;
    if (previous === undefined) {
      const comma = rest.indexOf(',');
      if (comma === -1) {
        warn(`dialplan: bad exten "${value}"`);
        return undefined;
      }
      const name = rest.slice(0, comma).trim();
      rest = rest.slice(comma + 1);
      ext = this.extension(context, name);
    } else {
      ext = previous.ext;
    }
    const comma = rest.indexOf(',');
    const prioText = (comma === -1 ? rest : rest.slice(0, comma)).trim();
    const appText = comma === -1 ? '' : rest.slice(comma + 1).trim();
    const prio = /^(n|\d+)(?:\(([^)]*)\))?$/.exec(prioText);
    if (prio === null) {
      warn(`dialplan: unsupported priority "${prioText}"`);
      return undefined;
    }
    const last = previous?.ext === ext ? previous.priority : Math.max(0, ...ext.steps.keys());
    const priority = prio[1] === 'n' ? last + 1 : Number(prio[1]);
    const open = appText.indexOf('(');
    const app = (open === -1 ? appText : appText.slice(0, open)).trim();
    const data = open === -1 ? '' : appText.slice(open + 1, appText.endsWith(')') ? -1 : undefined);
    const step: Step = { priority, app, data };
    if (prio[2] !== undefined) step.label = prio[2];
    ext.steps.set(priority, step);
    return { ext, priority };
  }

  private extension(context: Context, name: string): Extension {
    let ext = context.extensions.find((e) => e.name === name);
    if (ext === undefined) {
      if (name.startsWith('_')) {
        const { regex, weight } = compilePattern(name);
        ext = { name, regex, weight, steps: new Map() };
      } else {
        ext = { name, weight: [], steps: new Map() };
      }
      context.extensions.push(ext);
    }
    return ext;
  }

  private match(contextName: string, exten: string, seen = new Set<string>()): Extension | undefined {
    if (seen.has(contextName)) return undefined;
    seen.add(contextName);
    const ctx = this.contexts.get(contextName);
    if (ctx === undefined) return undefined;
    const literal = ctx.extensions.find((e) => e.regex === undefined && e.name === exten);
    if (literal !== undefined) return literal;
    const patterns = ctx.extensions.filter((e) => e.regex?.test(exten) === true).sort((a, b) => compareWeight(a.weight, b.weight));
    if (patterns[0] !== undefined) return patterns[0];
    for (const inc of ctx.includes) {
      const found = this.match(inc, exten, seen);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** Whether the context exists. */
  hasContext(context: string): boolean {
    return this.contexts.has(context);
  }

  /** The step at (context, exten, priority), if the dialplan has one. */
  step(context: string, exten: string, priority: number): Step | undefined {
    return this.match(context, exten)?.steps.get(priority);
  }

  /** Whether (context, exten) exists with a priority 1, as `ast_exists_extension` checks. */
  exists(context: string, exten: string, priority = 1): boolean {
    return this.step(context, exten, priority) !== undefined;
  }

  /** The priority carrying a label, if any. */
  findLabel(context: string, exten: string, label: string): number | undefined {
    const ext = this.match(context, exten);
    if (ext === undefined) return undefined;
    for (const s of ext.steps.values()) if (s.label === label) return s.priority;
    return undefined;
  }
}
