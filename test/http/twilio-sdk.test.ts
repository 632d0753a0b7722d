/**
 * Twilio's own Node SDK (`twilio` v6) against the HTTP API over real HTTP,
 * pointed at it with `client.api.baseUrl` (TWIML.md §5): every call and
 * conference method a Twilio program uses reaches CallControl /
 * ConferenceControl as meant and gets back the resources the SDK expects;
 * refusals surface as RestException with Twilio's status and code.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ControlError,
  type ConferenceControl,
  type ConferenceRecord,
  type ParticipantChange,
  type ParticipantRecord,
  type ParticipantRequest,
  type AnnounceSource,
} from '../../src/apps/voice-api/control-types.js';
import { toSid } from '../../src/documents/twiml/sids.js';
import { startHttpApi, type HttpApi } from '../../src/http/server.js';
import { createLogger } from '../../src/logger.js';
import { openVoiceStore, type VoiceApp, type VoiceStore } from '../../src/storage/index.js';
import { Sink } from '../support/sink.js';
import { FakeCalls } from './support/fake-calls.js';

const TOKEN = '0123456789abcdef0123456789abcdef';
const NCCO_SECRET = 'ncco-app-signature-secret-0123456789';

type ConferenceReceived =
  | { method: 'end'; id: string }
  | { method: 'announce'; id: string; source: AnnounceSource }
  | { method: 'addParticipant'; id: string; request: ParticipantRequest }
  | { method: 'updateParticipant'; id: string; callUuid: string; change: ParticipantChange }
  | { method: 'removeParticipant'; id: string; callUuid: string };

/** A ConferenceControl keeping rooms in memory and recording the changes it is asked for. */
class FakeConferences implements ConferenceControl {
  readonly received: ConferenceReceived[] = [];
  readonly rooms = new Map<string, ConferenceRecord>();
  readonly legs = new Map<string, ParticipantRecord[]>();
  private next = 1;

  room(applicationId: string, name: string, fields: Partial<ConferenceRecord> = {}): ConferenceRecord {
    const id = `10000000-0000-4000-8000-${String(this.next++).padStart(12, '0')}`;
    const room: ConferenceRecord = { id, applicationId, name, status: 'in-progress', createdAt: '2026-12-03T12:00:00.000Z', updatedAt: '2026-12-03T12:01:00.000Z', ...fields };
    this.rooms.set(id, room);
    this.legs.set(id, []);
    return room;
  }

  leg(conferenceId: string, fields: Partial<ParticipantRecord> = {}): ParticipantRecord {
    const leg: ParticipantRecord = {
      conferenceId,
      callUuid: `20000000-0000-4000-8000-${String(this.next++).padStart(12, '0')}`,
      muted: false,
      hold: false,
      startOnEnter: true,
      endOnExit: false,
      status: 'connected',
      createdAt: '2026-12-03T12:00:30.000Z',
      updatedAt: '2026-12-03T12:00:30.000Z',
      ...fields,
    };
    this.legs.get(conferenceId)!.push(leg);
    return leg;
  }

  private live(applicationId: string, id: string): ConferenceRecord {
    const room = this.rooms.get(id);
    if (!room || room.applicationId !== applicationId) throw new ControlError('not-found', `no conference ${id}`);
    if (room.status === 'completed') throw new ControlError('gone', 'it ended');
    return room;
  }

  private legOf(applicationId: string, id: string, callUuid: string): ParticipantRecord {
    this.live(applicationId, id);
    const leg = this.legs.get(id)!.find((p) => p.callUuid === callUuid);
    if (!leg) throw new ControlError('not-found', `no participant ${callUuid}`);
    return leg;
  }

  list(applicationId: string, filter: { name?: string; status?: ConferenceRecord['status'] }): ConferenceRecord[] {
    return [...this.rooms.values()].filter((r) => r.applicationId === applicationId && (filter.name === undefined || r.name === filter.name) && (filter.status === undefined || r.status === filter.status)).reverse();
  }

