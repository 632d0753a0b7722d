/**
 * Twilio's Calls (TWIML.md §4): create, list, fetch, update (redirect to a
 * new document, hang up, cancel) and delete, translated to CallControl.
 * Deliberate differences from Twilio: `ApplicationSid`, `client:` callees
 * and the recording / machine-detection parameters are not supported (the
 * last are ignored, as unknown parameters are); StatusCallback and TimeLimit
 * on an update are ignored; DELETE answers 204 and keeps the call's history.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ControlError, type CallAction, type CallControl, type CallEndpoint, type CallRecord, type CallState, type DocumentSource, type OutboundCallRequest } from '../../apps/voice-api/control-types.js';
import { callStatus } from '../../documents/twiml/payloads.js';
import { badParam, notFound, unavailable } from '../twilio-errors.js';
import { accountOf, controlled, pathSid, type AccountParams } from './twilio-context.js';
import { bodyForm, callerId, destination, method, oneOf, queryForm, sendDigits, statusEvents, text, url, whole, type Form } from './twilio-form.js';
import { accountPath, callJson, pageJson, pageOf, pageRequest } from './twilio-resources.js';

const STATES: readonly CallState[] = ['started', 'ringing', 'answered', 'completed', 'busy', 'cancelled', 'failed', 'rejected', 'timeout', 'unanswered'];
const TWILIO_STATUSES = ['queued', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled'] as const;

/** Twilio says so of `Twiml`. */
const TWIML_MAX = 4000;

type ByFile = { Params: AccountParams & { file: string } };

/** The document of a create: `Url` (fetched with `Method`, POST by default), else the inline `Twiml`. */
function createDocument(form: Form): DocumentSource {
  const answerUrl = url(form, 'Url');
  // Twilio: with both, Twiml is ignored.
  if (answerUrl !== undefined) return { answerUrl, answerMethod: method(form, 'Method', 'POST') };
  const twiml = text(form, 'Twiml', TWIML_MAX);
  if (twiml !== undefined) {
    if (twiml.trim() === '') throw badParam('Twiml must not be empty');
    return { twiml };
  }
  if (form.ApplicationSid !== undefined) throw badParam('ApplicationSid is not supported here: give Url or Twiml');
  throw badParam('Url or Twiml is required');
}

function createRequest(form: Form): OutboundCallRequest {
  let to: CallEndpoint = destination(form);
  const from = callerId(form);
  const digits = sendDigits(form);
  if (digits !== undefined) {
    if (to.type !== 'phone') throw badParam('SendDigits needs a phone number in To');
    to = { ...to, dtmfAnswer: digits };
  }
  const request: { -readonly [K in keyof OutboundCallRequest]: OutboundCallRequest[K] } = { to, from, document: createDocument(form) };
  const statusUrl = url(form, 'StatusCallback');
  const statusMethod = method(form, 'StatusCallbackMethod', 'POST');
  // Without a StatusCallback the application's event URL and method stay.
  if (statusUrl !== undefined) {
    request.eventUrl = statusUrl;
    request.eventMethod = statusMethod;
  }
  const events = statusEvents(form);
  if (events !== undefined) request.statusEvents = events;
  const timeout = whole(form, 'Timeout', 1, 600);
  if (timeout !== undefined) request.ringingTimer = timeout;
  const limit = whole(form, 'TimeLimit', 1, 86400);
  if (limit !== undefined) request.lengthTimer = limit;
  return request;
}

/** What an update asks: a status change or a new document; undefined when neither (Twilio's other fields are not supported). */
function updateAction(form: Form): CallAction | undefined {
  const status = oneOf(form, 'Status', ['completed', 'canceled'] as const);
  const target = url(form, 'Url');
  const twiml = text(form, 'Twiml', TWIML_MAX);
  if (target !== undefined && twiml !== undefined) throw badParam('Url and Twiml cannot both be given');
  if (status !== undefined && (target !== undefined || twiml !== undefined)) throw badParam('Status cannot be given with Url or Twiml');
  if (status === 'completed') return { action: 'hangup' };
  if (status === 'canceled') return { action: 'cancel' };
  if (target !== undefined) return { action: 'transfer', document: { answerUrl: target, answerMethod: method(form, 'Method', 'POST') } };
  if (twiml !== undefined) {
    if (twiml.trim() === '') throw badParam('Twiml must not be empty');
    return { action: 'transfer', document: { twiml } };
  }
  return undefined;
}

