/**
 * Every webhook body a Vonage-style program receives (NCCO.md §4): the answer
 * request, call status events, the error event, and the results of input,
 * record and notify. Field names are Vonage's snake_case; times are ISO 8601
 * with milliseconds, from a `now` the caller passes so tests are exact.
 */
import { v5 as uuidv5 } from 'uuid';
import { AppError } from '../../errors.js';
import type { Report, StepResult } from '../../../states/document/program.js';
import type { Leg } from '../leg.js';

import type { CallStatus, StatusExtra } from '../dialect.js';

// The statuses are the service's words: NCCO's own (NCCO.md 4.2).
export type { CallStatus, StatusExtra } from '../dialect.js';

/** What the answer webhook sends (query string for GET, JSON body for POST). */
export function answerRequest(leg: Leg): Record<string, string> {
  return {
    to: leg.to,
    from: leg.from,
    uuid: leg.uuid,
    conversation_uuid: leg.conversationUuid,
    endpoint_type: 'phone',
  };
}

/** A call status event (NCCO.md 4.2). */
export function statusEvent(leg: Leg, status: CallStatus, now: Date, extra: StatusExtra = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {
    from: leg.from,
    to: leg.to,
    uuid: leg.uuid,
    conversation_uuid: leg.conversationUuid,
    status,
    direction: leg.direction,
    timestamp: now.toISOString(),
  };
  if (status === 'answered') {
    // Present but empty, as Vonage sends them: programs test for the keys.
    body['start_time'] = extra.startTime?.toISOString() ?? null;
    body['rate'] = null;
    body['network'] = null;
  }
  if (status === 'completed') {
    const end = extra.endTime ?? now;
    body['start_time'] = extra.startTime?.toISOString() ?? null;
    body['end_time'] = end.toISOString();
    body['duration'] = String(Math.max(0, Math.round(extra.durationSeconds ?? secondsBetween(extra.startTime, end))));
    // Nothing is billed on our own Asterisk; Vonage sends these as strings.
    body['rate'] = '0.00';
    body['price'] = '0.00';
    body['network'] = null;
  }
  if (extra.detail !== undefined) body['detail'] = extra.detail;
  if (extra.reason !== undefined) body['reason'] = extra.reason;
  return body;
}

/** The error event (NCCO.md 4.5): an NCCO that could not run. */
export function errorEvent(leg: Leg, reason: string, now: Date): Record<string, unknown> {
  return { reason, conversation_uuid: leg.conversationUuid, uuid: leg.uuid, timestamp: now.toISOString() };
}

/** How report payloads refer to things only the runtime knows. */
export interface ReportContext {
  /** The URL a recording is downloaded from, by its id. */
  recordingUrl(id: string): string;
}

// Namespace of recording_uuid: Vonage's record event carries a recording uuid
// that is not the file id in recording_url, so we derive one (a v5 uuid of the
// id), stable for a recording without storing anything.
const RECORDING_NAMESPACE = 'a3c0f1d2-5b8e-4f6a-9c7d-2e1b0a9f8c6d';

/** The recording uuid a record event carries for a recording id. */
export function recordingUuid(recordingId: string): string {
  return uuidv5(recordingId, RECORDING_NAMESPACE);
}

/** The body of a step's report (input, record or notify result), in the shape `report.shape` names. */
export function reportPayload(
  report: Report,
  result: StepResult,
  leg: Leg,
  context: ReportContext,
  now: Date,
): Record<string, unknown> {
  const timestamp = now.toISOString();
  switch (report.shape) {
    case 'ncco-input-legacy': {
      const r = expect(result, 'collect', report.shape);
      // Before mid-2020 `dtmf` was the digits as a string (seed 000 concatenates it).
      return {
        uuid: leg.uuid,
        conversation_uuid: leg.conversationUuid,
        dtmf: r.digits,
        timed_out: r.timedOut,
        timestamp,
        from: leg.from,
        to: leg.to,
      };
    }
    case 'ncco-input': {
      const r = expect(result, 'collect', report.shape);
      // No `status`: the documented payload has none (NCCO.md 4.3).
      return {
        dtmf: { digits: r.digits, timed_out: r.timedOut },
        speech: r.speechError === undefined ? { results: [] } : { results: [], error: r.speechError },
        uuid: leg.uuid,
        conversation_uuid: leg.conversationUuid,
        from: leg.from,
        to: leg.to,
        timestamp,
      };
    }
    case 'ncco-record': {
      const r = expect(result, 'record', report.shape);
      return {
        start_time: r.startTime,
        end_time: r.endTime,
        recording_url: context.recordingUrl(r.recordingId),
        size: r.size,
        recording_uuid: recordingUuid(r.recordingId),
        conversation_uuid: leg.conversationUuid,
        timestamp,
      };
    }
    case 'ncco-notify': {
      const r = expect(result, 'notify', report.shape);
      // NCCO.md §8 item 2 is open: the reference says the payload is the body,
      // the .NET SDK models {payload, conversation_uuid, timestamp}. We send the
      // wrapped form: it tells the program which call notified, and when, which
      // a bare payload cannot (a program can always read `payload`).
      return { payload: r.payload, conversation_uuid: leg.conversationUuid, timestamp };
    }
    default:
      throw new AppError('INVALID_INPUT', `unknown NCCO report shape ${JSON.stringify(report.shape)}`);
  }
}

function expect<K extends StepResult['kind']>(result: StepResult, kind: K, shape: string): Extract<StepResult, { kind: K }> {
  if (result.kind !== kind) {
    throw new AppError('INVALID_INPUT', `report shape ${shape} needs a ${kind} result, got ${result.kind}`);
  }
  return result as Extract<StepResult, { kind: K }>;
}

function secondsBetween(start: Date | undefined, end: Date): number {
  return start === undefined ? 0 : (end.getTime() - start.getTime()) / 1000;
}
