import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { openQueueStore, openStore, type QueueMember, type QueueStore } from '../../src/storage/index.js';

let dir: string;
let store: QueueStore;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'stasis-flows-queue-store-'));
  store = openQueueStore(dir);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function member(queue: string, channelId: string, extra: Partial<QueueMember> = {}): QueueMember {
  return {
    queue,
    channelId,
    role: 'caller',
    status: 'waiting',
    position: 1,
    since: '2026-11-23T10:00:00.000Z',
    callerNumber: '2001',
    callerName: 'Alice',
    peerChannelId: null,
    ...extra,
  };
}

describe('queue store', () => {
  it('keeps the log in order, with every field it was given', async () => {
    await store.appendLog({ queue: 'sales', event: 'enter', channelId: 'c1', callerNumber: '2001', at: '2026-11-23T10:00:00.000Z' });
    await store.appendLog({ queue: 'sales', event: 'connect', channelId: 'c1', peerChannelId: 'a1', waitSeconds: 12.5, at: '2026-11-23T10:00:12.500Z' });
    await store.appendLog({ queue: 'sales', event: 'recording', channelId: 'a1', recording: 'queue/sales/r1', detail: 'kept', at: '2026-11-23T10:01:00.000Z' });
    await store.appendLog({ queue: 'sales', event: 'complete', channelId: 'c1', peerChannelId: 'a1', detail: 'caller', talkSeconds: 60, at: '2026-11-23T10:01:12.500Z' });
    await store.appendLog({ queue: 'support', event: 'abandon', channelId: 'c2', position: 2, waitSeconds: 3, at: '2026-11-23T10:00:05.000Z' });
    const sales = await store.listLog({ queue: 'sales' });
    expect(sales.map((l) => l.event)).toEqual(['enter', 'connect', 'recording', 'complete']);
    expect(sales[1]).toEqual({ id: expect.any(Number) as number, at: '2026-11-23T10:00:12.500Z', queue: 'sales', event: 'connect', channelId: 'c1', peerChannelId: 'a1', waitSeconds: 12.5 });
    expect(sales[2]).toMatchObject({ recording: 'queue/sales/r1', detail: 'kept' });
    expect((await store.listLog()).map((l) => l.queue)).toEqual(['sales', 'support', 'sales', 'sales', 'sales']);
    expect((await store.listLog({ since: '2026-11-23T10:00:30.000Z' })).map((l) => l.event)).toEqual(['recording', 'complete']);
  });

  it('stamps a line with the time when none is given, and refuses a malformed one', async () => {
    const before = new Date().toISOString();
    await store.appendLog({ queue: 'sales', event: 'agentJoin', channelId: 'a1' });
    expect((await store.listLog())[0]!.at >= before).toBe(true);
    await expect(store.appendLog({ queue: 'sales', event: 'bogus' as never, channelId: 'a1' })).rejects.toBeInstanceOf(AppError);
    await expect(store.appendLog({ queue: '', event: 'enter', channelId: 'a1' })).rejects.toThrow(/needs a queue/);
  });

  it('counts answered, abandoned and timed-out callers and the average wait per queue since a time', async () => {
    const at = (s: number) => new Date(Date.UTC(2026, 10, 23, 10, 0, s)).toISOString();
    await store.appendLog({ queue: 'sales', event: 'connect', channelId: 'old', waitSeconds: 100, at: at(0) });
    await store.appendLog({ queue: 'sales', event: 'connect', channelId: 'c1', waitSeconds: 10, at: at(10) });
    await store.appendLog({ queue: 'sales', event: 'connect', channelId: 'c2', waitSeconds: 21, at: at(20) });
    await store.appendLog({ queue: 'sales', event: 'abandon', channelId: 'c3', position: 1, waitSeconds: 5, at: at(30) });
    await store.appendLog({ queue: 'sales', event: 'timeout', channelId: 'c4', waitSeconds: 60, at: at(40) });
    await store.appendLog({ queue: 'support', event: 'enter', channelId: 'c5', at: at(50) });
    expect(await store.stats(at(5))).toEqual([
      { queue: 'sales', answered: 2, abandoned: 1, timedOut: 1, averageWaitSeconds: 15.5 },
      { queue: 'support', answered: 0, abandoned: 0, timedOut: 0, averageWaitSeconds: null },
    ]);
    expect(await store.stats(at(5), 'support')).toEqual([{ queue: 'support', answered: 0, abandoned: 0, timedOut: 0, averageWaitSeconds: null }]);
    expect(await store.recentWaits('sales', 2)).toEqual([10, 21]);
    expect(await store.recentWaits('nowhere', 10)).toEqual([]);
  });

  it('replaces a queue’s live members at once, keeps their order, and clears them all at start-up', async () => {
    await store.setMembers('sales', [member('sales', 'c1'), member('sales', 'a2', { role: 'agent', status: 'idle', position: null }), member('sales', 'a1', { role: 'agent', status: 'wrapUp', position: null })]);
    await store.setMembers('support', [member('support', 'c9')]);
    expect((await store.listMembers('sales')).map((m) => m.channelId)).toEqual(['c1', 'a2', 'a1']);
    await store.setMembers('sales', [member('sales', 'a1', { role: 'agent', status: 'onCall', position: null, peerChannelId: 'c1' })]);
    expect(await store.listMembers('sales')).toEqual([member('sales', 'a1', { role: 'agent', status: 'onCall', position: null, peerChannelId: 'c1' })]);
    expect((await store.listMembers()).map((m) => `${m.queue}/${m.channelId}`)).toEqual(['sales/a1', 'support/c9']);
    await expect(store.setMembers('sales', [member('support', 'x')])).rejects.toThrow(/not sales/);
    expect(await store.clearMembers()).toBe(2);
    expect(await store.listMembers()).toEqual([]);
  });

  it('shares the database file with the voicemail store', async () => {
    const voicemail = openStore(dir);
    await voicemail.addMailbox({ id: '305', name: 'Front desk' });
    await store.appendLog({ queue: 'sales', event: 'enter', channelId: 'c1' });
    expect(await voicemail.getMailbox('305')).toMatchObject({ id: '305' });
    await voicemail.close();
  });
});
