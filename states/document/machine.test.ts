import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { memoryLog } from '../../test/support/effect-harness.js';
import { settle, stubCallback, stubPlayback, stubPromise, stubRecording, documentInput } from '../../test/support/machine-stubs.js';
import { documentMachine } from './machine.js';
import type { CollectStep, NotifyStep, PlayStep, Program, PromptOptions, RecordStep, Report, SayStep, Step, StepResult, WaitStep } from './program.js';
import type {
  AnswerInput,
  BackgroundRecordingInput,
  DocumentInput,
  KeepRecordingInput,
  LegInput,
  MediaInput,
  OpenResult,
  RenderedPrompt,
  ReportInput,
  ReportReply,
  SpeechInput,
} from './types.js';

const settings = { recordingFinishMs: 2000, maxLoops: 4 };
const inputReport: Report = { url: 'http://app.test/input', method: 'POST', shape: 'ncco-input' };
const recordReport: Report = { url: 'http://app.test/record', method: 'POST', shape: 'ncco-record' };
const notifyReport: Report = { url: 'http://app.test/notify', method: 'POST', shape: 'ncco-notify' };

const prompt = (options: Partial<PromptOptions> = {}): PromptOptions => ({ loop: 1, level: 0, bargeIn: false, ...options });
const say = (text: string, options: Partial<PromptOptions> = {}): SayStep => ({ kind: 'say', speech: { text, ssml: false, language: 'en-US' }, prompt: prompt(options) });
const play = (url: string, options: Partial<PromptOptions> = {}): PlayStep => ({ kind: 'play', url, prompt: prompt(options) });
const collect = (options: Partial<CollectStep> = {}): CollectStep => ({
  kind: 'collect',
  maxDigits: 4,
  timeoutMs: 3000,
  speechRequested: false,
  report: inputReport,
  ...options,
});
const record = (options: Partial<RecordStep> = {}): RecordStep => ({ kind: 'record', format: 'mp3', maxSeconds: 60, beep: false, blocking: true, report: recordReport, ...options });
const notify = (payload: Record<string, unknown>): NotifyStep => ({ kind: 'notify', payload, report: notifyReport });
const wait = (ms: number): WaitStep => ({ kind: 'wait', ms });
const hangup: Step = { kind: 'hangup' };
const program = (...steps: Step[]): Program => ({ steps });

/** What the stubs render: speech `sound:/tts/<text>`, media `sound:/media/<last part of the URL>`. */
const spoken = (text: string) => `sound:/tts/${text}`;
const streamed = (url: string) => `sound:/media/${url.split('/').at(-1)}`;

const never = <T>() => new Promise<T>(() => undefined);

interface Options {
  /** What `open` gives (or throws, as a function). */
  open?: OpenResult | (() => OpenResult | Promise<OpenResult>);
  /** The reply to each report (may throw). */
  reply?: (input: ReportInput) => ReportReply | Promise<ReportReply>;
  /** Replaces the speech stub's rendering. */
  render?: (input: SpeechInput) => RenderedPrompt | Promise<RenderedPrompt>;
}