/** A phone number without its `+`, so a `To`/`From` filter matches either way of writing it. */
const bare = (value: string) => value.trim().replace(/^\+/, '');

/** Registers the Calls routes on the (authenticated) scope. */
export function twilioCallRoutes(scope: FastifyInstance, deps: { calls?: CallControl }): void {
  const onRequest = (_request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
    done(deps.calls ? undefined : unavailable('calls are'));
  };
  const calls = () => deps.calls!;
  const collection = '/Accounts/:accountSid/Calls.json';
  const one = '/Accounts/:accountSid/Calls/:file';

  const found = (request: FastifyRequest, uuid: string): CallRecord => {
    const call = calls().get(accountOf(request).app.id, uuid);
    if (!call) throw notFound(request.url);
    return call;
  };

  scope.post<{ Params: AccountParams }>(collection, { onRequest }, async (request, reply) => {
    const { app, accountSid } = accountOf(request);
    const outbound = createRequest(bodyForm(request));
    let call: CallRecord;
    try {
      call = await calls().create(app.id, outbound);
    } catch (err) {
      // No call yet to be unknown or over: any refusal is about the request.
      if (err instanceof ControlError) throw badParam(err.detail);
      throw err;
    }
    return reply.code(201).send(callJson(call, accountSid));
  });

  scope.get<{ Params: AccountParams }>(collection, { onRequest }, (request) => {
    const { app, accountSid } = accountOf(request);
    const query = queryForm(request);
    const page = pageRequest(query);
    const to = text(query, 'To');
    const from = text(query, 'From');
    const status = oneOf(query, 'Status', TWILIO_STATUSES);
    const filters: Record<string, string> = {};
    if (to !== undefined) filters.To = to;
    if (from !== undefined) filters.From = from;
    if (status !== undefined) filters.Status = status;
    // Newest first, as Twilio lists calls.
    const states = status === undefined ? undefined : STATES.filter((s) => callStatus(s) === status);
    let items: readonly CallRecord[];
    let total: number;
    if (to === undefined && from === undefined && (states === undefined || states.length === 1)) {
      // The control pages: it filters by one status of its own.
      const result = calls().list(app.id, { order: 'desc', recordIndex: page.page * page.pageSize, pageSize: page.pageSize, ...(states ? { status: states[0]! } : {}) });
      items = result.calls;
      total = result.count;
    } else {
      // Filters it has not (To, From, a Twilio status of two states): over the whole (bounded) history.
      const all = calls()
        .list(app.id, { order: 'desc', recordIndex: 0, pageSize: Number.MAX_SAFE_INTEGER })
        .calls.filter(
          (c) =>
            (states === undefined || states.includes(c.status)) &&
            (to === undefined || bare(c.to.type === 'phone' ? c.to.number : c.to.uri) === bare(to)) &&
            (from === undefined || bare(c.from.number) === bare(from)),
        );
      items = pageOf(all, page);
      total = all.length;
    }
    return pageJson('calls', `${accountPath(accountSid)}/Calls.json`, filters, page, items.map((c) => callJson(c, accountSid)), total);
  });

  scope.get<ByFile>(one, { onRequest }, (request) => callJson(found(request, pathSid(request, request.params.file, 'CA')), accountOf(request).accountSid));

  scope.post<ByFile>(one, { onRequest }, async (request) => {
    const { app, accountSid } = accountOf(request);
    const uuid = pathSid(request, request.params.file, 'CA');
    const action = updateAction(bodyForm(request));
    if (action !== undefined) await controlled(request, `call ${request.params.file.slice(0, -5)}`, () => calls().modify(app.id, uuid, action));
    return callJson(found(request, uuid), accountSid);
  });

  // Twilio deletes the record; this service keeps its history (the control has no delete) and says 204 all the same.
  scope.delete<ByFile>(one, { onRequest }, async (request, reply) => {
    found(request, pathSid(request, request.params.file, 'CA'));
    return reply.code(204).send();
  });
}
