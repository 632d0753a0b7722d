import { describe, expect, it } from 'vitest';
import { parseNcco, type NccoDefaults, type NccoParse } from '../../../src/documents/ncco/parse.js';
import type { Program, Step } from '../../../states/document/program.js';

const defaults: NccoDefaults = { eventUrl: 'http://127.0.0.1:9000/event', eventMethod: 'POST' };
const TUNE_1 = 'https://raw.githubusercontent.com/tbedford/git-testing-repo/master/tunes/Komiku_Sunset_on_the_beach.mp3';

function program(document: unknown, d: NccoDefaults = defaults): Program {
  const parsed = parseNcco(document, d);
  if (!parsed.ok) throw new Error(`expected a valid NCCO: ${parsed.reason}`);
  return parsed.program;
}

function step(action: Record<string, unknown>, d: NccoDefaults = defaults): Step {
  const [only] = program([action], d).steps;
  if (only === undefined) throw new Error('no step');
  return only;
}

function refused(document: unknown): Extract<NccoParse, { ok: false }> {
  const parsed = parseNcco(document, defaults);
  if (parsed.ok) throw new Error(`expected a refusal, got ${JSON.stringify(parsed.program)}`);
  return parsed;
}

const plain = { loop: 1, level: 0, bargeIn: false };

describe('seed NCCOs', () => {
  it("seed 000's answer NCCO: a talk, then a legacy one-digit input with a 5 s time-out", () => {
    const parsed = parseNcco(
      [
        { action: 'talk', text: 'Welcome to dial a chiptune. Press 1 or 2.' },
        { action: 'input', maxDigits: 1, timeOut: 5, eventUrl: ['http://www.fuddyduddies.org:9000/webhooks/dtmf'] },
      ],
      defaults,
    );
    expect(parsed).toEqual({
      ok: true,
      ignored: [],
      program: {
        steps: [
          {
            kind: 'say',
            speech: { text: 'Welcome to dial a chiptune. Press 1 or 2.', ssml: false, language: 'en-US' },
            prompt: plain,
          },
          {
            kind: 'collect',
            maxDigits: 1,
            timeoutMs: 5000,
            speechRequested: false,
            report: { url: 'http://www.fuddyduddies.org:9000/webhooks/dtmf', method: 'POST', shape: 'ncco-input-legacy' },
          },
        ],
      },
    });
  });

  it("seed 000's reply: a talk and a stream", () => {
    expect(program([
      { action: 'talk', text: 'Playing tune 1' },
      { action: 'stream', streamUrl: [TUNE_1] },
    ]).steps).toEqual([
      { kind: 'say', speech: { text: 'Playing tune 1', ssml: false, language: 'en-US' }, prompt: plain },
      { kind: 'play', url: TUNE_1, prompt: plain },
    ]);
  });

  it("seed 004's NCCO: voiceName Russell speaks Australian English, male", () => {
    const document: unknown = JSON.parse(`
[
    {
        "action": "talk",
        "voiceName": "Russell",
        "text": "Hello world! This message is from my first Nexmo web app."
    }
]
`);
    expect(parseNcco(document, defaults)).toEqual({
      ok: true,
      ignored: [],
      program: {
        steps: [
          {
            kind: 'say',
            speech: { text: 'Hello world! This message is from my first Nexmo web app.', ssml: false, language: 'en-AU', gender: 'male' },
            prompt: plain,
          },
        ],
      },
    });
  });
});

