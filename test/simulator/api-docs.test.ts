/**
 * The simulator's API description (src/simulator/api-docs) checked three ways:
 * 1. its own invariants, and the exact list of operations stasis-flows needs;
 * 2. the real ari-client 2.2.0 downloads it from a tiny HTTP server and builds
 *    `client.<resource>.<nickname>` for every operation, and routes every event type;
 * 3. what ari-client then really sends (query strings, bodies, headers), which the
 *    simulator's router has to accept.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { EVENT_TYPES, RESOURCE_NAMES, buildApiDocs, listOperations } from '../../src/simulator/api-docs/index.js';
import type { ApiDeclaration, ApiModel, OperationRoute } from '../../src/simulator/api-docs/index.js';

/** Every operation stasis-flows may call: resource -> [nickname, method, path]. */
const EXPECTED: Record<string, [string, OperationRoute['httpMethod'], string][]> = {
  asterisk: [
    ['getInfo', 'GET', '/asterisk/info'],
    ['ping', 'GET', '/asterisk/ping'],
    ['listModules', 'GET', '/asterisk/modules'],
    ['getModule', 'GET', '/asterisk/modules/{moduleName}'],
    ['reloadModule', 'PUT', '/asterisk/modules/{moduleName}'],
  ],
  endpoints: [['list', 'GET', '/endpoints']],
  channels: [
    ['list', 'GET', '/channels'],
    ['originate', 'POST', '/channels'],
    ['create', 'POST', '/channels/create'],
    ['get', 'GET', '/channels/{channelId}'],
    ['originateWithId', 'POST', '/channels/{channelId}'],
    ['hangup', 'DELETE', '/channels/{channelId}'],
    ['continueInDialplan', 'POST', '/channels/{channelId}/continue'],
    ['answer', 'POST', '/channels/{channelId}/answer'],
    ['ring', 'POST', '/channels/{channelId}/ring'],
    ['ringStop', 'DELETE', '/channels/{channelId}/ring'],
    ['progress', 'POST', '/channels/{channelId}/progress'],
    ['sendDTMF', 'POST', '/channels/{channelId}/dtmf'],
    ['mute', 'POST', '/channels/{channelId}/mute'],
    ['unmute', 'DELETE', '/channels/{channelId}/mute'],
    ['hold', 'POST', '/channels/{channelId}/hold'],
    ['unhold', 'DELETE', '/channels/{channelId}/hold'],
    ['startMoh', 'POST', '/channels/{channelId}/moh'],
    ['stopMoh', 'DELETE', '/channels/{channelId}/moh'],
    ['startSilence', 'POST', '/channels/{channelId}/silence'],
    ['stopSilence', 'DELETE', '/channels/{channelId}/silence'],
    ['play', 'POST', '/channels/{channelId}/play'],
    ['playWithId', 'POST', '/channels/{channelId}/play/{playbackId}'],
    ['record', 'POST', '/channels/{channelId}/record'],
    ['getChannelVar', 'GET', '/channels/{channelId}/variable'],
    ['setChannelVar', 'POST', '/channels/{channelId}/variable'],
    ['snoopChannel', 'POST', '/channels/{channelId}/snoop'],
    ['snoopChannelWithId', 'POST', '/channels/{channelId}/snoop/{snoopId}'],
    ['dial', 'POST', '/channels/{channelId}/dial'],
  ],
  bridges: [
    ['list', 'GET', '/bridges'],
    ['create', 'POST', '/bridges'],
    ['createWithId', 'POST', '/bridges/{bridgeId}'],
    ['get', 'GET', '/bridges/{bridgeId}'],
    ['destroy', 'DELETE', '/bridges/{bridgeId}'],
    ['addChannel', 'POST', '/bridges/{bridgeId}/addChannel'],
    ['removeChannel', 'POST', '/bridges/{bridgeId}/removeChannel'],
    ['startMoh', 'POST', '/bridges/{bridgeId}/moh'],
    ['stopMoh', 'DELETE', '/bridges/{bridgeId}/moh'],
    ['play', 'POST', '/bridges/{bridgeId}/play'],
    ['playWithId', 'POST', '/bridges/{bridgeId}/play/{playbackId}'],
    ['record', 'POST', '/bridges/{bridgeId}/record'],
  ],
  recordings: [
    ['listStored', 'GET', '/recordings/stored'],
    ['getStored', 'GET', '/recordings/stored/{recordingName}'],
    ['deleteStored', 'DELETE', '/recordings/stored/{recordingName}'],
    ['getStoredFile', 'GET', '/recordings/stored/{recordingName}/file'],
    ['copyStored', 'POST', '/recordings/stored/{recordingName}/copy'],
    ['getLive', 'GET', '/recordings/live/{recordingName}'],
    ['cancel', 'DELETE', '/recordings/live/{recordingName}'],
    ['stop', 'POST', '/recordings/live/{recordingName}/stop'],
    ['pause', 'POST', '/recordings/live/{recordingName}/pause'],
    ['unpause', 'DELETE', '/recordings/live/{recordingName}/pause'],
    ['mute', 'POST', '/recordings/live/{recordingName}/mute'],
    ['unmute', 'DELETE', '/recordings/live/{recordingName}/mute'],
  ],
  sounds: [
    ['list', 'GET', '/sounds'],
    ['get', 'GET', '/sounds/{soundId}'],
  ],
  playbacks: [
    ['get', 'GET', '/playbacks/{playbackId}'],
    ['stop', 'DELETE', '/playbacks/{playbackId}'],
    ['control', 'POST', '/playbacks/{playbackId}/control'],
  ],
  mailboxes: [
    ['list', 'GET', '/mailboxes'],
    ['get', 'GET', '/mailboxes/{mailboxName}'],
    ['update', 'PUT', '/mailboxes/{mailboxName}'],
    ['delete', 'DELETE', '/mailboxes/{mailboxName}'],
  ],
  events: [
    ['eventWebsocket', 'GET', '/events'],
    ['userEvent', 'POST', '/events/user/{eventName}'],
  ],
  applications: [
    ['list', 'GET', '/applications'],
    ['get', 'GET', '/applications/{applicationName}'],
    ['subscribe', 'POST', '/applications/{applicationName}/subscription'],
    ['unsubscribe', 'DELETE', '/applications/{applicationName}/subscription'],
  ],
};

