import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { memoryLog } from '../../../test/support/effect-harness.js';
import { settle, stubPlayback, stubPromise, documentInput } from '../../../test/support/machine-stubs.js';
import { documentMachine } from '../machine.js';
import type { Program, Step, TonesStep } from '../program.js';
import type { AnswerInput, LegInput, OpenResult, RenderedPrompt, SpeechInput, TonesInput } from '../types.js';

const tones = (digits: string): TonesStep => ({ kind: 'tones', digits });
const say = (text: string): Step => ({ kind: 'say', speech: { text, ssml: false, language: 'en-US' }, prompt: { loop: 1, level: 0, bargeIn: false } });

/** `sent` answers the `tones` effect (default: at once). */
function start(program: Program, sent: (input: TonesInput) => void | Promise<void> = () => undefined) {
  const log = memoryLog();
  const tonesEffect = stubPromise<void, TonesInput>(sent);
  const playback = stubPlayback();
  const actor = createActor(
    documentMachine.provide({
      actors: {
        open: stubPromise<OpenResult, LegInput>(() => ({ outcome: 'ready', program })).logic,
        answer: stubPromise<void, AnswerInput>(() => undefined).logic,
        speech: stubPromise<RenderedPrompt, SpeechInput>((i) => ({ media: `sound:/tts/${i.speech.text}` })).logic,
        playback: playback.logic,
        tones: tonesEffect.logic,
      },
    }),
    { input: documentInput(log), clock: new SimulatedClock() },
  );
  const errors: unknown[] = [];
  actor.subscribe({ error: (err) => errors.push(err) });
  actor.start();
  const leg = { leg: 'leg-1', channelId: 'c1', log };
  return { actor, tones: tonesEffect, playback, log, leg, errors, done: () => actor.getSnapshot().status === 'done' };
}

describe('document machine: tones (TwiML <Play digits>)', () => {
  it('sends the digits into the leg, then runs the next step once they are sent', async () => {
    let sent: () => void = () => undefined;
    const t = start({ steps: [tones('12p#'), say('next')] }, () => new Promise<void>((resolve) => (sent = resolve)));
    await settle();
    expect(t.tones.inputs).toEqual([{ ...t.leg, digits: '12p#' }]);
    expect(t.playback.plays).toEqual([]);
    sent();
    await settle();
    expect(t.playback.media()).toEqual(['sound:/tts/next']);
    expect(t.errors).toEqual([]);
  });

  it('ends the call when nothing follows', async () => {
    const t = start({ steps: [tones('9')] });
    await settle();
    expect(t.tones.inputs).toHaveLength(1);
    expect(t.done()).toBe(true);
  });

  it('tones that fail are logged and the next step runs', async () => {
    const t = start({ steps: [tones('123'), say('next')] }, () => {
      throw new Error('Channel not found');
    });
    await settle();
    expect(t.playback.media()).toEqual(['sound:/tts/next']);
    expect(t.log.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'could not send the digits; going on' }));
    expect(t.errors).toEqual([]);
  });
});
