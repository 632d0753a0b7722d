import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { memoryLog } from '../../../test/support/effect-harness.js';
import { settle, stubPlayback, stubPromise, documentInput } from '../../../test/support/machine-stubs.js';
import { documentMachine } from '../machine.js';
import type { Program, RejectStep, Step } from '../program.js';
import type { AnswerInput, LegInput, OpenResult, RejectInput, RenderedPrompt, SpeechInput } from '../types.js';

const reject = (reason: RejectStep['reason']): RejectStep => ({ kind: 'reject', reason });
const say = (text: string): Step => ({ kind: 'say', speech: { text, ssml: false, language: 'en-US' }, prompt: { loop: 1, level: 0, bargeIn: false } });

/** `rejected` answers the `reject` effect (default: at once). */
function start(program: Program, rejected: () => void | Promise<void> = () => undefined) {
  const log = memoryLog();
  const answer = stubPromise<void, AnswerInput>(() => undefined);
  const rejectEffect = stubPromise<void, RejectInput>(rejected);
  const playback = stubPlayback();
  const actor = createActor(
    documentMachine.provide({
      actors: {
        open: stubPromise<OpenResult, LegInput>(() => ({ outcome: 'ready', program })).logic,
        answer: answer.logic,
        speech: stubPromise<RenderedPrompt, SpeechInput>((i) => ({ media: `sound:/tts/${i.speech.text}` })).logic,
        playback: playback.logic,
        reject: rejectEffect.logic,
      },
    }),
    { input: documentInput(log), clock: new SimulatedClock() },
  );
  const errors: unknown[] = [];
  actor.subscribe({ error: (err) => errors.push(err) });
  actor.start();
  const leg = { leg: 'leg-1', channelId: 'c1', log };
  return { actor, answer, reject: rejectEffect, playback, log, leg, errors, done: () => actor.getSnapshot().status === 'done' };
}

describe('document machine: reject (TwiML <Reject>)', () => {
  it('as the first step the call is never answered: it is rejected with the reason and ends', async () => {
    const t = start({ steps: [reject('busy'), say('never')] });
    await settle();
    expect(t.answer.inputs).toEqual([]);
    expect(t.reject.inputs).toEqual([{ ...t.leg, reason: 'busy' }]);
    expect(t.done()).toBe(true);
    expect(t.playback.plays).toEqual([]);
    expect(t.errors).toEqual([]);
  });

  it('the call ends only once the reject is done', async () => {
    let rejected: () => void = () => undefined;
    const t = start({ steps: [reject('rejected')] }, () => new Promise<void>((resolve) => (rejected = resolve)));
    await settle();
    expect(t.reject.inputs).toHaveLength(1);
    expect(t.done()).toBe(false);
    rejected();
    await settle();
    expect(t.done()).toBe(true);
  });

  it('after a say, the call was answered first and is then rejected', async () => {
    const t = start({ steps: [say('sorry'), reject('rejected'), say('never')] });
    await settle();
    expect(t.answer.inputs).toEqual([{ ...t.leg, announce: true }]);
    expect(t.playback.media()).toEqual(['sound:/tts/sorry']);
    expect(t.reject.inputs).toEqual([]);
    t.playback.last().finish();
    await settle();
    expect(t.reject.inputs).toEqual([{ ...t.leg, reason: 'rejected' }]);
    expect(t.done()).toBe(true);
    expect(t.playback.plays).toHaveLength(1);
  });

  it('a reject that fails is logged and the call still ends', async () => {
    const t = start({ steps: [reject('busy'), say('never')] }, () => {
      throw new Error('Channel not found');
    });
    await settle();
    expect(t.done()).toBe(true);
    expect(t.playback.plays).toEqual([]);
    expect(t.log.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'could not reject the call; ending it' }));
    expect(t.errors).toEqual([]);
  });
});
