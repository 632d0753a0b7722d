import { describe, expect, it } from 'vitest';
import type { DocumentNote, DocumentOrigin, ParsedDocument } from '../../../src/documents/dialect.js';
import { parseTwiml } from '../../../src/documents/twiml/parse.js';
import type { Step } from '../../../states/document/program.js';

const EVENTS = { url: 'https://app.example.com/events', method: 'POST' } as const;
const ORIGIN: DocumentOrigin = { url: 'https://app.example.com/voice/answer.xml?lang=en', events: EVENTS };
const INLINE: DocumentOrigin = { events: EVENTS };
const TUNE = 'https://raw.githubusercontent.com/tbedford/git-testing-repo/master/tunes/Komiku_Sunset_on_the_beach.mp3';

type Accepted = Extract<ParsedDocument, { ok: true }>;

function accepted(xml: string, origin: DocumentOrigin = ORIGIN): Accepted {
  const parsed = parseTwiml(xml, origin);
  if (!parsed.ok) throw new Error(`expected valid TwiML: ${parsed.reason}`);
  return parsed;
}

/** The steps of `<Response>${verbs}</Response>`. */
function steps(verbs: string, origin: DocumentOrigin = ORIGIN): readonly Step[] {
  return accepted(`<Response>${verbs}</Response>`, origin).program.steps;
}

function only(verbs: string, origin: DocumentOrigin = ORIGIN): Step {
  const all = steps(verbs, origin);
  if (all.length !== 1) throw new Error(`expected one step, got ${JSON.stringify(all)}`);
  return all[0]!;
}

function notes(verbs: string, origin: DocumentOrigin = ORIGIN): readonly DocumentNote[] {
  return accepted(`<Response>${verbs}</Response>`, origin).notes;
}

function reason(xml: string, origin: DocumentOrigin = ORIGIN): string {
  const parsed = parseTwiml(xml, origin);
  if (parsed.ok) throw new Error(`expected a refusal, got ${JSON.stringify(parsed.program)}`);
  return parsed.reason;
}

/** The reason `<Response>${verbs}</Response>` is refused. */
function refused(verbs: string, origin: DocumentOrigin = ORIGIN): string {
  return reason(`<Response>${verbs}</Response>`, origin);
}

const plain = { loop: 1, level: 0, bargeIn: false };
const barging = { loop: 1, level: 0, bargeIn: true };
const english = (text: string) => ({ text, ssml: false, language: 'en-US' });
const answerGather = { url: ORIGIN.url!, method: 'POST', shape: 'twiml-gather', replies: true } as const;
const noLegEvents = { url: '', method: 'POST', shape: 'twiml-dial-leg' } as const;

