/**
 * What an operator reads in the logs about a call: every line about it, the
 * flow's effects included, carries the call's identity (channel id, app and
 * the flow's own fields such as the mailbox), and no PIN appears.
 * Runs unchanged wherever test/support/world.ts points ARI (npm test, or npm run test:asterisk).
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { startApp, type App } from '../../src/app.js';
import { vmPlaybackFlow } from '../../src/apps/vm-playback.js';
import { vmRecordFlow } from '../../src/apps/vm-record.js';
import { createLogger } from '../../src/logger.js';
import { TestCaller } from '../support/caller.js';
import { eventually } from '../support/wait.js';
import { startWorld, type World } from '../support/world.js';

const RECORD_APP = `vm-record-logs-${uuidv4().slice(0, 8)}`;
const PLAYBACK_APP = `vm-playback-logs-${uuidv4().slice(0, 8)}`;
const lines: Record<string, unknown>[] = [];
let world: World;
let app: App;
let caller: TestCaller;

class Lines extends Writable {
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
}

beforeAll(async () => {
  world = await startWorld();
  const log = createLogger({ level: 'debug', stream: new Lines() });
  const config = world.config({ STASIS_FLOWS_APP_VM_RECORD: RECORD_APP, STASIS_FLOWS_APP_VM_PLAYBACK: PLAYBACK_APP, STASIS_FLOWS_VM_MIN_DURATION_SECONDS: '5' });
  app = await startApp({ config, log, flows: [vmRecordFlow, vmPlaybackFlow] });
  caller = await TestCaller.connect(world);
});

afterAll(async () => {
  await caller?.close();
  await app?.stop();
  await world?.close();
});

/** The lines logged about one channel's call (by channel id, or naming its mailbox). */
function linesAbout(mailbox: string): Record<string, unknown>[] {
  return lines.filter((l) => l['mailbox'] === mailbox || JSON.stringify(l).includes(`voicemail/${mailbox}/`));
}

describe('call logs', () => {
  it('every line about a deposit, its effects’ included, names the channel, the app and the mailbox', async () => {
    const mailbox = `t${uuidv4().replace(/-/g, '').slice(0, 10)}`;
    await app.store.addMailbox({ id: mailbox, name: 'Logs' });
    const call = await caller.dial(RECORD_APP, { args: [mailbox] });
    await call.hears('sound:vm-intro');
    await call.press('#');
    await call.next((e) => e.type === 'RecordingStarted', 'the recording to start', 10_000);
    await call.speak(1);
    await call.hangup(); // kept on hang-up, then discarded as shorter than 5 s: the effect logs it
    await eventually(() => lines.some((l) => l['message'] === 'message too short; discarded' && l['mailbox'] === mailbox), 'the discard to be logged');
    const about = linesAbout(mailbox);
    expect(about.length).toBeGreaterThan(3);
    for (const line of about) expect(line, String(line['message'])).toMatchObject({ channelId: call.peerId, app: RECORD_APP, mailbox });
  });

  it('a wrong PIN is logged with the call’s identity and the attempt, never the digits', async () => {
    const mailbox = String(Math.floor(Math.random() * 1e9)).padStart(9, '7');
    await app.store.addMailbox({ id: mailbox, name: 'Logs', pin: '4321' });
    const call = await caller.dial(PLAYBACK_APP, { args: [mailbox] });
    await call.hears('sound:vm-password');
    await call.press('1357#');
    await call.hears('sound:vm-incorrect');
    await call.hangup();
    await call.ended();
    const wrong = lines.filter((l) => l['message'] === 'wrong login' && l['mailbox'] === mailbox);
    expect(wrong).toEqual([expect.objectContaining({ channelId: call.peerId, app: PLAYBACK_APP, attempt: 1 })]);
    expect(JSON.stringify(lines)).not.toMatch(/1357|4321/);
  });
});
