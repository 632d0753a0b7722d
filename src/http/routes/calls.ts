/**
 * Vonage's REST call-control API (NCCO.md §5): `/v1/calls` and its
 * sub-resources, JSON in snake_case, translated to and from `CallControl`.
 * Every route needs an application JWT (auth.ts) and sees only that
 * application's calls. Bodies are checked by fastify's JSON schemas (a 400
 * naming the field); what a schema cannot say (one of two fields, a URL) is
 * checked here with the same kind of message.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ControlError, type Announcement, type CallControl, type CallEndpoint, type CallFilter, type CallRecord, type CallState, type DocumentSource, type OutboundCallRequest } from '../../apps/voice-api/control-types.js';
import type { VoiceApp, VoiceStore } from '../../storage/index.js';
import { authenticateApplication } from '../auth.js';
import { HttpApiError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The application a call-control request comes from, set by its auth hook. */
    voiceApp: VoiceApp | null;
  }
}

/** What the call routes need. */
export interface CallRoutesDeps {
  voiceStore: VoiceStore;
  /** Absent: the routes answer 503 (the voice API's calls are not running). */
  calls?: CallControl;
  /** The public base URL `_links` are built on; '' = the request's own host. */
  publicUrl: () => string;
}

const STATES: readonly CallState[] = ['started', 'ringing', 'answered', 'completed', 'busy', 'cancelled', 'failed', 'rejected', 'timeout', 'unanswered'];

const UUID = { type: 'object', properties: { uuid: { type: 'string', minLength: 1, maxLength: 128 } }, required: ['uuid'] } as const;
const URL_LIST = { type: 'array', minItems: 1, items: { type: 'string' } } as const;
const METHOD = { type: 'string', enum: ['GET', 'POST', 'get', 'post'] } as const;
const LEVEL = { anyOf: [{ type: 'string' }, { type: 'number' }] } as const;
const LOOP = { type: 'integer', minimum: 0 } as const;

const CREATE_BODY = {
  type: 'object',
  required: ['to'],
  properties: {
    to: { type: 'array', minItems: 1, maxItems: 1, items: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } } },
    from: { type: 'object', required: ['type', 'number'], properties: { type: { type: 'string', enum: ['phone'] }, number: { type: 'string', minLength: 1, maxLength: 64 } } },
    random_from_number: { type: 'boolean' },
    ncco: { type: 'array' },
    answer_url: URL_LIST,
    answer_method: METHOD,
    event_url: URL_LIST,
    event_method: METHOD,
    ringing_timer: { type: 'integer', minimum: 1, maximum: 120 },
    length_timer: { type: 'integer', minimum: 1, maximum: 86400 },
  },
} as const;

const LIST_QUERY = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: STATES },
    date_start: { type: 'string' },
    date_end: { type: 'string' },
    page_size: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
    record_index: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 },
    order: { type: 'string', enum: ['asc', 'desc'], default: 'asc' },
    conversation_uuid: { type: 'string', minLength: 1, maxLength: 128 },
  },
} as const;

const MODIFY_BODY = {
  type: 'object',
  required: ['action'],
  properties: {
    action: { type: 'string', enum: ['hangup', 'mute', 'unmute', 'earmuff', 'unearmuff', 'transfer'] },
    destination: { type: 'object', required: ['type'], properties: { type: { type: 'string', enum: ['ncco'] }, ncco: { type: 'array' }, url: URL_LIST } },
  },
} as const;

const TALK_BODY = {
  type: 'object',
  required: ['text'],
  properties: {
    text: { type: 'string', minLength: 1, maxLength: 3000 },
    language: { type: 'string', minLength: 1, maxLength: 32 },
    style: { type: 'integer', minimum: 0 },
    premium: { type: 'boolean' },
    voice_name: { type: 'string', minLength: 1, maxLength: 64 },
    loop: LOOP,
    level: LEVEL,
  },
} as const;

const STREAM_BODY = { type: 'object', required: ['stream_url'], properties: { stream_url: URL_LIST, loop: LOOP, level: LEVEL } } as const;
const DTMF_BODY = { type: 'object', required: ['digits'], properties: { digits: { type: 'string', pattern: '^[0-9*#p]{1,256}$' } } } as const;