function start(first: Program | OpenResult, options: Options = {}) {
  const opened: OpenResult | (() => OpenResult | Promise<OpenResult>) = options.open ?? ('steps' in first ? { outcome: 'ready', program: first } : first);
  const open = stubPromise<OpenResult, LegInput>(() => (typeof opened === 'function' ? opened() : opened));
  const answer = stubPromise<void, AnswerInput>(() => undefined);
  const speech = stubPromise<RenderedPrompt, SpeechInput>((input) => {
    if (options.render) return options.render(input);
    if (input.speech.text.startsWith('FAIL')) throw new Error('espeak-ng exited with 1');
    return { media: spoken(input.speech.text) };
  });
  const media = stubPromise<RenderedPrompt, MediaInput>((input) => {
    if (input.url.includes('missing')) throw new Error('HTTP 404');
    return { media: streamed(input.url) };
  });
  const keepRecording = stubPromise<Extract<StepResult, { kind: 'record' }>, KeepRecordingInput>((input) => ({
    kind: 'record',
    recordingId: input.name.split('/').at(-1)!,
    size: 1234,
    startTime: input.startedAt,
    endTime: input.endedAt,
  }));
  const report = stubPromise<ReportReply, ReportInput>(options.reply ?? (() => ({})));
  const backgroundRecording = stubCallback<BackgroundRecordingInput, { type: 'noop' }>();
  const playback = stubPlayback();
  const recording = stubRecording();
  const clock = new SimulatedClock();
  const log = memoryLog();
  const input: DocumentInput = documentInput(log, settings);
  const actor = createActor(
    documentMachine.provide({
      actors: {
        open: open.logic,
        answer: answer.logic,
        speech: speech.logic,
        media: media.logic,
        keepRecording: keepRecording.logic,
        report: report.logic,
        backgroundRecording: backgroundRecording.logic,
        playback: playback.logic,
        recording: recording.logic,
      },
    }),
    { input, clock },
  );
  const errors: unknown[] = [];
  actor.subscribe({ error: (err) => errors.push(err) });
  actor.start();
  const leg = { leg: 'leg-1', channelId: 'c1', log };
  return {
    actor,
    open,
    answer,
    speech,
    media,
    keepRecording,
    report,
    backgroundRecording,
    playback,
    recording,
    clock,
    log,
    leg,
    errors,
    key: (digit: string) => actor.send({ type: 'ari.dtmf', digit }),
    keys: (digits: string) => {
      for (const digit of digits) actor.send({ type: 'ari.dtmf', digit });
    },
    state: () => actor.getSnapshot().value,
    done: () => actor.getSnapshot().status === 'done',
    /** What the caller heard: the media of each playback, in order (a list joined with +). */
    heard: () => playback.media(),
    /** The results the program received. */
    results: () => report.inputs.map((i) => i.result),
    /** Finishes the playback now running and lets the next step start. */
    finishPlayback: async (state: 'done' | 'failed' = 'done') => {
      playback.last().finish(state);
      await settle();
    },
  };
}

describe('document machine: opening', () => {
  it('opens, then answers announcing the call, then runs the steps', async () => {
    const t = start(program(say('hello')));
    await settle();
    expect(t.open.inputs).toEqual([t.leg]);
    expect(t.answer.inputs).toEqual([{ ...t.leg, announce: true }]);
    expect(t.heard()).toEqual([spoken('hello')]);
    await t.finishPlayback();
    expect(t.done()).toBe(true);
    expect(t.errors).toEqual([]);
  });

  it('does not answer before the program is found', async () => {
    let found: (result: OpenResult) => void = () => undefined;
    const t = start(program(), { open: () => new Promise<OpenResult>((resolve) => (found = resolve)) });
    await settle();
    expect(t.answer.inputs).toEqual([]);
    found({ outcome: 'ready', program: program(say('late')) });
    await settle();
    expect(t.answer.inputs).toEqual([{ ...t.leg, announce: true }]);
    expect(t.heard()).toEqual([spoken('late')]);
  });

  it('a refused call is answered without announcing, hears why, and ends', async () => {
    const t = start({ outcome: 'refused', reason: 'unknown application', prompt: ['sound:ss-noservice'] });
    await settle();
    expect(t.answer.inputs).toEqual([{ ...t.leg, announce: false }]);
    expect(t.heard()).toEqual(['sound:ss-noservice']);
    expect(t.done()).toBe(false);
    await t.finishPlayback();
    expect(t.done()).toBe(true);
    expect(t.speech.inputs).toEqual([]);
  });

  it('an open that throws ends the call (answered only to hang up), logged', async () => {
    const t = start(program(say('never')), {
      open: () => {
        throw new Error('database is locked');
      },
    });
    await settle();
    expect(t.done()).toBe(true);
    expect(t.answer.inputs).toEqual([{ ...t.leg, announce: false }]);
    expect(t.heard()).toEqual([]);
    expect(t.log.lines).toContainEqual(expect.objectContaining({ level: 'error', message: 'could not open the call' }));
    expect(t.errors).toEqual([]);
  });

  it('a hang-up while opening ends the call without answering', async () => {
    const t = start(program(), { open: () => never<OpenResult>() });
    await settle();
    t.actor.send({ type: 'ari.hangup' });
    await settle();
    expect(t.done()).toBe(true);
    expect(t.answer.inputs).toEqual([]);
  });
});

