import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, SimulatedClock } from 'xstate';
import { memoryLog } from '../../../test/support/effect-harness.js';
import { settle, stubPlayback, stubPromise, documentInput } from '../../../test/support/machine-stubs.js';
import { documentMachine } from '../machine.js';
import type { DialOutcome, DialStep, Program, Report, Step } from '../program.js';
import type { DialInput } from '../setup.js';
import type { AnswerInput, DocumentInput, LegInput, OpenResult, RenderedPrompt, ReportInput, ReportReply, SpeechInput } from '../types.js';

const dialStep = (options: Partial<DialStep> = {}): DialStep => ({
  kind: 'dial',
  endpoint: { type: 'phone', number: '447700900123' },
  timeoutSeconds: 60,
  limitSeconds: 7200,
  synchronous: false,
  report: { url: 'http://app.test/event', method: 'POST', shape: 'ncco-connect' },
  ...options,
});
const after: Report = { url: 'http://app.test/dial-action', method: 'POST', shape: 'twiml-dial', replies: true };
const say = (text: string): Step => ({ kind: 'say', speech: { text, ssml: false, language: 'en-US' }, prompt: { loop: 1, level: 0, bargeIn: false } });

/** A `dialer` stub: each dial, whether its cleanup ran, and a way to end it. */
function stubDialer() {
  const dials: { input: DialInput; left: boolean; over(outcome?: Partial<DialOutcome>): void }[] = [];
  const logic = fromCallback<{ type: 'noop' }, DialInput>(({ input, sendBack }) => {
    const entry = { input, left: false, over: (outcome: Partial<DialOutcome> = {}) => sendBack({ type: 'dial.over', status: 'completed', ...outcome }) };
    dials.push(entry);
    return () => {
      entry.left = true;
    };
  });
  return { logic, dials, last: () => dials.at(-1)! };
}

/** `reply` answers the dial's `after` report (default: an empty reply). */
function start(program: Program, reply: (input: ReportInput) => ReportReply | Promise<ReportReply> = () => ({})) {
  const dialer = stubDialer();
  const playback = stubPlayback();
  const report = stubPromise<ReportReply, ReportInput>(reply);
  const input: DocumentInput = documentInput(memoryLog());
  const actor = createActor(
    documentMachine.provide({
      actors: {
        open: stubPromise<OpenResult, LegInput>(() => ({ outcome: 'ready', program })).logic,
        answer: stubPromise<void, AnswerInput>(() => undefined).logic,
        speech: stubPromise<RenderedPrompt, SpeechInput>((i) => ({ media: `sound:/tts/${i.speech.text}` })).logic,
        playback: playback.logic,
        dialer: dialer.logic,
        report: report.logic,
      },
    }),
    { input, clock: new SimulatedClock() },
  );
  const errors: unknown[] = [];
  actor.subscribe({ error: (err) => errors.push(err) });
  actor.start();
  return { actor, dialer, playback, report, errors, key: (digit: string) => actor.send({ type: 'ari.dtmf', digit }), state: () => actor.getSnapshot().value, done: () => actor.getSnapshot().status === 'done' };
}

describe('document machine: dial', () => {
  it('dials with the leg, channel and step, and stays until the new leg is over; then the next step runs', async () => {
    const step = dialStep({ from: '447700900000', ringbackUrl: 'http://app.test/ring.mp3' });
    const t = start({ steps: [step, say('after')] });
    await settle();
    expect(t.state()).toEqual({ dial: 'connecting' });
    expect(t.dialer.dials).toHaveLength(1);
    expect(t.dialer.last().input).toMatchObject({ leg: 'leg-1', channelId: 'c1', step });
    expect(t.playback.plays).toEqual([]);
    t.dialer.last().over();
    await settle();
    expect(t.dialer.last().left).toBe(true);
    expect(t.playback.media()).toEqual(['sound:/tts/after']);
    t.playback.last().finish();
    await settle();
    expect(t.done()).toBe(true);
    expect(t.errors).toEqual([]);
  });

  it('a failure without a document goes on with the next step', async () => {
    const t = start({ steps: [dialStep(), say('sorry')] });
    await settle();
    t.dialer.last().over({ status: 'busy' });
    await settle();
    expect(t.playback.media()).toEqual(['sound:/tts/sorry']);
  });

  it('a failure whose reply carried a document runs it instead of the rest', async () => {
    const t = start({ steps: [dialStep({ synchronous: true }), say('never')] });
    await settle();
    t.dialer.last().over({ status: 'timeout', replace: { steps: [say('voicemail')] } });
    await settle();
    expect(t.actor.getSnapshot().context.pc).toBe(0);
    expect(t.playback.media()).toEqual(['sound:/tts/voicemail']);
  });

  it('ends the call when the new leg is over and nothing follows', async () => {
    const t = start({ steps: [dialStep()] });
    await settle();
    t.dialer.last().over();
    await settle();
    expect(t.done()).toBe(true);
  });

  it.each([
    ['a hang-up', { type: 'ari.hangup' } as const],
    ['call.end', { type: 'call.end', reason: 'request' } as const],
  ])('%s ends the dial (its cleanup hangs the new leg up) and the call', async (_name, event) => {
    const t = start({ steps: [dialStep(), say('never')] });
    await settle();
    t.actor.send(event);
    await settle();
    expect(t.dialer.last().left).toBe(true);
    expect(t.done()).toBe(true);
    expect(t.playback.plays).toEqual([]);
  });

  it('a replaced document ends the dial and runs the new one', async () => {
    const t = start({ steps: [dialStep()] });
    await settle();
    t.actor.send({ type: 'document.replace', program: { steps: [say('moved')] } });
    await settle();
    expect(t.dialer.last().left).toBe(true);
    expect(t.playback.media()).toEqual(['sound:/tts/moved']);
  });

  it('drops keys while connecting', async () => {
    const t = start({ steps: [dialStep()] });
    await settle();
    t.actor.send({ type: 'ari.dtmf', digit: '5' });
    await settle();
    expect(t.state()).toEqual({ dial: 'connecting' });
    expect(t.dialer.last().left).toBe(false);
    expect(t.actor.getSnapshot().context.typedAhead).toBe('');
  });
});