describe('the document as a whole', () => {
  it.each([
    [{ action: 'talk', text: 'hi' }, 'an object'],
    ['[]', 'string "[]"'],
    [null, 'null'],
    [42, 'number 42'],
  ])('refuses %j: not an array', (document, kind) => {
    const r = refused(document);
    expect(r.problem).toEqual({ index: undefined, field: undefined, message: `an NCCO must be a JSON array of actions, got ${kind}` });
    expect(r.reason).toBe(`NCCO: an NCCO must be a JSON array of actions, got ${kind}`);
  });

  it('accepts an empty array as a program with no steps', () => {
    expect(parseNcco([], defaults)).toEqual({ ok: true, program: { steps: [] }, ignored: [] });
  });

  it('refuses an action that is not an object, naming its index', () => {
    const r = refused([{ action: 'talk', text: 'hi' }, 'talk']);
    expect(r.problem.index).toBe(1);
    expect(r.reason).toBe('action 1: must be an object, got string "talk"');
  });

  it('refuses a missing action', () => {
    const r = refused([{ text: 'hi' }]);
    expect(r.problem).toMatchObject({ index: 0, field: 'action' });
    expect(r.reason).toBe('action 0: has no "action" field');
  });

  it('refuses an action name that is not a string', () => {
    expect(refused([{ action: 7 }]).reason).toBe('action 0: "action" must be a string, got 7');
  });

  it('refuses an unknown action', () => {
    const r = refused([{ action: 'talk', text: 'hi' }, { action: 'dance' }]);
    expect(r.problem).toMatchObject({ index: 1, field: 'action' });
    expect(r.reason).toMatch(/^action 1: unknown action "dance"/);
  });

  it('is case-sensitive about action names, as NCCO is', () => {
    expect(refused([{ action: 'Talk', text: 'hi' }]).reason).toMatch(/unknown action "Talk"/);
  });

  it.each(['transfer', 'pay'])('refuses %s as not supported yet', (action) => {
    const r = refused([{ action: 'talk', text: 'hi' }, { action: 'talk', text: 'there' }, { action, name: 'x' }]);
    expect(r.problem).toEqual({ index: 2, field: 'action', message: `${action} is not supported yet` });
    expect(r.reason).toBe(`action 2 (${action}) is not supported yet`);
  });

  it('stops at the first problem', () => {
    const r = refused([{ action: 'talk', text: 'hi', loop: -1 }, { action: 'dance' }]);
    expect(r.problem.index).toBe(0);
    expect(r.problem.field).toBe('loop');
  });

  it('lists unknown optional fields by index instead of refusing them', () => {
    const parsed = parseNcco(
      [
        { action: 'talk', text: 'hi', colour: 'blue' },
        { action: 'wait', note: 1 },
        { action: 'input', type: ['dtmf'], dtmf: { maxDigits: 2, extra: true } },
      ],
      defaults,
    );
    expect(parsed.ok && parsed.ignored).toEqual([
      { index: 0, field: 'colour' },
      { index: 1, field: 'note' },
      { index: 2, field: 'dtmf.extra' },
    ]);
  });
});

describe('talk', () => {
  it('has the documented defaults', () => {
    expect(step({ action: 'talk', text: 'hi' })).toEqual({
      kind: 'say',
      speech: { text: 'hi', ssml: false, language: 'en-US' },
      prompt: { loop: 1, level: 0, bargeIn: false },
    });
  });

  it("uses the application's default language when the NCCO gives none", () => {
    const s = step({ action: 'talk', text: 'hallo' }, { ...defaults, language: 'de-DE' });
    expect(s.kind === 'say' && s.speech.language).toBe('de-DE');
  });

  it('takes language, loop, level and bargeIn', () => {
    expect(step({ action: 'talk', text: 'hi', language: 'ja-JP', loop: 0, level: -0.5, bargeIn: true })).toEqual({
      kind: 'say',
      speech: { text: 'hi', ssml: false, language: 'ja-JP' },
      prompt: { loop: 0, level: -0.5, bargeIn: true },
    });
  });

  it('accepts level as a numeric string', () => {
    const s = step({ action: 'talk', text: 'hi', level: '0.4' });
    expect(s.kind === 'say' && s.prompt.level).toBe(0.4);
  });

  it('recognises SSML by its <speak> root', () => {
    const s = step({ action: 'talk', text: '  <speak>Hello <break time="1s"/> there</speak>' });
    expect(s.kind === 'say' && s.speech.ssml).toBe(true);
    const t = step({ action: 'talk', text: 'a < b' });
    expect(t.kind === 'say' && t.speech.ssml).toBe(false);
  });

  it('limits text to 1500 characters, SSML tags excluded', () => {
    const words = 'a'.repeat(1500);
    expect(parseNcco([{ action: 'talk', text: words }], defaults).ok).toBe(true);
    expect(parseNcco([{ action: 'talk', text: `<speak><prosody rate="slow">${words}</prosody></speak>` }], defaults).ok).toBe(true);
    const r = refused([{ action: 'talk', text: `${words}a` }]);
    expect(r.problem).toMatchObject({ index: 0, field: 'text' });
    expect(r.reason).toBe('action 0 (talk): text must be at most 1500 characters (SSML tags excluded), got 1501');
  });

  it('voiceName picks language and gender; an explicit language wins over the voice', () => {
    const a = step({ action: 'talk', text: 'hi', voiceName: 'amy' });
    expect(a.kind === 'say' && a.speech).toEqual({ text: 'hi', ssml: false, language: 'en-GB', gender: 'female' });
    const b = step({ action: 'talk', text: 'hi', voiceName: 'Hans', language: 'en-US' });
    expect(b.kind === 'say' && b.speech).toEqual({ text: 'hi', ssml: false, language: 'en-US', gender: 'male' });
  });

  it('keeps the language for an unknown voice and lists it as ignored', () => {
    const parsed = parseNcco([{ action: 'talk', text: 'hi', voiceName: 'Zorblax', language: 'fr-FR' }], defaults);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.program.steps[0]).toMatchObject({ speech: { language: 'fr-FR' } });
    expect(parsed.program.steps[0]).not.toHaveProperty('speech.gender');
    expect(parsed.ignored).toEqual([{ index: 0, field: 'voiceName' }]);
  });

  it('accepts style and premium but lists them as having no effect', () => {
    const parsed = parseNcco([{ action: 'talk', text: 'hi', style: 2, premium: true }], defaults);
    expect(parsed.ok && parsed.ignored).toEqual([
      { index: 0, field: 'style' },
      { index: 0, field: 'premium' },
    ]);
  });

  it.each([
    [{ text: 5 }, 'text', 'text must be a string, got 5'],
    [{}, 'text', 'text is required'],
    [{ text: '   ' }, 'text', 'text must not be empty'],
    [{ text: 'hi', loop: -1 }, 'loop', 'loop must be a whole number of at least 0, got -1'],
    [{ text: 'hi', loop: 1.5 }, 'loop', 'loop must be a whole number of at least 0, got 1.5'],
    [{ text: 'hi', loop: '2' }, 'loop', 'loop must be a whole number of at least 0, got "2"'],
    [{ text: 'hi', level: 2 }, 'level', 'level must be a number from -1 to 1, got 2'],
    [{ text: 'hi', level: 'loud' }, 'level', 'level must be a number from -1 to 1, got "loud"'],
    [{ text: 'hi', bargeIn: 'yes' }, 'bargeIn', 'bargeIn must be true or false, got "yes"'],
    [{ text: 'hi', language: 'English please' }, 'language', 'language must be a BCP-47 language such as en-US or ja-JP, got "English please"'],
    [{ text: 'hi', voiceName: 3 }, 'voiceName', 'voiceName must be a string, got 3'],
    [{ text: 'hi', style: 'calm' }, 'style', 'style must be a whole number of at least 0, got "calm"'],
    [{ text: 'hi', premium: 1 }, 'premium', 'premium must be true or false, got 1'],
  ])('refuses %j naming the field', (fields, field, message) => {
    const r = refused([{ action: 'wait' }, { action: 'talk', ...fields }]);
    expect(r.problem).toEqual({ index: 1, field, message });
    expect(r.reason).toBe(`action 1 (talk): ${message}`);
  });
});