describe('document machine: say', () => {
  it('renders the speech with its level, then plays loop copies as one list', async () => {
    const step: SayStep = { kind: 'say', speech: { text: 'Welcome', ssml: false, language: 'en-GB', gender: 'male' }, prompt: prompt({ loop: 3, level: 0.5 }) };
    const t = start(program(step));
    await settle();
    expect(t.speech.inputs).toEqual([{ ...t.leg, speech: step.speech, level: 0.5 }]);
    expect(t.playback.plays).toHaveLength(1);
    expect(t.playback.last().input).toMatchObject({ target: { channelId: 'c1' }, media: [spoken('Welcome'), spoken('Welcome'), spoken('Welcome')] });
    await t.finishPlayback();
    expect(t.done()).toBe(true);
  });

  it('loop 0 replays until the caller hangs up', async () => {
    const t = start(program(say('hold', { loop: 0 }), say('after')));
    await settle();
    await t.finishPlayback();
    await t.finishPlayback();
    expect(t.heard()).toEqual([spoken('hold'), spoken('hold'), spoken('hold')]);
    t.actor.send({ type: 'ari.hangup' });
    await settle();
    expect(t.done()).toBe(true);
    expect(t.playback.last().stopped).toBe(true);
    expect(t.speech.inputs.map((i) => i.speech.text)).toEqual(['hold']);
  });

  it('loop 0 is bounded by maxLoops, then the next step runs', async () => {
    const t = start(program(say('hold', { loop: 0 }), say('after')));
    await settle();
    for (let i = 0; i < settings.maxLoops; i++) await t.finishPlayback();
    expect(t.heard()).toEqual([...Array<string>(settings.maxLoops).fill(spoken('hold')), spoken('after')]);
  });

  it('a loop larger than maxLoops plays maxLoops copies', async () => {
    const t = start(program(say('x', { loop: 50 })));
    await settle();
    expect(t.playback.last().input.media).toHaveLength(settings.maxLoops);
  });

  it('a failed playback with loop 0 does not replay: the next step runs', async () => {
    const t = start(program(say('hold', { loop: 0 }), say('after')));
    await settle();
    await t.finishPlayback('failed');
    expect(t.heard()).toEqual([spoken('hold'), spoken('after')]);
    expect(t.log.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'prompt could not be played; going on' }));
  });

  it('speech that fails is skipped, logged, and the next step runs', async () => {
    const t = start(program(say('FAIL here'), say('next')));
    await settle();
    expect(t.heard()).toEqual([spoken('next')]);
    expect(t.log.lines).toContainEqual(expect.objectContaining({ level: 'error', message: 'text to speech failed; skipping the talk' }));
  });
});

describe('document machine: play', () => {
  it('fetches the media with its level, then plays loop copies as one list', async () => {
    const t = start(program(play('http://media.test/a/tune.mp3', { loop: 2, level: -0.3 }), say('after')));
    await settle();
    expect(t.media.inputs).toEqual([{ ...t.leg, url: 'http://media.test/a/tune.mp3', level: -0.3 }]);
    expect(t.playback.last().input.media).toEqual([streamed('tune.mp3'), streamed('tune.mp3')]);
    await t.finishPlayback();
    expect(t.heard()).toEqual([`${streamed('tune.mp3')}+${streamed('tune.mp3')}`, spoken('after')]);
  });

  it('loop 0 replays until hang-up', async () => {
    const t = start(program(play('http://media.test/music.wav', { loop: 0 })));
    await settle();
    await t.finishPlayback();
    expect(t.heard()).toEqual([streamed('music.wav'), streamed('music.wav')]);
    t.actor.send({ type: 'ari.stasisEnd' });
    expect(t.done()).toBe(true);
  });

  it('a fetch that fails is skipped with a warning naming the URL', async () => {
    const t = start(program(play('http://media.test/missing.mp3'), say('after')));
    await settle();
    expect(t.heard()).toEqual([spoken('after')]);
    expect(t.log.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'audio could not be fetched; skipping the stream', meta: expect.objectContaining({ url: 'http://media.test/missing.mp3' }) as unknown }),
    );
  });
});

