import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, SimulatedClock } from 'xstate';
import { memoryLog } from '../../../test/support/effect-harness.js';
import { settle, stubPlayback, stubPromise, documentInput } from '../../../test/support/machine-stubs.js';
import type { MembershipEvent, MembershipInput } from '../../conversation/types.js';
import { documentMachine } from '../machine.js';
import type { JoinStep, Program, Step } from '../program.js';
import type { AnswerInput, DocumentInput, LegInput, OpenResult, RenderedPrompt, SpeechInput } from '../types.js';

const join = (options: Partial<JoinStep> = {}): JoinStep => ({
  kind: 'join',
  name: 'hotline',
  startOnEnter: true,
  endOnExit: false,
  record: false,
  muted: false,
  deaf: false,
  report: { url: 'http://app.test/rec', method: 'POST', shape: 'ncco-record' },
  ...options,
});
const say = (text: string): Step => ({ kind: 'say', speech: { text, ssml: false, language: 'en-US' }, prompt: { loop: 1, level: 0, bargeIn: false } });

/** A `membership` stub: each join, whether it left (cleanup), what it received, and a way for the room to let it go. */
function stubMembership() {
  const joins: { input: MembershipInput; left: boolean; release(reason?: MembershipEvent['reason']): void }[] = [];
  const logic = fromCallback<MembershipEvent, MembershipInput>(({ input, sendBack }) => {
    const entry = { input, left: false, release: (reason: MembershipEvent['reason'] = 'ended') => sendBack({ type: 'conversation.left', reason }) };
    joins.push(entry);
    return () => {
      entry.left = true;
    };
  });
  return { logic, joins, last: () => joins.at(-1)! };
}

function start(program: Program) {
  const membership = stubMembership();
  const playback = stubPlayback();
  const log = memoryLog();
  const input: DocumentInput = documentInput(log);
  const actor = createActor(
    documentMachine.provide({
      actors: {
        open: stubPromise<OpenResult, LegInput>(() => ({ outcome: 'ready', program })).logic,
        answer: stubPromise<void, AnswerInput>(() => undefined).logic,
        speech: stubPromise<RenderedPrompt, SpeechInput>((i) => ({ media: `sound:/tts/${i.speech.text}` })).logic,
        playback: playback.logic,
        membership: membership.logic,
      },
    }),
    { input, clock: new SimulatedClock() },
  );
  const errors: unknown[] = [];
  actor.subscribe({ error: (err) => errors.push(err) });
  actor.start();
  return { actor, membership, playback, errors, state: () => actor.getSnapshot().value, done: () => actor.getSnapshot().status === 'done' };
}

describe('document machine: join', () => {
  it('joins with the leg, channel and step, and stays until the room lets it go; then the next step runs', async () => {
    const step = join({ startOnEnter: false, record: true });
    const t = start({ steps: [step, say('after')] });
    await settle();
    expect(t.state()).toBe('join');
    expect(t.membership.joins).toHaveLength(1);
    expect(t.membership.last().input).toMatchObject({ leg: 'leg-1', channelId: 'c1', step });
    t.membership.last().release('ended');
    await settle();
    expect(t.membership.last().left).toBe(true);
    expect(t.playback.media()).toEqual(['sound:/tts/after']);
    t.playback.last().finish();
    await settle();
    expect(t.done()).toBe(true);
    expect(t.errors).toEqual([]);
  });

  it('ends the call when the room lets it go and nothing follows', async () => {
    const t = start({ steps: [join()] });
    await settle();
    t.membership.last().release('full');
    await settle();
    expect(t.done()).toBe(true);
  });

  it('a hang-up leaves the room and ends the call', async () => {
    const t = start({ steps: [join(), say('never')] });
    await settle();
    t.actor.send({ type: 'ari.hangup' });
    await settle();
    expect(t.membership.last().left).toBe(true);
    expect(t.done()).toBe(true);
    expect(t.playback.plays).toEqual([]);
  });

  it('call.end leaves the room', async () => {
    const t = start({ steps: [join()] });
    await settle();
    t.actor.send({ type: 'call.end', reason: 'request' });
    await settle();
    expect(t.membership.last().left).toBe(true);
    expect(t.done()).toBe(true);
  });

  it('a replaced document leaves the room and runs the new one', async () => {
    const t = start({ steps: [join()] });
    await settle();
    t.actor.send({ type: 'document.replace', program: { steps: [say('moved')] } });
    await settle();
    expect(t.membership.last().left).toBe(true);
    expect(t.playback.media()).toEqual(['sound:/tts/moved']);
  });

  it('drops keys while in the conversation', async () => {
    const t = start({ steps: [join()] });
    await settle();
    t.actor.send({ type: 'ari.dtmf', digit: '5' });
    await settle();
    expect(t.state()).toBe('join');
    expect(t.membership.last().left).toBe(false);
    expect(t.actor.getSnapshot().context.typedAhead).toBe('');
  });
});
