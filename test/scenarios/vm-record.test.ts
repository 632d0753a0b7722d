/**
 * Voicemail deposit (vm-record), from the caller's side and the admin's:
 * what the caller hears, what is stored on Asterisk and in the database.
 * Runs unchanged wherever test/support/world.ts points ARI (npm test, or npm run test:asterisk).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import type { App } from '../../src/app.js';
import { vmRecordFlow } from '../../src/apps/vm-record.js';
import type { AppEventMap } from '../../src/events.js';
import { TestCaller, type TestCall } from '../support/caller.js';
import { eventually, sleep } from '../support/wait.js';
import { startWorld, type World } from '../support/world.js';

const APP = `vm-record-${uuidv4().slice(0, 8)}`;
let world: World;
let app: App;
let caller: TestCaller;
const deposited: AppEventMap['voicemail.deposited'][] = [];

beforeAll(async () => {
  world = await startWorld();
  app = await world.startApp([vmRecordFlow], { STASIS_FLOWS_APP_VM_RECORD: APP, STASIS_FLOWS_VM_REVIEW_TIMEOUT_MS: '2000' });
  app.events.on('voicemail.deposited', (e) => deposited.push(e));
  caller = await TestCaller.connect(world);
});

afterAll(async () => {
  await caller?.close();
  await world?.close();
});

const mailboxes: string[] = [];

/** A fresh mailbox (unique per run, so a real Asterisk's leftovers never interfere). */
async function newMailbox(options: { maxMessages?: number } = {}): Promise<string> {
  const id = `t${uuidv4().replace(/-/g, '').slice(0, 10)}`;
  await app.store.addMailbox({ id, name: `Test ${id}`, ...options });
  mailboxes.push(id);
  return id;
}

/** Stored recordings of a mailbox, as Asterisk lists them. */
async function storedFor(mailbox: string): Promise<string[]> {
  return (await caller.ari.recordings.listStored()).map((r) => r.name).filter((n) => n.startsWith(`voicemail/${mailbox}/`));
}

afterEach(async () => {
  await eventually(() => app.runtime.size === 0 && app.ari.events.size === 0, 'every call actor and route to be gone');
  for (const mailbox of mailboxes.splice(0)) {
    for (const name of await storedFor(mailbox)) await caller.ari.recordings.deleteStored(name).catch(() => undefined);
  }
});

/** Calls a mailbox and waits for the greeting. */
async function callMailbox(mailbox: string, options: { lang?: string } = {}): Promise<TestCall> {
  const call = await caller.dial(APP, { args: [mailbox], callerId: 'Alice <2001>', ...options });
  return call;
}

/** Waits until the recording starts, then past the beep. */
async function untilRecording(call: TestCall): Promise<string> {
  const started = await call.next((e) => e.type === 'RecordingStarted', 'the recording to start', 20_000);
  await sleep(600); // the beep (0.43 s) plays after RecordingStarted (fact 34)
  return started.type === 'RecordingStarted' ? started.recording.name : '';
}