interface CreateBody {
  to: Record<string, unknown>[];
  from?: { type: 'phone'; number: string };
  random_from_number?: boolean;
  ncco?: unknown[];
  answer_url?: string[];
  answer_method?: string;
  event_url?: string[];
  event_method?: string;
  ringing_timer?: number;
  length_timer?: number;
}

interface ListQuery {
  status?: CallState;
  date_start?: string;
  date_end?: string;
  page_size: number;
  record_index: number;
  order: 'asc' | 'desc';
  conversation_uuid?: string;
}

interface ModifyBody {
  action: 'hangup' | 'mute' | 'unmute' | 'earmuff' | 'unearmuff' | 'transfer';
  destination?: { type: 'ncco'; ncco?: unknown[]; url?: string[] };
}

interface TalkBody {
  text: string;
  language?: string;
  style?: number;
  premium?: boolean;
  voice_name?: string;
  loop?: number;
  level?: string | number;
}

interface StreamBody {
  stream_url: string[];
  loop?: number;
  level?: string | number;
}

type ByUuid = { Params: { uuid: string } };

function badField(field: string, why: string): HttpApiError {
  return new HttpApiError('invalid-request', `body/${field} ${why}`);
}

/** An absolute http(s) URL, else a 400 naming the field. */
function httpUrl(field: string, value: string): string {
  let parsed: URL | undefined;
  try {
    parsed = value.length <= 2048 ? new URL(value) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) throw badField(field, 'must be an absolute http(s) URL');
  return value;
}

/**
 * Checks that the integer fields given are finite. The schemas say integer
 * with bounds, but ajv coerces a string such as "Infinity" or "1e400" after
 * its checks, so such a value reaches the handler as Infinity.
 */
function wholeNumbers(where: 'body' | 'querystring', values: object, fields: readonly string[]): void {
  for (const field of fields) {
    const value = (values as Record<string, unknown>)[field];
    if (value !== undefined && !Number.isSafeInteger(value)) throw new HttpApiError('invalid-request', `${where}/${field} must be a whole number`);
  }
}

const upperMethod = (method: string | undefined, fallback: 'GET' | 'POST'): 'GET' | 'POST' => (method === undefined ? fallback : (method.toUpperCase() as 'GET' | 'POST'));

// Numbers and URIs go into a dial string (`PJSIP/{number}@trunk`): `@`, `/` or spaces there would dial elsewhere.
const PHONE_NUMBER = /^\+?[0-9]{1,32}$/;
// As NCCO `connect` has them (documents/ncco/parse.ts): user@host, no spaces.
const SIP_URI = /^sips?:[^\s@]+@[^\s@]+$/i;
// A SIP header is `X-<name>: <value>` on the INVITE: a token name, a one-line value.
const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function sipHeaders(headers: unknown): Record<string, string> {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers) || !Object.values(headers).every((v) => typeof v === 'string')) {
    throw badField('to/0/headers', 'must be an object of strings');
  }
  for (const [name, value] of Object.entries(headers as Record<string, string>)) {
    if (!HEADER_NAME.test(name)) throw badField('to/0/headers', `has a name that is not a SIP token (letters, digits, "-"): ${JSON.stringify(name).slice(0, 40)}`);
    if (CONTROL.test(value) || value.length > 1024) throw badField(`to/0/headers/${name}`, 'must be one line of at most 1024 characters');
  }
  return headers as Record<string, string>;
}

