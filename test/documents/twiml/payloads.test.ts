import { describe, expect, it } from 'vitest';
import {
  answerParams,
  asksConferenceEvent,
  callStatus,
  conferenceEventParams,
  dialCallStatus,
  reportParams,
  standardParams,
  statusCallback,
  statusCallbackEvent,
  type ConferenceEventName,
  type ConferenceParticipant,
} from '../../../src/documents/twiml/payloads.js';
import type { CallStatus, DialectCall } from '../../../src/documents/dialect.js';
import type { Leg } from '../../../src/documents/leg.js';
import type { VoiceApp } from '../../../src/storage/voice-types.js';
import type { Report, StepResult } from '../../../states/document/program.js';

/** What `fn` throws (failing the test when it returns). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('it did not throw');
}

const leg: Leg = {
  uuid: '0190f4a2-7c1e-7b3a-9d2f-6a5b4c3d2e1f',
  conversationUuid: 'CON-0190f4a2-7c1e-7b3a-9d2f-aaaaaaaaaaaa',
  from: '447700900000',
  to: '442079460000',
  direction: 'inbound',
};
const app: VoiceApp = {
  id: '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
  name: 'twiml-app',
  dialect: 'twiml',
  answerUrl: 'https://app.example/voice',
  answerMethod: 'POST',
  eventUrl: 'https://app.example/status',
  eventMethod: 'POST',
  signatureSecret: 'token',
  createdAt: '2026-03-01T00:00:00.000Z',
};
const CALL_SID = 'CA0190f4a27c1e7b3a9d2f6a5b4c3d2e1f';
const ACCOUNT_SID = 'AC6f1c2d3e4b5a4c6d8e7f0a1b2c3d4e5f';
const call: DialectCall = { leg, app, status: 'answered' };
const standard = {
  CallSid: CALL_SID,
  AccountSid: ACCOUNT_SID,
  From: '447700900000',
  To: '442079460000',
  CallStatus: 'in-progress',
  ApiVersion: '2010-04-01',
  Direction: 'inbound',
};
const links = { publicUrl: 'https://sf.example/' };
const report = (shape: string): Report => ({ url: 'https://app.example/action', method: 'POST', shape, replies: true });

const recordingId = '0190f4a3-0000-7000-8000-00000000abcd';
const RECORDING_SID = 'RE0190f4a300007000800000000000abcd';
const RECORDING_URL = `https://sf.example/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${RECORDING_SID}`;
const recorded = (over: Partial<Extract<StepResult, { kind: 'record' }>> = {}): StepResult => ({
  kind: 'record',
  recordingId,
  size: 64_044,
  startTime: '2026-03-01T12:00:00.000Z',
  endTime: '2026-03-01T12:00:07.600Z',
  ...over,
});

describe('callStatus', () => {
  it.each([
    ['started', 'queued'],
    ['ringing', 'ringing'],
    ['answered', 'in-progress'],
    ['completed', 'completed'],
    ['busy', 'busy'],
    ['timeout', 'no-answer'],
    ['unanswered', 'no-answer'],
    ['failed', 'failed'],
    ['rejected', 'no-answer'],
    ['cancelled', 'canceled'],
  ] as const)('%s → %s', (status, twilio) => {
    expect(callStatus(status)).toBe(twilio);
  });
});

describe('dialCallStatus', () => {
  it.each([
    ['completed', 'completed'],
    ['answered', 'answered'],
    ['busy', 'busy'],
    ['timeout', 'no-answer'],
    ['unanswered', 'no-answer'],
    ['failed', 'failed'],
    ['rejected', 'no-answer'],
    ['cancelled', 'canceled'],
  ])('%s → %s', (status, twilio) => {
    expect(dialCallStatus(status)).toBe(twilio);
  });

  it.each(['started', 'ringing', 'in-progress'])('refuses %s, which is not a dial result', (status) => {
    expect(thrown(() => dialCallStatus(status))).toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('standardParams', () => {
  it('names the call, the account and the numbers as the leg has them', () => {
    expect(standardParams(call)).toEqual(standard);
  });

  it('says outbound-api for an outbound leg, and the call’s status now', () => {
    expect(standardParams({ leg: { ...leg, direction: 'outbound' }, app, status: 'ringing' })).toEqual({
      ...standard,
      CallStatus: 'ringing',
      Direction: 'outbound-api',
    });
  });

  it('refuses a leg whose id is not a uuid', () => {
    expect(thrown(() => standardParams({ ...call, leg: { ...leg, uuid: 'nope' } }))).toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('answerParams', () => {
  it('says ringing while the leg is not answered, else its status (a REST call’s Url, a transfer)', () => {
    expect(answerParams({ ...call, status: 'started' })).toEqual({ ...standard, CallStatus: 'ringing' });
    expect(answerParams({ ...call, status: 'ringing' })).toEqual({ ...standard, CallStatus: 'ringing' });
    expect(answerParams({ ...call, status: 'answered' })).toEqual({ ...standard, CallStatus: 'in-progress' });
  });

  it('an outbound leg is fetched once it answered: in-progress, whatever status was last sent', () => {
    const outbound = { ...call, leg: { ...leg, direction: 'outbound' as const } };
    expect(answerParams({ ...outbound, status: 'ringing' })).toMatchObject({ CallStatus: 'in-progress', Direction: 'outbound-api' });
  });
});

describe('reportParams', () => {
  describe('twiml-gather', () => {
    it('sends the digits', () => {
      expect(reportParams(report('twiml-gather'), { kind: 'collect', digits: '123', timedOut: true }, call, links)).toEqual({ ...standard, Digits: '123' });
    });

    it('sends nothing when no key was pressed', () => {
      expect(reportParams(report('twiml-gather'), { kind: 'collect', digits: '', timedOut: true }, call, links)).toBeUndefined();
    });
  });

  describe('twiml-gather-always', () => {
    it('sends empty digits too (actionOnEmptyResult)', () => {
      expect(reportParams(report('twiml-gather-always'), { kind: 'collect', digits: '', timedOut: true }, call, links)).toEqual({ ...standard, Digits: '' });
      expect(reportParams(report('twiml-gather-always'), { kind: 'collect', digits: '9', timedOut: false }, call, links)).toEqual({ ...standard, Digits: '9' });
    });
  });

  describe('twiml-record', () => {
    it('sends the recording’s SID, URL without extension, whole seconds and the key that ended it', () => {
      expect(reportParams(report('twiml-record'), recorded({ endedBy: '#' }), call, links)).toEqual({
        ...standard,
        RecordingSid: RECORDING_SID,
        RecordingUrl: RECORDING_URL,
        RecordingDuration: '8',
        Digits: '#',
      });
    });

    it('says hangup when the caller hung up, and no Digits when silence or the maximum ended it', () => {
      expect(reportParams(report('twiml-record'), recorded({ endedBy: 'hangup' }), call, links)).toMatchObject({ Digits: 'hangup' });
      expect(reportParams(report('twiml-record'), recorded(), call, links)).toEqual({
        ...standard,
        RecordingSid: RECORDING_SID,
        RecordingUrl: RECORDING_URL,
        RecordingDuration: '8',
      });
    });

    it('sends nothing for an empty recording: 0 s, or a bare 44-byte WAV header', () => {
      expect(reportParams(report('twiml-record'), recorded({ endTime: '2026-03-01T12:00:00.400Z' }), call, links)).toBeUndefined();
      expect(reportParams(report('twiml-record'), recorded({ size: 44 }), call, links)).toBeUndefined();
      expect(reportParams(report('twiml-record'), recorded({ size: 45 }), call, links)).toBeDefined();
    });

    it('refuses a recording id that is not a uuid, and bad times', () => {
      expect(thrown(() => reportParams(report('twiml-record'), recorded({ recordingId: 'voicemail-1' }), call, links))).toMatchObject({ code: 'INVALID_INPUT' });
      expect(thrown(() => reportParams(report('twiml-record'), recorded({ endTime: 'later' }), call, links))).toMatchObject({ code: 'INVALID_INPUT' });
    });
  });

  describe('recording status callbacks', () => {
    const fields = {
      ...standard,
      RecordingSid: RECORDING_SID,
      RecordingUrl: RECORDING_URL,
      RecordingStatus: 'completed',
      RecordingDuration: '8',
      RecordingChannels: '1',
    };

    it('twiml-recording-status: a <Record>’s recording', () => {
      expect(reportParams(report('twiml-recording-status'), recorded({ endedBy: '#' }), call, links)).toEqual({ ...fields, RecordingSource: 'RecordVerb' });
    });

    it('twiml-dial-recording: a <Dial record>’s recording', () => {
      expect(reportParams(report('twiml-dial-recording'), recorded(), call, links)).toEqual({ ...fields, RecordingSource: 'DialVerb' });
    });

    it('twiml-conference-recording: a conference’s recording', () => {
      expect(reportParams(report('twiml-conference-recording'), recorded(), call, links)).toEqual({ ...fields, RecordingSource: 'Conference' });
    });

    it('is sent even for a short recording', () => {
      expect(reportParams(report('twiml-recording-status'), recorded({ endTime: '2026-03-01T12:00:00.000Z', size: 44 }), call, links)).toMatchObject({
        RecordingDuration: '0',
      });
    });
  });

  describe('twiml-dial', () => {
    it('sends the dialled leg’s status, SID and duration', () => {
      const result: StepResult = { kind: 'dial', status: 'completed', legUuid: '0190f4a4-1111-7222-8333-444455556666', durationSeconds: 42.4 };
      expect(reportParams(report('twiml-dial'), result, call, links)).toEqual({
        ...standard,
        DialCallStatus: 'completed',
        DialCallSid: 'CA0190f4a4111172228333444455556666',
        DialCallDuration: '42',
      });
    });

    it('with a recording: its SID, URL and duration too', () => {
      const recording = { recordingId, size: 64_044, startTime: '2026-03-01T12:00:00.000Z', endTime: '2026-03-01T12:00:08.400Z' };
      const result: StepResult = { kind: 'dial', status: 'completed', legUuid: '0190f4a4-1111-7222-8333-444455556666', durationSeconds: 9, recording };
      expect(reportParams(report('twiml-dial'), result, call, links)).toEqual({
        ...standard,
        DialCallStatus: 'completed',
        DialCallSid: 'CA0190f4a4111172228333444455556666',
        DialCallDuration: '9',
        RecordingSid: RECORDING_SID,
        RecordingUrl: RECORDING_URL,
        RecordingDuration: '8',
      });
    });

    it('sends only the status of a leg never placed', () => {
      expect(reportParams(report('twiml-dial'), { kind: 'dial', status: 'timeout' }, call, links)).toEqual({ ...standard, DialCallStatus: 'no-answer' });
      expect(reportParams(report('twiml-dial'), { kind: 'dial', status: 'cancelled' }, call, links)).toEqual({ ...standard, DialCallStatus: 'canceled' });
    });
  });

  describe('notify shapes', () => {
    it('twiml-action: a <Redirect> sends the standard params alone', () => {
      expect(reportParams(report('twiml-action'), { kind: 'notify', payload: {} }, call, links)).toEqual(standard);
    });

    it('twiml-action after a <Dial><Conference>: its payload as strings', () => {
      expect(reportParams(report('twiml-action'), { kind: 'notify', payload: { DialCallStatus: 'completed' } }, call, links)).toEqual({
        ...standard,
        DialCallStatus: 'completed',
      });
    });

    it('twiml-conference-events: scalars as text, objects as JSON, null and undefined left out; the payload wins', () => {
      const payload = { StatusCallbackEvent: 'participant-join', Muted: false, SequenceNumber: 3, Extra: { a: 1 }, Gone: null, Missing: undefined, CallStatus: 'in-progress' };
      expect(reportParams(report('twiml-conference-events'), { kind: 'notify', payload }, { ...call, status: 'ringing' }, links)).toEqual({
        ...standard,
        StatusCallbackEvent: 'participant-join',
        Muted: 'false',
        SequenceNumber: '3',
        Extra: '{"a":1}',
      });
    });
  });

  it('refuses an unknown shape', () => {
    expect(thrown(() => reportParams(report('ncco-input'), { kind: 'collect', digits: '1', timedOut: false }, call, links))).toMatchObject({ code: 'INVALID_INPUT', message: 'unknown TwiML report shape "ncco-input"' });
  });

  it.each([
    ['twiml-gather', { kind: 'notify', payload: {} }],
    ['twiml-gather-always', { kind: 'dial', status: 'busy' }],
    ['twiml-record', { kind: 'collect', digits: '1', timedOut: false }],
    ['twiml-recording-status', { kind: 'collect', digits: '1', timedOut: false }],
    ['twiml-conference-recording', { kind: 'notify', payload: {} }],
    ['twiml-dial', { kind: 'collect', digits: '1', timedOut: false }],
    ['twiml-action', { kind: 'dial', status: 'busy' }],
    ['twiml-conference-events', { kind: 'collect', digits: '1', timedOut: false }],
  ] as [string, StepResult][])('%s refuses a %s result', (shape, result) => {
    expect(thrown(() => reportParams(report(shape), result, call, links))).toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('statusCallbackEvent', () => {
  it.each([
    ['started', 'initiated'],
    ['ringing', 'ringing'],
    ['answered', 'answered'],
    ['completed', 'completed'],
    ['busy', 'completed'],
    ['timeout', 'completed'],
    ['unanswered', 'completed'],
    ['failed', 'completed'],
    ['rejected', 'completed'],
    ['cancelled', 'completed'],
  ] as const)('%s → %s', (status, event) => {
    expect(statusCallbackEvent(status)).toBe(event);
  });
});

describe('statusCallback', () => {
  const at = new Date('2026-03-01T12:00:05.123Z');
  const ALL = ['initiated', 'ringing', 'answered', 'completed'];
  const common = { ...standard, Timestamp: 'Sun, 01 Mar 2026 12:00:05 GMT', CallbackSource: 'call-progress-events' };

  it('by default sends completed only, with the call’s duration', () => {
    expect(statusCallback(call, 'completed', at, { durationSeconds: 61.6 })).toEqual({ ...common, CallStatus: 'completed', CallDuration: '62' });
    for (const status of ['started', 'ringing', 'answered'] as const) expect(statusCallback(call, status, at, {})).toBeUndefined();
  });

  it('treats an empty event list as the default', () => {
    expect(statusCallback(call, 'answered', at, {}, [])).toBeUndefined();
    expect(statusCallback(call, 'completed', at, {}, [])).toEqual({ ...common, CallStatus: 'completed' });
  });

  it.each([
    ['started', 'queued'],
    ['ringing', 'ringing'],
    ['answered', 'in-progress'],
  ] as const)('sends %s when asked for, with CallStatus %s and no duration', (status, twilio) => {
    expect(statusCallback(call, status, at, { durationSeconds: 3 }, ALL)).toEqual({ ...common, CallStatus: twilio });
  });

  it('sends only the events asked for', () => {
    expect(statusCallback(call, 'started', at, {}, ['answered'])).toBeUndefined();
    expect(statusCallback(call, 'answered', at, {}, ['answered'])).toEqual({ ...common, CallStatus: 'in-progress' });
    expect(statusCallback(call, 'completed', at, {}, ['answered'])).toBeUndefined();
  });

  it.each([
    ['busy', 'busy'],
    ['timeout', 'no-answer'],
    ['unanswered', 'no-answer'],
    ['failed', 'failed'],
    ['rejected', 'no-answer'],
    ['cancelled', 'canceled'],
  ] as const)('a final %s is the completed event with CallStatus %s', (status: CallStatus, twilio) => {
    expect(statusCallback(call, status, at, { durationSeconds: 0 })).toEqual({ ...common, CallStatus: twilio, CallDuration: '0' });
  });

  it('leaves CallDuration out when the duration is not known', () => {
    expect(statusCallback(call, 'busy', at, {})).toEqual({ ...common, CallStatus: 'busy' });
  });

  it('sends nothing for an invalid document (failed, internal_error), but does for a failed call', () => {
    expect(statusCallback(call, 'failed', at, { detail: 'internal_error', reason: 'Invalid NCCO' })).toBeUndefined();
    expect(statusCallback(call, 'failed', at, { detail: 'cannot_route' })).toEqual({ ...common, CallStatus: 'failed' });
  });

  it('names the parent of a dialled leg, as outbound-dial', () => {
    const dialled: DialectCall = { leg: { ...leg, direction: 'outbound' }, app, status: 'ringing' };
    expect(statusCallback(dialled, 'ringing', at, { parentUuid: '0190f4a4-1111-7222-8333-444455556666' }, ALL)).toEqual({
      ...common,
      CallStatus: 'ringing',
      Direction: 'outbound-dial',
      ParentCallSid: 'CA0190f4a4111172228333444455556666',
    });
    expect(statusCallback(dialled, 'ringing', at, {}, ALL)).toMatchObject({ Direction: 'outbound-api' });
  });
});

describe('conferenceEventParams', () => {
  const conference = { applicationId: app.id, conferenceId: '9b2e4c6a-1d3f-4a5b-8c7d-0e1f2a3b4c5d', name: 'Sales & Support', at: new Date('2026-03-01T12:00:05.250Z') };
  const common = {
    AccountSid: ACCOUNT_SID,
    ConferenceSid: 'CF9b2e4c6a1d3f4a5b8c7d0e1f2a3b4c5d',
    FriendlyName: 'Sales & Support',
    Timestamp: 'Sun, 01 Mar 2026 12:00:05 GMT',
  };
  const participant: ConferenceParticipant = { leg: leg.uuid, muted: false, held: false, startOnEnter: true, endOnExit: false };
  const flags = { CallSid: CALL_SID, Muted: 'false', Hold: 'false', EndConferenceOnExit: 'false', StartConferenceOnEnter: 'true' };

  it('conference-start: the conference, the event, its time and number; no participant', () => {
    expect(conferenceEventParams({ ...conference, sequence: 1, event: 'conference-start' })).toEqual({ ...common, StatusCallbackEvent: 'conference-start', SequenceNumber: '1' });
  });

  it('conference-end: why it ended and the leg whose leaving ended it', () => {
    expect(conferenceEventParams({ ...conference, sequence: 7, event: 'conference-end', reason: 'participant-with-end-conference-on-exit-left', endedBy: leg.uuid })).toEqual({
      ...common,
      StatusCallbackEvent: 'conference-end',
      SequenceNumber: '7',
      ReasonConferenceEnded: 'participant-with-end-conference-on-exit-left',
      CallSidEndingConference: CALL_SID,
    });
  });

  it('conference-end from the API names no leg', () => {
    expect(conferenceEventParams({ ...conference, sequence: 2, event: 'conference-end', reason: 'conference-ended-via-api' })).toEqual({
      ...common,
      StatusCallbackEvent: 'conference-end',
      SequenceNumber: '2',
      ReasonConferenceEnded: 'conference-ended-via-api',
    });
  });

  it('participant-join and participant-leave: the leg and its flags, as text', () => {
    expect(conferenceEventParams({ ...conference, sequence: 2, event: 'participant-join', participant })).toEqual({ ...common, StatusCallbackEvent: 'participant-join', SequenceNumber: '2', ...flags });
    const boss = { ...participant, startOnEnter: false, endOnExit: true };
    expect(conferenceEventParams({ ...conference, sequence: 3, event: 'participant-leave', participant: boss })).toEqual({
      ...common,
      StatusCallbackEvent: 'participant-leave',
      SequenceNumber: '3',
      ...flags,
      EndConferenceOnExit: 'true',
      StartConferenceOnEnter: 'false',
    });
  });

  it('participant-mute and -unmute say the leg’s Muted now', () => {
    expect(conferenceEventParams({ ...conference, sequence: 4, event: 'participant-mute', participant: { ...participant, muted: true } })).toEqual({
      ...common,
      StatusCallbackEvent: 'participant-mute',
      SequenceNumber: '4',
      ...flags,
      Muted: 'true',
    });
    expect(conferenceEventParams({ ...conference, sequence: 5, event: 'participant-unmute', participant })).toEqual({ ...common, StatusCallbackEvent: 'participant-unmute', SequenceNumber: '5', ...flags });
  });

  it('participant-hold and -unhold say the leg’s Hold now', () => {
    expect(conferenceEventParams({ ...conference, sequence: 6, event: 'participant-hold', participant: { ...participant, held: true } })).toEqual({
      ...common,
      StatusCallbackEvent: 'participant-hold',
      SequenceNumber: '6',
      ...flags,
      Hold: 'true',
    });
    expect(conferenceEventParams({ ...conference, sequence: 7, event: 'participant-unhold', participant })).toEqual({ ...common, StatusCallbackEvent: 'participant-unhold', SequenceNumber: '7', ...flags });
  });

  it('refuses ids that are not uuids', () => {
    expect(thrown(() => conferenceEventParams({ ...conference, sequence: 1, event: 'participant-join', participant: { ...participant, leg: 'leg-1' } }))).toMatchObject({ code: 'INVALID_INPUT' });
    expect(thrown(() => conferenceEventParams({ ...conference, conferenceId: 'room-1', sequence: 1, event: 'conference-start' }))).toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('asksConferenceEvent', () => {
  it.each([
    ['conference-start', 'start'],
    ['conference-end', 'end'],
    ['participant-join', 'join'],
    ['participant-leave', 'leave'],
    ['participant-mute', 'mute'],
    ['participant-unmute', 'mute'],
    ['participant-hold', 'hold'],
    ['participant-unhold', 'hold'],
  ] as [ConferenceEventName, string][])('%s is asked for by "%s" alone', (event, word) => {
    expect(asksConferenceEvent([word], event)).toBe(true);
    const others = ['start', 'end', 'join', 'leave', 'mute', 'hold', 'modify', 'speaker', 'announcement'].filter((w) => w !== word);
    expect(asksConferenceEvent(others, event)).toBe(false);
  });
});
