/**
 * A TwiML document (Twilio's XML) parsed and validated once into the program
 * the document machine runs, the same Program an NCCO becomes. A document
 * with a wrong verb or attribute value is refused as a whole, with the first
 * problem in one line; what is valid but will not run as written (unknown
 * attributes, verbs we refuse, speech input) is noted, and the rest runs.
 */
import type { CollectStep, RecordStep, Report, Step } from '../../../states/document/program.js';
import type { DocumentOrigin, ParsedDocument } from '../dialect.js';
import { Attributes, TwimlError, note, quoted, resolveUrl, type ParseContext } from './parse-attributes.js';
import { dial } from './parse-dial.js';
import { mustBeEmpty, pause, play, say } from './parse-prompts.js';
import { bodyOf, childrenOf, readXml, type XmlElement } from './parse-xml.js';

// Valid TwiML this service does not do: noted and skipped, the rest goes on.
const REFUSED = new Set(['Enqueue', 'Leave', 'Connect', 'Refer', 'Sms', 'Message', 'Pay', 'Prompt', 'Start', 'Stop']);
const KEYS = '0123456789*#';
// <Record>'s default finishOnKey, as Twilio writes it: any key ends the recording.
const ANY_KEY = '1234567890*#';

/** Parses a TwiML document into a Program. */
export function parseTwiml(xml: string, origin: DocumentOrigin): ParsedDocument {
  const read = readXml(xml);
  if (!read.ok) return { ok: false, reason: read.reason };
  const [root, second] = read.elements;
  if (root === undefined) return { ok: false, reason: 'root element must be <Response>, got none' };
  if (root.name !== 'Response') return { ok: false, reason: `root element must be <Response>, got <${root.name}>` };
  if (second !== undefined) return { ok: false, reason: `a document has one root element, got <Response> then <${second.name}>` };
  const context: ParseContext = { origin, notes: [] };
  try {
    return { ok: true, program: { steps: response(root, context) }, notes: context.notes };
  } catch (err) {
    if (err instanceof TwimlError) return { ok: false, reason: err.message };
    throw err;
  }
}

function response(root: XmlElement, context: ParseContext): Step[] {
  new Attributes(root, '<Response>', context).finish();
  const { elements: verbs, stray } = childrenOf(root);
  if (stray !== undefined) throw new TwimlError(`<Response> may hold only verbs, got text ${quoted(stray)}`);
  const steps: Step[] = [];
  for (const [index, element] of verbs.entries()) {
    steps.push(...verb(element, context));
    // Control never comes back after these: what follows cannot run.
    if (['Redirect', 'Hangup', 'Reject'].includes(element.name) && index < verbs.length - 1) {
      const dropped = verbs.length - index - 1;
      note(context, 'debug', `<${element.name}>`, `${dropped} verb${dropped === 1 ? '' : 's'} after <${element.name}> never run: dropped`);
      break;
    }
  }
  return steps;
}

function verb(element: XmlElement, context: ParseContext): Step[] {
  const where = `<${element.name}>`;
  switch (element.name) {
    case 'Say':
      return say(element, where, context, false);
    case 'Play':
      return play(element, where, context, false);
    case 'Pause':
      return pause(element, where, context);
    case 'Gather':
      return gather(element, context);
    case 'Record':
      return record(element, context);
    case 'Dial':
      return dial(element, context);
    case 'Redirect':
      return [redirect(element, context)];
    case 'Hangup':
      new Attributes(element, where, context).finish();
      mustBeEmpty(element, where);
      return [{ kind: 'hangup' }];
    case 'Reject': {
      const attributes = new Attributes(element, where, context);
      const reason = attributes.oneOf('reason', ['rejected', 'busy'] as const, 'rejected');
      attributes.finish();
      mustBeEmpty(element, where);
      return [{ kind: 'reject', reason }];
    }
    default:
      if (!REFUSED.has(element.name)) throw new TwimlError(`unknown verb <${element.name}>`);
      note(context, 'error', where, `${where} is not supported: skipped`);
      return [];
  }
}

function gather(element: XmlElement, context: ParseContext): Step[] {
  const attributes = new Attributes(element, '<Gather>', context);
  const input = attributes.words('input', ['dtmf', 'speech'], ['dtmf']);
  const action = attributes.url('action') ?? context.origin.url;
  const method = attributes.method('method');
  const timeout = attributes.whole('timeout', 5, 0);
  const finishOnKey = attributes.raw('finishOnKey') ?? '#';
  if (finishOnKey !== '' && (finishOnKey.length !== 1 || !KEYS.includes(finishOnKey))) {
    attributes.fail('finishOnKey', `must be one of 0-9, * or #, or empty, got ${quoted(finishOnKey)}`);
  }
  const maxDigits = attributes.has('numDigits') ? attributes.whole('numDigits', 1, 1) : Infinity;
  const always = attributes.boolean('actionOnEmptyResult', false);
  for (const name of ['language', 'hints', 'speechTimeout', 'maxSpeechTime', 'profanityFilter', 'speechModel', 'enhanced', 'partialResultCallback', 'partialResultCallbackMethod']) {
    attributes.ignore(name, 'debug', 'has no effect: speech input is not supported');
  }
  for (const name of ['bargeIn', 'debug']) attributes.ignore(name, 'debug', 'is not supported: ignored');
  attributes.finish();

  const dtmf = input.includes('dtmf');
  if (!dtmf) note(context, 'error', '<Gather> input', '<Gather input="speech"> is not supported (no speech recognition): skipped');
  else if (input.includes('speech')) note(context, 'error', '<Gather> input', `<Gather input="${input.join(' ')}">: speech is not supported (no speech recognition), keys only`);
  if (dtmf && action === undefined) note(context, 'debug', '<Gather> action', '<Gather> has no action and the document no URL: no request is made, the next verb runs');
  const collects = dtmf && action !== undefined;
  // A key during the prompts counts only when a collect follows them.
  const steps = nested(element, context, collects);
  if (!collects || action === undefined) return steps;
  const report: Report = { url: action, method, shape: always ? 'twiml-gather-always' : 'twiml-gather', replies: true };
  const collect: CollectStep = {
    kind: 'collect',
    maxDigits,
    timeoutMs: timeout * 1000,
    ...(finishOnKey === '' ? {} : { submitKey: finishOnKey }),
    speechRequested: input.includes('speech'),
    report,
  };
  return [...steps, collect];
}

