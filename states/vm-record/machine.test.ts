import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { memoryLog } from '../../test/support/effect-harness.js';
import { settle, stubPlayback, stubPromise, stubRecording } from '../../test/support/machine-stubs.js';
import { vmRecordMachine, type DepositInput, type KeepInput, type KeepResult, type PrepareInput, type PrepareResult } from './machine.js';

const settings = { format: 'wav', maxDurationSeconds: 300, maxSilenceSeconds: 10, reviewTimeoutMs: 10_000, hangupSaveTimeoutMs: 5000 };
const ready: PrepareResult = { outcome: 'ready', mailbox: '305', greeting: 'sound:vm-intro', goodbye: true };

function start(prepare: PrepareResult = ready, options: { startAtOnce?: boolean } = {}) {
  const playback = stubPlayback();
  const recording = stubRecording(options);
  const prepareDeposit = stubPromise<PrepareResult, PrepareInput>(() => prepare);
  const deleteRecording = stubPromise<void, { name: string }>(() => undefined);
  const keepMessage = stubPromise<KeepResult, KeepInput>((input) => ({ outcome: 'stored', messageId: 'm1', durationSeconds: input.durationSeconds ?? 0 }));
  const clock = new SimulatedClock();
  const log = memoryLog();
  const input: DepositInput = { channelId: 'c1', args: ['305'], caller: { name: 'Alice', number: '200' }, language: 'en', direction: 'inbound', data: {}, log, settings };
  const actor = createActor(
    vmRecordMachine.provide({
      actors: { playback: playback.logic, recording: recording.logic, prepareDeposit: prepareDeposit.logic, deleteRecording: deleteRecording.logic, keepMessage: keepMessage.logic },
    }),
    { input, clock },
  );
  const states: string[] = [];
  actor.subscribe((s) => {
    const label = typeof s.value === 'string' ? s.value : JSON.stringify(s.value);
    if (states.at(-1) !== label) states.push(label);
  });
  actor.start();
  const key = (digit: string) => actor.send({ type: 'ari.dtmf', digit });
  const state = () => actor.getSnapshot().value;
  return { actor, playback, recording, prepareDeposit, deleteRecording, keepMessage, clock, log, key, state, states };
}

