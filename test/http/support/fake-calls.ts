/** A CallControl for HTTP tests: keeps calls in memory and records every request it gets. */
import { ControlError, type Announcement, type CallAction, type CallControl, type CallFilter, type CallRecord, type OutboundCallRequest } from '../../../src/apps/voice-api/control-types.js';

/** One request the fake received, by method name. */
export type Received =
  | { method: 'create'; applicationId: string; request: OutboundCallRequest }
  | { method: 'list'; applicationId: string; filter: CallFilter }
  | { method: 'modify'; applicationId: string; uuid: string; action: CallAction }
  | { method: 'announce'; applicationId: string; uuid: string; announcement: Announcement }
  | { method: 'stopAnnouncement'; applicationId: string; uuid: string; kind: Announcement['kind'] }
  | { method: 'sendDtmf'; applicationId: string; uuid: string; digits: string };

/** Calls by uuid; a `completed` call answers control requests with ControlError('gone'). */
export class FakeCalls implements CallControl {
  readonly received: Received[] = [];
  readonly calls = new Map<string, CallRecord>();
  /** When set, the next control request throws it. */
  failNext: ControlError | undefined;
  private next = 1;

  /** Adds a call of `applicationId` as the fake would have it. */
  add(applicationId: string, fields: Partial<CallRecord> = {}): CallRecord {
    const n = this.next++;
    const call: CallRecord = {
      uuid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      conversationUuid: `CON-${n}`,
      applicationId,
      direction: 'outbound',
      status: 'answered',
      to: { type: 'phone', number: '447700900001' },
      from: { type: 'phone', number: '447700900000' },
      startTime: '2026-01-01T10:00:00.000Z',
      endTime: undefined,
      duration: undefined,
      ...fields,
    };
    this.calls.set(call.uuid, call);
    return call;
  }

  private live(applicationId: string, uuid: string): CallRecord {
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
    const call = this.calls.get(uuid);
    if (!call || call.applicationId !== applicationId) throw new ControlError('not-found', `no call ${uuid}`);
    if (call.status === 'completed') throw new ControlError('gone', `call ${uuid} is over`);
    return call;
  }

  create(applicationId: string, request: OutboundCallRequest): Promise<CallRecord> {
    this.received.push({ method: 'create', applicationId, request });
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) return Promise.reject(failure);
    const to = request.to;
    return Promise.resolve(this.add(applicationId, { status: 'started', to, from: { type: 'phone', number: request.from ?? 'unknown' }, startTime: undefined }));
  }

  get(applicationId: string, uuid: string): CallRecord | undefined {
    const call = this.calls.get(uuid);
    return call?.applicationId === applicationId ? call : undefined;
  }

  list(applicationId: string, filter: CallFilter): { calls: CallRecord[]; count: number } {
    this.received.push({ method: 'list', applicationId, filter });
    let mine = [...this.calls.values()].filter((c) => c.applicationId === applicationId && (filter.status === undefined || c.status === filter.status));
    if (filter.order === 'desc') mine = mine.reverse();
    return { calls: mine.slice(filter.recordIndex, filter.recordIndex + filter.pageSize), count: mine.length };
  }

  modify(applicationId: string, uuid: string, action: CallAction): Promise<void> {
    this.received.push({ method: 'modify', applicationId, uuid, action });
    return this.run(() => {
      const call = this.live(applicationId, uuid);
      if (action.action === 'hangup') this.calls.set(uuid, { ...call, status: 'completed' });
    });
  }

  announce(applicationId: string, uuid: string, announcement: Announcement): Promise<void> {
    this.received.push({ method: 'announce', applicationId, uuid, announcement });
    return this.run(() => void this.live(applicationId, uuid));
  }

  stopAnnouncement(applicationId: string, uuid: string, kind: Announcement['kind']): Promise<void> {
    this.received.push({ method: 'stopAnnouncement', applicationId, uuid, kind });
    return this.run(() => void this.live(applicationId, uuid));
  }

  sendDtmf(applicationId: string, uuid: string, digits: string): Promise<void> {
    this.received.push({ method: 'sendDtmf', applicationId, uuid, digits });
    return this.run(() => void this.live(applicationId, uuid));
  }

  private run(fn: () => void): Promise<void> {
    try {
      fn();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
