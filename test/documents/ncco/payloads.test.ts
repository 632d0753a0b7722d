import { describe, expect, it } from 'vitest';
import { validate as isUuid } from 'uuid';
import {
  answerRequest,
  errorEvent,
  recordingUuid,
  reportPayload,
  statusEvent,
} from '../../../src/documents/ncco/payloads.js';
import type { Leg } from '../../../src/documents/leg.js';
import type { Report } from '../../../states/document/program.js';

const leg: Leg = {
  uuid: '0190f4a2-7c1e-7b3a-9d2f-6a5b4c3d2e1f',
  conversationUuid: 'CON-0190f4a2-7c1e-7b3a-9d2f-aaaaaaaaaaaa',
  from: '447700900000',
  to: '442079460000',
  direction: 'inbound',
};
const now = new Date('2026-03-01T12:00:05.123Z');
const context = { recordingUrl: (id: string) => `http://127.0.0.1:8080/v1/files/${id}` };
const report = (shape: string): Report => ({ url: 'http://h/ev', method: 'POST', shape });

describe('answerRequest', () => {
  it('carries the leg as the answer webhook query', () => {
    expect(answerRequest(leg)).toEqual({
      to: '442079460000',
      from: '447700900000',
      uuid: leg.uuid,
      conversation_uuid: leg.conversationUuid,
      endpoint_type: 'phone',
    });
  });
});

describe('statusEvent', () => {
  const common = {
    from: '447700900000',
    to: '442079460000',
    uuid: leg.uuid,
    conversation_uuid: leg.conversationUuid,
    direction: 'inbound',
    timestamp: '2026-03-01T12:00:05.123Z',
  };

  it.each(['started', 'ringing'] as const)('%s: the common fields only', (status) => {
    expect(statusEvent(leg, status, now)).toEqual({ ...common, status });
  });

  it('answered: start_time, with rate and network present but null', () => {
    expect(statusEvent(leg, 'answered', now, { startTime: new Date('2026-03-01T12:00:01.000Z') })).toEqual({
      ...common,
      status: 'answered',
      start_time: '2026-03-01T12:00:01.000Z',
      rate: null,
      network: null,
    });
    expect(statusEvent(leg, 'answered', now)).toMatchObject({ start_time: null });
  });

  it('completed: times, duration as a string of whole seconds, zero rate and price', () => {
    expect(
      statusEvent(leg, 'completed', now, {
        startTime: new Date('2026-03-01T12:00:01.000Z'),
        endTime: new Date('2026-03-01T12:00:04.600Z'),
      }),
    ).toEqual({
      ...common,
      status: 'completed',
      start_time: '2026-03-01T12:00:01.000Z',
      end_time: '2026-03-01T12:00:04.600Z',
      duration: '4',
      rate: '0.00',
      price: '0.00',
      network: null,
    });
  });

  it('completed: an explicit duration wins; the end defaults to now; never answered is 0 s', () => {
    expect(statusEvent(leg, 'completed', now, { startTime: new Date('2026-03-01T12:00:00.000Z'), durationSeconds: 2 })).toMatchObject({
      end_time: '2026-03-01T12:00:05.123Z',
      duration: '2',
    });
    expect(statusEvent(leg, 'completed', now)).toMatchObject({ start_time: null, duration: '0' });
  });

  it('failed: detail and reason', () => {
    expect(statusEvent(leg, 'failed', now, { detail: 'internal_error', reason: 'action 0: unknown action "x"' })).toEqual({
      ...common,
      status: 'failed',
      detail: 'internal_error',
      reason: 'action 0: unknown action "x"',
    });
  });
});

describe('errorEvent', () => {
  it('carries the reason, the conversation and the leg', () => {
    expect(errorEvent(leg, 'Syntax error in NCCO.', now)).toEqual({
      reason: 'Syntax error in NCCO.',
      conversation_uuid: leg.conversationUuid,
      uuid: leg.uuid,
      timestamp: '2026-03-01T12:00:05.123Z',
    });
  });
});

