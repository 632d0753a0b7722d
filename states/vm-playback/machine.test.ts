import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { memoryLog } from '../../test/support/effect-harness.js';
import { settle, stubPlayback, stubPromise } from '../../test/support/machine-stubs.js';
import { introMedia, preambleMedia, vmPlaybackMachine, type FindResult, type ForwardResult, type LoadResult, type MessageRef, type RetrievalInput } from './machine.js';
import type { CallLog } from '../shared/call.js';

const settings = { skipMs: 5000, digitTimeoutMs: 5000, idleTimeoutMs: 30_000, maxLoginAttempts: 3, envelope: false };

function message(n: number, folder: 'new' | 'old' = 'new'): MessageRef {
  return { id: `m${n}`, recording: `voicemail/305/m${n}`, number: n, folder, callerNumber: '200', callerName: 'Bob', receivedAt: '2026-11-23T10:15:00.000Z', durationSeconds: 10 };
}

interface Options {
  args?: string[];
  mailbox?: FindResult;
  pin?: string;
  messages?: MessageRef[];
  deleteFails?: boolean;
  forward?: ForwardResult;
}

function start(options: Options = {}) {
  const playback = stubPlayback();
  const found: FindResult = options.mailbox ?? { outcome: 'found', mailbox: '305', hasPin: false };
  const findMailbox = stubPromise<FindResult, { mailbox: string }>(({ mailbox }) => (mailbox === '305' ? found : { outcome: 'notFound' }));
  const verifyPin = stubPromise<boolean, { mailbox: string; pin: string }>(({ mailbox, pin }) => mailbox === '305' && pin === (options.pin ?? '1234'));
  const loadMessages = stubPromise<LoadResult, { mailbox: string; language: string; log: CallLog }>(() => ({ messages: options.messages ?? [message(1), message(2), message(3)], goodbye: true }));
  const deleteMessage = stubPromise<void, { mailbox: string; message: MessageRef }>(() => {
    if (options.deleteFails) throw new Error('Asterisk said no');
  });
  const forwardMessage = stubPromise<ForwardResult, { from: string; message: MessageRef; to: string; log: CallLog }>(() => options.forward ?? { outcome: 'forwarded', messageId: 'x' });
  const finishCall = stubPromise<void, { mailbox: string; heard: string[]; log: CallLog }>(() => undefined);
  const clock = new SimulatedClock();
  const log = memoryLog();
  const input: RetrievalInput = { channelId: 'c1', args: options.args ?? ['305'], caller: { name: '', number: '305' }, language: 'en', direction: 'inbound', data: {}, log, settings };
  const actor = createActor(
    vmPlaybackMachine.provide({
      actors: {
        playback: playback.logic,
        findMailbox: findMailbox.logic,
        verifyPin: verifyPin.logic,
        loadMessages: loadMessages.logic,
        deleteMessage: deleteMessage.logic,
        forwardMessage: forwardMessage.logic,
        finishCall: finishCall.logic,
      },
    }),
    { input, clock },
  );
  actor.start();
  const key = async (digits: string) => {
    for (const digit of digits) actor.send({ type: 'ari.dtmf', digit });
    await settle();
  };
  const finish = async () => {
    playback.last().finish();
    await settle();
  };
  const state = () => actor.getSnapshot().value;
  return { actor, playback, findMailbox, verifyPin, loadMessages, deleteMessage, forwardMessage, finishCall, clock, log, key, finish, state };
}

/** Runs through login/intro/preamble to the first message. */
async function toFirstMessage(t: ReturnType<typeof start>) {
  await settle();
  expect(t.state()).toBe('intro');
  await t.finish(); // intro
  expect(t.state()).toBe('preamble');
  await t.finish(); // preamble
  expect(t.state()).toEqual({ listening: 'playing' });
}

