/**
 * After Asterisk restarts (issue 14, "Reconnect"): the service is registered
 * again within 2 s of Asterisk coming back, and a call whose channel vanished
 * is ended with its post-call work done: a caller who was recording keeps the
 * message, as app_voicemail keeps it on a hang-up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vmRecordFlow } from '../../src/apps/vm-record.js';
import { eventually, sleep } from '../support/wait.js';
import { startFaultWorld, type FaultWorld } from './harness.js';

let world: FaultWorld;

beforeAll(async () => {
  world = await startFaultWorld({ flows: [vmRecordFlow], env: (names) => ({ STASIS_FLOWS_APP_VM_RECORD: names('vm-record') }) }, 1);
}, 60_000);
afterAll(async () => world?.close());

/** Resolves with ms from now to the service's next `reconnected`. */
function nextReconnect(): Promise<number> {
  const lane = world.lanes[0]!;
  return new Promise((resolve) => {
    const off = lane.app.ari.onConnection((event) => {
      if (event.type !== 'reconnected') return;
      off();
      resolve(Date.now());
    });
  });
}

describe('after Asterisk restarts', () => {
  it('keeps the message of a caller who was recording, and is registered again within 2 s', async () => {
    const lane = world.lanes[0]!;
    await lane.app.store.addMailbox({ id: 'r100', name: 'Restart' });
    const call = await lane.caller.dial(lane.apps['vm-record']!, { args: ['r100'], callerId: 'Restart <2001>' });
    await call.next((e) => e.type === 'RecordingStarted', 'the recording to start', 15_000);
    await call.speak(2.5);
    const reconnected = nextReconnect();
    await lane.sim.faults.restart({ downMs: 1000 });
    const back = Date.now();
    expect((await reconnected) - back).toBeLessThan(2000);
    await eventually(() => lane.app.runtime.size === 0, 'the vanished call to be ended', 15_000);
    await eventually(async () => (await lane.app.store.listMessages('r100')).length === 1, 'the message to be kept', 10_000);
    const [message] = await lane.app.store.listMessages('r100');
    expect(message!.durationSeconds).toBeGreaterThanOrEqual(2);
    const stored = (await lane.caller.ari.recordings.listStored()).map((r) => r.name);
    expect(stored).toContain(message!.recording);
    expect(lane.sim.counts().channelsInStasis).toBe(0);
    expect(lane.app.ari.events.size).toBe(0);
  }, 60_000);

  it('a dropped WebSocket (refused for 1 s) is registered again within 2 s of the network coming back', async () => {
    const lane = world.lanes[0]!;
    await sleep(500);
    const reconnected = nextReconnect();
    lane.sim.faults.dropWebSockets(lane.apps['vm-record'], { forMs: 1000 });
    const back = Date.now() + 1000;
    expect((await reconnected) - back).toBeLessThan(2000);
  }, 30_000);
});