describe('reportPayload', () => {
  it('legacy input: dtmf is the digits as a string (seed 000 concatenates it)', () => {
    const body = reportPayload(report('ncco-input-legacy'), { kind: 'collect', digits: '1', timedOut: false }, leg, context, now);
    expect(body).toEqual({
      uuid: leg.uuid,
      conversation_uuid: leg.conversationUuid,
      dtmf: '1',
      timed_out: false,
      timestamp: '2026-03-01T12:00:05.123Z',
      from: '447700900000',
      to: '442079460000',
    });
    // What seed 000 does with it, through JSON as it travels.
    const data = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
    expect('Playing tune ' + (data['dtmf'] as string)).toBe('Playing tune 1');
  });

  it('legacy input timed out: empty digits', () => {
    expect(reportPayload(report('ncco-input-legacy'), { kind: 'collect', digits: '', timedOut: true }, leg, context, now)).toMatchObject({
      dtmf: '',
      timed_out: true,
    });
  });

  it('current input: a dtmf object, empty speech results, no status', () => {
    const body = reportPayload(report('ncco-input'), { kind: 'collect', digits: '42', timedOut: false }, leg, context, now);
    expect(body).toEqual({
      dtmf: { digits: '42', timed_out: false },
      speech: { results: [] },
      uuid: leg.uuid,
      conversation_uuid: leg.conversationUuid,
      from: '447700900000',
      to: '442079460000',
      timestamp: '2026-03-01T12:00:05.123Z',
    });
    expect(body).not.toHaveProperty('status');
  });

  it('current input with speech asked for: the speech error', () => {
    const body = reportPayload(
      report('ncco-input'),
      { kind: 'collect', digits: '', timedOut: true, speechError: 'Speech input is not supported' },
      leg,
      context,
      now,
    );
    expect(body['speech']).toEqual({ results: [], error: 'Speech input is not supported' });
    expect(body['dtmf']).toEqual({ digits: '', timed_out: true });
  });

  it('record: the URL, size, times and a recording uuid that is not the file id', () => {
    const body = reportPayload(
      report('ncco-record'),
      { kind: 'record', recordingId: 'rec-1', size: 12345, startTime: '2026-03-01T12:00:01.000Z', endTime: '2026-03-01T12:00:04.000Z' },
      leg,
      context,
      now,
    );
    expect(body).toEqual({
      start_time: '2026-03-01T12:00:01.000Z',
      end_time: '2026-03-01T12:00:04.000Z',
      recording_url: 'http://127.0.0.1:8080/v1/files/rec-1',
      size: 12345,
      recording_uuid: recordingUuid('rec-1'),
      conversation_uuid: leg.conversationUuid,
      timestamp: '2026-03-01T12:00:05.123Z',
    });
    expect(isUuid(body['recording_uuid'])).toBe(true);
    expect(body['recording_uuid']).not.toBe('rec-1');
  });

  it('recording uuids are stable per id and differ between ids', () => {
    expect(recordingUuid('rec-1')).toBe(recordingUuid('rec-1'));
    expect(recordingUuid('rec-1')).not.toBe(recordingUuid('rec-2'));
  });

  it('notify: the payload wrapped with the conversation and the time', () => {
    expect(reportPayload(report('ncco-notify'), { kind: 'notify', payload: { foo: 'bar' } }, leg, context, now)).toEqual({
      payload: { foo: 'bar' },
      conversation_uuid: leg.conversationUuid,
      timestamp: '2026-03-01T12:00:05.123Z',
    });
  });

  it('refuses a result that does not fit the shape, and an unknown shape', () => {
    const caught = (run: () => unknown): unknown => {
      try {
        run();
      } catch (err) {
        return err;
      }
      return undefined;
    };
    expect(caught(() => reportPayload(report('ncco-record'), { kind: 'notify', payload: {} }, leg, context, now))).toMatchObject({
      code: 'INVALID_INPUT',
      message: 'report shape ncco-record needs a record result, got notify',
    });
    expect(caught(() => reportPayload(report('twiml-gather'), { kind: 'collect', digits: '', timedOut: true }, leg, context, now))).toMatchObject({
      code: 'INVALID_INPUT',
      message: 'unknown NCCO report shape "twiml-gather"',
    });
  });
});
