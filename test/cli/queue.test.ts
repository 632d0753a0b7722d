import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import type { QueueStatus } from '../../src/cli/queue.js';
import { openQueueStore, type QueueMember, type QueueStore } from '../../src/storage/index.js';
import { Sink } from '../support/sink.js';

let dir: string;
let store: QueueStore;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'stasis-flows-cli-queue-'));
  store = openQueueStore(dir);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]) {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runCli(args, { env: { STASIS_FLOWS_DATA_DIR: dir }, stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

function member(channelId: string, extra: Partial<QueueMember>): QueueMember {
  return { queue: 'sales', channelId, role: 'caller', status: 'waiting', position: null, since: ago(0), callerNumber: '', callerName: '', peerChannelId: null, ...extra };
}

async function seed() {
  await store.setMembers('sales', [
    member('c1', { position: 1, since: ago(95), callerNumber: '2001', callerName: 'Alice' }),
    member('c2', { position: 2, since: ago(30), callerNumber: '2002' }),
    member('c0', { status: 'onCall', since: ago(200), callerNumber: '2000', peerChannelId: 'a1' }),
    member('a1', { role: 'agent', status: 'onCall', since: ago(60), callerNumber: '100', callerName: 'Bob', peerChannelId: 'c0' }),
    member('a2', { role: 'agent', status: 'wrapUp', since: ago(2), callerNumber: '101' }),
    member('a3', { role: 'agent', status: 'idle', since: ago(10), callerNumber: '102' }),
  ]);
  await store.appendLog({ queue: 'sales', event: 'connect', channelId: 'c0', peerChannelId: 'a1', waitSeconds: 40 });
  await store.appendLog({ queue: 'sales', event: 'connect', channelId: 'cx', peerChannelId: 'a2', waitSeconds: 20 });
  await store.appendLog({ queue: 'sales', event: 'abandon', channelId: 'cy', position: 2, waitSeconds: 5 });
  await store.appendLog({ queue: 'support', event: 'timeout', channelId: 'cz', waitSeconds: 300 });
  await store.appendLog({ queue: 'support', event: 'connect', channelId: 'old', waitSeconds: 1000, at: ago(48 * 3600) });
}

describe('stasis-flows queue status', () => {
  it('shows the callers waiting in order with their wait, the agents with what they do, and the recent figures', async () => {
    await seed();
    const r = await cli(['queue', 'status', 'sales']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('Queue sales');
    expect(r.stdout).toMatch(/2 callers waiting:\n\s+POS\s+CALLER\s+WAITING\s+CHANNEL\n\s+1\s+Alice <2001>\s+1:3[45]\s+c1\n\s+2\s+2002\s+0:(29|30|31)\s+c2\n/);
    expect(r.stdout).toMatch(/Bob <100>\s+on call\s+1:0[01]\s+2000\s+a1/);
    expect(r.stdout).toMatch(/101\s+wrap-up\s+0:0[23]\s+a2/);
    expect(r.stdout).toMatch(/102\s+idle\s+0:1[01]\s+a3/);
    expect(r.stdout).toContain('Last 24 hours: 2 answered, 1 abandoned, 0 timed out, average wait 0:30.');
  });

  it('shows every queue with members or recent calls without a name, and prints JSON', async () => {
    await seed();
    const text = await cli(['queue', 'status']);
    expect(text.stdout).toContain('Queue sales');
    expect(text.stdout).toContain('Queue support\n  No callers waiting.\n  No agents.\n  Last 24 hours: 0 answered, 0 abandoned, 1 timed out, no answered calls.');
    const json = await cli(['queue', 'status', '--json']);
    const queues = JSON.parse(json.stdout) as QueueStatus[];
    expect(queues.map((q) => q.name)).toEqual(['sales', 'support']);
    expect(queues[0]!.callers.map((c) => [c.channelId, c.position, c.status])).toEqual([['c1', 1, 'waiting'], ['c2', 2, 'waiting'], ['c0', null, 'onCall']]);
    expect(queues[0]!.agents.map((a) => [a.channelId, a.status, a.callerChannelId])).toEqual([['a1', 'onCall', 'c0'], ['a2', 'wrapUp', null], ['a3', 'idle', null]]);
    expect(queues[0]!.stats).toEqual({ answered: 2, abandoned: 1, timedOut: 0, averageWaitSeconds: 30 });
    const wide = JSON.parse((await cli(['queue', 'status', 'support', '--json', '--hours', '72'])).stdout) as QueueStatus[];
    expect(wide[0]!.stats).toMatchObject({ answered: 1, timedOut: 1 });
  });

  it('says so when there is nothing to show, or the queue is unknown', async () => {
    expect((await cli(['queue', 'status'])).stdout).toBe('No queue has members, nor calls in the last 24 hours.\n');
    const unknown = await cli(['queue', 'status', 'nowhere']);
    expect(unknown.stdout).toContain('Queue nowhere\n  No callers waiting.\n  No agents.');
  });

  it('refuses a bad queue name, a bad --hours and a second argument', async () => {
    expect(await cli(['queue', 'status', 'bad name'])).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/queue name must be/) as string });
    expect(await cli(['queue', 'status', '--hours', '0'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/--hours must be/) as string });
    const two = await cli(['queue', 'status', 'a', 'b']);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/unexpected argument "b"/);
    expect((await cli(['queue', '--help'])).stdout).toContain('status');
  });
});