describe('stream', () => {
  it('has the documented defaults and accepts a bare URL string', () => {
    expect(step({ action: 'stream', streamUrl: [TUNE_1] })).toEqual({ kind: 'play', url: TUNE_1, prompt: plain });
    expect(step({ action: 'stream', streamUrl: 'http://127.0.0.1/a.wav' })).toMatchObject({ url: 'http://127.0.0.1/a.wav' });
  });

  it('takes loop, level and bargeIn', () => {
    expect(step({ action: 'stream', streamUrl: [TUNE_1], loop: 3, level: '-1', bargeIn: true })).toEqual({
      kind: 'play',
      url: TUNE_1,
      prompt: { loop: 3, level: -1, bargeIn: true },
    });
  });

  it.each([
    [{}, 'streamUrl is required'],
    [{ streamUrl: [] }, 'streamUrl must be an array of one http(s) URL, got []'],
    [{ streamUrl: ['http://a/1.mp3', 'http://a/2.mp3'] }, 'streamUrl must be an array of one http(s) URL, got ["http://a/1.mp3","http://a/2.mp3"]'],
    [{ streamUrl: ['ftp://a/1.mp3'] }, 'streamUrl must be an array of one http(s) URL, got ["ftp://a/1.mp3"]'],
    [{ streamUrl: ['not a url'] }, 'streamUrl must be an array of one http(s) URL, got ["not a url"]'],
    [{ streamUrl: [7] }, 'streamUrl must be an array of one http(s) URL, got [7]'],
  ])('refuses %j', (fields, message) => {
    const r = refused([{ action: 'stream', ...fields }]);
    expect(r.problem).toEqual({ index: 0, field: 'streamUrl', message });
  });
});

describe('sticky bargeIn', () => {
  it('carries bargeIn to following talk and stream steps until an input', () => {
    const steps = program([
      { action: 'talk', text: 'one' },
      { action: 'talk', text: 'two', bargeIn: true },
      { action: 'stream', streamUrl: [TUNE_1] },
      { action: 'wait', timeout: 1 },
      { action: 'talk', text: 'three', bargeIn: false },
      { action: 'input', maxDigits: 1 },
      { action: 'talk', text: 'four' },
    ]).steps;
    const barge = steps.map((s) => (s.kind === 'say' || s.kind === 'play' ? s.prompt.bargeIn : s.kind));
    expect(barge).toEqual([false, true, true, 'wait', true, 'collect', false]);
  });
});