describe('vm-playback machine', () => {
  it('says how many messages, then "message 1", then plays it with a 5 s skip', async () => {
    const t = start({ messages: [message(1), message(2), message(3, 'old')] });
    await settle();
    expect(t.playback.media()).toEqual(['sound:vm-youhave+sound:digits/2+sound:vm-INBOX+sound:vm-messages+sound:vm-and+sound:digits/1+sound:vm-Old+sound:vm-message']);
    await t.finish();
    expect(t.playback.last().input.media).toEqual(['sound:vm-message', 'sound:digits/1']);
    await t.finish();
    expect(t.playback.last().input).toMatchObject({ media: ['recording:voicemail/305/m1'], skipms: 5000 });
  });

  it('# skips the intro and the preamble', async () => {
    const t = start();
    await settle();
    await t.key('#');
    expect(t.state()).toBe('preamble');
    await t.key('#');
    expect(t.state()).toEqual({ listening: 'playing' });
  });

  it('keys 1, 2, 3 and 5 control the playback; 2 toggles pause', async () => {
    const t = start();
    await toFirstMessage(t);
    await t.key('2213');
    const playback = t.playback.last();
    expect(playback.commands.map((c) => (c.type === 'playback.control' ? c.operation : c.type))).toEqual(['pause', 'unpause', 'reverse', 'forward']);
    await t.key('25'); // restart while paused: unpause first
    expect(playback.commands.slice(4).map((c) => (c.type === 'playback.control' ? c.operation : c.type))).toEqual(['pause', 'unpause', 'restart']);
  });

  it('keys 1, 2, 3 and 5 after the message has finished do nothing', async () => {
    const t = start();
    await toFirstMessage(t);
    const playback = t.playback.last();
    await t.finish();
    await t.key('1235');
    expect(t.state()).toEqual({ listening: 'ended' });
    expect(playback.commands).toEqual([]);
  });

  it('6 and 4 move through the messages, wrapping around, announcing each number', async () => {
    const t = start();
    await toFirstMessage(t);
    const announced = async () => {
      expect(t.state()).toBe('preamble');
      const media = t.playback.last().input.media;
      await t.finish();
      return media[1];
    };
    await t.key('6');
    expect(await announced()).toBe('sound:digits/2');
    await t.key('6');
    expect(await announced()).toBe('sound:digits/3');
    await t.key('6');
    expect(await announced()).toBe('sound:digits/1');
    await t.key('4');
    expect(await announced()).toBe('sound:digits/3');
    expect(t.playback.last().input.media).toEqual(['recording:voicemail/305/m3']);
  });

  it('* deletes the message, waits for it, and goes on to the next', async () => {
    const t = start();
    await toFirstMessage(t);
    await t.key('*');
    expect(t.deleteMessage.inputs.map((i) => i.message.id)).toEqual(['m1']);
    expect(t.state()).toBe('preamble');
    expect(t.playback.last().input.media).toEqual(['sound:vm-message', 'sound:digits/2']);
  });

  it('deleting the last message leads to vm-nomore, goodbye and the end', async () => {
    const t = start({ messages: [message(1)] });
    await toFirstMessage(t);
    await t.key('*');
    expect(t.state()).toBe('empty');
    expect(t.playback.last().input.media).toEqual(['sound:vm-nomore']);
    await t.finish();
    expect(t.playback.last().input.media).toEqual(['sound:vm-goodbye']);
    await t.finish();
    expect(t.actor.getSnapshot().status).toBe('done');
  });

  it('a failed delete says so and keeps the message', async () => {
    const t = start({ deleteFails: true });
    await toFirstMessage(t);
    await t.key('*');
    expect(t.state()).toBe('notifying');
    expect(t.playback.last().input.media).toEqual(['sound:im-sorry']);
    await t.finish();
    expect(t.playback.last().input.media).toEqual(['recording:voicemail/305/m1']);
  });

  it('an empty mailbox goes straight to vm-nomore', async () => {
    const t = start({ messages: [] });
    await settle();
    expect(t.state()).toBe('empty');
    expect(t.playback.media()).toEqual(['sound:vm-nomore']);
  });

  it('# ends the call: messages whose playback started move to old, goodbye', async () => {
    const t = start();
    await toFirstMessage(t); // m1 starts playing
    await t.key('6');
    await t.key('#'); // skips m2's preamble: m2 starts
    await t.key('#');
    expect(t.finishCall.inputs).toEqual([{ mailbox: '305', heard: ['m1', 'm2'], log: t.log }]);
    expect(t.state()).toEqual({ ending: 'goodbye' });
  });

  it('when the service ends the call while listening: the post-call work, then goodbye', async () => {
    const t = start();
    await toFirstMessage(t);
    t.actor.send({ type: 'call.end', reason: 'shutdown' });
    await settle();
    expect(t.finishCall.inputs).toEqual([{ mailbox: '305', heard: ['m1'], log: t.log }]);
    expect(t.state()).toEqual({ ending: 'goodbye' });
    t.actor.send({ type: 'call.end', reason: 'shutdown' });
    await t.finish();
    expect(t.actor.getSnapshot().status).toBe('done');
    expect(t.finishCall.inputs).toHaveLength(1);
  });

  it('no key for the idle time after a message ends → ending', async () => {
    const t = start();
    await toFirstMessage(t);
    await t.finish();
    t.clock.increment(29_999);
    expect(t.state()).toEqual({ listening: 'ended' });
    t.clock.increment(1);
    await settle();
    expect(t.state()).toEqual({ ending: 'goodbye' });
  });

  it('a hang-up anywhere ends in hungUp, with the post-call work done once', async () => {
    const t = start();
    await toFirstMessage(t);
    t.actor.send({ type: 'ari.hangup' });
    t.actor.send({ type: 'ari.stasisEnd' });
    await settle();
    expect(t.finishCall.inputs).toHaveLength(1);
    expect(t.actor.getSnapshot().status).toBe('done');
  });

  describe('login', () => {
    it('asks for the PIN of a mailbox that has one, and lets the right one in', async () => {
      const t = start({ mailbox: { outcome: 'found', mailbox: '305', hasPin: true } });
      await settle();
      expect(t.playback.media()).toEqual(['sound:vm-password']);
      await t.key('1234#');
      expect(t.verifyPin.inputs).toEqual([{ mailbox: '305', pin: '1234' }]);
      expect(t.state()).toBe('intro');
    });

    it('ends a PIN after a 5 s pause', async () => {
      const t = start({ mailbox: { outcome: 'found', mailbox: '305', hasPin: true } });
      await settle();
      await t.key('1234');
      t.clock.increment(5000);
      await settle();
      expect(t.verifyPin.inputs).toEqual([{ mailbox: '305', pin: '1234' }]);
    });

    it('a wrong PIN says vm-incorrect and asks again; the third wrong one says vm-incorrect, then goodbye, and the call ends', async () => {
      const t = start({ mailbox: { outcome: 'found', mailbox: '305', hasPin: true } });
      await settle();
      await t.key('1111#');
      expect(t.playback.last().input.media).toEqual(['sound:vm-incorrect']);
      await t.finish();
      expect(t.playback.last().input.media).toEqual(['sound:vm-password']);
      await t.key('2222#');
      await t.finish();
      await t.key('3333#');
      // The last wrong PIN is told too (app_voicemail's vm_authenticate), then goodbye.
      expect(t.state()).toEqual({ login: 'incorrect' });
      expect(t.playback.last().input.media).toEqual(['sound:vm-incorrect']);
      await t.finish();
      expect(t.state()).toEqual({ ending: 'goodbye' });
      expect(t.playback.last().input.media).toEqual(['sound:vm-goodbye']);
      expect(t.log.lines.filter((l) => l.message === 'wrong login').map((l) => l.meta?.['attempt'])).toEqual([1, 2, 3]);
      expect(t.loadMessages.inputs).toHaveLength(0);
      expect(JSON.stringify(t.log.lines)).not.toMatch(/1111|2222|3333/);
    });

    it('without a mailbox argument asks for the mailbox first', async () => {
      const t = start({ args: [], mailbox: { outcome: 'found', mailbox: '305', hasPin: true } });
      await settle();
      expect(t.playback.media()).toEqual(['sound:vm-login']);
      await t.key('305#');
      expect(t.playback.last().input.media).toEqual(['sound:vm-password']);
      await t.key('1234#');
      expect(t.state()).toBe('intro');
    });

    it('an unknown typed mailbox is not revealed: the PIN is asked, the login fails, the mailbox is asked again', async () => {
      const t = start({ args: [] });
      await settle();
      await t.key('999#');
      expect(t.playback.last().input.media).toEqual(['sound:vm-password']);
      await t.key('1234#');
      expect(t.playback.last().input.media).toEqual(['sound:vm-incorrect']);
      await t.finish();
      expect(t.playback.last().input.media).toEqual(['sound:vm-login']);
    });

    it('an unknown mailbox argument hears pbx-invalid', async () => {
      const t = start({ args: ['999'] });
      await settle();
      expect(t.playback.media()).toEqual(['sound:pbx-invalid']);
      await t.finish();
      expect(t.actor.getSnapshot().status).toBe('done');
    });
  });

  describe('forwarding (8)', () => {
    it('collects the target until #, forwards, confirms, and returns to the message', async () => {
      const t = start();
      await toFirstMessage(t);
      await t.key('8');
      expect(t.playback.last().input.media).toEqual(['sound:vm-extension']);
      await t.key('306#');
      expect(t.forwardMessage.inputs.map((i) => ({ from: i.from, message: i.message.id, to: i.to }))).toEqual([{ from: '305', message: 'm1', to: '306' }]);
      expect(t.playback.last().input.media).toEqual(['sound:vm-msgforwarded']);
      await t.finish();
      expect(t.state()).toEqual({ listening: 'playing' });
    });

    it('* cancels', async () => {
      const t = start();
      await toFirstMessage(t);
      await t.key('83*');
      expect(t.forwardMessage.inputs).toEqual([]);
      expect(t.state()).toEqual({ listening: 'playing' });
    });

    it('an unknown target mailbox says vm-incorrect-mailbox', async () => {
      const t = start({ forward: { outcome: 'unknownMailbox' } });
      await toFirstMessage(t);
      await t.key('8999#');
      expect(t.playback.last().input.media).toEqual(['sound:vm-incorrect-mailbox']);
    });
  });

  it('builds the intro and the envelope', () => {
    expect(introMedia([message(1, 'old')])).toEqual(['sound:vm-youhave', 'sound:digits/1', 'sound:vm-Old', 'sound:vm-message']);
    const media = preambleMedia({ ...message(4), receivedAt: new Date(2026, 10, 23, 14, 5).toISOString(), callerNumber: '2001' }, true);
    expect(media).toEqual([
      'sound:vm-message', 'sound:digits/4', 'sound:vm-received', 'sound:digits/day-1', 'sound:digits/at', 'sound:digits/2', 'sound:digits/5', 'sound:digits/p-m',
      'sound:vm-from-phonenumber', 'sound:digits/2', 'sound:digits/0', 'sound:digits/0', 'sound:digits/1',
    ]);
  });
});