describe('document machine: dial with after (TwiML <Dial action>)', () => {
  it('once the new leg is over, reports its outcome to `after` and waits for the reply; an empty reply goes on', async () => {
    let replied: (reply: ReportReply) => void = () => undefined;
    const t = start({ steps: [dialStep({ after }), say('next')] }, () => new Promise<ReportReply>((resolve) => (replied = resolve)));
    await settle();
    t.dialer.last().over({ status: 'busy', legUuid: 'leg-2', durationSeconds: 0 });
    await settle();
    expect(t.dialer.last().left).toBe(true);
    expect(t.state()).toEqual({ dial: 'reporting' });
    expect(t.report.inputs).toEqual([{ leg: 'leg-1', channelId: 'c1', log: expect.anything() as unknown, report: after, result: { kind: 'dial', status: 'busy', legUuid: 'leg-2', durationSeconds: 0 } }]);
    expect(t.playback.plays).toEqual([]);
    replied({});
    await settle();
    expect(t.playback.media()).toEqual(['sound:/tts/next']);
  });

  it('reports only what the dialer told: no leg uuid or duration when there were none', async () => {
    const t = start({ steps: [dialStep({ after })] });
    await settle();
    t.dialer.last().over({ status: 'failed' });
    await settle();
    expect(t.report.inputs.map((i) => i.result)).toStrictEqual([{ kind: 'dial', status: 'failed' }]);
    expect(t.done()).toBe(true);
  });

  it('a reply with a document replaces the rest of the program', async () => {
    const t = start({ steps: [dialStep({ after }), say('old rest')] }, () => ({ replace: { steps: [say('voicemail'), say('bye')] } }));
    await settle();
    t.dialer.last().over({ status: 'no-answer', legUuid: 'leg-2' });
    await settle();
    expect(t.actor.getSnapshot().context.pc).toBe(0);
    expect(t.playback.media()).toEqual(['sound:/tts/voicemail']);
    t.playback.last().finish();
    await settle();
    expect(t.playback.media()).toEqual(['sound:/tts/voicemail', 'sound:/tts/bye']);
    t.playback.last().finish();
    await settle();
    expect(t.done()).toBe(true);
    expect(t.errors).toEqual([]);
  });

  it('a report that fails goes on with the next step', async () => {
    const t = start({ steps: [dialStep({ after }), say('next')] }, () => {
      throw new Error('HTTP 500');
    });
    await settle();
    t.dialer.last().over({ status: 'completed', legUuid: 'leg-2', durationSeconds: 42 });
    await settle();
    expect(t.report.inputs).toHaveLength(1);
    expect(t.playback.media()).toEqual(['sound:/tts/next']);
  });

  it('without after, nothing is reported and the next step runs', async () => {
    const t = start({ steps: [dialStep(), say('next')] }, () => ({ replace: { steps: [say('never')] } }));
    await settle();
    t.dialer.last().over({ status: 'completed', legUuid: 'leg-2', durationSeconds: 42 });
    await settle();
    expect(t.report.inputs).toEqual([]);
    expect(t.playback.media()).toEqual(['sound:/tts/next']);
  });
});

describe('document machine: dial with hangupOnStar', () => {
  it('the caller’s * leaves the dial (the dialer’s cleanup hangs the new leg up) and the next step runs', async () => {
    const t = start({ steps: [dialStep({ hangupOnStar: true }), say('back')] });
    await settle();
    t.key('1');
    await settle();
    expect(t.dialer.last().left).toBe(false);
    t.key('*');
    await settle();
    expect(t.dialer.last().left).toBe(true);
    expect(t.report.inputs).toEqual([]);
    expect(t.playback.media()).toEqual(['sound:/tts/back']);
  });

  it('with after, * reports the dial as completed and runs the reply', async () => {
    const t = start({ steps: [dialStep({ hangupOnStar: true, after }), say('old rest')] }, () => ({ replace: { steps: [say('menu')] } }));
    await settle();
    t.key('*');
    await settle();
    expect(t.dialer.last().left).toBe(true);
    expect(t.report.inputs.map((i) => ({ report: i.report, result: i.result }))).toEqual([{ report: after, result: { kind: 'dial', status: 'completed' } }]);
    expect(t.playback.media()).toEqual(['sound:/tts/menu']);
  });

  it('without hangupOnStar, * does nothing: the dial goes on', async () => {
    const t = start({ steps: [dialStep({ after }), say('later')] });
    await settle();
    t.key('*');
    await settle();
    expect(t.state()).toEqual({ dial: 'connecting' });
    expect(t.dialer.last().left).toBe(false);
    expect(t.report.inputs).toEqual([]);
    expect(t.playback.plays).toEqual([]);
  });
});