describe('document machine: barge-in', () => {
  it('a key during a barge-in prompt stops it and counts for the next collect', async () => {
    const t = start(program(say('menu', { bargeIn: true }), collect({ maxDigits: 2 })));
    await settle();
    t.key('1');
    expect(t.playback.last().stopped).toBe(true);
    expect(t.report.inputs).toEqual([]);
    t.key('2');
    await settle();
    expect(t.results()).toEqual([{ kind: 'collect', digits: '12', timedOut: false }]);
  });

  it('a barge-in key that completes the collect submits at once', async () => {
    const t = start(program(play('http://media.test/menu.mp3', { bargeIn: true }), collect({ maxDigits: 1 })));
    await settle();
    t.key('3');
    await settle();
    expect(t.playback.last().stopped).toBe(true);
    expect(t.results()).toEqual([{ kind: 'collect', digits: '3', timedOut: false }]);
  });

  it('a key while a barge-in prompt is still rendering counts too, and nothing plays', async () => {
    const t = start(program(say('menu', { bargeIn: true }), collect({ maxDigits: 1 })), { render: () => never<RenderedPrompt>() });
    await settle();
    t.key('6');
    await settle();
    expect(t.heard()).toEqual([]);
    expect(t.results()).toEqual([{ kind: 'collect', digits: '6', timedOut: false }]);
  });

  it('a key during a prompt without barge-in is dropped and not collected later', async () => {
    const t = start(program(say('please listen'), collect({ maxDigits: 1, timeoutMs: 3000 })));
    await settle();
    t.key('5');
    expect(t.playback.last().stopped).toBe(false);
    await t.finishPlayback();
    t.clock.increment(3000);
    await settle();
    expect(t.results()).toEqual([{ kind: 'collect', digits: '', timedOut: true }]);
  });

  it('after a barge-in key, the remaining barge-in prompts before the collect are skipped', async () => {
    const t = start(program(say('one', { bargeIn: true }), say('two', { bargeIn: true }), play('http://media.test/three.mp3', { bargeIn: true }), collect({ maxDigits: 2 })));
    await settle();
    t.key('7');
    await settle();
    expect(t.heard()).toEqual([spoken('one')]);
    expect(t.speech.inputs.map((i) => i.speech.text)).toEqual(['one']);
    expect(t.media.inputs).toEqual([]);
    t.key('8');
    await settle();
    expect(t.results()).toEqual([{ kind: 'collect', digits: '78', timedOut: false }]);
  });
});

