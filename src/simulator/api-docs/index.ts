/**
 * The simulator's own Swagger 1.1 description of ARI: the subset of Asterisk 22's API
 * that stasis-flows uses, with Asterisk's resource names, paths, nicknames, parameters
 * and models, so the unmodified ari-client builds the same `client.<resource>.<op>` and
 * sends the same requests as against a real Asterisk.
 *
 * Served at `/ari/api-docs/resources.json` and `/ari/api-docs/{name}.json`; the
 * simulator's router is derived from `listOperations()`, so the two cannot drift.
 */
import type { ResourceSpec } from './define.js';
import type { ApiDeclaration, ApiOperation, ApiParameter, ResourceListing } from './types.js';
import { applications } from './applications.js';
import { asterisk } from './asterisk.js';
import { bridges } from './bridges.js';
import { channels } from './channels.js';
import { endpoints } from './endpoints.js';
import { events } from './events.js';
import { mailboxes } from './mailboxes.js';
import { playbacks } from './playbacks.js';
import { recordings } from './recordings.js';
import { sounds } from './sounds.js';

export type * from './types.js';
export { EVENT_TYPES, type EventType } from './events.js';

/** The version of the ARI API as a whole (resources.json), as Asterisk 22 reports it. */
export const ARI_API_VERSION = '10.0.0';
/** The version every declaration reports, as Asterisk 22 does. */
export const DECLARATION_API_VERSION = '2.0.0';

/** In Asterisk's order (deviceStates, which Asterisk lists between playbacks and mailboxes, is left out). */
const RESOURCES: readonly ResourceSpec[] = [asterisk, endpoints, channels, bridges, recordings, sounds, playbacks, mailboxes, events, applications];

/** The served resource names: `/ari/api-docs/{name}.json`. */
export const RESOURCE_NAMES: readonly string[] = Object.freeze(RESOURCES.map((r) => r.name));

export interface ApiDocs {
  resources: ResourceListing;
  /** By resource name: 'asterisk', 'endpoints', 'channels', ... */
  declarations: Record<string, ApiDeclaration>;
}

/** One operation, flattened, for the simulator's router. `path` is relative to basePath: `/channels/{channelId}/play`. */
export interface OperationRoute {
  resource: string;
  nickname: string;
  httpMethod: ApiOperation['httpMethod'];
  path: string;
  parameters: ApiParameter[];
  /** `void` (answer 204), `binary`, a model name, or `List[Model]`. */
  responseClass: string;
  /** `websocket` for `GET /events`. */
  upgrade?: 'websocket';
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

// The data is shared by every build, so freeze it: a consumer that mutates it throws
// instead of changing what every later client downloads.
for (const resource of RESOURCES) deepFreeze(resource);

function build(basePath: string): ApiDocs {
  const declarations: Record<string, ApiDeclaration> = {};
  for (const r of RESOURCES) {
    declarations[r.name] = {
      apiVersion: DECLARATION_API_VERSION,
      swaggerVersion: r.swaggerVersion,
      basePath,
      resourcePath: `/api-docs/${r.name}.{format}`,
      apis: r.apis,
      models: r.models,
    };
  }
  const resources: ResourceListing = {
    apiVersion: ARI_API_VERSION,
    swaggerVersion: '1.1',
    basePath,
    apis: RESOURCES.map((r) => ({ path: `/api-docs/${r.name}.{format}`, description: r.description })),
  };
  return deepFreeze({ resources, declarations });
}

/** Host headers are chosen by clients, so the cache is bounded. */
const CACHE_LIMIT = 32;
const cache = new Map<string, ApiDocs>();

/**
 * The resource listing and every declaration for a basePath such as
 * `http://127.0.0.1:8088/ari`. Asterisk builds basePath from the request's `Host`
 * header, and so should the simulator. Cached per basePath; the result is frozen.
 */
export function buildApiDocs(basePath: string): ApiDocs {
  let docs = cache.get(basePath);
  if (docs === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    docs = build(basePath);
    cache.set(basePath, docs);
  }
  return docs;
}

let operations: OperationRoute[] | undefined;

/** Every operation of every served resource, flattened (frozen, built once). */
export function listOperations(): OperationRoute[] {
  operations ??= deepFreeze(
    RESOURCES.flatMap((r) =>
      r.apis.flatMap((api) =>
        api.operations.map((o): OperationRoute => ({
          resource: r.name,
          nickname: o.nickname,
          httpMethod: o.httpMethod,
          path: api.path,
          parameters: o.parameters ?? [],
          responseClass: o.responseClass,
          ...(o.upgrade === undefined ? {} : { upgrade: o.upgrade }),
        })),
      ),
    ),
  );
  return operations;
}