const PRIMITIVES = new Set(['string', 'int', 'long', 'double', 'boolean', 'Date', 'object', 'void', 'binary', 'containers']);
/** The models ari-client turns into resource objects (its `knownTypes`). */
const KNOWN_TYPES = new Set(['Application', 'Asterisk', 'Channel', 'Bridge', 'DeviceState', 'Endpoint', 'LiveRecording', 'Mailbox', 'Playback', 'Sound', 'StoredRecording']);

/** `List[Channel]` -> `Channel`. */
function elementType(type: string): string {
  return /^List\[(.+)\]$/.exec(type)?.[1] ?? type;
}

function declarationsOf(basePath: string): [string, ApiDeclaration][] {
  return Object.entries(buildApiDocs(basePath).declarations);
}

/** All models of all declarations, as swagger-client merges them. */
function allModels(basePath: string): Map<string, ApiModel> {
  const models = new Map<string, ApiModel>();
  for (const [, declaration] of declarationsOf(basePath)) for (const [id, m] of Object.entries(declaration.models)) models.set(id, m);
  return models;
}

describe('API description invariants', () => {
  const basePath = 'http://sim.example:8088/ari';
  const docs = buildApiDocs(basePath);

  it('lists exactly the served resources, in order, with no deviceStates', () => {
    expect(Object.keys(docs.declarations)).toEqual(Object.keys(EXPECTED));
    expect(RESOURCE_NAMES).toEqual(Object.keys(EXPECTED));
    expect(docs.resources.apis.map((a) => a.path)).toEqual(Object.keys(EXPECTED).map((name) => `/api-docs/${name}.{format}`));
    expect(docs.resources.basePath).toBe(basePath);
    for (const [name, declaration] of declarationsOf(basePath)) {
      expect(declaration.basePath).toBe(basePath);
      expect(declaration.resourcePath).toBe(`/api-docs/${name}.{format}`);
    }
  });

  it('has exactly the operations stasis-flows needs', () => {
    for (const [name, declaration] of declarationsOf(basePath)) {
      const actual = declaration.apis.flatMap((api) => api.operations.map((o) => [o.nickname, o.httpMethod, api.path]));
      expect(actual, name).toEqual(EXPECTED[name]);
    }
    const routes = listOperations();
    expect(routes).toHaveLength(Object.values(EXPECTED).flat().length);
    expect(routes.find((r) => r.resource === 'channels' && r.nickname === 'playWithId')).toMatchObject({
      httpMethod: 'POST',
      path: '/channels/{channelId}/play/{playbackId}',
      responseClass: 'Playback',
    });
    expect(routes.find((r) => r.nickname === 'eventWebsocket')?.upgrade).toBe('websocket');
  });

  it('has a unique nickname per resource, and a path parameter for every {name} in a path', () => {
    for (const [name, declaration] of declarationsOf(basePath)) {
      const nicknames = declaration.apis.flatMap((api) => api.operations.map((o) => o.nickname));
      expect(new Set(nicknames).size, name).toBe(nicknames.length);
      for (const api of declaration.apis) {
        const inPath = [...api.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
        for (const o of api.operations) {
          const pathParams = (o.parameters ?? []).filter((p) => p.paramType === 'path');
          expect(pathParams.map((p) => p.name).sort(), `${name}.${o.nickname}`).toEqual(inPath);
          for (const p of pathParams) expect(p.required).toBe(true);
          const names = (o.parameters ?? []).map((p) => p.name);
          expect(new Set(names).size, `${name}.${o.nickname} parameter names`).toBe(names.length);
        }
      }
    }
  });

  it('resolves every model a responseClass or property refers to (across declarations, as swagger-client merges them)', () => {
    const models = allModels(basePath);
    const known = (type: string): boolean => PRIMITIVES.has(elementType(type)) || models.has(elementType(type));
    for (const [name, declaration] of declarationsOf(basePath)) {
      for (const api of declaration.apis) for (const o of api.operations) expect(known(o.responseClass), `${name}.${o.nickname} -> ${o.responseClass}`).toBe(true);
      for (const [id, m] of Object.entries(declaration.models)) {
        expect(m.id, `${name} model key`).toBe(id);
        for (const [propName, p] of Object.entries(m.properties)) expect(known(p.type), `${id}.${propName}: ${p.type}`).toBe(true);
        for (const sub of m.subTypes ?? []) expect(models.has(sub), `${id} subtype ${sub}`).toBe(true);
      }
    }
  });

  it('declares a model for every event type, in events.json', () => {
    const events = docs.declarations['events'];
    expect(events?.models['Event']?.subTypes).toEqual([...EVENT_TYPES]);
    expect(events?.models['Message']?.subTypes).toEqual(['MissingParams', 'Event']);
    for (const type of EVENT_TYPES) expect(events?.models[type], type).toBeDefined();
  });

  it('keeps the details ari-client and the router depend on', () => {
    const param = (resource: string, nickname: string, name: string) =>
      listOperations().find((r) => r.resource === resource && r.nickname === nickname)?.parameters.find((p) => p.name === name);
    expect(param('channels', 'record', 'ifExists')).toMatchObject({ paramType: 'query', dataType: 'string', defaultValue: 'fail' });
    expect(param('channels', 'record', 'beep')).toMatchObject({ dataType: 'boolean', defaultValue: false });
    expect(param('channels', 'play', 'media')).toMatchObject({ paramType: 'query', required: true, allowMultiple: true });
    expect(param('channels', 'originate', 'variables')).toMatchObject({ paramType: 'body', dataType: 'containers' });
    expect(param('channels', 'dial', 'caller')).toMatchObject({ paramType: 'query', dataType: 'string' });
    expect(param('channels', 'dial', 'timeout')).toMatchObject({ dataType: 'int', defaultValue: 0 });
    expect(listOperations().find((r) => r.nickname === 'getStoredFile')?.responseClass).toBe('binary');
    expect(docs.declarations['events']?.swaggerVersion).toBe('1.2');
  });

  it('builds once per basePath and cannot be mutated by a consumer', () => {
    expect(buildApiDocs(basePath)).toBe(docs);
    expect(buildApiDocs('http://other:1/ari').resources.basePath).toBe('http://other:1/ari');
    expect(listOperations()).toBe(listOperations());
    expect(Object.isFrozen(docs.declarations['channels']?.apis[0])).toBe(true);
    expect(() => {
      docs.resources.apis.push({ path: '/x', description: 'x' });
    }).toThrow(TypeError);
  });
});

// --- the real ari-client against the description --------------------------------

/** What the test server saw of one request. */
interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

/** The part of ari-client this test touches (it ships no type declarations). */
type AriOperation = (params?: Record<string, unknown>) => Promise<unknown>;
interface AriEvent {
  type: string;
  [key: string]: unknown;
}
interface AriClient {
  start(apps: string | string[]): Promise<void>;
  stop(): void;
  on(event: string, listener: (event: AriEvent, resources: unknown) => void): unknown;
  _swagger: { apis: Record<string, { models: Record<string, { properties: { name: string; dataType: string }[] }> }> };
}
interface AriModule {
  connect(url: string, user: string, pass: string): Promise<AriClient>;
}

const AUTH = `Basic ${Buffer.from('asterisk:asterisk').toString('base64')}`;
const WAV = Buffer.from([0x52, 0x49, 0x46, 0x46, 0x00, 0xff, 0x80, 0x7f, 0x0a, 0x0d]);

function routeOf(method: string, pathname: string): OperationRoute | undefined {
  return listOperations().find((r) => {
    if (r.httpMethod !== method) return false;
    const pattern = new RegExp(`^/ari${r.path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return pattern.test(pathname);
  });
}

/** A plausible JSON answer for a response class, enough for ari-client to build a resource. */
function sampleBody(responseClass: string): unknown {
  const one = (type: string): Record<string, unknown> => {
    switch (type) {
      case 'Channel': return { id: 'c1', name: 'Local/100@trace-00000001;1', state: 'Down' };
      case 'Bridge': return { id: 'b1', channels: [] };
      case 'Playback': return { id: 'p1', media_uri: 'sound:a', target_uri: 'channel:c1', state: 'queued' };
      case 'LiveRecording': return { name: 'r1', format: 'wav', state: 'queued', target_uri: 'channel:c1' };
      case 'StoredRecording': return { name: 'r1', format: 'wav' };
      default: return {};
    }
  };
  const list = /^List\[(.+)\]$/.exec(responseClass);
  return list?.[1] === undefined ? one(responseClass) : [one(list[1])];
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status, { 'Content-Type': 'application/json' }).end();
  } else {
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  }
}

describe('the real ari-client 2.2.0 against the description', () => {
  let server: Server;
  let wss: WebSocketServer;
  let socket: WebSocket | undefined;
  let baseUrl: string;
  let client: AriClient;
  const seen: Seen[] = [];

  function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', baseUrl);
    seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, contentType: req.headers['content-type'], body });
    if (req.headers.authorization !== AUTH) return send(res, 401, { message: 'Authentication required' });
    const docs = buildApiDocs(`http://${req.headers.host ?? ''}/ari`);
    const doc = /^\/ari\/api-docs\/([A-Za-z]+)\.json$/.exec(url.pathname)?.[1];
    if (doc !== undefined) {
      const served = doc === 'resources' ? docs.resources : docs.declarations[doc];
      return served === undefined ? send(res, 404, { message: 'Resource not found' }) : send(res, 200, served);
    }
    const route = routeOf(req.method ?? '', url.pathname);
    if (route === undefined) return send(res, 404, { message: 'Resource not found' });
    if (route.responseClass === 'void') return send(res, 204);
    if (route.responseClass === 'binary') {
      res.writeHead(200, { 'Content-Type': 'audio/wav' }).end(WAV);
      return;
    }
    const created = route.nickname === 'play' || route.nickname === 'playWithId' || route.nickname === 'record';
    send(res, created ? 201 : 200, sampleBody(route.responseClass));
  }

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, duplex, head) => {
      const url = new URL(req.url ?? '/', baseUrl);
      seen.push({ method: 'UPGRADE', url: req.url ?? '', authorization: req.headers.authorization, contentType: undefined, body: '' });
      if (url.pathname !== '/ari/events' || url.searchParams.get('api_key') !== 'asterisk:asterisk') {
        duplex.destroy();
        return;
      }
      wss.handleUpgrade(req, duplex, head, (ws) => {
        socket = ws;
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // The architecture rule keeps ari-client inside src/ari/. This test is the one
    // deliberate exception: it checks the simulator's description against the real
    // client. The rule (core no-restricted-imports) only sees static imports, so no
    // eslint-disable is needed here. The specifier is a variable because ari-client
    // ships no type declarations (a literal import is TS7016 under strict); the small
    // surface used here is typed by AriModule above.
    const ariClientModule: string = 'ari-client';
    const ari = ((await import(ariClientModule)) as { default: AriModule }).default;
    // swagger-client 2.0.26 console.logs a "deprecated version of Swagger" notice per declaration.
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      client = await ari.connect(baseUrl, 'asterisk', 'asterisk');
    } finally {
      quiet.mockRestore();
    }
  });

  afterAll(async () => {
    // ari-client's stop() throws when start() never ran (no WebSocket to close).
    if (socket !== undefined) client.stop();
    for (const ws of wss?.clients ?? []) ws.terminate();
    wss?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  function operation(resource: string, nickname: string): AriOperation {
    const ops = (client as unknown as Record<string, Record<string, unknown> | undefined>)[resource];
    const fn = ops?.[nickname];
    if (typeof fn !== 'function') throw new Error(`client.${resource}.${nickname} is not a function`);
    return fn as AriOperation;
  }

  /** Call an operation and return the one request it caused. */
  async function call(resource: string, nickname: string, params: Record<string, unknown>): Promise<{ result: unknown; request: Seen }> {
    const before = seen.length;
    const result = await operation(resource, nickname)(params);
    const requests = seen.slice(before);
    expect(requests).toHaveLength(1);
    return { result, request: requests[0] as Seen };
  }

  it('downloads the listing and every declaration with basic auth (after one unauthenticated probe)', () => {
    const docsRequests = seen.filter((s) => s.url.startsWith('/ari/api-docs/'));
    // ari-client first GETs resources.json without credentials just to see the host is up (401 here), then
    // swagger-client fetches resources.json and each declaration with basic auth.
    expect(docsRequests[0]).toMatchObject({ method: 'GET', url: '/ari/api-docs/resources.json', authorization: undefined });
    const authed = docsRequests.filter((s) => s.authorization === AUTH).map((s) => s.url);
    expect(authed.sort()).toEqual(['resources', ...RESOURCE_NAMES].map((name) => `/ari/api-docs/${name}.json`).sort());
  });

  it('builds client.<resource>.<nickname> for every listed operation', () => {
    for (const [resource, operations] of Object.entries(EXPECTED)) {
      for (const [nickname] of operations) expect(typeof operation(resource, nickname), `client.${resource}.${nickname}`).toBe('function');
    }
    expect(typeof operation('channels', 'playWithId')).toBe('function');
    expect(typeof operation('recordings', 'copyStored')).toBe('function');
    expect(typeof operation('bridges', 'addChannel')).toBe('function');
    expect(typeof operation('channels', 'snoopChannelWithId')).toBe('function');
    // Nothing beyond the description: no deviceStates, no externalMedia.
    expect((client as unknown as Record<string, unknown>)['deviceStates']).toBeUndefined();
    expect(() => operation('channels', 'externalMedia')).toThrow();
  });

  it('has an events model with properties for every event type', () => {
    const models = client._swagger.apis['events']?.models ?? {};
    for (const type of EVENT_TYPES) expect(Array.isArray(models[type]?.properties), type).toBe(true);
    expect(models['StasisStart']?.properties.map((p) => [p.name, p.dataType])).toEqual([
      ['args', 'List[string]'],
      ['channel', 'Channel'],
      ['replace_channel', 'Channel'],
    ]);
  });

  it('sends a multi-valued query parameter (media) as one comma-joined, percent-encoded value', async () => {
    const { result, request } = await call('channels', 'play', { channelId: 'c1', media: ['sound:a', 'sound:b'], playbackId: 'p1' });
    // Observed: ari-client (swagger-client 2.0.26 `urlify`) does encodeURIComponent(array), i.e. the
    // array's toString() "sound:a,sound:b", so the comma arrives as %2C:
    //   POST /ari/channels/c1/play?media=sound%3Aa%2Csound%3Ab&playbackId=p1
    // never repeated `media=` parameters. Asterisk accepts this form (media=a,b); the simulator must
    // split media on commas after percent-decoding. No body and no Content-Type on this POST.
    expect(request).toMatchObject({ method: 'POST', url: '/ari/channels/c1/play?media=sound%3Aa%2Csound%3Ab&playbackId=p1', body: '', contentType: undefined });
    expect(new URL(request.url, baseUrl).searchParams.getAll('media')).toEqual(['sound:a,sound:b']);
    expect(result).toMatchObject({ id: 'p1', state: 'queued' });
    // The result is an ari-client Playback resource, with its operations attached.
    expect(typeof (result as Record<string, unknown>)['stop']).toBe('function');
  });

  it('sends path parameters percent-encoded (playWithId, bridges.addChannel with a list)', async () => {
    const play = await call('channels', 'playWithId', { channelId: 'c1', playbackId: 'p 2', media: 'sound:vm-intro' });
    expect(play.request.url).toBe('/ari/channels/c1/play/p%202?media=sound%3Avm-intro');
    const add = await call('bridges', 'addChannel', { bridgeId: 'br-q', channel: ['c1', 'c2'] });
    expect(add.request).toMatchObject({ method: 'POST', url: '/ari/bridges/br-q/addChannel?channel=c1%2Cc2' });
    expect(add.result).toBe('');
  });

  it('sends the variables body param of originate as a JSON body {"variables": {...}}', async () => {
    const { result, request } = await call('channels', 'originate', {
      endpoint: 'Local/100@trace/n',
      app: 'driver',
      channelId: 'x-drv',
      otherChannelId: 'x-tgt',
      variables: { TARGET_APP: 'target' },
    });
    // Observed: query in parameter-declaration order, the body param left out of the query:
    //   POST /ari/channels?endpoint=Local%2F100%40trace%2Fn&app=driver&channelId=x-drv&otherChannelId=x-tgt
    //   Content-Type: application/json
    //   {"variables":{"TARGET_APP":"target"}}
    // ari-client wraps the value in {"variables": ...} unless it already has a `variables` key.
    expect(request).toMatchObject({
      method: 'POST',
      url: '/ari/channels?endpoint=Local%2F100%40trace%2Fn&app=driver&channelId=x-drv&otherChannelId=x-tgt',
      contentType: 'application/json',
      body: '{"variables":{"TARGET_APP":"target"}}',
    });
    expect(result).toMatchObject({ id: 'c1' });
    const wrapped = await call('channels', 'originate', { endpoint: 'Local/1@x', app: 'a', variables: { variables: { A: '1' } } });
    expect(wrapped.request.body).toBe('{"variables":{"A":"1"}}');
  });

  it('sends booleans as true/false, %2F in recording names, and a JSON Content-Type on bodiless DELETEs', async () => {
    const record = await call('channels', 'record', { channelId: 'c1', name: 'voicemail/305/1', format: 'wav', beep: true, ifExists: 'overwrite', maxSilenceSeconds: 0 });
    expect(record.request.url).toBe('/ari/channels/c1/record?name=voicemail%2F305%2F1&format=wav&maxSilenceSeconds=0&ifExists=overwrite&beep=true');
    expect(record.result).toMatchObject({ name: 'r1', state: 'queued' });

    const stop = await call('recordings', 'stop', { recordingName: 'voicemail/305/1' });
    expect(stop.request).toMatchObject({ method: 'POST', url: '/ari/recordings/live/voicemail%2F305%2F1/stop', body: '' });

    // swagger-client sets Content-Type: application/json on every DELETE, even without a body.
    const hangup = await call('channels', 'hangup', { channelId: 'c1', reason: 'normal' });
    expect(hangup.request).toMatchObject({ method: 'DELETE', url: '/ari/channels/c1?reason=normal', contentType: 'application/json', body: '' });
  });

  it('returns a binary responseClass (getStoredFile) as a Buffer', async () => {
    const { result, request } = await call('recordings', 'getStoredFile', { recordingName: 'voicemail/305/1' });
    expect(request.url).toBe('/ari/recordings/stored/voicemail%2F305%2F1/file');
    // Observed: the bytes arrive intact (no UTF-8 mangling of 0xff/0x80).
    expect(Buffer.isBuffer(result) && result.equals(WAV)).toBe(true);
  });

  it('routes every event type over the WebSocket and promotes resource properties', async () => {
    await client.start('app');
    const upgrade = seen.find((s) => s.method === 'UPGRADE');
    expect(upgrade?.url).toBe('/ari/events?app=app&api_key=asterisk:asterisk');
    await vi.waitFor(() => expect(socket).toBeDefined(), { timeout: 5_000 });

    const models = buildApiDocs('http://unused/ari').declarations['events']?.models ?? {};
    const sample: Record<string, unknown> = {
      Channel: { id: 'c1', name: 'Local/100@trace-00000001;2', state: 'Up' },
      Bridge: { id: 'b1', channels: ['c1'] },
      Playback: { id: 'p1', state: 'playing' },
      LiveRecording: { name: 'r1', format: 'wav', state: 'recording' },
      Endpoint: { technology: 'PJSIP', resource: '305', channel_ids: [] },
    };
    // DeviceStateChanged is left out: ari-client builds a DeviceState resource for it, and that
    // looks up client._swagger.apis.deviceStates, which is not served, so it would throw.
    const types = EVENT_TYPES.filter((t) => t !== 'DeviceStateChanged');
    const received: { event: AriEvent; resources: unknown }[] = [];
    client.on('*', (event, resources) => received.push({ event, resources }));
    for (const type of types) {
      const event: Record<string, unknown> = { type, application: 'app', timestamp: '2026-11-22T09:08:04.935+0000', asterisk_id: 'aa:bb' };
      for (const [name, p] of Object.entries(models[type]?.properties ?? {})) if (KNOWN_TYPES.has(p.type) && sample[p.type] !== undefined) event[name] = sample[p.type];
      socket?.send(JSON.stringify(event));
    }
    await vi.waitFor(() => expect(received).toHaveLength(types.length), { timeout: 5_000 });
    expect(received.map((r) => r.event.type)).toEqual(types);

    // One resource property: the resource itself; several: an object keyed by property name.
    const dtmf = received.find((r) => r.event.type === 'ChannelDtmfReceived')?.resources as Record<string, unknown>;
    expect(dtmf['id']).toBe('c1');
    expect(typeof dtmf['answer']).toBe('function');
    const entered = received.find((r) => r.event.type === 'ChannelEnteredBridge')?.resources as Record<string, Record<string, unknown>>;
    expect(entered['bridge']?.['id']).toBe('b1');
    expect(typeof entered['channel']?.['hangup']).toBe('function');
    const finished = received.find((r) => r.event.type === 'RecordingFinished')?.resources as Record<string, unknown>;
    expect(typeof finished['stop']).toBe('function');
  });
});