describe('document machine: collect', () => {
  it('submits at once when maxDigits are in', async () => {
    const t = start(program(collect({ maxDigits: 3 })));
    await settle();
    t.keys('12');
    await settle();
    expect(t.report.inputs).toEqual([]);
    t.key('3');
    await settle();
    expect(t.report.inputs).toEqual([{ ...t.leg, report: inputReport, result: { kind: 'collect', digits: '123', timedOut: false } }]);
    expect(t.done()).toBe(true);
  });

  it('with submitKey #, # submits the digits without the #', async () => {
    const t = start(program(collect({ submitKey: '#' })));
    await settle();
    t.keys('42#');
    await settle();
    expect(t.results()).toEqual([{ kind: 'collect', digits: '42', timedOut: false }]);
  });

  it('without a submit key, # is a digit', async () => {
    const t = start(program(collect({ maxDigits: 3 })));
    await settle();
    t.keys('4#2');
    await settle();
    expect(t.results()).toEqual([{ kind: 'collect', digits: '4#2', timedOut: false }]);
  });

  it('times out from the start of the step (after the prompt), restarting after each key', async () => {
    const t = start(program(say('menu'), collect({ timeoutMs: 5000 })));
    await settle();
    t.clock.increment(20_000); // the prompt is still playing: the input has not started
    await t.finishPlayback();
    t.clock.increment(4999);
    await settle();
    expect(t.report.inputs).toEqual([]);
    t.key('9');
    t.clock.increment(4999);
    await settle();
    expect(t.report.inputs).toEqual([]);
    t.clock.increment(1);
    await settle();
    expect(t.results()).toEqual([{ kind: 'collect', digits: '9', timedOut: true }]);
  });

  it('a timed-out input with no keys reports empty digits', async () => {
    const t = start(program(collect({ timeoutMs: 3000 })));
    await settle();
    t.clock.increment(2999);
    await settle();
    expect(t.report.inputs).toEqual([]);
    t.clock.increment(1);
    await settle();
    expect(t.results()).toEqual([{ kind: 'collect', digits: '', timedOut: true }]);
  });

  it('a document that asked for speech gets the speech error; keys still work', async () => {
    const t = start(program(collect({ maxDigits: 1, speechRequested: true })));
    await settle();
    t.key('2');
    await settle();
    expect(t.results()).toEqual([{ kind: 'collect', digits: '2', timedOut: false, speechError: 'Speech input is not supported' }]);
  });

  it('a reply with a program replaces the rest: it runs from its first step', async () => {
    const t = start(program(collect({ maxDigits: 1 }), say('old rest')), { reply: () => ({ replace: program(say('new one'), say('new two')) }) });
    await settle();
    t.key('1');
    await settle();
    expect(t.heard()).toEqual([spoken('new one')]);
    await t.finishPlayback();
    await t.finishPlayback();
    expect(t.heard()).toEqual([spoken('new one'), spoken('new two')]);
    expect(t.done()).toBe(true);
    expect(t.speech.inputs.map((i) => i.speech.text)).not.toContain('old rest');
  });

  it('a replacing program that starts with a collect starts with no digits', async () => {
    let replies = 0;
    const t = start(program(collect({ maxDigits: 1 })), { reply: () => (++replies === 1 ? { replace: program(collect({ maxDigits: 2 })) } : {}) });
    await settle();
    t.key('1');
    await settle();
    t.keys('23');
    await settle();
    expect(t.results()).toEqual([
      { kind: 'collect', digits: '1', timedOut: false },
      { kind: 'collect', digits: '23', timedOut: false },
    ]);
  });

  it('an empty reply goes on with the next step', async () => {
    const t = start(program(collect({ maxDigits: 1 }), say('next')));
    await settle();
    t.key('1');
    await settle();
    expect(t.heard()).toEqual([spoken('next')]);
  });

  it('a report that throws is logged and the call goes on', async () => {
    const t = start(program(collect({ maxDigits: 1 }), say('next')), {
      reply: () => {
        throw new Error('ECONNREFUSED');
      },
    });
    await settle();
    t.key('1');
    await settle();
    expect(t.heard()).toEqual([spoken('next')]);
    expect(t.log.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'input result could not be sent; going on' }));
  });

  it('keys while the result is being sent are dropped', async () => {
    let replied: (reply: ReportReply) => void = () => undefined;
    const t = start(program(collect({ maxDigits: 1 }), collect({ maxDigits: 1, timeoutMs: 1000 })), {
      reply: () => new Promise<ReportReply>((resolve) => (replied = resolve)),
    });
    await settle();
    t.key('1');
    await settle();
    t.key('2');
    replied({});
    await settle();
    t.clock.increment(1000);
    await settle();
    expect(t.results()).toEqual([
      { kind: 'collect', digits: '1', timedOut: false },
      { kind: 'collect', digits: '', timedOut: true },
    ]);
  });
});

describe('document machine: collect with another submit key (TwiML finishOnKey)', () => {
  it('submit key * with no digit limit: only * submits, # is a digit, * is not kept', async () => {
    const t = start(program(collect({ submitKey: '*', maxDigits: Infinity }), say('next')));
    await settle();
    t.keys('1#2345678901234567890123');
    await settle();
    expect(t.report.inputs).toEqual([]);
    t.key('*');
    await settle();
    expect(t.results()).toEqual([{ kind: 'collect', digits: '1#2345678901234567890123', timedOut: false }]);
    expect(t.heard()).toEqual([spoken('next')]);
  });

  it('with no digit limit, the time-out submits what is in', async () => {
    const t = start(program(collect({ submitKey: '*', maxDigits: Infinity, timeoutMs: 5000 })));
    await settle();
    t.keys('12');
    t.clock.increment(4999);
    await settle();
    expect(t.report.inputs).toEqual([]);
    t.clock.increment(1);
    await settle();
    expect(t.results()).toEqual([{ kind: 'collect', digits: '12', timedOut: true }]);
  });
});

