/**
 * Voicemail retrieval (vm-playback), from the mailbox owner's phone: what is
 * announced, how the keys move the playback, what is deleted or forwarded.
 * Runs unchanged wherever test/support/world.ts points ARI (npm test, or npm run test:asterisk).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import type { App } from '../../src/app.js';
import { vmPlaybackFlow } from '../../src/apps/vm-playback.js';
import { TestCaller, type TestCall } from '../support/caller.js';
import { eventually, sleep } from '../support/wait.js';
import { startWorld, type World } from '../support/world.js';

const APP = `vm-playback-${uuidv4().slice(0, 8)}`;
/** The same flow with the envelope on (when and from whom each message came). */
const APP_ENVELOPE = `vm-envelope-${uuidv4().slice(0, 8)}`;
const SAMPLE_SECONDS = 12;
let world: World;
let app: App;
let envelopeApp: App;
let caller: TestCaller;
/** A 12 s recording of speech every seeded message is copied from. */
let sample: string;
const cleanup: string[] = [];

beforeAll(async () => {
  world = await startWorld();
  app = await world.startApp([vmPlaybackFlow], {
    STASIS_FLOWS_APP_VM_PLAYBACK: APP,
    STASIS_FLOWS_VM_ENVELOPE: 'false',
    STASIS_FLOWS_VM_IDLE_TIMEOUT_MS: '3000',
    STASIS_FLOWS_VM_DIGIT_TIMEOUT_MS: '3000',
  });
  envelopeApp = await world.startApp([vmPlaybackFlow], { STASIS_FLOWS_APP_VM_PLAYBACK: APP_ENVELOPE, STASIS_FLOWS_VM_ENVELOPE: 'true' });
  caller = await TestCaller.connect(world);
  sample = `stasis-flows-test/${uuidv4()}`;
  await caller.makeRecording(sample, SAMPLE_SECONDS);
  cleanup.push(sample);
}, 60_000);

afterAll(async () => {
  for (const name of cleanup) await caller?.ari.recordings.deleteStored(name).catch(() => undefined);
  await caller?.close();
  await world?.close();
});

afterEach(async () => {
  await eventually(
    () => [app, envelopeApp].every((a) => a.runtime.size === 0 && a.ari.events.size === 0),
    'every call actor and route to be gone',
  );
});

/** A digits-only mailbox id, unique per run (phones can only type digits). */
const newId = () => `9${Math.floor(Math.random() * 1e9).toString().padStart(9, '0')}`;

/** Creates a mailbox with `count` messages (copies of the sample); returns the message recordings in order. */
async function seedMailbox(id: string, count: number, options: { pin?: string; old?: number } = {}): Promise<string[]> {
  await app.store.addMailbox({ id, name: `Test ${id}`, ...(options.pin ? { pin: options.pin } : {}) });
  const recordings: string[] = [];
  for (let i = 0; i < count; i++) {
    const messageId = uuidv7();
    const recording = `voicemail/${id}/${messageId}`;
    await caller.ari.recordings.copyStored(sample, recording);
    cleanup.push(recording);
    await app.store.addMessage({
      id: messageId,
      mailbox: id,
      recording,
      callerNumber: '2001',
      callerName: 'Alice',
      receivedAt: new Date(Date.now() - (count - i) * 60_000).toISOString(),
      durationSeconds: SAMPLE_SECONDS,
      folder: i < (options.old ?? 0) ? 'old' : 'new',
    });
    recordings.push(recording);
  }
  return recordings;
}

/** Dials the mailbox, skips the intro and the preamble with #, waits for message 1. */
async function listenTo(mailbox: string, first: string): Promise<TestCall> {
  const call = await caller.dial(APP, { args: [mailbox] });
  await call.hears('sound:vm-youhave');
  await call.press('#');
  await call.hears('sound:vm-message');
  await call.press('#');
  await call.hears(`recording:${first}`);
  return call;
}

async function storedNames(): Promise<string[]> {
  return (await caller.ari.recordings.listStored()).map((r) => r.name);
}