describe('input', () => {
  it('legacy shape (no type): documented defaults, the application event URL', () => {
    expect(step({ action: 'input' }, { eventUrl: 'http://127.0.0.1:1/ev', eventMethod: 'GET' })).toEqual({
      kind: 'collect',
      maxDigits: 4,
      timeoutMs: 3000,
      speechRequested: false,
      report: { url: 'http://127.0.0.1:1/ev', method: 'GET', shape: 'ncco-input-legacy' },
    });
  });

  it('legacy shape takes maxDigits, timeOut, submitOnHash, eventUrl and eventMethod', () => {
    expect(step({ action: 'input', maxDigits: 20, timeOut: 10, submitOnHash: true, eventUrl: 'http://h/dtmf', eventMethod: 'get' })).toEqual({
      kind: 'collect',
      maxDigits: 20,
      timeoutMs: 10_000,
      submitKey: '#',
      speechRequested: false,
      report: { url: 'http://h/dtmf', method: 'GET', shape: 'ncco-input-legacy' },
    });
  });

  it("an input's own eventUrl is posted to with NCCO's default method, POST", () => {
    const s = step({ action: 'input', eventUrl: ['http://h/dtmf'] }, { eventUrl: 'http://h/ev', eventMethod: 'GET' });
    expect(s.kind === 'collect' && s.report.method).toBe('POST');
  });

  it('current shape: type and a dtmf object', () => {
    expect(step({ action: 'input', type: ['dtmf'], dtmf: { maxDigits: 2, timeOut: 1.5, submitOnHash: true }, eventUrl: ['http://h/in'] })).toEqual({
      kind: 'collect',
      maxDigits: 2,
      timeoutMs: 1500,
      submitKey: '#',
      speechRequested: false,
      report: { url: 'http://h/in', method: 'POST', shape: 'ncco-input' },
    });
  });

  it('current shape with an empty dtmf object has the defaults', () => {
    expect(step({ action: 'input', type: ['dtmf'], dtmf: {} })).toMatchObject({ maxDigits: 4, timeoutMs: 3000, report: { shape: 'ncco-input' } });
  });

  it('a dtmf object without type is the current shape too', () => {
    expect(step({ action: 'input', dtmf: { maxDigits: 1 } })).toMatchObject({ maxDigits: 1, report: { shape: 'ncco-input' } });
  });

  it('speech requested: still valid, flagged, keys still collected', () => {
    const parsed = parseNcco([{ action: 'input', type: ['dtmf', 'speech'], speech: { language: 'en-GB' }, dtmf: { maxDigits: 3 } }], defaults);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.program.steps[0]).toMatchObject({ kind: 'collect', maxDigits: 3, speechRequested: true });
    expect(parsed.ignored).toEqual([{ index: 0, field: 'speech' }]);
    expect(step({ action: 'input', type: ['speech'] })).toMatchObject({ speechRequested: true, maxDigits: 4 });
  });

  it('in the current shape the legacy top-level settings are listed as ignored', () => {
    const parsed = parseNcco([{ action: 'input', type: ['dtmf'], maxDigits: 1 }], defaults);
    expect(parsed.ok && parsed.ignored).toEqual([{ index: 0, field: 'maxDigits' }]);
  });

  it('refuses asynchronous mode as not supported', () => {
    const r = refused([{ action: 'input', type: ['dtmf'], mode: 'asynchronous' }]);
    expect(r.problem).toMatchObject({ index: 0, field: 'mode' });
    expect(r.reason).toMatch(/^action 0 \(input\): mode "asynchronous" is not supported yet/);
    expect(parseNcco([{ action: 'input', type: ['dtmf'], mode: 'synchronous' }], defaults).ok).toBe(true);
  });

  it.each([
    [{ maxDigits: 'x' }, 'maxDigits', 'maxDigits must be a whole number 1-20, got "x"'],
    [{ maxDigits: 0 }, 'maxDigits', 'maxDigits must be a whole number 1-20, got 0'],
    [{ maxDigits: 21 }, 'maxDigits', 'maxDigits must be a whole number 1-20, got 21'],
    [{ timeOut: 0 }, 'timeOut', 'timeOut must be a number 1-10, got 0'],
    [{ timeOut: 11 }, 'timeOut', 'timeOut must be a number 1-10, got 11'],
    [{ submitOnHash: 'true' }, 'submitOnHash', 'submitOnHash must be true or false, got "true"'],
    [{ eventUrl: ['mailto:a@b'] }, 'eventUrl', 'eventUrl must be an array of one http(s) URL, got ["mailto:a@b"]'],
    [{ eventMethod: 'PUT' }, 'eventMethod', 'eventMethod must be one of GET, POST, got "PUT"'],
    [{ type: 'dtmf' }, 'type', 'type must be an array of "dtmf" and/or "speech", got "dtmf"'],
    [{ type: [] }, 'type', 'type must be an array of "dtmf" and/or "speech", got []'],
    [{ type: ['dtmf', 'video'] }, 'type', 'type must be an array of "dtmf" and/or "speech", got ["dtmf","video"]'],
    [{ type: ['dtmf'], dtmf: 4 }, 'dtmf', 'dtmf must be an object, got 4'],
    [{ type: ['dtmf'], dtmf: { maxDigits: 30 } }, 'dtmf.maxDigits', 'dtmf.maxDigits must be a whole number 1-20, got 30'],
    [{ type: ['dtmf'], dtmf: { timeOut: 'soon' } }, 'dtmf.timeOut', 'dtmf.timeOut must be a number 1-10, got "soon"'],
    [{ type: ['speech'], speech: [] }, 'speech', 'speech must be an object, got []'],
    [{ mode: 'later' }, 'mode', 'mode must be one of synchronous, asynchronous, got "later"'],
  ])('refuses %j naming the field', (fields, field, message) => {
    const r = refused([{ action: 'talk', text: 'hi' }, { action: 'input', ...fields }]);
    expect(r.problem).toEqual({ index: 1, field, message });
    expect(r.reason).toBe(`action 1 (input): ${message}`);
  });
});