/** The prompts nested in a `<Gather>`. */
function nested(element: XmlElement, context: ParseContext, bargeIn: boolean): Step[] {
  const { elements, stray } = childrenOf(element);
  if (stray !== undefined) throw new TwimlError(`<Gather> may hold only <Say>, <Play> and <Pause>, got text ${quoted(stray)}`);
  return elements.flatMap((child) => {
    const where = `<Gather><${child.name}>`;
    if (child.name === 'Say') return say(child, where, context, bargeIn);
    if (child.name === 'Play') return play(child, where, context, bargeIn);
    if (child.name === 'Pause') return pause(child, where, context);
    throw new TwimlError(`<Gather> may hold only <Say>, <Play> and <Pause>, got <${child.name}>`);
  });
}

function record(element: XmlElement, context: ParseContext): Step[] {
  const attributes = new Attributes(element, '<Record>', context);
  const action = attributes.url('action') ?? context.origin.url;
  const method = attributes.method('method');
  const timeout = attributes.whole('timeout', 5, 0);
  const finishOnKey = attributes.raw('finishOnKey') ?? ANY_KEY;
  const wrongKey = [...finishOnKey].find((key) => !KEYS.includes(key));
  if (wrongKey !== undefined) attributes.fail('finishOnKey', `may hold only 0-9, * and #, got ${quoted(finishOnKey)}`);
  const maxSeconds = attributes.whole('maxLength', 3600, 1);
  const beep = attributes.boolean('playBeep', true);
  const trim = attributes.oneOf('trim', ['trim-silence', 'do-not-trim'] as const, 'trim-silence');
  const statusUrl = attributes.url('recordingStatusCallback', { emptyIsAbsent: true });
  const statusMethod = attributes.method('recordingStatusCallbackMethod');
  if (attributes.has('recordingStatusCallbackEvent')) {
    const events = attributes.words('recordingStatusCallbackEvent', ['in-progress', 'completed', 'absent'], ['completed']);
    if (events.some((event) => event !== 'completed')) note(context, 'debug', '<Record> recordingStatusCallbackEvent', '<Record> recordingStatusCallbackEvent: only completed is sent');
  }
  const transcribe = attributes.boolean('transcribe', false);
  // A transcribeCallback asks for a transcription too (Twilio implies transcribe="true").
  if (transcribe || attributes.raw('transcribeCallback') !== undefined) {
    note(context, 'error', '<Record> transcribe', '<Record> transcribe is not supported (no transcription): the recording is made without one');
  }
  attributes.finish();
  mustBeEmpty(element, '<Record>');
  if (action === undefined) {
    note(context, 'debug', '<Record> action', '<Record> has no action and the document no URL: no request could be made, nothing is recorded, the next verb runs');
    return [];
  }
  const step: RecordStep = {
    kind: 'record',
    format: 'wav',
    ...(timeout === 0 ? {} : { endOnSilenceSeconds: timeout }),
    ...(finishOnKey === '' ? {} : { endKeys: finishOnKey }),
    trimSilence: trim !== 'do-not-trim',
    ...(statusUrl === undefined ? {} : { statusReport: { url: statusUrl, method: statusMethod, shape: 'twiml-recording-status' } }),
    maxSeconds,
    beep,
    blocking: true,
    report: { url: action, method, shape: 'twiml-record', replies: true },
  };
  return [step];
}

function redirect(element: XmlElement, context: ParseContext): Step {
  const attributes = new Attributes(element, '<Redirect>', context);
  const method = attributes.method('method');
  attributes.finish();
  const { text, hasElements } = bodyOf(element);
  if (hasElements) throw new TwimlError(`<Redirect> may hold only a URL, got <${childrenOf(element).elements[0]!.name}>`);
  if (text === '') throw new TwimlError('<Redirect> needs a URL in its body');
  const url = resolveUrl(text, context.origin, (message) => {
    throw new TwimlError(`<Redirect> URL ${message}`);
  });
  return { kind: 'notify', payload: {}, report: { url, method, shape: 'twiml-action', replies: true } };
}