/** `to[0]` as a CallEndpoint: a phone or a sip endpoint (others are not something this service can dial). */
function endpoint(raw: Record<string, unknown>): CallEndpoint {
  const text = (key: string, max = 2048) => {
    const value = raw[key];
    return typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined;
  };
  if (raw.type === 'phone') {
    const number = text('number', 64);
    if (number === undefined) throw badField('to/0/number', 'is required for a phone endpoint');
    if (!PHONE_NUMBER.test(number)) throw badField('to/0/number', 'must be a phone number (digits, an optional leading +)');
    // The Node SDK sends `dtmfAnswer` as given; Python sends `dtmf_answer`.
    const dtmf = raw.dtmfAnswer ?? raw.dtmf_answer;
    if (dtmf === undefined) return { type: 'phone', number };
    if (typeof dtmf !== 'string' || !/^[0-9*#p]{0,64}$/.test(dtmf)) throw badField('to/0/dtmfAnswer', 'must be digits, *, # or p');
    return { type: 'phone', number, dtmfAnswer: dtmf };
  }
  if (raw.type === 'sip') {
    const uri = text('uri');
    if (uri === undefined || !SIP_URI.test(uri) || CONTROL.test(uri)) throw badField('to/0/uri', 'must be a sip: URI such as sip:user@host');
    if (raw.headers === undefined) return { type: 'sip', uri };
    return { type: 'sip', uri, headers: sipHeaders(raw.headers) };
  }
  throw badField('to/0/type', `must be phone or sip, got ${JSON.stringify(raw.type).slice(0, 40)}`);
}

/** The document of a create or a transfer: an inline NCCO or one answer URL, exactly one. */
function documentOf(prefix: string, ncco: unknown[] | undefined, url: string[] | undefined, method: 'GET' | 'POST'): DocumentSource {
  if (ncco !== undefined && url !== undefined) throw badField(prefix === '' ? 'ncco' : `${prefix}/ncco`, `and ${prefix === '' ? 'answer_url' : 'url'} cannot both be given`);
  if (ncco !== undefined) return { ncco };
  if (url !== undefined) return { answerUrl: httpUrl(prefix === '' ? 'answer_url/0' : `${prefix}/url/0`, url[0]!), answerMethod: method };
  throw badField(prefix === '' ? 'ncco' : `${prefix}/ncco`, `or ${prefix === '' ? 'answer_url' : 'url'} is required`);
}

function createRequest(body: CreateBody): OutboundCallRequest {
  if (body.from !== undefined && body.random_from_number === true) throw badField('from', 'and random_from_number cannot both be given');
  const request: { -readonly [K in keyof OutboundCallRequest]: OutboundCallRequest[K] } = {
    to: endpoint(body.to[0]!),
    document: documentOf('', body.ncco, body.answer_url, upperMethod(body.answer_method, 'GET')),
  };
  if (body.from !== undefined) {
    if (!PHONE_NUMBER.test(body.from.number)) throw badField('from/number', 'must be a phone number (digits, an optional leading +)');
    request.from = body.from.number;
  }
  if (body.event_url !== undefined) request.eventUrl = httpUrl('event_url/0', body.event_url[0]!);
  if (body.event_method !== undefined) request.eventMethod = upperMethod(body.event_method, 'POST');
  if (body.ringing_timer !== undefined) request.ringingTimer = body.ringing_timer;
  if (body.length_timer !== undefined) request.lengthTimer = body.length_timer;
  return request;
}

/** `level` as a number in -1…1: Node v3 sends a string, Python v4 a number. */
function level(value: string | number | undefined): number {
  if (value === undefined) return 0;
  const n = typeof value === 'number' ? value : value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || n < -1 || n > 1) throw badField('level', 'must be a number from -1 to 1');
  return n;
}

function dateFilter(field: string, value: string | undefined): string | undefined {
  if (value !== undefined && Number.isNaN(Date.parse(value))) throw new HttpApiError('invalid-request', `querystring/${field} must be a date and time (ISO 8601)`);
  return value;
}

function endpointJson(to: CallEndpoint): Record<string, unknown> {
  return to.type === 'phone' ? { type: 'phone', number: to.number } : { type: 'sip', uri: to.uri };
}

// Vonage sends rate, price and network; a private switch has no tariff, so they are
// null (Python v4 types them optional). Times stay ISO 8601, as the webhooks have them.
function callJson(call: CallRecord, base: string): Record<string, unknown> {
  return {
    _links: { self: { href: `${base}/v1/calls/${encodeURIComponent(call.uuid)}` } },
    uuid: call.uuid,
    conversation_uuid: call.conversationUuid,
    to: endpointJson(call.to),
    from: { type: call.from.type, number: call.from.number },
    status: call.status,
    direction: call.direction,
    rate: null,
    price: null,
    duration: call.duration === undefined ? null : String(call.duration),
    start_time: call.startTime ?? null,
    end_time: call.endTime ?? null,
    network: null,
  };
}

/** The `_links` of a page: absolute, since the Node SDK pages with `new URL(next.href)`. */
function pageLinks(base: string, query: ListQuery, count: number): Record<string, { href: string }> {
  const href = (recordIndex: number) => {
    const params = new URLSearchParams();
    // Only the filters this API knows: anything else in the query is not echoed back.
    for (const key of ['page_size', 'order', 'status', 'date_start', 'date_end', 'conversation_uuid'] as const) {
      const value = query[key];
      if (value !== undefined) params.set(key, String(value));
    }
    params.set('record_index', String(recordIndex));
    return { href: `${base}/v1/calls?${params.toString()}` };
  };
  const size = query.page_size;
  const index = query.record_index;
  const lastIndex = count === 0 ? 0 : Math.floor((count - 1) / size) * size;
  const links: Record<string, { href: string }> = { self: href(index), first: href(0), last: href(lastIndex) };
  if (index + size < count) links.next = href(index + size);
  if (index > 0) links.prev = href(Math.max(0, Math.min(index - size, lastIndex)));
  return links;
}

/** Runs a control request, turning its ControlError into the status NCCO.md §5 gives. */
async function controlled<T>(uuid: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof ControlError)) throw err;
    if (err.reason === 'not-found') throw new HttpApiError('not-found', `call "${uuid}" does not exist`);
    // Vonage answers a request on a finished leg with a 400, not a 404: the leg is known.
    if (err.reason === 'gone') throw new HttpApiError('invalid-request', `call "${uuid}" already completed`);
    throw new HttpApiError('invalid-request', err.detail);
  }
}