describe('vm-record machine', () => {
  it('greets, records after the greeting, reviews on #, keeps on #, says goodbye', async () => {
    const t = start();
    await settle();
    expect(t.state()).toBe('greeting');
    expect(t.playback.media()).toEqual(['sound:vm-intro']);
    t.playback.last().finish();
    expect(t.state()).toEqual({ recording: 'capturing' });
    const take = t.recording.last();
    expect(take.input).toMatchObject({ format: 'wav', beep: true, ifExists: 'overwrite', terminateOn: 'none', maxDurationSeconds: 300, maxSilenceSeconds: 10 });
    expect(take.input.name).toMatch(/^voicemail\/305\/[0-9a-f-]{36}$/);
    t.key('#');
    expect(take.commands).toEqual([{ type: 'recording.stop' }]);
    expect(t.state()).toEqual({ recording: 'stopping' }); // not reviewing before RecordingFinished
    take.finish(4);
    expect(t.state()).toEqual({ reviewing: 'playing' });
    expect(t.playback.last().input.media).toEqual([`recording:${take.input.name}`]);
    t.key('#');
    await settle();
    expect(t.keepMessage.inputs).toEqual([{ mailbox: '305', recording: take.input.name, durationSeconds: 4, caller: { name: 'Alice', number: '200' }, log: t.log }]);
    expect(t.playback.media().at(-1)).toBe('sound:vm-goodbye');
    t.playback.last().finish();
    expect(t.actor.getSnapshot().status).toBe('done');
    expect(t.states).toEqual(['preparing', 'greeting', '{"recording":"beeping"}', '{"recording":"capturing"}', '{"recording":"stopping"}', '{"reviewing":"playing"}', '{"ending":"saving"}', '{"ending":"goodbye"}', 'closed']);
  });

  it('# cuts the greeting short', async () => {
    const t = start();
    await settle();
    t.key('#');
    expect(t.playback.last().stopped).toBe(true);
    expect(t.state()).toEqual({ recording: 'capturing' });
  });

  it('plays the mailbox’s own greeting when it has one', async () => {
    const t = start({ ...ready, greeting: 'recording:voicemail/305/greeting' });
    await settle();
    expect(t.playback.media()).toEqual(['recording:voicemail/305/greeting']);
  });

  it('* while recording cancels and starts a fresh recording once the cancel is done', async () => {
    const t = start();
    await settle();
    t.playback.last().finish();
    const first = t.recording.last();
    t.key('*');
    expect(first.commands).toEqual([{ type: 'recording.cancel' }]);
    expect(t.recording.takes).toHaveLength(1);
    first.finish(2, { cancelled: true });
    expect(t.recording.takes).toHaveLength(2);
    expect(t.recording.last().input.name).not.toBe(first.input.name);
    expect(t.state()).toEqual({ recording: 'capturing' });
  });

  it('a recording that ends by itself (silence, max duration) goes to review', async () => {
    const t = start();
    await settle();
    t.playback.last().finish();
    t.recording.last().finish(10);
    expect(t.state()).toEqual({ reviewing: 'playing' });
  });

  it('* while reviewing deletes the stored recording, waits for it, and records again', async () => {
    const t = start();
    await settle();
    t.playback.last().finish();
    const first = t.recording.last();
    t.key('#');
    first.finish(3);
    t.key('*');
    expect(t.state()).toEqual({ reviewing: 'deleting' });
    await settle();
    expect(t.deleteRecording.inputs).toEqual([{ name: first.input.name }]);
    expect(t.state()).toEqual({ recording: 'capturing' });
    expect(t.recording.takes).toHaveLength(2);
  });

  it('accepts when no key comes within the review time-out after the playback', async () => {
    const t = start();
    await settle();
    t.playback.last().finish();
    t.key('#');
    t.recording.last().finish(3);
    t.clock.increment(60_000); // the playback is still going: no time-out yet
    expect(t.state()).toEqual({ reviewing: 'playing' });
    t.playback.last().finish();
    t.clock.increment(9_999);
    expect(t.state()).toEqual({ reviewing: 'waiting' });
    t.clock.increment(1);
    await settle();
    expect(t.keepMessage.inputs).toHaveLength(1);
  });

  it('hang-up in the greeting stores nothing', async () => {
    const t = start();
    await settle();
    t.actor.send({ type: 'ari.hangup' });
    await settle();
    expect(t.recording.takes).toHaveLength(0);
    expect(t.keepMessage.inputs).toHaveLength(0);
    expect(t.actor.getSnapshot().status).toBe('done');
  });

  it('hang-up while recording keeps the message, with the duration from RecordingFinished', async () => {
    const t = start();
    await settle();
    t.playback.last().finish();
    const take = t.recording.last();
    t.actor.send({ type: 'ari.hangup' });
    expect(t.state()).toEqual({ recording: 'savingOnHangup' });
    take.finish(7);
    t.actor.send({ type: 'ari.stasisEnd' });
    await settle();
    expect(t.keepMessage.inputs).toEqual([expect.objectContaining({ recording: take.input.name, durationSeconds: 7 })]);
    expect(t.actor.getSnapshot().status).toBe('done');
  });

  it('hang-up while recording keeps the message even if RecordingFinished never comes', async () => {
    const t = start();
    await settle();
    t.playback.last().finish();
    t.actor.send({ type: 'ari.hangup' });
    t.clock.increment(5000);
    await settle();
    expect(t.keepMessage.inputs).toEqual([expect.objectContaining({ durationSeconds: undefined })]);
  });

  it('hang-up while reviewing keeps the message', async () => {
    const t = start();
    await settle();
    t.playback.last().finish();
    t.key('#');
    t.recording.last().finish(5);
    t.actor.send({ type: 'ari.hangup' });
    await settle();
    expect(t.keepMessage.inputs).toEqual([expect.objectContaining({ durationSeconds: 5 })]);
  });

  it('hang-up while a cancelled take is being replaced keeps nothing', async () => {
    const t = start();
    await settle();
    t.playback.last().finish();
    t.key('*');
    t.actor.send({ type: 'ari.hangup' });
    await settle();
    expect(t.keepMessage.inputs).toHaveLength(0);
  });

  it('a hang-up while the accepted message is being saved saves it once', async () => {
    const t = start();
    await settle();
    t.playback.last().finish();
    t.key('#');
    t.recording.last().finish(5);
    t.key('#');
    t.actor.send({ type: 'ari.hangup' });
    await settle();
    expect(t.keepMessage.inputs).toHaveLength(1);
  });

  it.each<[PrepareResult, string]>([
    [{ outcome: 'invalidMailbox' }, 'sound:pbx-invalid'],
    [{ outcome: 'mailboxFull', mailbox: '305' }, 'sound:vm-mailboxfull'],
  ])('rejects a call that cannot leave a message (%o) with %s and ends', async (prepare, prompt) => {
    const t = start(prepare);
    await settle();
    expect(t.playback.media()).toEqual([prompt]);
    t.playback.last().finish();
    expect(t.actor.getSnapshot().status).toBe('done');
    expect(t.recording.takes).toHaveLength(0);
    expect(t.log.lines.some((l) => l.level === 'warn')).toBe(true);
  });

  it('ends early with one error line naming the missing sound and language', async () => {
    const t = start({ outcome: 'soundMissing', sound: 'vm-intro', language: 'fr' });
    await settle();
    expect(t.actor.getSnapshot().status).toBe('done');
    expect(t.playback.plays).toHaveLength(0);
    const errors = t.log.lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe('sound "vm-intro" is not installed in language "fr"; ending the call');
  });

  it('skips the goodbye when vm-goodbye is not installed', async () => {
    const t = start({ ...ready, goodbye: false });
    await settle();
    t.key('#');
    t.key('#');
    t.recording.last().finish(2);
    t.key('#');
    await settle();
    expect(t.playback.media()).not.toContain('sound:vm-goodbye');
    expect(t.actor.getSnapshot().status).toBe('done');
  });

  it('keys during the beep do nothing: the recording starts, and # then stops it', async () => {
    const t = start(ready, { startAtOnce: false });
    await settle();
    t.playback.last().finish();
    expect(t.state()).toEqual({ recording: 'beeping' });
    t.key('#');
    t.key('*');
    const take = t.recording.last();
    expect(take.commands).toEqual([]);
    expect(t.recording.takes).toHaveLength(1);
    take.start();
    expect(t.state()).toEqual({ recording: 'capturing' });
    t.key('#');
    expect(take.commands).toEqual([{ type: 'recording.stop' }]);
  });

  it('a hang-up during the beep keeps nothing (nothing was recorded)', async () => {
    const t = start(ready, { startAtOnce: false });
    await settle();
    t.playback.last().finish();
    t.actor.send({ type: 'ari.hangup' });
    await settle();
    expect(t.keepMessage.inputs).toHaveLength(0);
    expect(t.actor.getSnapshot().status).toBe('done');
  });

  it('when the service ends the call while recording, the message is stopped, kept, and the caller hears goodbye', async () => {
    const t = start();
    await settle();
    t.playback.last().finish();
    const take = t.recording.last();
    t.actor.send({ type: 'call.end', reason: 'shutdown' });
    expect(take.commands).toEqual([{ type: 'recording.stop' }]);
    take.finish(6);
    await settle();
    expect(t.keepMessage.inputs).toEqual([expect.objectContaining({ recording: take.input.name, durationSeconds: 6 })]);
    expect(t.playback.media().at(-1)).toBe('sound:vm-goodbye');
  });

  it('when the service ends the call during the greeting, the caller hears goodbye and nothing is kept', async () => {
    const t = start();
    await settle();
    t.actor.send({ type: 'call.end', reason: 'shutdown' });
    await settle();
    expect(t.playback.media()).toEqual(['sound:vm-intro', 'sound:vm-goodbye']);
    expect(t.recording.takes).toHaveLength(0);
    t.playback.last().finish();
    expect(t.actor.getSnapshot().status).toBe('done');
  });
});