describe('document machine: record (blocking)', () => {
  it('records with the step’s settings, keeps the file, reports it, then runs the next step', async () => {
    const step = record({ format: 'mp3', beep: true, endKeys: '#', endOnSilenceSeconds: 3, maxSeconds: 120 });
    const t = start(program(step, say('thanks')));
    await settle();
    const take = t.recording.last();
    expect(take.input).toMatchObject({
      target: { channelId: 'c1' },
      format: 'wav',
      beep: true,
      ifExists: 'overwrite',
      terminateOn: '#',
      maxDurationSeconds: 120,
      maxSilenceSeconds: 3,
      onExit: 'stop',
    });
    expect(take.input.name).toMatch(/^voice-api\/leg-1\/[0-9a-f-]{36}$/);
    expect(t.heard()).toEqual([]);
    take.finish(4);
    await settle();
    expect(t.keepRecording.inputs).toEqual([{ ...t.leg, step, name: take.input.name, startedAt: expect.any(String) as unknown, endedAt: expect.any(String) as unknown }]);
    const kept = t.keepRecording.inputs[0]!;
    expect(Date.parse(kept.startedAt)).toBeLessThanOrEqual(Date.parse(kept.endedAt));
    expect(t.report.inputs).toEqual([
      { ...t.leg, report: recordReport, result: { kind: 'record', recordingId: take.input.name.split('/').at(-1), size: 1234, startTime: kept.startedAt, endTime: kept.endedAt } },
    ]);
    expect(t.heard()).toEqual([spoken('thanks')]);
  });

  it('* goes to Asterisk as terminateOn; no silence limit unless endOnSilence', async () => {
    const t = start(program(record({ endKeys: '*' })));
    await settle();
    expect(t.recording.last().input.terminateOn).toBe('*');
    expect(t.recording.last().input).not.toHaveProperty('maxSilenceSeconds');
  });

  it('any other end key is watched by the machine: it stops the recording; other keys do not', async () => {
    const t = start(program(record({ endKeys: '5' }), say('thanks')));
    await settle();
    const take = t.recording.last();
    expect(take.input.terminateOn).toBe('none');
    t.keys('1#*');
    expect(take.commands).toEqual([]);
    t.key('5');
    expect(take.commands).toEqual([{ type: 'recording.stop' }]);
    take.finish(2);
    await settle();
    expect(t.results()).toEqual([expect.objectContaining({ kind: 'record' })]);
    expect(t.heard()).toEqual([spoken('thanks')]);
  });

  it('a hang-up while recording waits for RecordingFinished, keeps, reports, and ends (no further step)', async () => {
    const t = start(program(record({ endOnSilenceSeconds: 3 }), say('thanks')));
    await settle();
    const take = t.recording.last();
    t.actor.send({ type: 'ari.hangup' });
    t.actor.send({ type: 'ari.stasisEnd' });
    await settle();
    expect(t.done()).toBe(false);
    expect(t.keepRecording.inputs).toEqual([]);
    take.finish(6);
    await settle();
    expect(t.keepRecording.inputs).toEqual([expect.objectContaining({ name: take.input.name })]);
    expect(t.results()).toEqual([expect.objectContaining({ kind: 'record' })]);
    expect(t.done()).toBe(true);
    expect(t.speech.inputs).toEqual([]);
  });

  it('a hang-up while recording keeps it after recordingFinishMs if RecordingFinished never comes', async () => {
    const t = start(program(record({ endOnSilenceSeconds: 3 }), say('thanks')));
    await settle();
    t.actor.send({ type: 'ari.hangup' });
    t.clock.increment(settings.recordingFinishMs - 1);
    await settle();
    expect(t.keepRecording.inputs).toEqual([]);
    t.clock.increment(1);
    await settle();
    expect(t.keepRecording.inputs).toHaveLength(1);
    expect(t.results()).toEqual([expect.objectContaining({ kind: 'record' })]);
    expect(t.done()).toBe(true);
    expect(t.speech.inputs).toEqual([]);
  });

  it('call.end while recording stops it, keeps and reports, then ends', async () => {
    const t = start(program(record({ endOnSilenceSeconds: 3 }), say('thanks')));
    await settle();
    const take = t.recording.last();
    t.actor.send({ type: 'call.end', reason: 'shutdown' });
    expect(take.commands).toEqual([{ type: 'recording.stop' }]);
    take.finish(1);
    await settle();
    expect(t.results()).toEqual([expect.objectContaining({ kind: 'record' })]);
    expect(t.done()).toBe(true);
    expect(t.speech.inputs).toEqual([]);
  });

  it('a failed recording goes on with the next step, reporting nothing', async () => {
    const t = start(program(record({ endKeys: '#' }), say('next')));
    await settle();
    t.recording.last().fail('Channel not found');
    await settle();
    expect(t.keepRecording.inputs).toEqual([]);
    expect(t.report.inputs).toEqual([]);
    expect(t.heard()).toEqual([spoken('next')]);
    expect(t.log.lines).toContainEqual(expect.objectContaining({ level: 'error', message: 'recording failed; going on' }));
  });
});