/** Registers the `/v1/calls` routes. */
export function callRoutes(app: FastifyInstance, deps: CallRoutesDeps): void {
  app.decorateRequest('voiceApp', null);

  // onRequest: before the body is parsed or validated, so an unauthenticated caller learns nothing of the schema.
  const onRequest = async (request: FastifyRequest) => {
    request.voiceApp = await authenticateApplication(deps.voiceStore, request.headers.authorization);
    if (!deps.calls) throw new HttpApiError('service-unavailable', 'call control is not running in this service (no voice API flow)');
  };
  const calls = () => deps.calls!;
  const appId = (request: FastifyRequest) => request.voiceApp!.id;
  const base = (request: FastifyRequest) => deps.publicUrl().replace(/\/+$/, '') || `${request.protocol}://${request.host}`;

  const create = async (request: FastifyRequest<{ Body: CreateBody }>, reply: FastifyReply) => {
    wholeNumbers('body', request.body, ['ringing_timer', 'length_timer']);
    const outbound = createRequest(request.body);
    let call: CallRecord;
    try {
      call = await calls().create(appId(request), outbound);
    } catch (err) {
      // There is no call yet to be unknown or over: any refusal is about the request.
      if (err instanceof ControlError) throw new HttpApiError('invalid-request', err.detail);
      throw err;
    }
    return reply.code(201).send({ uuid: call.uuid, status: call.status, direction: call.direction, conversation_uuid: call.conversationUuid });
  };
  // Early Node SDK v3 (3.0.0) posts to `/v1/calls/`.
  for (const url of ['/v1/calls', '/v1/calls/']) app.post<{ Body: CreateBody }>(url, { onRequest, schema: { body: CREATE_BODY } }, create);

  const list = (request: FastifyRequest<{ Querystring: ListQuery }>) => {
    const q = request.query;
    wholeNumbers('querystring', q, ['page_size', 'record_index']);
    const filter: { -readonly [K in keyof CallFilter]: CallFilter[K] } = { order: q.order, recordIndex: q.record_index, pageSize: q.page_size };
    if (q.status !== undefined) filter.status = q.status;
    const dateStart = dateFilter('date_start', q.date_start);
    const dateEnd = dateFilter('date_end', q.date_end);
    if (dateStart !== undefined) filter.dateStart = dateStart;
    if (dateEnd !== undefined) filter.dateEnd = dateEnd;
    if (q.conversation_uuid !== undefined) filter.conversationUuid = q.conversation_uuid;
    const page = calls().list(appId(request), filter);
    const root = base(request);
    return {
      count: page.count,
      page_size: q.page_size,
      record_index: q.record_index,
      _links: pageLinks(root, q, page.count),
      _embedded: { calls: page.calls.map((call) => callJson(call, root)) },
    };
  };
  for (const url of ['/v1/calls', '/v1/calls/']) app.get<{ Querystring: ListQuery }>(url, { onRequest, schema: { querystring: LIST_QUERY } }, list);

  app.get<ByUuid>('/v1/calls/:uuid', { onRequest, schema: { params: UUID } }, (request) => {
    const call = calls().get(appId(request), request.params.uuid);
    if (!call) throw new HttpApiError('not-found', `call "${request.params.uuid}" does not exist`);
    return callJson(call, base(request));
  });

  app.put<ByUuid & { Body: ModifyBody }>('/v1/calls/:uuid', { onRequest, schema: { params: UUID, body: MODIFY_BODY } }, async (request, reply) => {
    const { uuid } = request.params;
    const { action, destination } = request.body;
    if (action === 'transfer') {
      if (!destination) throw badField('destination', 'is required for a transfer');
      // A transfer URL is fetched with GET, as Vonage does (the API has no method field for it).
      const document = documentOf('destination', destination.ncco, destination.url, 'GET');
      await controlled(uuid, () => calls().modify(appId(request), uuid, { action, document }));
    } else {
      await controlled(uuid, () => calls().modify(appId(request), uuid, { action }));
    }
    return reply.code(204).send();
  });

  const announce = (request: FastifyRequest<ByUuid>, announcement: Announcement, message: string) =>
    controlled(request.params.uuid, () => calls().announce(appId(request), request.params.uuid, announcement)).then(() => ({ message, uuid: request.params.uuid }));
  const stop = (request: FastifyRequest<ByUuid>, kind: Announcement['kind'], message: string) =>
    controlled(request.params.uuid, () => calls().stopAnnouncement(appId(request), request.params.uuid, kind)).then(() => ({ message, uuid: request.params.uuid }));

  app.put<ByUuid & { Body: TalkBody }>('/v1/calls/:uuid/talk', { onRequest, schema: { params: UUID, body: TALK_BODY } }, (request) => {
    const body = request.body;
    wholeNumbers('body', body, ['style', 'loop']);
    const talk: { -readonly [K in keyof Extract<Announcement, { kind: 'talk' }>]: Extract<Announcement, { kind: 'talk' }>[K] } = { kind: 'talk', text: body.text, loop: body.loop ?? 1, level: level(body.level) };
    if (body.language !== undefined) talk.language = body.language;
    if (body.voice_name !== undefined) talk.voiceName = body.voice_name;
    return announce(request, talk, 'Talk started');
  });
  app.delete<ByUuid>('/v1/calls/:uuid/talk', { onRequest, schema: { params: UUID } }, (request) => stop(request, 'talk', 'Talk stopped'));

  app.put<ByUuid & { Body: StreamBody }>('/v1/calls/:uuid/stream', { onRequest, schema: { params: UUID, body: STREAM_BODY } }, (request) => {
    const body = request.body;
    wholeNumbers('body', body, ['loop']);
    const stream: Announcement = { kind: 'stream', url: httpUrl('stream_url/0', body.stream_url[0]!), loop: body.loop ?? 1, level: level(body.level) };
    return announce(request, stream, 'Stream started');
  });
  app.delete<ByUuid>('/v1/calls/:uuid/stream', { onRequest, schema: { params: UUID } }, (request) => stop(request, 'stream', 'Stream stopped'));

  app.put<ByUuid & { Body: { digits: string } }>('/v1/calls/:uuid/dtmf', { onRequest, schema: { params: UUID, body: DTMF_BODY } }, async (request) => {
    const { uuid } = request.params;
    await controlled(uuid, () => calls().sendDtmf(appId(request), uuid, request.body.digits));
    return { message: 'DTMF sent', uuid };
  });
}