describe('vm-playback', () => {
  it('announces the messages, then "message 1", then plays message 1', async () => {
    const mailbox = newId();
    const [m1] = await seedMailbox(mailbox, 2);
    const call = await caller.dial(APP, { args: [mailbox] });
    for (const media of ['sound:vm-youhave', 'sound:digits/2', 'sound:vm-INBOX', 'sound:vm-messages']) await call.hears(media);
    await call.hears('sound:vm-message');
    await call.hears('sound:digits/1');
    await call.hears(`recording:${m1!}`);
    await call.press('#');
    await call.ended();
    expect(call.heardMedia().at(-1)).toBe('sound:vm-goodbye');
  });

  it('2 pauses and 2 again resumes the message', async () => {
    const mailbox = newId();
    const [m1] = await seedMailbox(mailbox, 1);
    const call = await listenTo(mailbox, m1!);
    const playbackId = call.heard.at(-1)!.playbackId;
    await call.press('2');
    await eventually(async () => (await caller.ari.playbacks.get(playbackId)).state === 'paused', 'the message to pause');
    await call.press('2');
    await eventually(async () => (await caller.ari.playbacks.get(playbackId)).state === 'playing', 'the message to play again');
    await call.hangup();
    await call.ended();
  });

  it('3 skips 5 s forward', async () => {
    const mailbox = newId();
    const [m1] = await seedMailbox(mailbox, 1);
    const call = await listenTo(mailbox, m1!);
    const t0 = Date.now();
    await call.press('3');
    await call.heardEnd(`recording:${m1!}`, 20_000);
    const took = (Date.now() - t0) / 1000;
    expect(took).toBeGreaterThan(SAMPLE_SECONDS - 5 - 2);
    expect(took).toBeLessThan(SAMPLE_SECONDS - 5 + 1);
    await call.hangup();
    await call.ended();
  });

  it('1 goes back 5 s', async () => {
    const mailbox = newId();
    const [m1] = await seedMailbox(mailbox, 1);
    const call = await listenTo(mailbox, m1!);
    const started = Date.now();
    await sleep(6000);
    await call.press('1');
    await call.heardEnd(`recording:${m1!}`, 30_000);
    const total = (Date.now() - started) / 1000;
    expect(total).toBeGreaterThan(SAMPLE_SECONDS + 5 - 1.5);
    expect(total).toBeLessThan(SAMPLE_SECONDS + 5 + 2);
    await call.hangup();
    await call.ended();
  });

  it('5 restarts the message', async () => {
    const mailbox = newId();
    const [m1] = await seedMailbox(mailbox, 1);
    const call = await listenTo(mailbox, m1!);
    await sleep(4000);
    const t0 = Date.now();
    await call.press('5');
    await call.heardEnd(`recording:${m1!}`, 30_000);
    expect((Date.now() - t0) / 1000).toBeGreaterThan(SAMPLE_SECONDS - 1.5);
    await call.hangup();
    await call.ended();
  });

  it('# while the envelope says the caller’s number skips to the message at once', async () => {
    const mailbox = newId();
    const [m1] = await seedMailbox(mailbox, 1);
    const call = await caller.dial(APP_ENVELOPE, { args: [mailbox] });
    await call.hears('sound:vm-from-phonenumber');
    await call.hears(/digits/); // the first digit of 2001
    await call.press('#');
    await call.next((e) => e.type === 'ChannelDtmfReceived' && e.channel.id === call.peerId && e.digit === '#', 'the app to receive #');
    const pressedAt = Date.now();
    await call.hears(`recording:${m1!}`);
    // Cut at once, not after the rest of the number (about two seconds more).
    expect(Date.now() - pressedAt).toBeLessThan(1000);
    await call.hangup();
    await call.ended();
  });

  it('6 and 4 move through 3 messages, wrapping around, announcing the right number', async () => {
    const mailbox = newId();
    const [m1, m2, m3] = await seedMailbox(mailbox, 3);
    const call = await listenTo(mailbox, m1!);
    const step = async (key: string, number: number, recording: string) => {
      await call.press(key);
      await call.hears('sound:vm-message');
      await call.hears(`sound:digits/${number}`);
      await call.hears(`recording:${recording}`);
    };
    await step('6', 2, m2!);
    await step('6', 3, m3!);
    await step('6', 1, m1!);
    await step('4', 3, m3!);
    await call.hangup();
    await call.ended();
  });

  it('* deletes the message (gone from Asterisk) and the next one plays', async () => {
    const mailbox = newId();
    const [m1, m2] = await seedMailbox(mailbox, 2);
    const call = await listenTo(mailbox, m1!);
    await call.press('*');
    await call.hears('sound:digits/2');
    await call.hears(`recording:${m2!}`);
    expect(await storedNames()).not.toContain(m1);
    expect((await app.store.listMessages(mailbox)).map((m) => m.recording)).toEqual([m2]);
    await call.hangup();
    await call.ended();
  });

  it('deleting the last message says vm-nomore and hangs up', async () => {
    const mailbox = newId();
    const [m1] = await seedMailbox(mailbox, 1);
    const call = await listenTo(mailbox, m1!);
    await call.press('*');
    await call.hears('sound:vm-nomore');
    await call.ended();
    expect(await storedNames()).not.toContain(m1);
    expect(await app.store.listMessages(mailbox)).toEqual([]);
  });

  it('an empty mailbox goes straight to vm-nomore', async () => {
    const mailbox = newId();
    await seedMailbox(mailbox, 0);
    const call = await caller.dial(APP, { args: [mailbox] });
    await call.hears('sound:vm-nomore');
    await call.ended();
    expect(call.heardMedia()).toEqual(['sound:vm-nomore', 'sound:vm-goodbye']);
  });

  it('# ends: heard messages move to old and the message-waiting counts follow', async () => {
    const mailbox = newId();
    const [m1] = await seedMailbox(mailbox, 2);
    const call = await listenTo(mailbox, m1!);
    await call.press('#');
    await call.hears('sound:vm-goodbye');
    await call.ended();
    await eventually(async () => (await app.store.countMessages(mailbox)).old === 1, 'message 1 to move to old');
    expect(await app.store.countMessages(mailbox)).toEqual({ new: 1, old: 1 });
    expect(await caller.ari.mailboxes.get(`${mailbox}@stasis-flows`)).toMatchObject({ new_messages: 1, old_messages: 1 });
  });

  it('no key after a message ends hangs up after the idle time', async () => {
    const mailbox = newId();
    const [m1] = await seedMailbox(mailbox, 1);
    const call = await listenTo(mailbox, m1!);
    await call.heardEnd(`recording:${m1!}`, 20_000);
    const t0 = Date.now();
    await call.ended();
    expect((Date.now() - t0) / 1000).toBeGreaterThan(2);
  });

  it('mailbox 30 does not see the messages of mailbox 305', async () => {
    const short = newId().slice(0, 6);
    const long = `${short}5`;
    await seedMailbox(short, 1);
    await seedMailbox(long, 2);
    const call = await caller.dial(APP, { args: [short] });
    await call.hears('sound:vm-youhave');
    await call.hears('sound:digits/1');
    await call.hangup();
    await call.ended();
  });

  it.each(['login', 'intro', 'preamble', 'listening', 'forwarding', 'empty'])('a hang-up during %s leaves no actor or route', async (where) => {
    const mailbox = newId();
    const [m1] = await seedMailbox(mailbox, where === 'empty' ? 0 : 1, where === 'login' ? { pin: '4321' } : {});
    const call = await caller.dial(APP, { args: [mailbox] });
    if (where === 'login') await call.hears('sound:vm-password');
    if (where === 'intro') await call.hears('sound:vm-youhave');
    if (where === 'preamble') await call.hears('sound:vm-message');
    if (where === 'listening' || where === 'forwarding') await call.hears(`recording:${m1!}`, 20_000);
    if (where === 'forwarding') {
      await call.press('8');
      await call.hears('sound:vm-extension');
    }
    if (where === 'empty') await call.hears('sound:vm-nomore');
    await call.hangup();
    await call.ended();
  });

  describe('login', () => {
    it('the right PIN lets the owner in', async () => {
      const mailbox = newId();
      await seedMailbox(mailbox, 1, { pin: '4321' });
      const call = await caller.dial(APP, { args: [mailbox] });
      await call.hears('sound:vm-password');
      await call.press('4321#');
      await call.hears('sound:vm-youhave');
      await call.hangup();
      await call.ended();
    });

    it('a wrong PIN says vm-incorrect and asks again', async () => {
      const mailbox = newId();
      await seedMailbox(mailbox, 1, { pin: '4321' });
      const call = await caller.dial(APP, { args: [mailbox] });
      await call.hears('sound:vm-password');
      await call.press('1111#');
      await call.hears('sound:vm-incorrect');
      await call.hears('sound:vm-password');
      await call.press('4321#');
      await call.hears('sound:vm-youhave');
      await call.hangup();
      await call.ended();
    });

    it('three wrong PINs: vm-incorrect each time, then vm-goodbye and the call ends', async () => {
      const mailbox = newId();
      await seedMailbox(mailbox, 1, { pin: '4321' });
      const call = await caller.dial(APP, { args: [mailbox] });
      for (const pin of ['1111', '2222', '3333']) {
        await call.hears('sound:vm-password');
        await call.press(`${pin}#`);
      }
      await call.hears('sound:vm-goodbye');
      await call.ended();
      // The last wrong PIN is told too, as app_voicemail does, before the goodbye.
      expect(call.heardMedia().filter((m) => m === 'sound:vm-incorrect')).toHaveLength(3);
      expect(call.heardMedia().slice(-2)).toEqual(['sound:vm-incorrect', 'sound:vm-goodbye']);
      expect(call.heardMedia()).not.toContain('sound:vm-youhave');
    });

    it('without a mailbox argument asks for the mailbox, then the PIN', async () => {
      const mailbox = newId();
      await seedMailbox(mailbox, 1, { pin: '4321' });
      const call = await caller.dial(APP, {});
      await call.hears('sound:vm-login');
      await call.press(`${mailbox}#`);
      await call.hears('sound:vm-password');
      await call.press('4321#');
      await call.hears('sound:vm-youhave');
      await call.hangup();
      await call.ended();
    });
  });

  it('8 forwards the message to another mailbox', async () => {
    const mailbox = newId();
    const target = newId();
    const [m1] = await seedMailbox(mailbox, 1);
    await seedMailbox(target, 0);
    const call = await listenTo(mailbox, m1!);
    await call.press('8');
    await call.hears('sound:vm-extension');
    await call.press(`${target}#`);
    await call.hears('sound:vm-msgforwarded');
    await call.hears(`recording:${m1!}`); // back to the message
    await call.hangup();
    await call.ended();
    const [forwarded] = await app.store.listMessages(target);
    expect(forwarded).toMatchObject({ folder: 'new', callerNumber: '2001' });
    expect(forwarded!.recording.startsWith(`voicemail/${target}/`)).toBe(true);
    expect(await storedNames()).toContain(forwarded!.recording);
    cleanup.push(forwarded!.recording);
    expect(await storedNames()).toContain(m1);
  });
});
