import { describe, expect, it } from 'vitest';
import { createConnectEffect, createMohEffect } from '../../src/apps/queue/effects.js';
import { createLogger } from '../../src/logger.js';
import type { ConnectInput } from '../../states/queue/machine.js';
import { FakeAri } from '../support/fake-ari.js';
import { flush, memoryLog, runEffect } from '../support/effect-harness.js';

const log = createLogger({ level: 'error', silent: true });
const input: ConnectInput = { bridgeId: 'b1', queue: 'sales', callerChannelId: 'c1', agentChannelId: 'a1' };

/** A promise the test settles by hand, to hold an ARI request in flight. */
function pending() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('connect effect', () => {
  it('routes the bridge first, creates it, adds the caller and the agent, and reports bridged', async () => {
    const ari = new FakeAri();
    const run = runEffect(createConnectEffect(ari, log), input);
    expect(ari.events.has('bridge:b1')).toBe(true);
    await flush();
    expect(ari.requests.map((r) => r.op)).toEqual(['bridges.create', 'bridges.addChannel']);
    expect(ari.calls('bridges.create')).toEqual([[{ bridgeId: 'b1', type: 'mixing', name: 'queue-sales' }]]);
    expect(ari.calls('bridges.addChannel')).toEqual([['b1', ['c1', 'a1']]]);
    expect(run.received).toEqual([{ type: 'queue.bridged', bridgeId: 'b1' }]);
  });

  it('on connect.end: takes out the channels that stay, one at a time, destroys the bridge, then reports released', async () => {
    const ari = new FakeAri().fail('bridges.removeChannel', 422, 'Channel not in this bridge');
    const run = runEffect(createConnectEffect(ari, log), input);
    await flush();
    run.command({ type: 'connect.end', keep: ['a1', 'c1'] });
    await flush();
    expect(ari.requests.map((r) => r.op).slice(2)).toEqual(['bridges.removeChannel', 'bridges.removeChannel', 'bridges.destroy']);
    expect(ari.calls('bridges.removeChannel')).toEqual([['b1', 'a1'], ['b1', 'c1']]);
    expect(run.received.at(-1)).toEqual({ type: 'queue.released', bridgeId: 'b1' });
    expect(ari.events.size).toBe(0);
    run.leave();
    expect(ari.calls('bridges.destroy')).toHaveLength(1);
  });

  it('reports a failed create or add as bridgeFailed', async () => {
    const noBridge = new FakeAri().fail('bridges.create', 500, 'Unable to create bridge');
    const failedCreate = runEffect(createConnectEffect(noBridge, log), input);
    await flush();
    expect(failedCreate.received).toEqual([{ type: 'queue.bridgeFailed', bridgeId: 'b1', reason: 'bridges.create: 500 Unable to create bridge' }]);

    const goneChannel = new FakeAri().fail('bridges.addChannel', 400, 'Channel not found');
    const failedAdd = runEffect(createConnectEffect(goneChannel, log), input);
    await flush();
    expect(failedAdd.received).toEqual([{ type: 'queue.bridgeFailed', bridgeId: 'b1', reason: 'bridges.addChannel: 400 Channel not found' }]);
    // Released after a failure: the bridge that was created is destroyed.
    failedAdd.command({ type: 'connect.end', keep: [] });
    await flush();
    expect(goneChannel.calls('bridges.destroy')).toEqual([['b1']]);
    expect(failedAdd.received.at(-1)).toEqual({ type: 'queue.released', bridgeId: 'b1' });
  });

  it('ended while the bridge is being created: no channel is added, the bridge is destroyed once it exists', async () => {
    const create = pending();
    const ari = new FakeAri().on('bridges.create', () => create.promise);
    const run = runEffect(createConnectEffect(ari, log), input);
    run.command({ type: 'connect.end', keep: ['a1'] });
    await flush();
    expect(ari.calls('bridges.destroy')).toEqual([]);
    create.resolve();
    await flush();
    expect(ari.calls('bridges.addChannel')).toEqual([]);
    expect(ari.calls('bridges.destroy')).toEqual([['b1']]);
    expect(run.received).toEqual([{ type: 'queue.released', bridgeId: 'b1' }]);
  });

  it('stopped without being released (the queue actor stopped): destroys the bridge, reports nothing', async () => {
    const ari = new FakeAri();
    const run = runEffect(createConnectEffect(ari, log), input);
    await flush();
    run.leave();
    await flush();
    expect(ari.calls('bridges.destroy')).toEqual([['b1']]);
    expect(run.received).toEqual([{ type: 'queue.bridged', bridgeId: 'b1' }]);
    expect(ari.events.size).toBe(0);
  });
});

describe('moh effect', () => {
  it('starts music on hold with the class, and its cleanup stops it; a channel already gone is no error', async () => {
    const ari = new FakeAri().fail('channels.stopMoh', 404, 'Channel not found');
    const mohLog = memoryLog();
    const run = runEffect(createMohEffect(ari), { channelId: 'c1', mohClass: 'default', log: mohLog });
    expect(ari.calls('channels.startMoh')).toEqual([['c1', 'default']]);
    run.leave();
    await flush();
    expect(ari.calls('channels.stopMoh')).toEqual([['c1']]);
    expect(mohLog.lines).toEqual([]);
  });

  it('stops the music only after the start has been answered, so the stop cannot overtake it', async () => {
    const start = pending();
    const ari = new FakeAri().on('channels.startMoh', () => start.promise);
    const run = runEffect(createMohEffect(ari), { channelId: 'c1', mohClass: 'default', log: memoryLog() });
    run.leave();
    await flush();
    expect(ari.requests.map((r) => r.op)).toEqual(['channels.startMoh']);
    start.resolve();
    await flush();
    expect(ari.requests.map((r) => r.op)).toEqual(['channels.startMoh', 'channels.stopMoh']);
  });
});
