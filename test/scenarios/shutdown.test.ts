/**
 * Stopping the service, from the phones' side and the admin's: live calls go
 * on for the drain time, a new call goes back to the dialplan, then each call
 * is ended by its flow (a goodbye where it has one), nothing the caller was
 * told is kept is lost, and the queue's database is left clean.
 * Runs unchanged wherever test/support/world.ts points ARI (npm test, or npm run test:asterisk).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { queueFlow } from '../../src/apps/queue/flow.js';
import { vmRecordFlow } from '../../src/apps/vm-record.js';
import { openQueueStore, openStore } from '../../src/storage/index.js';
import { TestCaller } from '../support/caller.js';
import { eventually, sleep } from '../support/wait.js';
import { startWorld, type World } from '../support/world.js';

let world: World;
let caller: TestCaller;

beforeAll(async () => {
  world = await startWorld();
  caller = await TestCaller.connect(world);
});

afterAll(async () => {
  await caller?.close();
  await world?.close();
});

const unique = () => uuidv4().replace(/-/g, '').slice(0, 10);

describe('shutdown', () => {
  it('live calls go on during the drain, a new call goes back to the dialplan, then the calls are ended and the queue left empty', async () => {
    const APP = `queue-stop-${unique()}`;
    const queue = `t${unique()}`;
    const app = await world.startApp([queueFlow], { STASIS_FLOWS_APP_QUEUE: APP, STASIS_FLOWS_DRAIN_MS: '4000' });
    const agent = await caller.dial(APP, { args: ['agent', queue] });
    const waiting = await caller.dial(APP, { args: ['caller', `${queue}x`] });
    await eventually(() => app.runtime.size === 2, 'both calls to be in the queues');

    const stopped = app.stop();
    await sleep(1000);
    // Draining: nobody was hung up, the agent still hears music.
    expect(agent.isOver).toBe(false);
    expect(waiting.isOver).toBe(false);
    const heard = await agent.listen(2);
    expect(heard.talkingSeconds).toBeGreaterThanOrEqual(1);
    // A new call is not taken: it goes back to the dialplan, which hangs it up.
    const late = await caller.dial(APP, { args: ['agent', queue], waitAnswer: false });
    await late.ended();
    expect(app.runtime.channelIds()).not.toContain(late.peerId);

    await stopped;
    await agent.ended();
    await waiting.ended();
    // The waiting caller was thanked before the hang-up.
    expect(waiting.heardMedia()).toContain('sound:queue-thankyou');
    const store = openQueueStore(world.config().dataDir);
    try {
      expect(await store.listMembers(queue)).toEqual([]);
      expect(await store.listMembers(`${queue}x`)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('a caller recording a message when the drain ends keeps it, and hears the goodbye', async () => {
    const APP = `vm-stop-${unique()}`;
    const app = await world.startApp([vmRecordFlow], { STASIS_FLOWS_APP_VM_RECORD: APP, STASIS_FLOWS_DRAIN_MS: '3000' });
    const mailbox = `t${unique()}`;
    await app.store.addMailbox({ id: mailbox, name: 'Shutdown test' });
    const call = await caller.dial(APP, { args: [mailbox] });
    await call.hears('sound:vm-intro');
    await call.press('#');
    await call.next((e) => e.type === 'RecordingStarted', 'the recording to start', 10_000);
    const stopped = app.stop();
    await call.speak(4); // the drain ends while the caller speaks
    await call.hears('sound:vm-goodbye', 15_000);
    await call.ended();
    await stopped;
    const store = openStore(world.config().dataDir);
    try {
      const messages = await store.listMessages(mailbox);
      expect(messages).toHaveLength(1);
      expect(messages[0]!.durationSeconds).toBeGreaterThanOrEqual(1);
      await caller.ari.recordings.deleteStored(messages[0]!.recording).catch(() => undefined);
    } finally {
      await store.close();
    }
  });
});