  get(applicationId: string, idOrName: string): ConferenceRecord | undefined {
    const room = this.rooms.get(idOrName) ?? [...this.rooms.values()].find((r) => r.name === idOrName && r.status !== 'completed');
    return room?.applicationId === applicationId ? room : undefined;
  }

  end(applicationId: string, id: string): Promise<void> {
    this.received.push({ method: 'end', id });
    return this.run(() => {
      this.rooms.set(id, { ...this.live(applicationId, id), status: 'completed', endReason: 'conference-ended-via-api' });
    });
  }

  announce(applicationId: string, id: string, source: AnnounceSource): Promise<void> {
    this.received.push({ method: 'announce', id, source });
    return this.run(() => void this.live(applicationId, id));
  }

  participants(applicationId: string, id: string): ParticipantRecord[] {
    return this.rooms.get(id)?.applicationId === applicationId ? [...this.legs.get(id)!] : [];
  }

  participant(applicationId: string, id: string, callUuid: string): ParticipantRecord | undefined {
    return this.participants(applicationId, id).find((p) => p.callUuid === callUuid);
  }

  addParticipant(applicationId: string, id: string, request: ParticipantRequest): Promise<ParticipantRecord> {
    this.received.push({ method: 'addParticipant', id, request });
    return this.run(() => {
      this.live(applicationId, id);
      return this.leg(id, { status: 'connecting', muted: request.muted, startOnEnter: request.startOnEnter, endOnExit: request.endOnExit });
    });
  }

  updateParticipant(applicationId: string, id: string, callUuid: string, change: ParticipantChange): Promise<ParticipantRecord> {
    this.received.push({ method: 'updateParticipant', id, callUuid, change });
    return this.run(() => {
      const leg = this.legOf(applicationId, id, callUuid);
      const updated = { ...leg, muted: change.muted ?? leg.muted, hold: change.hold ?? leg.hold };
      const legs = this.legs.get(id)!;
      legs[legs.indexOf(leg)] = updated;
      return updated;
    });
  }

  removeParticipant(applicationId: string, id: string, callUuid: string): Promise<void> {
    this.received.push({ method: 'removeParticipant', id, callUuid });
    return this.run(() => {
      const leg = this.legOf(applicationId, id, callUuid);
      this.legs.set(id, this.legs.get(id)!.filter((p) => p !== leg));
    });
  }

  private run<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

let dir: string;
let store: VoiceStore;
let logs: Sink;
let calls: FakeCalls;
let rooms: FakeConferences;
let http: HttpApi;
let app: VoiceApp;
let accountSid: string;
let client: twilio.Twilio;

function clientOf(sid: string, token: string): twilio.Twilio {
  const c = twilio(sid, token);
  c.api.baseUrl = http.url;
  return c;
}

/** The RestException a promise rejects with (status, code, message). */
async function refusal(p: Promise<unknown>): Promise<{ status: number; code: number; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { status: number; code: number; message: string };
    return { status: e.status, code: e.code, message: e.message };
  }
  throw new Error('expected a RestException');
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'stasis-flows-twilio-'));
  store = openVoiceStore(dir);
  logs = new Sink();
  calls = new FakeCalls();
  rooms = new FakeConferences();
  app = await store.addApp({ name: 'support-line', dialect: 'twiml', answerUrl: 'http://127.0.0.1:1/voice', eventUrl: 'http://127.0.0.1:1/status', signatureSecret: TOKEN });
  accountSid = toSid('AC', app.id);
  http = await startHttpApi({ voiceStore: store, log: createLogger({ level: 'debug', stream: logs }), publicUrl: '', calls, conferences: rooms }, { host: '127.0.0.1', port: 0 });
  client = clientOf(accountSid, TOKEN);
});