describe('record', () => {
  it('has the documented defaults: mp3, 7200 s, no beep, in the background', () => {
    expect(step({ action: 'record' })).toEqual({
      kind: 'record',
      format: 'mp3',
      maxSeconds: 7200,
      beep: false,
      blocking: false,
      report: { url: defaults.eventUrl, method: 'POST', shape: 'ncco-record' },
    });
  });

  it('takes every field; endOnSilence or endOnKey makes it blocking', () => {
    expect(step({ action: 'record', format: 'wav', endOnSilence: 3, timeOut: 60, beepStart: true, eventUrl: ['http://h/rec'], eventMethod: 'POST' })).toEqual({
      kind: 'record',
      format: 'wav',
      endOnSilenceSeconds: 3,
      maxSeconds: 60,
      beep: true,
      blocking: true,
      report: { url: 'http://h/rec', method: 'POST', shape: 'ncco-record' },
    });
    expect(step({ action: 'record', endOnKey: '9', format: 'ogg' })).toMatchObject({ endKeys: '9', format: 'ogg', blocking: true });
    expect(step({ action: 'record', endOnKey: '#' })).toMatchObject({ endKeys: '#', blocking: true });
    expect(step({ action: 'record', timeOut: 3 })).toMatchObject({ maxSeconds: 3, blocking: false });
  });

  it('ignores transcription, listing it', () => {
    const parsed = parseNcco([{ action: 'record', transcription: { language: 'en-US' } }], defaults);
    expect(parsed.ok && parsed.ignored).toEqual([{ index: 0, field: 'transcription' }]);
  });

  it.each([
    [{ split: 'conversation' }, 'split', 'split is not supported yet (one leg is recorded, in mono)'],
    [{ channels: 2 }, 'channels', 'channels is not supported yet (one leg is recorded, in mono)'],
    [{ format: 'flac' }, 'format', 'format must be one of mp3, wav, ogg, got "flac"'],
    [{ endOnSilence: 2 }, 'endOnSilence', 'endOnSilence must be a number 3-10, got 2'],
    [{ endOnSilence: 11 }, 'endOnSilence', 'endOnSilence must be a number 3-10, got 11'],
    [{ endOnKey: 'A' }, 'endOnKey', 'endOnKey must be one of 0-9, * or #, got "A"'],
    [{ endOnKey: 5 }, 'endOnKey', 'endOnKey must be one of 0-9, * or #, got 5'],
    [{ endOnKey: '12' }, 'endOnKey', 'endOnKey must be one of 0-9, * or #, got "12"'],
    [{ timeOut: 2 }, 'timeOut', 'timeOut must be a number 3-7200, got 2'],
    [{ timeOut: 7201 }, 'timeOut', 'timeOut must be a number 3-7200, got 7201'],
    [{ beepStart: 'yes' }, 'beepStart', 'beepStart must be true or false, got "yes"'],
    [{ transcription: true }, 'transcription', 'transcription must be an object, got true'],
  ])('refuses %j naming the field', (fields, field, message) => {
    const r = refused([{ action: 'record', ...fields }]);
    expect(r.problem).toEqual({ index: 0, field, message });
    expect(r.reason).toBe(`action 0 (record): ${message}`);
  });
});