describe('document machine: record end keys and endedBy (TwiML finishOnKey)', () => {
  it('with several end keys, any of them stops the recording and is reported as endedBy', async () => {
    const t = start(program(record({ endKeys: '123' }), say('thanks')));
    await settle();
    const take = t.recording.last();
    expect(take.input.terminateOn).toBe('none');
    t.keys('4*#');
    expect(take.commands).toEqual([]);
    t.key('2');
    expect(take.commands).toEqual([{ type: 'recording.stop' }]);
    take.finish(3);
    await settle();
    expect(t.results()).toEqual([expect.objectContaining({ kind: 'record', endedBy: '2' })]);
    expect(t.heard()).toEqual([spoken('thanks')]);
  });

  it('a lone # goes to Asterisk and is also reported as endedBy', async () => {
    const t = start(program(record({ endKeys: '#' })));
    await settle();
    const take = t.recording.last();
    expect(take.input.terminateOn).toBe('#');
    t.key('#');
    take.finish(3);
    await settle();
    expect(t.results()).toEqual([expect.objectContaining({ kind: 'record', endedBy: '#' })]);
  });

  it('a recording ended by silence or its maximum has no endedBy', async () => {
    const t = start(program(record({ endKeys: '123', endOnSilenceSeconds: 3 })));
    await settle();
    t.recording.last().finish(3);
    await settle();
    expect(t.results()).toHaveLength(1);
    expect(t.results()[0]).not.toHaveProperty('endedBy');
  });

  it('a hang-up is reported as endedBy hangup', async () => {
    const t = start(program(record({ endKeys: '123' }), say('never')));
    await settle();
    const take = t.recording.last();
    t.actor.send({ type: 'ari.hangup' });
    take.finish(5);
    await settle();
    expect(t.results()).toEqual([expect.objectContaining({ kind: 'record', endedBy: 'hangup' })]);
    expect(t.done()).toBe(true);
  });

  it('a reply with a document replaces the rest (TwiML action)', async () => {
    const step = record({ endKeys: '#', report: { ...recordReport, shape: 'twiml-record', replies: true } });
    const t = start(program(step, say('old rest')), { reply: () => ({ replace: program(say('new one'), say('new two')) }) });
    await settle();
    t.key('#');
    t.recording.last().finish(2);
    await settle();
    expect(t.actor.getSnapshot().context.pc).toBe(0);
    expect(t.heard()).toEqual([spoken('new one')]);
    await t.finishPlayback();
    await t.finishPlayback();
    expect(t.done()).toBe(true);
    expect(t.speech.inputs.map((i) => i.speech.text)).toEqual(['new one', 'new two']);
  });

  it('after a hang-up, a reply’s document does not run', async () => {
    const t = start(program(record({ endKeys: '#' })), { reply: () => ({ replace: program(say('too late')) }) });
    await settle();
    t.actor.send({ type: 'ari.hangup' });
    t.recording.last().finish(2);
    await settle();
    expect(t.results()).toHaveLength(1);
    expect(t.done()).toBe(true);
    expect(t.speech.inputs).toEqual([]);
  });
});

describe('document machine: record (background)', () => {
  it('starts a background recording with the step and goes on at once; it is stopped when the call ends', async () => {
    const step = record({ blocking: false, maxSeconds: 600 });
    const t = start(program(step, say('while recording'), collect({ maxDigits: 1 })));
    await settle();
    expect(t.backgroundRecording.runs.map((r) => r.input)).toEqual([{ ...t.leg, step }]);
    expect(t.recording.takes).toEqual([]);
    expect(t.heard()).toEqual([spoken('while recording')]);
    await t.finishPlayback();
    expect(t.backgroundRecording.last().stopped).toBe(false);
    t.key('1');
    await settle();
    expect(t.done()).toBe(true);
    // The machine ended with the program: its children are stopped with it.
    expect(t.backgroundRecording.last().stopped).toBe(true);
  });

  it('goes on across a replaced program and stops at the hang-up', async () => {
    const t = start(program(record({ blocking: false }), say('one')));
    await settle();
    t.actor.send({ type: 'document.replace', program: program(say('two')) });
    await settle();
    expect(t.backgroundRecording.last().stopped).toBe(false);
    t.actor.send({ type: 'ari.hangup' });
    expect(t.backgroundRecording.last().stopped).toBe(true);
  });
});