afterAll(async () => {
  await http.close();
  await store.close();
  expect(logs.text).not.toContain(TOKEN);
  expect(logs.text).not.toContain(NCCO_SECRET);
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  calls.received.length = 0;
  rooms.received.length = 0;
});

describe('twilio SDK: calls', () => {
  it('calls.create with Url places the call as asked and gets a queued Call', async () => {
    const call = await client.calls.create({
      to: '+447700900001',
      from: '+447700900000',
      url: 'https://app.example/voice',
      method: 'GET',
      statusCallback: 'https://app.example/status',
      statusCallbackEvent: ['initiated', 'answered', 'completed'],
      timeout: 25,
      timeLimit: 600,
      sendDigits: '1w2W#',
    });
    expect(calls.received).toEqual([
      {
        method: 'create',
        applicationId: app.id,
        request: {
          to: { type: 'phone', number: '+447700900001', dtmfAnswer: '1p2pp#' },
          from: '+447700900000',
          document: { answerUrl: 'https://app.example/voice', answerMethod: 'GET' },
          eventUrl: 'https://app.example/status',
          eventMethod: 'POST',
          statusEvents: ['initiated', 'answered', 'completed'],
          ringingTimer: 25,
          lengthTimer: 600,
        },
      },
    ]);
    expect(call.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(call).toMatchObject({ accountSid, status: 'queued', direction: 'outbound-api', to: '+447700900001', from: '+447700900000', apiVersion: '2010-04-01', duration: null, parentCallSid: null });
    expect(call.uri).toBe(`/2010-04-01/Accounts/${accountSid}/Calls/${call.sid}.json`);
  });

  it('calls.create with Twiml to a sip: URI sends the document inline; Url wins over Twiml', async () => {
    const response = new twilio.twiml.VoiceResponse();
    response.say('Your order has shipped');
    await client.calls.create({ to: 'sip:desk@pbx.example', from: '+447700900000', twiml: response });
    await client.calls.create({ to: '447700900001', from: '447700900000', url: 'https://app.example/voice', twiml: '<Response><Hangup/></Response>' });
    const [inline, both] = calls.received.map((r) => (r.method === 'create' ? r.request : undefined));
    expect(inline).toEqual({ to: { type: 'sip', uri: 'sip:desk@pbx.example' }, from: '+447700900000', document: { twiml: response.toString() } });
    expect(both?.document).toEqual({ answerUrl: 'https://app.example/voice', answerMethod: 'POST' });
  });

  it('calls.list pages newest first through relative next_page_uri; Status maps to the service states', async () => {
    calls.calls.clear();
    const made = [
      calls.add(app.id, { status: 'answered' }),
      calls.add(app.id, { status: 'timeout' }),
      calls.add(app.id, { status: 'unanswered', to: { type: 'phone', number: '447700900123' } }),
      calls.add(app.id, { status: 'completed', duration: 42, endTime: '2026-01-01T10:00:42.000Z' }),
      calls.add(app.id, { status: 'completed' }),
      calls.add('another-app', { status: 'completed' }),
    ];
    const sid = (uuid: string) => toSid('CA', uuid);
    const all = await client.calls.list({ pageSize: 2 });
    expect(all.map((c) => c.sid)).toEqual(made.slice(0, 5).reverse().map((c) => sid(c.uuid)));
    expect(calls.received.map((r) => r.method === 'list' && r.filter.recordIndex)).toEqual([0, 2, 4]);

    const second = await client.calls.page({ pageSize: 2, pageNumber: 1 });
    expect(second.instances.map((c) => c.sid)).toEqual([sid(made[2]!.uuid), sid(made[1]!.uuid)]);

    const noAnswer = await client.calls.list({ status: 'no-answer' });
    expect(noAnswer.map((c) => c.sid)).toEqual([sid(made[2]!.uuid), sid(made[1]!.uuid)]);
    const completed = await client.calls.list({ status: 'completed' });
    expect(completed.map((c) => c.status)).toEqual(['completed', 'completed']);
    expect(calls.received.at(-1)).toMatchObject({ method: 'list', filter: { status: 'completed' } });
    const to = await client.calls.list({ to: '+447700900123' });
    expect(to.map((c) => c.sid)).toEqual([sid(made[2]!.uuid)]);
  });

  it('calls(sid).fetch reads the Call with RFC 2822 times and duration', async () => {
    const done = calls.add(app.id, { status: 'completed', startTime: '2026-12-03T12:00:00.000Z', endTime: '2026-12-03T12:00:42.000Z', duration: 42, direction: 'inbound' });
    const call = await client.calls(toSid('CA', done.uuid)).fetch();
    expect(call).toMatchObject({ status: 'completed', duration: '42', direction: 'inbound', accountSid });
    expect(call.startTime).toEqual(new Date('2026-12-03T12:00:00.000Z'));
    expect(call.endTime).toEqual(new Date('2026-12-03T12:00:42.000Z'));
  });

  it('calls(sid).update redirects (Url, Twiml), cancels and hangs up; remove answers true', async () => {
    const live = calls.add(app.id);
    const sid = toSid('CA', live.uuid);
    await client.calls(sid).update({ url: 'https://app.example/next', method: 'GET' });
    await client.calls(sid).update({ twiml: '<Response><Say>Bye</Say></Response>' });
    await client.calls(sid).update({ status: 'canceled' });
    const hung = await client.calls(sid).update({ status: 'completed' });
    expect(calls.received.map((r) => r.method === 'modify' && r.uuid === live.uuid && r.action)).toEqual([
      { action: 'transfer', document: { answerUrl: 'https://app.example/next', answerMethod: 'GET' } },
      { action: 'transfer', document: { twiml: '<Response><Say>Bye</Say></Response>' } },
      { action: 'cancel' },
      { action: 'hangup' },
    ]);
    expect(hung.status).toBe('completed');
    expect(await client.calls(sid).remove()).toBe(true);
  });

  it('a call that is over refuses a redirect with 400 / 21220', async () => {
    const over = calls.add(app.id, { status: 'completed' });
    expect(await refusal(client.calls(toSid('CA', over.uuid)).update({ url: 'https://app.example/next' }))).toMatchObject({ status: 400, code: 21220 });
  });

  it('an unknown call, another account\'s call, or a SID of another kind is a 404 / 20404', async () => {
    const theirs = calls.add('another-app');
    for (const sid of ['CA' + '0'.repeat(32), toSid('CA', theirs.uuid), 'CF' + '1'.repeat(32)]) {
      expect(await refusal(client.calls(sid).fetch()), sid).toMatchObject({ status: 404, code: 20404 });
    }
    expect(await refusal(client.calls('CA' + '0'.repeat(32)).update({ status: 'completed' }))).toMatchObject({ status: 404, code: 20404 });
  });

  it('a bad Timeout is a 400 naming it, and nothing is placed', async () => {
    const err = await refusal(client.calls.create({ to: '+447700900001', from: '+447700900000', url: 'https://app.example/voice', timeout: 601 }));
    expect(err).toMatchObject({ status: 400, code: 20001 });
    expect(err.message).toBe('Timeout must be a whole number from 1 to 600');
    expect(calls.received).toEqual([]);
  });

  it('a client: callee, a missing From and an ftp Url are refused with Twilio codes', async () => {
    expect(await refusal(client.calls.create({ to: 'client:alice', from: '+447700900000', url: 'https://app.example/voice' }))).toMatchObject({ status: 400, code: 21211 });
    expect(await refusal(client.calls.create({ to: '+447700900001', from: '', url: 'https://app.example/voice' }))).toMatchObject({ status: 400, code: 21213 });
    expect(await refusal(client.calls.create({ to: '+447700900001', from: '+447700900000', url: 'ftp://app.example/voice' }))).toMatchObject({ status: 400, code: 21205 });
    expect(calls.received).toEqual([]);
  });
});

describe('twilio SDK: conferences and participants', () => {
  it('conferences.list filters; fetch by SID and by friendly name', async () => {
    const sales = rooms.room(app.id, 'sales-standup');
    rooms.room(app.id, 'old', { status: 'completed', endReason: 'last-participant-left' });
    rooms.room('another-app', 'theirs');
    const live = await client.conferences.list({ status: 'in-progress' });
    expect(live.map((c) => c.friendlyName)).toContain('sales-standup');
    expect(live.every((c) => c.status === 'in-progress')).toBe(true);
    expect((await client.conferences.list({ friendlyName: 'theirs' })).length).toBe(0);
    const bySid = await client.conferences(toSid('CF', sales.id)).fetch();
    expect(bySid).toMatchObject({ sid: toSid('CF', sales.id), friendlyName: 'sales-standup', status: 'in-progress', accountSid, apiVersion: '2010-04-01', reasonConferenceEnded: null, callSidEndingConference: null });
    expect(bySid.dateCreated).toEqual(new Date('2026-12-03T12:00:00.000Z'));
    expect(bySid.subresourceUris).toEqual({ participants: `/2010-04-01/Accounts/${accountSid}/Conferences/${bySid.sid}/Participants.json` });
    expect((await client.conferences('sales-standup').fetch()).sid).toBe(bySid.sid);
  });

  it('conferences(sid).update announces (AnnounceUrl, POST by default) and ends (Status=completed)', async () => {
    const room = rooms.room(app.id, 'all-hands');
    const sid = toSid('CF', room.id);
    await client.conferences(sid).update({ announceUrl: 'https://app.example/announce.xml' });
    const ended = await client.conferences(sid).update({ status: 'completed' });
    expect(rooms.received).toEqual([
      { method: 'announce', id: room.id, source: { url: 'https://app.example/announce.xml', method: 'POST' } },
      { method: 'end', id: room.id },
    ]);
    expect(ended).toMatchObject({ status: 'completed', reasonConferenceEnded: 'conference-ended-via-api' });
    expect(await refusal(client.conferences(sid).update({ status: 'completed' }))).toMatchObject({ status: 400, code: 21220 });
  });

  it('participants.create dials with Twilio\'s defaults and gets a connecting Participant', async () => {
    const room = rooms.room(app.id, 'support');
    const created = await client.conferences(toSid('CF', room.id)).participants.create({
      from: '+447700900000',
      to: '+447700900002',
      muted: true,
      statusCallback: 'https://app.example/participant',
      statusCallbackEvent: ['ringing', 'answered'],
      timeout: 30,
      waitUrl: 'https://app.example/wait',
    });
    expect(rooms.received).toEqual([
      {
        method: 'addParticipant',
        id: room.id,
        request: {
          to: { type: 'phone', number: '+447700900002' },
          from: '+447700900000',
          muted: true,
          startOnEnter: true,
          endOnExit: false,
          beep: true,
          waitUrl: 'https://app.example/wait',
          timeoutSeconds: 30,
          statusUrl: 'https://app.example/participant',
          statusMethod: 'POST',
          statusEvents: ['ringing', 'answered'],
        },
      },
    ]);
    expect(created).toMatchObject({ conferenceSid: toSid('CF', room.id), status: 'connecting', muted: true, hold: false, coaching: false, label: null, accountSid });
    expect(created.callSid).toMatch(/^CA[0-9a-f]{32}$/);
  });

  it('participants.create passes the conference parameters on, and refuses a bad event word', async () => {
    const room = rooms.room(app.id, 'support');
    await client.conferences(toSid('CF', room.id)).participants.create({
      from: '+447700900000',
      to: '+447700900002',
      conferenceStatusCallback: 'https://app.example/conference',
      conferenceStatusCallbackMethod: 'GET',
      conferenceStatusCallbackEvent: ['start', 'join'],
      conferenceRecord: 'record-from-start',
      conferenceRecordingStatusCallback: 'https://app.example/rec',
      maxParticipants: 5,
    });
    expect(rooms.received.at(-1)).toMatchObject({
      method: 'addParticipant',
      request: {
        conferenceEvents: { url: 'https://app.example/conference', method: 'GET', events: ['start', 'join'] },
        record: true,
        recordingStatusUrl: 'https://app.example/rec',
        recordingStatusMethod: 'POST',
        maxParticipants: 5,
      },
    });
    const err = await refusal(client.conferences(toSid('CF', room.id)).participants.create({ from: '+447700900000', to: '+447700900002', conferenceStatusCallback: 'https://app.example/c', conferenceStatusCallbackEvent: ['lunch'] }));
    expect(err).toMatchObject({ status: 400 });
  });

  it('participants.list filters by Muted; (sid).update mutes; (sid).remove kicks', async () => {
    const room = rooms.room(app.id, 'team');
    const alex = rooms.leg(room.id);
    const sam = rooms.leg(room.id, { muted: true });
    const conference = client.conferences(toSid('CF', room.id));
    expect((await conference.participants.list()).map((p) => p.callSid)).toEqual([toSid('CA', alex.callUuid), toSid('CA', sam.callUuid)]);
    expect((await conference.participants.list({ muted: true })).map((p) => p.callSid)).toEqual([toSid('CA', sam.callUuid)]);
    const muted = await conference.participants(toSid('CA', alex.callUuid)).update({ muted: true, announceUrl: 'https://app.example/whisper' });
    expect(muted.muted).toBe(true);
    expect(await conference.participants(toSid('CA', sam.callUuid)).remove()).toBe(true);
    expect(rooms.received).toEqual([
      { method: 'updateParticipant', id: room.id, callUuid: alex.callUuid, change: { muted: true, announce: { url: 'https://app.example/whisper', method: 'POST' } } },
      { method: 'removeParticipant', id: room.id, callUuid: sam.callUuid },
    ]);
    expect((await conference.participants.list()).length).toBe(1);
    expect(await refusal(conference.participants(toSid('CA', sam.callUuid)).fetch())).toMatchObject({ status: 404, code: 20404 });
  });

  it('an unknown conference is a 404 / 20404', async () => {
    expect(await refusal(client.conferences('CF' + '0'.repeat(32)).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await refusal(client.conferences('nobody-here').participants.list())).toMatchObject({ status: 404, code: 20404 });
  });
});

describe('twilio SDK: authentication', () => {
  it('refuses a wrong auth token with 401 / 20003', async () => {
    expect(await refusal(clientOf(accountSid, 'f'.repeat(32)).calls.list())).toMatchObject({ status: 401, code: 20003 });
  });

  it('refuses another AccountSid in the path than the credentials\'', async () => {
    const other = 'AC' + 'a'.repeat(32);
    expect(await refusal(client.api.v2010.accounts(other).calls.list())).toMatchObject({ status: 401, code: 20003 });
  });

  it('refuses an NCCO application\'s id and secret as credentials', async () => {
    const ncco = await store.addApp({ name: 'ncco-line', answerUrl: 'http://127.0.0.1:1/a', eventUrl: 'http://127.0.0.1:1/e', signatureSecret: NCCO_SECRET });
    expect(await refusal(clientOf(toSid('AC', ncco.id), NCCO_SECRET).calls.list())).toMatchObject({ status: 401, code: 20003 });
  });

  it('answers 401 with the Basic challenge over raw fetch, and without credentials', async () => {
    const res = await fetch(`${http.url}/2010-04-01/Accounts/${accountSid}/Calls.json`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="stasis-flows"');
    expect(await res.json()).toEqual({ code: 20003, message: expect.stringMatching(/^Authenticate/) as string, more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
  });
});