describe('notify', () => {
  it('takes payload, eventUrl and eventMethod (POST by default)', () => {
    expect(step({ action: 'notify', payload: { foo: 'bar' }, eventUrl: ['http://h/notify'] })).toEqual({
      kind: 'notify',
      payload: { foo: 'bar' },
      report: { url: 'http://h/notify', method: 'POST', shape: 'ncco-notify' },
    });
    expect(step({ action: 'notify', payload: {}, eventUrl: ['http://h/notify'], eventMethod: 'GET' })).toMatchObject({ report: { method: 'GET' } });
  });

  it.each([
    [{ eventUrl: ['http://h/n'] }, 'payload', 'payload is required'],
    [{ payload: [1], eventUrl: ['http://h/n'] }, 'payload', 'payload must be an object, got [1]'],
    [{ payload: 'x', eventUrl: ['http://h/n'] }, 'payload', 'payload must be an object, got "x"'],
    [{ payload: {} }, 'eventUrl', 'eventUrl is required'],
    [{ payload: {}, eventUrl: [] }, 'eventUrl', 'eventUrl must be an array of one http(s) URL, got []'],
  ])('refuses %j naming the field', (fields, field, message) => {
    const r = refused([{ action: 'notify', ...fields }]);
    expect(r.problem).toEqual({ index: 0, field, message });
  });
});

describe('wait', () => {
  it('waits 10 s by default', () => {
    expect(step({ action: 'wait' })).toEqual({ kind: 'wait', ms: 10_000 });
  });

  it('takes timeout in seconds, clamped to 0.1-7200', () => {
    expect(step({ action: 'wait', timeout: 2.5 })).toEqual({ kind: 'wait', ms: 2500 });
    expect(step({ action: 'wait', timeout: 0 })).toEqual({ kind: 'wait', ms: 100 });
    expect(step({ action: 'wait', timeout: -5 })).toEqual({ kind: 'wait', ms: 100 });
    expect(step({ action: 'wait', timeout: 10_000 })).toEqual({ kind: 'wait', ms: 7_200_000 });
  });

  it('refuses a timeout that is not a number', () => {
    const r = refused([{ action: 'wait', timeout: 'long' }]);
    expect(r.problem).toEqual({ index: 0, field: 'timeout', message: 'timeout must be a number, got "long"' });
  });
});