describe('document machine: notify and wait', () => {
  it('notify reports the payload, then goes on', async () => {
    const t = start(program(notify({ foo: 'bar', n: 1 }), say('next')));
    await settle();
    expect(t.report.inputs).toEqual([{ ...t.leg, report: notifyReport, result: { kind: 'notify', payload: { foo: 'bar', n: 1 } } }]);
    expect(t.heard()).toEqual([spoken('next')]);
  });

  it('notify waits for the reply before the next step', async () => {
    let replied: (reply: ReportReply) => void = () => undefined;
    const t = start(program(notify({}), say('next')), { reply: () => new Promise<ReportReply>((resolve) => (replied = resolve)) });
    await settle();
    expect(t.heard()).toEqual([]);
    replied({});
    await settle();
    expect(t.heard()).toEqual([spoken('next')]);
  });

  it('a notify reply with a program replaces the rest', async () => {
    const t = start(program(notify({ step: 1 }), say('old')), { reply: () => ({ replace: program(say('new')) }) });
    await settle();
    expect(t.heard()).toEqual([spoken('new')]);
    await t.finishPlayback();
    expect(t.done()).toBe(true);
    expect(t.speech.inputs.map((i) => i.speech.text)).toEqual(['new']);
  });

  it('a notify that throws is logged and the call goes on', async () => {
    const t = start(program(notify({}), say('next')), {
      reply: () => {
        throw new Error('HTTP 500');
      },
    });
    await settle();
    expect(t.heard()).toEqual([spoken('next')]);
    expect(t.log.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'notify could not be sent; going on' }));
  });

  it('wait runs the next step only after its time', async () => {
    const t = start(program(wait(2500), say('after')));
    await settle();
    t.clock.increment(2499);
    await settle();
    expect(t.speech.inputs).toEqual([]);
    t.clock.increment(1);
    await settle();
    expect(t.heard()).toEqual([spoken('after')]);
  });

  it('keys during a wait are not collected later', async () => {
    const t = start(program(wait(1000), collect({ maxDigits: 1, timeoutMs: 1000 })));
    await settle();
    t.key('4');
    t.clock.increment(1000);
    await settle();
    t.clock.increment(1000);
    await settle();
    expect(t.results()).toEqual([{ kind: 'collect', digits: '', timedOut: true }]);
  });
});

describe('document machine: ending and replacing', () => {
  it('a hangup step ends the call at once; later steps do not run', async () => {
    const t = start(program(hangup, say('never')));
    await settle();
    expect(t.done()).toBe(true);
    expect(t.speech.inputs).toEqual([]);
  });

  it('the end of the program ends the call at once', async () => {
    const t = start(program(say('only')));
    await settle();
    await t.finishPlayback();
    expect(t.done()).toBe(true);
  });

  it('an empty program ends the call right after answering', async () => {
    const t = start(program());
    await settle();
    expect(t.answer.inputs).toHaveLength(1);
    expect(t.done()).toBe(true);
  });

  it('call.end ends the call, stopping the prompt', async () => {
    const t = start(program(say('long'), say('never')));
    await settle();
    t.actor.send({ type: 'call.end', reason: 'request' });
    expect(t.done()).toBe(true);
    expect(t.playback.last().stopped).toBe(true);
  });

  it('document.replace from outside mid-step stops the step and runs the new program from its start', async () => {
    const t = start(program(say('a'), say('b')));
    await settle();
    const first = t.playback.last();
    t.actor.send({ type: 'document.replace', program: program(say('c'), say('d')) });
    await settle();
    expect(first.stopped).toBe(true);
    expect(t.heard()).toEqual([spoken('a'), spoken('c')]);
    await t.finishPlayback();
    await t.finishPlayback();
    expect(t.speech.inputs.map((i) => i.speech.text)).toEqual(['a', 'c', 'd']);
    expect(t.done()).toBe(true);
  });

  it('document.replace during a collect drops its keys', async () => {
    const t = start(program(collect({ maxDigits: 3 })));
    await settle();
    t.keys('12');
    t.actor.send({ type: 'document.replace', program: program(collect({ maxDigits: 2 })) });
    t.key('3');
    await settle();
    expect(t.report.inputs).toEqual([]);
    t.key('4');
    await settle();
    expect(t.results()).toEqual([{ kind: 'collect', digits: '34', timedOut: false }]);
  });
});
