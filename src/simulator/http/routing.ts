/**
 * The HTTP router, derived from the API description (`listOperations()`), so what the
 * simulator serves and what it describes cannot drift. Paths match segment by segment on
 * the raw (still encoded) path: a raw `/` inside a name never matches a parameter, an
 * encoded `%2F` does and is decoded (facts 4, 31, 36). Literal segments win over
 * parameters (`/channels/create` over `/channels/{channelId}`).
 */
import type { OperationRoute } from '../api-docs/index.js';

type Segment = { literal: string } | { param: string };

interface CompiledRoute {
  op: OperationRoute;
  segments: Segment[];
  literals: number;
}

/** The outcome of matching a request. */
export type RouteMatch =
  | { kind: 'found'; op: OperationRoute; pathParams: Record<string, string> }
  | { kind: 'not-found' }
  | { kind: 'method-not-allowed'; allow: string[] };

/** Routes requests to operations. */
export class Router {
  private readonly routes: CompiledRoute[];

  constructor(operations: readonly OperationRoute[]) {
    this.routes = operations.map((op) => {
      const segments: Segment[] = op.path
        .split('/')
        .filter((s) => s !== '')
        .map((s) => {
          const m = /^\{([^}]+)\}$/.exec(s);
          return m === null ? { literal: s } : { param: m[1] ?? '' };
        });
      return { op, segments, literals: segments.filter((s) => 'literal' in s).length };
    });
    // Most literal segments first, so literal paths win over parameters.
    this.routes.sort((a, b) => b.literals - a.literals);
  }

  /** Matches `method` and a path relative to `/ari` (for example `/channels/c1/play`). */
  match(method: string, path: string): RouteMatch {
    const trimmed = path.replace(/^\//, '');
    const parts = trimmed === '' ? [] : trimmed.split('/');
    const allow = new Set<string>();
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (params === undefined) continue;
      if (route.op.httpMethod !== method) {
        allow.add(route.op.httpMethod);
        continue;
      }
      return { kind: 'found', op: route.op, pathParams: params };
    }
    return allow.size > 0 ? { kind: 'method-not-allowed', allow: [...allow] } : { kind: 'not-found' };
  }
}

function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const part = parts[i] ?? '';
    if (seg === undefined) return undefined;
    if ('literal' in seg) {
      if (seg.literal !== part) return undefined;
    } else {
      if (part === '') return undefined;
      try {
        params[seg.param] = decodeURIComponent(part);
      } catch {
        return undefined;
      }
    }
  }
  return params;
}