describe('conversation', () => {
  const moh = 'https://nexmo-community.github.io/ncco-examples/assets/voice_api_audio_streaming.mp3';

  it('joins a named conversation with the documented defaults', () => {
    expect(step({ action: 'conversation', name: 'room-1' })).toEqual({
      kind: 'join',
      name: 'room-1',
      startOnEnter: true,
      endOnExit: false,
      record: false,
      muted: false,
      deaf: false,
      report: { url: defaults.eventUrl, method: 'POST', shape: 'ncco-record' },
    });
  });

  it("reads seed 002's caller and staff actions", () => {
    const caller = step({ action: 'conversation', name: 'hotline', startOnEnter: false, endOnExit: false, record: true, musicOnHoldUrl: [moh], eventMethod: 'POST' });
    expect(caller).toMatchObject({ kind: 'join', name: 'hotline', startOnEnter: false, endOnExit: false, record: true, musicOnHoldUrl: moh });
    const staff = step({ action: 'conversation', name: 'hotline', startOnEnter: true, endOnExit: true });
    expect(staff).toMatchObject({ startOnEnter: true, endOnExit: true, record: false });
    expect(staff).not.toHaveProperty('musicOnHoldUrl');
  });

  it('sends the record event to its own eventUrl and method', () => {
    expect(step({ action: 'conversation', name: 'r', record: true, eventUrl: ['http://h/rec'], eventMethod: 'get' })).toMatchObject({
      report: { url: 'http://h/rec', method: 'GET', shape: 'ncco-record' },
    });
  });

  it('turns mute, canSpeak: [] and canHear: [] into muted and deaf', () => {
    expect(step({ action: 'conversation', name: 'r', mute: true })).toMatchObject({ muted: true, deaf: false });
    expect(step({ action: 'conversation', name: 'r', canSpeak: [] })).toMatchObject({ muted: true, deaf: false });
    expect(step({ action: 'conversation', name: 'r', canHear: [] })).toMatchObject({ muted: false, deaf: true });
  });

  it('accepts lists of legs in canSpeak / canHear but lists them as ignored (one bridge cannot do them per leg)', () => {
    const parsed = parseNcco([{ action: 'talk', text: 'hi' }, { action: 'conversation', name: 'r', canSpeak: ['leg-a'], canHear: ['leg-b', 'leg-c'] }], defaults);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.program.steps[1]).toMatchObject({ kind: 'join', muted: false, deaf: false });
    expect(parsed.ignored).toEqual([
      { index: 1, field: 'canSpeak' },
      { index: 1, field: 'canHear' },
    ]);
  });

  it('is followed by the rest of the NCCO', () => {
    expect(program([{ action: 'conversation', name: 'r' }, { action: 'talk', text: 'bye' }]).steps.map((s) => s.kind)).toEqual(['join', 'say']);
  });

  it.each([
    [{}, 'name', 'name is required'],
    [{ name: 7 }, 'name', 'name must be a string, got 7'],
    [{ name: '  ' }, 'name', 'name must not be empty'],
    [{ name: 'x'.repeat(257) }, 'name', 'name must be at most 256 characters, got 257'],
    [{ name: 'r', musicOnHoldUrl: ['ftp://h/m.mp3'] }, 'musicOnHoldUrl', 'musicOnHoldUrl must be an array of one http(s) URL, got ["ftp://h/m.mp3"]'],
    [{ name: 'r', startOnEnter: 'yes' }, 'startOnEnter', 'startOnEnter must be true or false, got "yes"'],
    [{ name: 'r', endOnExit: 1 }, 'endOnExit', 'endOnExit must be true or false, got 1'],
    [{ name: 'r', record: 'true' }, 'record', 'record must be true or false, got "true"'],
    [{ name: 'r', canSpeak: 'leg-a' }, 'canSpeak', 'canSpeak must be an array of leg uuids, got "leg-a"'],
    [{ name: 'r', canHear: [1] }, 'canHear', 'canHear must be an array of leg uuids, got [1]'],
    [{ name: 'r', mute: true, canSpeak: [] }, 'mute', 'mute cannot be used together with canSpeak'],
  ])('refuses %j naming the field', (fields, field, message) => {
    const r = refused([{ action: 'conversation', ...fields }]);
    expect(r.problem).toEqual({ index: 0, field, message });
    expect(r.reason).toBe(`action 0 (conversation): ${message}`);
  });
});