describe('seed documents', () => {
  // Seed 000 is a Vonage NCCO; this is the same menu as TwiML (a prompt, one key, 5 s).
  it("seed 000's menu: a prompt nested in a one-digit Gather with a 5 s time-out", () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Gather numDigits="1" timeout="5" action="/webhooks/dtmf">
    <Say>Welcome to dial a chiptune. Press 1 or 2.</Say>
  </Gather>
</Response>`;
    expect(parseTwiml(xml, { url: 'http://www.fuddyduddies.org:9000/webhooks/answer', events: EVENTS })).toEqual({
      ok: true,
      notes: [],
      program: {
        steps: [
          { kind: 'say', speech: english('Welcome to dial a chiptune. Press 1 or 2.'), prompt: barging },
          {
            kind: 'collect',
            maxDigits: 1,
            timeoutMs: 5000,
            submitKey: '#',
            speechRequested: false,
            report: { url: 'http://www.fuddyduddies.org:9000/webhooks/dtmf', method: 'POST', shape: 'twiml-gather', replies: true },
          },
        ],
      },
    });
  });

  it("seed 000's reply to a key: a Say and the tune", () => {
    expect(steps(`<Say>Playing tune 1</Say><Play>${TUNE}</Play>`)).toEqual([
      { kind: 'say', speech: english('Playing tune 1'), prompt: plain },
      { kind: 'play', url: TUNE, prompt: plain },
    ]);
  });

  // Seed 003 shows no TwiML text; these are the documents it describes.
  it("seed 003: the callee joins the room listen-only, the caller speaking", () => {
    expect(only('<Dial><Conference muted="true">denwa</Conference></Dial>')).toMatchObject({ kind: 'join', name: 'denwa', muted: true });
    expect(only('<Dial><Conference>denwa</Conference></Dial>')).toMatchObject({ kind: 'join', name: 'denwa', muted: false });
  });

  it('seed 003: the announcement leg says the message in Japanese', () => {
    expect(only('<Say language="ja-JP">こんにちは</Say>')).toEqual({
      kind: 'say',
      speech: { text: 'こんにちは', ssml: false, language: 'ja-JP' },
      prompt: plain,
    });
  });
});

describe('the document as a whole', () => {
  it('accepts an empty <Response> as a program with no steps (the call hangs up)', () => {
    expect(parseTwiml('<Response/>', ORIGIN)).toEqual({ ok: true, program: { steps: [] }, notes: [] });
    expect(parseTwiml('<?xml version="1.0"?>\n<Response>\n</Response>\n', ORIGIN)).toEqual({ ok: true, program: { steps: [] }, notes: [] });
  });

  it('runs the verbs in document order, comments left out', () => {
    expect(steps('<!-- greet --><Say>one</Say><Pause/><Say>two</Say>')).toEqual([
      { kind: 'say', speech: english('one'), prompt: plain },
      { kind: 'wait', ms: 1000 },
      { kind: 'say', speech: english('two'), prompt: plain },
    ]);
  });

  it('refuses broken XML with its line and column', () => {
    expect(reason('<Response><Say>Hi</Response>')).toBe(
      "not well-formed XML at line 1, column 18: Expected closing tag 'Say' (opened in line 1, col 11) instead of closing tag 'Response'.",
    );
    expect(reason('<Response>\n  <Say>Fish & chips</Say>\n</Response>')).toBe("not well-formed XML at line 2, column 13: char '&' is not expected.");
    expect(reason('<Response><Say loop="1" loop="2">x</Say></Response>')).toBe("not well-formed XML at line 1, column 25: Attribute 'loop' is repeated.");
  });

  it('refuses an empty document', () => {
    expect(reason('  \n')).toBe('the document is empty (a TwiML document is one <Response> element)');
  });

  it('refuses a root other than <Response>, case-sensitively', () => {
    expect(reason('<Foo><Say>hi</Say></Foo>')).toBe('root element must be <Response>, got <Foo>');
    expect(reason('<response><Say>hi</Say></response>')).toBe('root element must be <Response>, got <response>');
  });

  it('refuses a second root element', () => {
    expect(reason('<Response/><Response/>')).toBe('a document has one root element, got <Response> then <Response>');
  });

  it('refuses an unknown verb, case-sensitively', () => {
    expect(refused('<Say>hi</Say><Sya>typo</Sya>')).toBe('unknown verb <Sya>');
    expect(refused('<say>hi</say>')).toBe('unknown verb <say>');
  });

  it('refuses text outside any verb', () => {
    expect(refused('Hello there')).toBe('<Response> may hold only verbs, got text "Hello there"');
  });

  it('notes an unknown attribute and goes on, as Twilio ignores it', () => {
    const parsed = accepted('<Response><Say colour="blue">hi</Say></Response>');
    expect(parsed.program.steps).toEqual([{ kind: 'say', speech: english('hi'), prompt: plain }]);
    expect(parsed.notes).toEqual([{ level: 'debug', where: '<Say> colour', message: '<Say> colour is not a known attribute: ignored' }]);
  });

  it('reads attribute names case-sensitively: numdigits is not numDigits', () => {
    const parsed = accepted('<Response><Gather numdigits="1"/></Response>');
    expect(parsed.program.steps[0]).toMatchObject({ kind: 'collect', maxDigits: Infinity });
    expect(parsed.notes).toEqual([{ level: 'debug', where: '<Gather> numdigits', message: '<Gather> numdigits is not a known attribute: ignored' }]);
  });

  it('refuses what the XML parser guards against, in one line', () => {
    expect(refused('<Say __proto__="x">hi</Say>')).toMatch(/^the document cannot be read: .*__proto__/);
  });

  it('a voice or language named like an Object property is just unknown', () => {
    expect(notes('<Say voice="constructor">hi</Say>')).toEqual([
      { level: 'debug', where: '<Say> voice', message: '<Say> voice "constructor" is not a voice we know: the default voice speaks' },
    ]);
    expect(refused('<Say language="constructor">hi</Say>')).toBe('<Say> language must be a language such as en-US or ja-JP, got "constructor"');
  });

  it('decodes character references', () => {
    expect(only('<Say>caf&#233; &amp; co &#x263A;</Say>')).toMatchObject({ speech: { text: 'café & co ☺' } });
  });

  it.each(['Enqueue', 'Leave', 'Connect', 'Refer', 'Sms', 'Message', 'Pay', 'Prompt', 'Start', 'Stop'])('skips <%s> with an error note, and the rest goes on', (name) => {
    const parsed = accepted(`<Response><Say>before</Say><${name}><Stream url="wss://x"/></${name}><Say>after</Say></Response>`);
    expect(parsed.program.steps).toEqual([
      { kind: 'say', speech: english('before'), prompt: plain },
      { kind: 'say', speech: english('after'), prompt: plain },
    ]);
    expect(parsed.notes).toEqual([{ level: 'error', where: `<${name}>`, message: `<${name}> is not supported: skipped` }]);
  });
});

describe('<Say>', () => {
  it('has the documented defaults: en-US, once, no gender', () => {
    expect(only('<Say>Hello</Say>')).toEqual({ kind: 'say', speech: english('Hello'), prompt: plain });
  });

  it('trims its text', () => {
    expect(only('<Say>\n    Hello\n    there\n  </Say>')).toMatchObject({ speech: { text: 'Hello\n    there' } });
  });

  it.each([
    ['man', 'male'],
    ['woman', 'female'],
    ['alice', 'female'],
  ])('voice="%s" speaks %s', (voice, gender) => {
    expect(only(`<Say voice="${voice}">hi</Say>`)).toEqual({ kind: 'say', speech: { ...english('hi'), gender }, prompt: plain });
  });

  it.each([
    ['en', 'en-US'],
    ['en-gb', 'en-GB'],
    ['es', 'es-ES'],
    ['fr', 'fr-FR'],
    ['de', 'de-DE'],
  ])('the basic voices\' language="%s" is %s', (language, locale) => {
    expect(only(`<Say voice="woman" language="${language}">hi</Say>`)).toMatchObject({ speech: { language: locale, gender: 'female' } });
  });

  it('takes a BCP-47 language, written as locales are', () => {
    expect(only('<Say voice="alice" language="ja-JP">hi</Say>')).toMatchObject({ speech: { language: 'ja-JP' } });
    expect(only('<Say language="en-au">hi</Say>')).toMatchObject({ speech: { language: 'en-AU' } });
  });

  it('refuses a language that is not one', () => {
    expect(refused('<Say language="english please">hi</Say>')).toBe('<Say> language must be a language such as en-US or ja-JP, got "english please"');
  });

  it("a Polly voice gives its language and gender; an explicit language wins", () => {
    expect(only('<Say voice="Polly.Amy">hi</Say>')).toMatchObject({ speech: { language: 'en-GB', gender: 'female' } });
    expect(only('<Say voice="Polly.Hans-Neural">hi</Say>')).toMatchObject({ speech: { language: 'de-DE', gender: 'male' } });
    expect(only('<Say voice="Polly.Amy" language="en-US">hi</Say>')).toMatchObject({ speech: { language: 'en-US', gender: 'female' } });
  });

  it("a Google voice gives its locale, not a gender", () => {
    expect(only('<Say voice="Google.de-DE-Wavenet-F">hallo</Say>')).toEqual({ kind: 'say', speech: { text: 'hallo', ssml: false, language: 'de-DE' }, prompt: plain });
  });

  it('notes a voice we do not know and speaks without a gender', () => {
    const parsed = accepted('<Response><Say voice="Polly.Nobody">hi</Say></Response>');
    expect(parsed.program.steps).toEqual([{ kind: 'say', speech: english('hi'), prompt: plain }]);
    expect(parsed.notes).toEqual([{ level: 'debug', where: '<Say> voice', message: '<Say> voice "Polly.Nobody" is not a voice we know: the default voice speaks' }]);
  });

  it('takes loop, 0 meaning until the hang-up', () => {
    expect(only('<Say loop="3">hi</Say>')).toMatchObject({ prompt: { loop: 3 } });
    expect(only('<Say loop="0">hi</Say>')).toMatchObject({ prompt: { loop: 0 } });
  });

  it.each(['-1', '1.5', 'twice', ''])('refuses loop="%s"', (loop) => {
    expect(refused(`<Say loop="${loop}">hi</Say>`)).toBe(`<Say> loop must be a whole number ≥ 0, got "${loop}"`);
  });

  it('SSML inside: the text is <speak>…</speak> with the markup kept', () => {
    expect(only('<Say voice="Polly.Joanna">Hello <break time="1s"/> <prosody rate="slow">there</prosody> &amp; you</Say>')).toEqual({
      kind: 'say',
      speech: {
        text: '<speak>Hello <break time="1s"/> <prosody rate="slow">there</prosody> &amp; you</speak>',
        ssml: true,
        language: 'en-US',
        gender: 'female',
      },
      prompt: plain,
    });
  });

  it('a body that is already <speak> is not wrapped twice', () => {
    expect(only('<Say> <speak>Hi <emphasis>you</emphasis></speak> </Say>')).toMatchObject({ speech: { text: '<speak>Hi <emphasis>you</emphasis></speak>', ssml: true } });
  });

  it('skips a <Say> with no text, with an error note', () => {
    const parsed = accepted('<Response><Say/><Hangup/></Response>');
    expect(parsed.program.steps).toEqual([{ kind: 'hangup' }]);
    expect(parsed.notes).toEqual([{ level: 'error', where: '<Say>', message: '<Say> has no text: skipped' }]);
  });
});

describe('<Play>', () => {
  it('plays an absolute URL once by default', () => {
    expect(only(`<Play>${TUNE}</Play>`)).toEqual({ kind: 'play', url: TUNE, prompt: plain });
  });

  it('resolves a relative URL against the document URL', () => {
    expect(only('<Play>tunes/one.mp3</Play>')).toMatchObject({ url: 'https://app.example.com/voice/tunes/one.mp3' });
    expect(only('<Play> /audio/two.wav </Play>')).toMatchObject({ url: 'https://app.example.com/audio/two.wav' });
  });

  it('refuses a relative URL in an inline document', () => {
    expect(refused('<Play>tunes/one.mp3</Play>', INLINE)).toBe('<Play> URL "tunes/one.mp3" is relative, and the document has no URL to resolve it against');
  });

  it('refuses a URL that is not http(s)', () => {
    expect(refused('<Play>ftp://files.example.com/a.mp3</Play>')).toBe('<Play> URL must be an http(s) URL, got "ftp://files.example.com/a.mp3"');
  });

  it('takes loop', () => {
    expect(only(`<Play loop="0">${TUNE}</Play>`)).toEqual({ kind: 'play', url: TUNE, prompt: { loop: 0, level: 0, bargeIn: false } });
  });

  it('digits send keys, each w a 0.5 s pause; no URL needed', () => {
    expect(only('<Play digits="ww12#A*"></Play>')).toEqual({ kind: 'tones', digits: 'pp12#A*' });
  });

  it('digits and a URL: the keys, then the audio', () => {
    expect(steps(`<Play digits="9">${TUNE}</Play>`)).toEqual([
      { kind: 'tones', digits: '9' },
      { kind: 'play', url: TUNE, prompt: plain },
    ]);
  });

  it('refuses digits outside 0-9, A-D, *, # and w', () => {
    expect(refused('<Play digits="12x"/>')).toBe('<Play> digits may hold only 0-9, A-D, *, # and w (a 0.5 s pause), got "12x"');
  });

  it('refuses an element in its body', () => {
    expect(refused('<Play><Say>hi</Say></Play>')).toBe('<Play> may hold only an audio URL, got <Say>');
  });

  it('refuses a <Play> with neither URL nor digits', () => {
    expect(refused('<Play/>')).toBe('<Play> needs an audio URL in its body (or digits)');
  });
});

describe('<Pause>', () => {
  it('waits 1 s by default', () => {
    expect(only('<Pause/>')).toEqual({ kind: 'wait', ms: 1000 });
  });

  it('takes length in seconds', () => {
    expect(only('<Pause length="3"/>')).toEqual({ kind: 'wait', ms: 3000 });
  });

  it('length="0" is no wait at all', () => {
    expect(steps('<Pause length="0"/>')).toEqual([]);
  });

  it('refuses a length that is not a whole number', () => {
    expect(refused('<Pause length="1.5"/>')).toBe('<Pause> length must be a whole number ≥ 0, got "1.5"');
  });

  it('refuses content', () => {
    expect(refused('<Pause><Say>hi</Say></Pause>')).toBe('<Pause> must be empty, got <Say>');
  });
});

describe('<Gather>', () => {
  it('has the documented defaults: keys, no limit, 5 s, # submits, POST to the current document', () => {
    expect(only('<Gather/>')).toEqual({
      kind: 'collect',
      maxDigits: Infinity,
      timeoutMs: 5000,
      submitKey: '#',
      speechRequested: false,
      report: answerGather,
    });
  });

  it('resolves a relative action; takes method', () => {
    expect(only('<Gather action="menu/choice" method="GET"/>')).toMatchObject({
      report: { url: 'https://app.example.com/voice/menu/choice', method: 'GET', shape: 'twiml-gather', replies: true },
    });
  });

  it('takes timeout in seconds', () => {
    expect(only('<Gather timeout="10"/>')).toMatchObject({ timeoutMs: 10_000 });
  });

  it('takes finishOnKey; empty means no key submits', () => {
    expect(only('<Gather finishOnKey="*"/>')).toMatchObject({ submitKey: '*' });
    const none = only('<Gather finishOnKey=""/>');
    expect(none.kind === 'collect' && 'submitKey' in none).toBe(false);
  });

  it('takes numDigits', () => {
    expect(only('<Gather numDigits="4"/>')).toMatchObject({ maxDigits: 4 });
  });

  it('actionOnEmptyResult="true" reports even no keys', () => {
    expect(only('<Gather actionOnEmptyResult="true"/>')).toMatchObject({ report: { ...answerGather, shape: 'twiml-gather-always' } });
    expect(only('<Gather actionOnEmptyResult="false"/>')).toMatchObject({ report: answerGather });
  });

  it('nested prompts barge in; a nested pause is a plain wait', () => {
    expect(steps(`<Gather numDigits="1"><Say>Press 1</Say><Pause length="2"/><Play loop="2">${TUNE}</Play></Gather><Say>Nothing?</Say>`)).toEqual([
      { kind: 'say', speech: english('Press 1'), prompt: barging },
      { kind: 'wait', ms: 2000 },
      { kind: 'play', url: TUNE, prompt: { loop: 2, level: 0, bargeIn: true } },
      { kind: 'collect', maxDigits: 1, timeoutMs: 5000, submitKey: '#', speechRequested: false, report: answerGather },
      // After an empty Gather the next verb runs.
      { kind: 'say', speech: english('Nothing?'), prompt: plain },
    ]);
  });

  it('names the nested element in a reason', () => {
    expect(refused('<Gather><Say loop="x">hi</Say></Gather>')).toBe('<Gather><Say> loop must be a whole number ≥ 0, got "x"');
  });

  it('refuses an element other than <Say>, <Play> and <Pause> inside', () => {
    expect(refused('<Gather><Dial>+14155550100</Dial></Gather>')).toBe('<Gather> may hold only <Say>, <Play> and <Pause>, got <Dial>');
    expect(refused('<Gather>Press 1</Gather>')).toBe('<Gather> may hold only <Say>, <Play> and <Pause>, got text "Press 1"');
  });

  it('input="speech": an error note, the prompts play (no barge-in), no collect', () => {
    const parsed = accepted('<Response><Gather input="speech"><Say>Say something</Say></Gather><Hangup/></Response>');
    expect(parsed.program.steps).toEqual([{ kind: 'say', speech: english('Say something'), prompt: plain }, { kind: 'hangup' }]);
    expect(parsed.notes).toEqual([{ level: 'error', where: '<Gather> input', message: '<Gather input="speech"> is not supported (no speech recognition): skipped' }]);
  });

  it('input="dtmf speech": keys collected, speech flagged and noted', () => {
    const parsed = accepted('<Response><Gather input="dtmf speech" language="fr-FR"/></Response>');
    expect(parsed.program.steps).toEqual([{ kind: 'collect', maxDigits: Infinity, timeoutMs: 5000, submitKey: '#', speechRequested: true, report: answerGather }]);
    expect(parsed.notes).toEqual([
      { level: 'debug', where: '<Gather> language', message: '<Gather> language has no effect: speech input is not supported' },
      { level: 'error', where: '<Gather> input', message: '<Gather input="dtmf speech">: speech is not supported (no speech recognition), keys only' },
    ]);
  });

  it('refuses an unknown input', () => {
    expect(refused('<Gather input="keys"/>')).toBe('<Gather> input must be words among dtmf speech, got "keys"');
  });

  it.each(['x', '0', '-2'])('refuses numDigits="%s"', (value) => {
    expect(refused(`<Gather numDigits="${value}"/>`)).toBe(`<Gather> numDigits must be a whole number ≥ 1, got "${value}"`);
  });

  it('refuses a finishOnKey that is not one key', () => {
    expect(refused('<Gather finishOnKey="12"/>')).toBe('<Gather> finishOnKey must be one of 0-9, * or #, or empty, got "12"');
  });

  it('refuses a timeout that is not a whole number', () => {
    expect(refused('<Gather timeout="soon"/>')).toBe('<Gather> timeout must be a whole number ≥ 0, got "soon"');
  });

  it("refuses a boolean other than 'true' and 'false'", () => {
    expect(refused('<Gather actionOnEmptyResult="yes"/>')).toBe('<Gather> actionOnEmptyResult must be true or false, got "yes"');
  });

  it('refuses a method other than GET and POST', () => {
    expect(refused('<Gather method="PUT"/>')).toBe('<Gather> method must be GET or POST, got "PUT"');
  });

  it('inline, without action: the prompts play, no request is made, the next verb runs', () => {
    const parsed = accepted('<Response><Gather><Say>Press 1</Say></Gather><Say>Bye</Say></Response>', INLINE);
    expect(parsed.program.steps).toEqual([
      { kind: 'say', speech: english('Press 1'), prompt: plain },
      { kind: 'say', speech: english('Bye'), prompt: plain },
    ]);
    expect(parsed.notes).toEqual([{ level: 'debug', where: '<Gather> action', message: '<Gather> has no action and the document no URL: no request is made, the next verb runs' }]);
  });

  it('inline, with an absolute action: collects as usual', () => {
    expect(only('<Gather action="https://other.example.com/keys"/>', INLINE)).toMatchObject({ kind: 'collect', report: { url: 'https://other.example.com/keys' } });
  });

  it('inline, with a relative action: refused', () => {
    expect(refused('<Gather action="keys"/>', INLINE)).toBe('<Gather> action "keys" is relative, and the document has no URL to resolve it against');
  });
});

describe('<Record>', () => {
  const defaultRecord = {
    kind: 'record',
    format: 'wav',
    endOnSilenceSeconds: 5,
    endKeys: '1234567890*#',
    trimSilence: true,
    maxSeconds: 3600,
    beep: true,
    blocking: true,
    report: { url: ORIGIN.url, method: 'POST', shape: 'twiml-record', replies: true },
  };

  it('has the documented defaults: 5 s of silence or any key, an hour, a beep, trimmed, to the current document', () => {
    expect(only('<Record/>')).toEqual(defaultRecord);
  });

  it('takes action and method', () => {
    expect(only('<Record action="/voicemail/saved" method="GET"/>')).toMatchObject({ report: { url: 'https://app.example.com/voicemail/saved', method: 'GET', shape: 'twiml-record', replies: true } });
  });

  it('takes timeout; 0 means silence does not end it', () => {
    expect(only('<Record timeout="10"/>')).toMatchObject({ endOnSilenceSeconds: 10 });
    expect(only('<Record timeout="0"/>')).toEqual(Object.fromEntries(Object.entries(defaultRecord).filter(([key]) => key !== 'endOnSilenceSeconds')));
  });

  it('takes finishOnKey as a set of keys; empty means no key ends it', () => {
    expect(only('<Record finishOnKey="#*"/>')).toMatchObject({ endKeys: '#*' });
    expect(only('<Record finishOnKey=""/>')).toEqual(Object.fromEntries(Object.entries(defaultRecord).filter(([key]) => key !== 'endKeys')));
  });

  it('refuses a finishOnKey with other characters', () => {
    expect(refused('<Record finishOnKey="1x"/>')).toBe('<Record> finishOnKey may hold only 0-9, * and #, got "1x"');
  });

  it('takes maxLength and playBeep', () => {
    expect(only('<Record maxLength="60" playBeep="false"/>')).toMatchObject({ maxSeconds: 60, beep: false });
  });

  it('trim="do-not-trim" keeps the silence', () => {
    expect(only('<Record trim="do-not-trim"/>')).toMatchObject({ trimSilence: false });
    expect(refused('<Record trim="cut"/>')).toBe('<Record> trim must be one of trim-silence, do-not-trim, got "cut"');
  });

  it('recordingStatusCallback: the stored recording is reported there too', () => {
    expect(only('<Record recordingStatusCallback="recordings/status" recordingStatusCallbackMethod="GET"/>')).toMatchObject({
      statusReport: { url: 'https://app.example.com/voice/recordings/status', method: 'GET', shape: 'twiml-recording-status' },
    });
    expect(only('<Record recordingStatusCallback="https://hooks.example.com/rec"/>')).toMatchObject({
      statusReport: { url: 'https://hooks.example.com/rec', method: 'POST', shape: 'twiml-recording-status' },
    });
  });

  it('transcribe="true": an error note, the recording is made', () => {
    const parsed = accepted('<Response><Record transcribe="true"/></Response>');
    expect(parsed.program.steps).toEqual([defaultRecord]);
    expect(parsed.notes).toEqual([
      { level: 'error', where: '<Record> transcribe', message: '<Record> transcribe is not supported (no transcription): the recording is made without one' },
    ]);
  });

  it('recordingStatusCallbackEvent other than completed: noted, only completed is sent', () => {
    expect(notes('<Record recordingStatusCallback="/rec" recordingStatusCallbackEvent="in-progress completed"/>')).toEqual([
      { level: 'debug', where: '<Record> recordingStatusCallbackEvent', message: '<Record> recordingStatusCallbackEvent: only completed is sent' },
    ]);
  });

  it('refuses maxLength="0"', () => {
    expect(refused('<Record maxLength="0"/>')).toBe('<Record> maxLength must be a whole number ≥ 1, got "0"');
  });

  it('inline, without action: nothing is recorded, the next verb runs', () => {
    const parsed = accepted('<Response><Record/><Say>Bye</Say></Response>', INLINE);
    expect(parsed.program.steps).toEqual([{ kind: 'say', speech: english('Bye'), prompt: plain }]);
    expect(parsed.notes).toEqual([
      { level: 'debug', where: '<Record> action', message: '<Record> has no action and the document no URL: no request could be made, nothing is recorded, the next verb runs' },
    ]);
  });
});

describe('<Dial> a number', () => {
  const defaultDial = {
    kind: 'dial',
    endpoint: { type: 'phone', number: '+14155550100' },
    timeoutSeconds: 30,
    limitSeconds: 14400,
    synchronous: false,
    report: noLegEvents,
    hangupOnStar: false,
  };

  it('has the documented defaults: 30 s of ringing, 4 h, no action (the document goes on)', () => {
    expect(steps('<Dial>+14155550100</Dial><Say>After</Say>')).toEqual([defaultDial, { kind: 'say', speech: english('After'), prompt: plain }]);
  });

  it('reads a number written with separators', () => {
    expect(only('<Dial>+1 (415) 555-0100</Dial>')).toEqual(defaultDial);
  });

  it('refuses what is not a phone number', () => {
    expect(refused('<Dial>reception</Dial>')).toBe('<Dial> number must be a phone number (E.164: + and 7 to 15 digits), got "reception"');
  });

  it('refuses a <Dial> with nothing to dial', () => {
    expect(refused('<Dial/>')).toBe('<Dial> needs a number or a noun (<Number>, <Sip>, <Conference>)');
  });

  it('action: the outcome goes there and its reply replaces the rest', () => {
    expect(only('<Dial action="dial/done" method="GET">+14155550100</Dial>')).toEqual({
      ...defaultDial,
      after: { url: 'https://app.example.com/voice/dial/done', method: 'GET', shape: 'twiml-dial', replies: true },
    });
  });

  it('takes timeout, timeLimit and hangupOnStar', () => {
    expect(only('<Dial timeout="20" timeLimit="600" hangupOnStar="true">+14155550100</Dial>')).toEqual({ ...defaultDial, timeoutSeconds: 20, limitSeconds: 600, hangupOnStar: true });
  });

  it('callerId becomes the number shown', () => {
    expect(only('<Dial callerId="+15005550006">+14155550100</Dial>')).toEqual({ ...defaultDial, from: '+15005550006' });
    expect(refused('<Dial callerId="bob">+14155550100</Dial>')).toBe('<Dial> callerId must be a phone number (E.164: + and 7 to 15 digits), got "bob"');
  });

  it('refuses a timeout of 0', () => {
    expect(refused('<Dial timeout="0">+14155550100</Dial>')).toBe('<Dial> timeout must be a whole number ≥ 1, got "0"');
  });

  it('record records the connected call as wav, trimmed, with its status callback', () => {
    const wav = { format: 'wav', trimSilence: true };
    expect(only('<Dial record="record-from-answer">+14155550100</Dial>')).toEqual({ ...defaultDial, record: wav });
    expect(only('<Dial record="true">+14155550100</Dial>')).toEqual({ ...defaultDial, record: wav });
    expect(only('<Dial record="record-from-answer" trim="do-not-trim" recordingStatusCallback="/rec" recordingStatusCallbackMethod="GET">+14155550100</Dial>')).toEqual({
      ...defaultDial,
      record: { format: 'wav', trimSilence: false, statusReport: { url: 'https://app.example.com/rec', method: 'GET', shape: 'twiml-dial-recording' } },
    });
    expect(notes('<Dial record="do-not-record">+14155550100</Dial><Dial record="false">+14155550100</Dial><Dial record="record-from-answer">+14155550100</Dial>')).toEqual([]);
    expect(refused('<Dial record="yes">+14155550100</Dial>')).toMatch(/^<Dial> record must be one of do-not-record, record-from-answer/);
    expect(refused('<Dial record="true" trim="yes">+14155550100</Dial>')).toMatch(/^<Dial> trim must be one of trim-silence, do-not-trim/);
  });

  it('record from ringing or dual: recorded from the answer, mixed, and noted', () => {
    expect(only('<Dial record="record-from-ringing-dual">+14155550100</Dial>')).toEqual({ ...defaultDial, record: { format: 'wav', trimSilence: true } });
    expect(notes('<Dial record="record-from-ringing-dual">+14155550100</Dial>')).toEqual([
      { level: 'debug', where: '<Dial> record', message: '<Dial> record="record-from-ringing-dual": the recording starts when the call is answered, not while it rings' },
      { level: 'debug', where: '<Dial> record', message: '<Dial> record="record-from-ringing-dual": both legs are recorded mixed in one channel, not two' },
    ]);
  });

  it('record on a Dial with a Conference: noted, the conference has its own record', () => {
    expect(notes('<Dial record="record-from-answer"><Conference>support</Conference></Dial>')).toEqual([
      { level: 'debug', where: '<Dial> record', message: '<Dial> record has no effect with a <Conference>: ignored' },
    ]);
  });

  it('answerOnBridge: noted, the caller is answered first', () => {
    expect(notes('<Dial answerOnBridge="true">+14155550100</Dial>')).toEqual([
      { level: 'debug', where: '<Dial> answerOnBridge', message: '<Dial> answerOnBridge is not supported: the caller is answered before the dial' },
    ]);
  });

  it('refuses text beside nouns', () => {
    expect(refused('<Dial>+14155550100<Number>+14155550101</Number></Dial>')).toBe('<Dial> holds both text "+14155550100" and nouns: put the number in a <Number>');
  });

  it('refuses an element that is not a noun', () => {
    expect(refused('<Dial><Say>hi</Say></Dial>')).toBe('<Dial> may hold a number or <Number>, <Sip>, <Conference>, <Client>, <Queue>, got <Say>');
  });
});

describe('<Dial><Number>', () => {
  it('sendDigits (w → p), a whisper url resolved, and the leg events to statusCallback', () => {
    expect(
      only(
        '<Dial><Number sendDigits="ww1234#" url="whisper.xml" statusCallback="/legs" statusCallbackMethod="GET">+14155550100</Number></Dial>',
      ),
    ).toEqual({
      kind: 'dial',
      endpoint: { type: 'phone', number: '+14155550100', dtmfAnswer: 'pp1234#', onAnswerUrl: 'https://app.example.com/voice/whisper.xml', onAnswerMethod: 'POST' },
      timeoutSeconds: 30,
      limitSeconds: 14400,
      synchronous: false,
      report: { url: 'https://app.example.com/legs', method: 'GET', shape: 'twiml-dial-leg' },
      hangupOnStar: false,
    });
  });

  it('statusCallback without a method: POST', () => {
    expect(only('<Dial><Number statusCallback="https://hooks.example.com/leg">+14155550100</Number></Dial>')).toMatchObject({
      report: { url: 'https://hooks.example.com/leg', method: 'POST', shape: 'twiml-dial-leg' },
    });
  });

  it('without a statusCallback: no leg events', () => {
    expect(only('<Dial><Number>+14155550100</Number></Dial>')).toMatchObject({ endpoint: { type: 'phone', number: '+14155550100' }, report: noLegEvents });
  });

  it('refuses bad sendDigits', () => {
    expect(refused('<Dial><Number sendDigits="1-2">+14155550100</Number></Dial>')).toBe('<Dial><Number> sendDigits may hold only 0-9, A-D, *, # and w (a 0.5 s pause), got "1-2"');
  });

  it('refuses a <Number> that is not a number', () => {
    expect(refused('<Dial><Number>12</Number></Dial>')).toBe('<Dial><Number> number must be a phone number (E.164: + and 7 to 15 digits), got "12"');
  });

  it('refuses an unknown statusCallbackEvent, and passes a valid one on to the leg report', () => {
    expect(refused('<Dial><Number statusCallbackEvent="hungup">+14155550100</Number></Dial>')).toBe(
      '<Dial><Number> statusCallbackEvent must be words among initiated ringing answered completed, got "hungup"',
    );
    const parsed = accepted('<Response><Dial><Number statusCallback="http://h/leg" statusCallbackEvent="ringing answered">+14155550100</Number></Dial></Response>');
    expect(parsed.program.steps[0]).toMatchObject({ kind: 'dial', report: { url: 'http://h/leg', shape: 'twiml-dial-leg', events: ['ringing', 'answered'] } });
    expect(parsed.notes).toEqual([]);
  });

  it('several nouns are rung at once, each with its own status callback', () => {
    const parsed = accepted(
      '<Response><Dial><Number statusCallback="/a">+14155550100</Number><Sip>sip:desk@pbx.example.com</Sip><Number>+14155550101</Number></Dial></Response>',
    );
    expect(parsed.notes).toEqual([]);
    expect(parsed.program.steps).toMatchObject([
      {
        kind: 'dial',
        endpoint: { type: 'phone', number: '+14155550100' },
        report: { url: 'https://app.example.com/a' },
        alsoRing: [
          { endpoint: { type: 'sip', uri: 'sip:desk@pbx.example.com' }, report: { url: '' } },
          { endpoint: { type: 'phone', number: '+14155550101' }, report: { url: '' } },
        ],
      },
    ]);
  });

  it('a Conference goes alone: after legs it is skipped, first it wins; more than 10 legs are cut', () => {
    expect(notes('<Dial><Number>+14155550100</Number><Conference>room</Conference></Dial>')).toEqual([
      { level: 'error', where: '<Dial><Conference>', message: '<Dial><Conference> cannot be rung with other nouns: skipped' },
    ]);
    expect(only('<Dial><Conference>room</Conference><Number>+14155550100</Number></Dial>')).toMatchObject({ kind: 'join', name: 'room' });
    const many = Array.from({ length: 12 }, (_, i) => `<Number>+1415555010${String(i).padStart(2, '0')}</Number>`).join('');
    const parsed = accepted(`<Response><Dial>${many}</Dial></Response>`);
    expect(parsed.program.steps[0]).toMatchObject({ kind: 'dial' });
    expect((parsed.program.steps[0] as unknown as { alsoRing: unknown[] }).alsoRing).toHaveLength(9);
    expect(parsed.notes).toEqual([{ level: 'error', where: '<Dial>', message: '<Dial> holds 12 nouns: only the first 10 are rung' }]);
  });
});

describe('<Dial><Sip>', () => {
  it('dials the URI; X- parameters become headers', () => {
    expect(only('<Dial callerId="alice"><Sip>sip:bob@pbx.example.com;transport=tcp?X-Account=42&amp;X-Note=hello%20there</Sip></Dial>')).toEqual({
      kind: 'dial',
      endpoint: { type: 'sip', uri: 'sip:bob@pbx.example.com;transport=tcp', headers: { Account: '42', Note: 'hello there' } },
      from: 'alice',
      timeoutSeconds: 30,
      limitSeconds: 14400,
      synchronous: false,
      report: noLegEvents,
      hangupOnStar: false,
    });
  });

  it('username and password: an error note, ignored', () => {
    const parsed = accepted('<Response><Dial><Sip username="u" password="p">sip:bob@pbx.example.com</Sip></Dial></Response>');
    expect(parsed.program.steps).toMatchObject([{ kind: 'dial', endpoint: { type: 'sip', uri: 'sip:bob@pbx.example.com' } }]);
    expect(parsed.notes.map((n) => [n.level, n.where])).toEqual([
      ['error', '<Dial><Sip> username'],
      ['error', '<Dial><Sip> password'],
    ]);
  });

  it('refuses what is not a SIP URI', () => {
    expect(refused('<Dial><Sip>bob@pbx</Sip></Dial>')).toBe('<Dial><Sip> must hold a SIP URI such as sip:user@host, got "bob@pbx"');
  });

  it('refuses a URI parameter that is not an X- header', () => {
    expect(refused('<Dial><Sip>sip:bob@pbx.example.com?Via=x</Sip></Dial>')).toBe('<Dial><Sip> URI header "Via" must be an X- header name');
  });
});

describe('<Dial> nouns we refuse', () => {
  it.each(['Client', 'Queue'])('<Dial><%s>: an error note, the Dial is skipped, the next verb runs', (noun) => {
    const parsed = accepted(`<Response><Dial><${noun}>support</${noun}></Dial><Say>Sorry</Say></Response>`);
    expect(parsed.program.steps).toEqual([{ kind: 'say', speech: english('Sorry'), prompt: plain }]);
    expect(parsed.notes).toEqual([{ level: 'error', where: `<Dial><${noun}>`, message: `<Dial><${noun}> is not supported: skipped` }]);
  });
});

describe('<Dial><Conference>', () => {
  const defaultJoin = {
    kind: 'join',
    name: 'support',
    startOnEnter: true,
    startsAlone: false,
    endOnExit: false,
    record: false,
    muted: false,
    deaf: false,
    // Without recordingStatusCallback Twilio sends no recording event: an empty url sends nothing.
    report: { url: '', method: 'POST', shape: 'twiml-conference-recording' },
    beep: 'both',
    maxLegs: 250,
  };

  it('has the documented defaults: starts on enter, beeps both ways, 250 legs, default music', () => {
    expect(only('<Dial><Conference>support</Conference></Dial>')).toEqual(defaultJoin);
  });

  it('takes muted, startConferenceOnEnter, endConferenceOnExit and record', () => {
    expect(
      only('<Dial><Conference muted="true" startConferenceOnEnter="false" endConferenceOnExit="true" record="record-from-start">support</Conference></Dial>'),
    ).toEqual({ ...defaultJoin, muted: true, startOnEnter: false, endOnExit: true, record: true });
  });

  it.each([
    ['true', 'both'],
    ['onEnter', 'enter'],
    ['onExit', 'exit'],
  ])('beep="%s" beeps %s', (beep, expected) => {
    expect(only(`<Dial><Conference beep="${beep}">support</Conference></Dial>`)).toEqual({ ...defaultJoin, beep: expected });
  });

  it('beep="false": no beep', () => {
    const { beep: _beep, ...silent } = defaultJoin;
    expect(only('<Dial><Conference beep="false">support</Conference></Dial>')).toEqual(silent);
  });

  it('refuses another beep', () => {
    expect(refused('<Dial><Conference beep="loud">support</Conference></Dial>')).toBe('<Dial><Conference> beep must be one of true, false, onEnter, onExit, got "loud"');
  });

  it('waitUrl is the music on hold, resolved', () => {
    expect(only('<Dial><Conference waitUrl="music/hold.mp3" waitMethod="GET">support</Conference></Dial>')).toEqual({
      ...defaultJoin,
      musicOnHoldUrl: 'https://app.example.com/voice/music/hold.mp3',
    });
  });

  it('waitUrl="" (silence): noted, the default music plays', () => {
    const parsed = accepted('<Response><Dial><Conference waitUrl="">support</Conference></Dial></Response>');
    expect(parsed.program.steps).toEqual([defaultJoin]);
    expect(parsed.notes).toEqual([
      { level: 'debug', where: '<Dial><Conference> waitUrl', message: '<Dial><Conference> waitUrl="" (silence) is not supported: the default music plays' },
    ]);
  });

  it('maxParticipants, 2 to 250', () => {
    expect(only('<Dial><Conference maxParticipants="10">support</Conference></Dial>')).toEqual({ ...defaultJoin, maxLegs: 10 });
    expect(refused('<Dial><Conference maxParticipants="1">support</Conference></Dial>')).toBe('<Dial><Conference> maxParticipants must be a whole number from 2 to 250, got "1"');
    expect(refused('<Dial><Conference maxParticipants="251">support</Conference></Dial>')).toBe('<Dial><Conference> maxParticipants must be a whole number from 2 to 250, got "251"');
  });

  it('statusCallback: the room events go there, start and end by default', () => {
    expect(only('<Dial><Conference statusCallback="/rooms">support</Conference></Dial>')).toEqual({
      ...defaultJoin,
      events: { report: { url: 'https://app.example.com/rooms', method: 'POST', shape: 'twiml-conference-events' }, kinds: ['start', 'end'] },
    });
  });

  it('statusCallbackEvent and statusCallbackMethod choose the events and method', () => {
    expect(only('<Dial><Conference statusCallback="/rooms" statusCallbackMethod="GET" statusCallbackEvent="join leave mute">support</Conference></Dial>')).toMatchObject({
      events: { report: { url: 'https://app.example.com/rooms', method: 'GET', shape: 'twiml-conference-events' }, kinds: ['join', 'leave', 'mute'] },
    });
    expect(refused('<Dial><Conference statusCallback="/rooms" statusCallbackEvent="party">support</Conference></Dial>')).toBe(
      '<Dial><Conference> statusCallbackEvent must be words among start end join leave mute hold modify speaker announcement, got "party"',
    );
  });

  it("recordingStatusCallback: the room's recording is reported there", () => {
    expect(only('<Dial><Conference record="record-from-start" recordingStatusCallback="/rec" recordingStatusCallbackMethod="GET">support</Conference></Dial>')).toEqual({
      ...defaultJoin,
      record: true,
      report: { url: 'https://app.example.com/rec', method: 'GET', shape: 'twiml-conference-recording' },
    });
  });

  it("the Dial's action: notified once the leg leaves the room, its reply runs next", () => {
    expect(steps('<Dial action="after-room"><Conference>support</Conference></Dial>')).toEqual([
      defaultJoin,
      {
        kind: 'notify',
        payload: { DialCallStatus: 'completed' },
        report: { url: 'https://app.example.com/voice/after-room', method: 'POST', shape: 'twiml-action', replies: true },
      },
    ]);
  });

  it("the Dial's ringing attributes have no effect on a room: noted", () => {
    expect(notes('<Dial timeout="10" hangupOnStar="true"><Conference>support</Conference></Dial>')).toEqual([
      { level: 'debug', where: '<Dial> timeout', message: '<Dial> timeout has no effect with a <Conference>: ignored' },
      { level: 'debug', where: '<Dial> hangupOnStar', message: '<Dial> hangupOnStar has no effect with a <Conference>: ignored' },
    ]);
  });

  it('refuses a room without a name', () => {
    expect(refused('<Dial><Conference muted="true"> </Conference></Dial>')).toBe("<Dial><Conference> needs the room's name in its body");
  });

  it('refuses a bad record value', () => {
    expect(refused('<Dial><Conference record="true">support</Conference></Dial>')).toBe('<Dial><Conference> record must be one of do-not-record, record-from-start, got "true"');
  });
});

describe('<Redirect>', () => {
  it('fetches the URL (resolved, POST) and its reply replaces the rest; later verbs are dropped', () => {
    const parsed = accepted('<Response><Redirect>../menu.xml</Redirect><Say>never</Say><Hangup/></Response>');
    expect(parsed.program.steps).toEqual([{ kind: 'notify', payload: {}, report: { url: 'https://app.example.com/menu.xml', method: 'POST', shape: 'twiml-action', replies: true } }]);
    expect(parsed.notes).toEqual([{ level: 'debug', where: '<Redirect>', message: '2 verbs after <Redirect> never run: dropped' }]);
  });

  it('takes method', () => {
    expect(only('<Redirect method="GET">https://other.example.com/next</Redirect>')).toMatchObject({ report: { url: 'https://other.example.com/next', method: 'GET' } });
  });

  it('refuses a relative URL in an inline document', () => {
    expect(refused('<Redirect>next</Redirect>', INLINE)).toBe('<Redirect> URL "next" is relative, and the document has no URL to resolve it against');
  });

  it('refuses a <Redirect> without a URL', () => {
    expect(refused('<Redirect/>')).toBe('<Redirect> needs a URL in its body');
  });
});

describe('<Hangup> and <Reject>', () => {
  it('<Hangup> ends the call; later verbs are dropped', () => {
    const parsed = accepted('<Response><Hangup/><Say>never</Say></Response>');
    expect(parsed.program.steps).toEqual([{ kind: 'hangup' }]);
    expect(parsed.notes).toEqual([{ level: 'debug', where: '<Hangup>', message: '1 verb after <Hangup> never run: dropped' }]);
  });

  it('<Reject> rejects by default, or signals busy', () => {
    expect(only('<Reject/>')).toEqual({ kind: 'reject', reason: 'rejected' });
    expect(only('<Reject reason="busy"/>')).toEqual({ kind: 'reject', reason: 'busy' });
  });

  it('<Reject> drops what follows', () => {
    expect(steps('<Reject/><Say>never</Say>')).toEqual([{ kind: 'reject', reason: 'rejected' }]);
  });

  it('refuses content in <Hangup>', () => {
    expect(refused('<Hangup>now</Hangup>')).toBe('<Hangup> must be empty, got text "now"');
  });

  it('refuses another reason', () => {
    expect(refused('<Reject reason="no"/>')).toBe('<Reject> reason must be one of rejected, busy, got "no"');
  });
});