describe('vm-record', () => {
  it('plays the greeting to the end, records, # reviews, # keeps one message of the spoken length', async () => {
    const mailbox = await newMailbox();
    const call = await callMailbox(mailbox);
    await call.hears('sound:vm-intro');
    const end = await call.heardEnd('sound:vm-intro');
    expect(end.playback.state).toBe('done');
    const name = await untilRecording(call);
    expect(name).toMatch(new RegExp(`^voicemail/${mailbox}/[0-9a-f-]{36}$`));
    await call.speak(3);
    await call.press('#');
    await call.hears(`recording:${name}`);
    await call.press('#');
    await call.ended();
    const messages = await app.store.listMessages(mailbox);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ recording: name, folder: 'new', callerNumber: '2001', callerName: 'Alice' });
    expect(Math.abs(messages[0]!.durationSeconds - 3)).toBeLessThanOrEqual(1);
    expect(await storedFor(mailbox)).toEqual([name]);
    expect(deposited.filter((e) => e.mailbox === mailbox)).toEqual([expect.objectContaining({ messageId: messages[0]!.id, durationSeconds: messages[0]!.durationSeconds })]);
    expect(call.heardMedia()).toContain('sound:vm-goodbye');
  });

  it('# cuts the greeting short and recording starts at once', async () => {
    const mailbox = await newMailbox();
    const call = await callMailbox(mailbox);
    await call.hears('sound:vm-intro');
    const t0 = Date.now();
    await call.press('#');
    await call.heardEnd('sound:vm-intro');
    expect(Date.now() - t0).toBeLessThan(3000); // vm-intro lasts 5.65 s
    await untilRecording(call);
    await call.hangup();
    await call.ended();
  });

  it('* while recording starts a fresh recording and leaves no stale one', async () => {
    const mailbox = await newMailbox();
    const call = await callMailbox(mailbox);
    await call.hears('sound:vm-intro');
    await call.press('#');
    const first = await untilRecording(call);
    await call.speak(1);
    await call.press('*');
    const second = await untilRecording(call);
    expect(second).not.toBe(first);
    await call.speak(2);
    await call.press('#');
    await call.hears(`recording:${second}`);
    await call.press('#');
    await call.ended();
    expect(await storedFor(mailbox)).toEqual([second]);
    expect((await app.store.listMessages(mailbox)).map((m) => m.recording)).toEqual([second]);
  });

  it.each(['#', '*'])('%s pressed during the beep does nothing: the caller speaks, #, # and one message of the spoken length is kept', async (key) => {
    const mailbox = await newMailbox();
    const call = await callMailbox(mailbox);
    await call.heardEnd('sound:vm-intro');
    // As soon as the greeting ends: the key lands during the beep (~0.2 s later; the beep is 0.43 s).
    await call.press(key);
    await call.speak(3);
    await call.press('#');
    await call.hears(/^recording:/);
    await call.press('#');
    await call.ended();
    const messages = await app.store.listMessages(mailbox);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.durationSeconds).toBeGreaterThanOrEqual(2);
    // Nothing else was left on Asterisk.
    expect(await storedFor(mailbox)).toEqual([messages[0]!.recording]);
  });

  it('* while reviewing deletes the old recording and keeps the new one', async () => {
    const mailbox = await newMailbox();
    const call = await callMailbox(mailbox);
    await call.hears('sound:vm-intro');
    await call.press('#');
    const first = await untilRecording(call);
    await call.speak(2);
    await call.press('#');
    await call.hears(`recording:${first}`);
    await call.press('*');
    const second = await untilRecording(call);
    expect(await storedFor(mailbox)).not.toContain(first);
    await call.speak(2);
    await call.press('#');
    await call.hears(`recording:${second}`);
    await call.press('#');
    await call.ended();
    expect(await storedFor(mailbox)).toEqual([second]);
    expect((await app.store.listMessages(mailbox)).map((m) => m.recording)).toEqual([second]);
  });

  it('accepts the message when no key comes after the review', async () => {
    const mailbox = await newMailbox();
    const call = await callMailbox(mailbox);
    await call.hears('sound:vm-intro');
    await call.press('#');
    const name = await untilRecording(call);
    await call.speak(2);
    await call.press('#');
    await call.heardEnd(`recording:${name}`);
    await call.ended(); // review time-out (2 s here) → ending → hang-up
    expect((await app.store.listMessages(mailbox)).map((m) => m.recording)).toEqual([name]);
  });

  it('hang-up during the greeting stores nothing', async () => {
    const mailbox = await newMailbox();
    const call = await callMailbox(mailbox);
    await call.hears('sound:vm-intro');
    await call.hangup();
    await call.ended();
    await sleep(500);
    expect(await storedFor(mailbox)).toEqual([]);
    expect(await app.store.listMessages(mailbox)).toEqual([]);
  });

  it('hang-up while recording keeps the message', async () => {
    const mailbox = await newMailbox();
    const call = await callMailbox(mailbox);
    await call.hears('sound:vm-intro');
    await call.press('#');
    const name = await untilRecording(call);
    await call.speak(3);
    await call.hangup();
    await call.ended();
    await eventually(async () => (await app.store.listMessages(mailbox)).length === 1, 'the message to be kept');
    const [message] = await app.store.listMessages(mailbox);
    expect(message).toMatchObject({ recording: name });
    expect(message!.durationSeconds).toBeGreaterThanOrEqual(2);
    expect(await storedFor(mailbox)).toEqual([name]);
  });

  it('hang-up while reviewing keeps the message', async () => {
    const mailbox = await newMailbox();
    const call = await callMailbox(mailbox);
    await call.hears('sound:vm-intro');
    await call.press('#');
    const name = await untilRecording(call);
    await call.speak(2);
    await call.press('#');
    await call.hears(`recording:${name}`);
    await call.hangup();
    await call.ended();
    await eventually(async () => (await app.store.listMessages(mailbox)).length === 1, 'the message to be kept');
    expect(await storedFor(mailbox)).toEqual([name]);
  });

  it('discards a message shorter than the minimum', async () => {
    const mailbox = await newMailbox();
    const call = await callMailbox(mailbox);
    await call.hears('sound:vm-intro');
    await call.press('#');
    await untilRecording(call);
    await call.press('#'); // at once: less than a second recorded
    await call.next((e) => e.type === 'RecordingFinished', 'the recording to finish');
    await call.press('#');
    await call.ended();
    await sleep(500);
    expect(await app.store.listMessages(mailbox)).toEqual([]);
    expect(await storedFor(mailbox)).toEqual([]);
  });

  it.each([['no-such-box'], ['../etc'], ['']])('an invalid or unknown mailbox (%j) hears pbx-invalid and is hung up, nothing stored', async (arg) => {
    const before = (await caller.ari.recordings.listStored()).length;
    const call = await caller.dial(APP, { args: [arg] });
    await call.hears('sound:pbx-invalid');
    await call.ended();
    expect(call.heardMedia()).toEqual(['sound:pbx-invalid']);
    expect((await caller.ari.recordings.listStored()).length).toBe(before);
  });

  it('a full mailbox hears vm-mailboxfull and is hung up', async () => {
    const mailbox = await newMailbox({ maxMessages: 1 });
    await app.store.addMessage({ mailbox, recording: `voicemail/${mailbox}/old`, callerNumber: '1', callerName: '', receivedAt: new Date().toISOString(), durationSeconds: 5 });
    const call = await callMailbox(mailbox);
    await call.hears('sound:vm-mailboxfull');
    await call.ended();
    expect(call.heardMedia()).toEqual(['sound:vm-mailboxfull']);
    expect(await storedFor(mailbox)).toEqual([]);
  });

  it('a prompt missing in the caller’s language ends the call early, hearing nothing', async () => {
    const mailbox = await newMailbox();
    const call = await callMailbox(mailbox, { lang: 'zz' });
    await call.ended();
    expect(call.heardMedia()).toEqual([]);
    expect(await app.store.listMessages(mailbox)).toEqual([]);
  });
});