describe('connect', () => {
  const phone = { type: 'phone', number: '447700900123' };

  it('a phone endpoint with the defaults: 60 s ring, 7200 s limit, asynchronous, the call’s event URL', () => {
    expect(step({ action: 'connect', endpoint: [phone] })).toEqual({
      kind: 'dial',
      endpoint: { type: 'phone', number: '447700900123' },
      timeoutSeconds: 60,
      limitSeconds: 7200,
      synchronous: false,
      report: { url: defaults.eventUrl, method: 'POST', shape: 'ncco-connect' },
    });
  });

  it('every field it supports', () => {
    expect(
      step({
        action: 'connect',
        endpoint: [{ ...phone, dtmfAnswer: '1p2#' }],
        from: '447700900000',
        timeout: 3,
        limit: 30,
        eventType: 'synchronous',
        ringbackTone: TUNE_1,
        eventUrl: ['https://example.com/leg-events'],
        eventMethod: 'GET',
      }),
    ).toEqual({
      kind: 'dial',
      endpoint: { type: 'phone', number: '447700900123', dtmfAnswer: '1p2#' },
      from: '447700900000',
      timeoutSeconds: 3,
      limitSeconds: 30,
      synchronous: true,
      ringbackUrl: TUNE_1,
      report: { url: 'https://example.com/leg-events', method: 'GET', shape: 'ncco-connect' },
    });
  });

  it('takes ringbackTone as an array of one URL too (the Python SDK types it so)', () => {
    expect(step({ action: 'connect', endpoint: [phone], ringbackTone: [TUNE_1] })).toMatchObject({ ringbackUrl: TUNE_1 });
  });

  it('a sip endpoint with headers', () => {
    expect(step({ action: 'connect', endpoint: [{ type: 'sip', uri: 'sip:alice@example.com;transport=tls', headers: { Account: '42' } }] })).toMatchObject({
      endpoint: { type: 'sip', uri: 'sip:alice@example.com;transport=tls', headers: { Account: '42' } },
    });
  });

  it('takes onAnswer as a document run on the callee before the legs are joined', () => {
    const parsed = parseNcco([{ action: 'connect', endpoint: [{ ...phone, onAnswer: { url: 'https://example.com/whisper', ringbackTone: 'https://example.com/ring.mp3' } }] }], defaults);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.program.steps[0]).toMatchObject({ kind: 'dial', endpoint: { type: 'phone', number: '447700900123', onAnswerUrl: 'https://example.com/whisper' } });
  });

  it('lists randomFromNumber and machine detection as ignored, and goes on to the next action', () => {
    const parsed = parseNcco(
      [
        { action: 'connect', endpoint: [phone], randomFromNumber: true, machineDetection: 'continue', advanced_machine_detection: { behavior: 'continue' } },
        { action: 'talk', text: 'bye' },
      ],
      defaults,
    );
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.program.steps.map((s) => s.kind)).toEqual(['dial', 'say']);
    expect(parsed.ignored).toEqual([
      { index: 0, field: 'randomFromNumber' },
      { index: 0, field: 'machineDetection' },
      { index: 0, field: 'advanced_machine_detection' },
    ]);
  });

  it.each([
    [{}, 'endpoint', 'endpoint is required'],
    [{ endpoint: [] }, 'endpoint', 'endpoint must be an array of exactly one endpoint, got []'],
    [{ endpoint: [phone, phone] }, 'endpoint', /^endpoint must be an array of exactly one endpoint/],
    [{ endpoint: ['447700900123'] }, 'endpoint', 'endpoint must be an array of one endpoint object, got "447700900123"'],
    [{ endpoint: [{ number: '447700900123' }] }, 'endpoint[0].type', 'endpoint[0].type is required (phone or sip)'],
    [{ endpoint: [{ type: 'phone', number: '+447700900123' }] }, 'endpoint[0].number', /^endpoint\[0\]\.number must be E\.164 digits without \+/],
    [{ endpoint: [{ type: 'phone', number: '012345678' }] }, 'endpoint[0].number', /must be E\.164 digits/],
    [{ endpoint: [{ type: 'phone', number: '123' }] }, 'endpoint[0].number', /must be E\.164 digits/],
    [{ endpoint: [{ type: 'phone' }] }, 'endpoint[0].number', 'endpoint[0].number is required'],
    [{ endpoint: [{ ...phone, dtmfAnswer: '12x' }] }, 'endpoint[0].dtmfAnswer', /may hold only 0-9/],
    [{ endpoint: [{ ...phone, onAnswer: { url: 'ftp://example.com/whisper' } }] }, 'endpoint[0].onAnswer', /^endpoint\[0\]\.onAnswer \.url must be an http\(s\) URL/],
    [{ endpoint: [{ type: 'app', user: 'alice' }] }, 'endpoint[0].type', 'endpoint[0].type app endpoints (Client SDK users) are not supported'],
    [{ endpoint: [{ type: 'websocket', uri: 'wss://example.com/ws' }] }, 'endpoint[0].type', 'endpoint[0].type websocket endpoints are not supported'],
    [{ endpoint: [{ type: 'vbc', extension: '100' }] }, 'endpoint[0].type', 'endpoint[0].type vbc endpoints are not supported'],
    [{ endpoint: [{ type: 'sip', uri: 'alice@example.com' }] }, 'endpoint[0].uri', /must be a SIP URI/],
    [{ endpoint: [{ type: 'sip', uri: 'sip:a@b', headers: { 'Bad Name': 'x' } }] }, 'endpoint[0].headers', /not a SIP token/],
    [{ endpoint: [{ type: 'sip', uri: 'sip:a@b', headers: { A: 'x\r\nB: y' } }] }, 'endpoint[0].headers', /one-line string/],
    [{ endpoint: [phone], from: '+44' }, 'from', /^from must be a number in E\.164 digits/],
    [{ endpoint: [phone], timeout: 2 }, 'timeout', 'timeout must be a whole number 3-7200, got 2'],
    [{ endpoint: [phone], limit: 7201 }, 'limit', 'limit must be a whole number 1-7200, got 7201'],
    [{ endpoint: [phone], eventType: 'async' }, 'eventType', 'eventType must be "synchronous", got "async"'],
    [{ endpoint: [phone], ringbackTone: 'ftp://h/r.mp3' }, 'ringbackTone', /^ringbackTone must be an array of one http\(s\) URL/],
  ])('refuses %j naming the field', (fields, field, message) => {
    const r = refused([{ action: 'connect', ...fields }]);
    expect(r.problem.index).toBe(0);
    expect(r.problem.field).toBe(field);
    if (typeof message === 'string') expect(r.problem.message).toBe(message);
    else expect(r.problem.message).toMatch(message);
    expect(r.reason).toBe(`action 0 (connect): ${r.problem.message}`);
  });
});
