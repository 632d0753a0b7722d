/**
 * `<Dial>` and its nouns: a number (the body, or `<Number>`) or `<Sip>`
 * becomes a dial step; `<Conference>` a join step (and, with the Dial's
 * `action`, a notify once the leg leaves). Nouns we cannot dial are noted
 * and dropped; a Dial left with nothing to dial is skipped. Private to the parser.
 */
import type { DialEndpoint, DialRecording, DialStep, JoinStep, Report, Step } from '../../../states/document/program.js';
import { Attributes, TwimlError, note, quoted, type ParseContext } from './parse-attributes.js';
import { bodyOf, childrenOf, type XmlElement } from './parse-xml.js';

const DIALLED = ['Number', 'Sip', 'Conference'] as const;
const REFUSED = ['Client', 'Queue', 'Application'];
const RECORD_VALUES = ['do-not-record', 'record-from-answer', 'record-from-ringing', 'record-from-answer-dual', 'record-from-ringing-dual', 'true', 'false'] as const;
// E.164, its `+` kept as written (the dial string drops it); separators people write (`+1 (415) 555-0100`) are dropped.
const PHONE = /^\+?[1-9]\d{6,14}$/;
const SEND_DIGITS = /^[0-9A-D*#w]+$/;
const SIP_URI = /^sips?:[^\s@?]+@[^\s?]+$/;
const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;
const LEG_EVENTS = ['initiated', 'ringing', 'answered', 'completed'];
const CONFERENCE_EVENTS = ['start', 'end', 'join', 'leave', 'mute', 'hold', 'modify', 'speaker', 'announcement'];
// Twilio rings at most 10 nouns of one <Dial> at once.
const MAX_NOUNS = 10;
// Twilio's limit on a conference's friendly name.
const MAX_ROOM_NAME = 128;

/** `<Dial>`: its steps (none when it has nothing we can dial). */
export function dial(element: XmlElement, context: ParseContext): Step[] {
  const attributes = new Attributes(element, '<Dial>', context);
  const action = attributes.url('action');
  const method = attributes.method('method');
  const timeoutSeconds = attributes.whole('timeout', 30, 1);
  const hangupOnStar = attributes.boolean('hangupOnStar', false);
  const limitSeconds = attributes.whole('timeLimit', 14400, 1);
  const callerId = attributes.raw('callerId')?.trim();
  const record = dialRecording(attributes, context);
  attributes.ignore('answerOnBridge', 'debug', 'is not supported: the caller is answered before the dial');
  for (const name of ['ringTone', 'sequential', 'referUrl', 'referMethod', 'events']) attributes.ignore(name, 'debug', 'is not supported: ignored');
  attributes.finish();

  const nouns = chosenNouns(element, context);
  const noun = nouns[0];
  if (noun === undefined) return [];
  if (noun.kind === 'conference') {
    for (const name of ['timeout', 'callerId', 'hangupOnStar', 'timeLimit', ...(record === undefined ? [] : ['record'])]) {
      if (attributes.has(name)) note(context, 'debug', `<Dial> ${name}`, `<Dial> ${name} has no effect with a <Conference>: ignored`);
    }
    const steps: Step[] = [conference(noun.element, context)];
    // The room has no dial outcome of its own: leaving it is the Dial's `completed`.
    if (action !== undefined) steps.push({ kind: 'notify', payload: { DialCallStatus: 'completed' }, report: { url: action, method, shape: 'twiml-action', replies: true } });
    return steps;
  }
  const [firstLeg, ...alsoRing] = nouns.map((n) => (n.kind === 'number' ? numberNoun(n, context) : sipNoun(n.element, context)));
  const { endpoint, report } = firstLeg!;
  const step: DialStep = {
    kind: 'dial',
    endpoint,
    ...(alsoRing.length === 0 ? {} : { alsoRing }),
    ...(callerId === undefined || callerId === '' ? {} : { from: callerIdOf(callerId, endpoint, attributes) }),
    timeoutSeconds,
    limitSeconds,
    synchronous: false,
    report,
    ...(action === undefined ? {} : { after: { url: action, method, shape: 'twiml-dial', replies: true } }),
    hangupOnStar,
    ...(record === undefined ? {} : { record }),
  };
  return [step];
}

/** `<Dial record>` and its recording attributes: how the connected call is recorded, or undefined. */
function dialRecording(attributes: Attributes, context: ParseContext): DialRecording | undefined {
  const record = attributes.oneOf('record', RECORD_VALUES, 'do-not-record');
  const trim = attributes.oneOf('trim', ['trim-silence', 'do-not-trim'] as const, 'trim-silence');
  const statusUrl = attributes.url('recordingStatusCallback', { emptyIsAbsent: true });
  const statusMethod = attributes.method('recordingStatusCallbackMethod');
  if (attributes.has('recordingStatusCallbackEvent')) {
    const events = attributes.words('recordingStatusCallbackEvent', ['in-progress', 'completed', 'absent'], ['completed']);
    if (events.some((event) => event !== 'completed')) note(context, 'debug', '<Dial> recordingStatusCallbackEvent', '<Dial> recordingStatusCallbackEvent: only completed is sent');
  }
  if (attributes.has('recordingTrack')) {
    attributes.oneOf('recordingTrack', ['both', 'inbound', 'outbound'] as const, 'both');
    attributes.ignore('recordingTrack', 'debug', 'is not supported: both legs are recorded');
  }
  if (record === 'do-not-record' || record === 'false') return undefined;
  if (record.startsWith('record-from-ringing')) note(context, 'debug', '<Dial> record', `<Dial> record="${record}": the recording starts when the call is answered, not while it rings`);
  if (record.endsWith('-dual')) note(context, 'debug', '<Dial> record', `<Dial> record="${record}": both legs are recorded mixed in one channel, not two`);
  return {
    // Twilio keeps a recording as wav; the download picks the format by extension.
    format: 'wav',
    trimSilence: trim !== 'do-not-trim',
    ...(statusUrl === undefined ? {} : { statusReport: { url: statusUrl, method: statusMethod, shape: 'twiml-dial-recording' } }),
  };
}

type Noun = { kind: 'number'; element?: XmlElement; text: string } | { kind: 'sip' | 'conference'; element: XmlElement };

/**
 * The nouns dialled: the body's number; or every `<Number>` and `<Sip>`, rung
 * at once as Twilio does; or a `<Conference>` when it comes first, alone.
 * Refused nouns, and what cannot go with the others, are noted and dropped.
 */
function chosenNouns(element: XmlElement, context: ParseContext): Noun[] {
  const { elements, stray } = childrenOf(element);
  if (elements.length === 0) {
    const text = bodyOf(element).text;
    if (text === '') throw new TwimlError('<Dial> needs a number or a noun (<Number>, <Sip>, <Conference>)');
    return [{ kind: 'number', text }];
  }
  if (stray !== undefined) throw new TwimlError(`<Dial> holds both text ${quoted(stray)} and nouns: put the number in a <Number>`);
  const usable: XmlElement[] = [];
  for (const noun of elements) {
    if (REFUSED.includes(noun.name)) note(context, 'error', `<Dial><${noun.name}>`, `<Dial><${noun.name}> is not supported: skipped`);
    else if ((DIALLED as readonly string[]).includes(noun.name)) usable.push(noun);
    else throw new TwimlError(`<Dial> may hold a number or <Number>, <Sip>, <Conference>, <Client>, <Queue>, got <${noun.name}>`);
  }
  const [first] = usable;
  if (first === undefined) return [];
  if (first.name === 'Conference') {
    if (usable.length > 1) note(context, 'error', '<Dial>', `<Dial> holds a <Conference> and ${usable.length - 1} other noun(s): only the <Conference> is joined`);
    return [{ kind: 'conference', element: first }];
  }
  const legs = usable.filter((noun) => noun.name !== 'Conference');
  if (legs.length < usable.length) note(context, 'error', '<Dial><Conference>', '<Dial><Conference> cannot be rung with other nouns: skipped');
  if (legs.length > MAX_NOUNS) {
    note(context, 'error', '<Dial>', `<Dial> holds ${legs.length} nouns: only the first ${MAX_NOUNS} are rung`);
    legs.length = MAX_NOUNS;
  }
  return legs.map((noun): Noun => (noun.name === 'Number' ? { kind: 'number', element: noun, text: bodyOf(noun).text } : { kind: 'sip', element: noun }));
}

function numberNoun(noun: Extract<Noun, { kind: 'number' }>, context: ParseContext): { endpoint: DialEndpoint; report: Report } {
  const where = noun.element === undefined ? '<Dial>' : '<Dial><Number>';
  const number = phone(noun.text);
  if (number === undefined) throw new TwimlError(`${where} number must be a phone number (E.164: + and 7 to 15 digits), got ${quoted(noun.text)}`);
  if (noun.element === undefined) return { endpoint: { type: 'phone', number }, report: legReport(undefined) };
  const attributes = new Attributes(noun.element, where, context);
  const sendDigits = attributes.raw('sendDigits')?.trim();
  if (sendDigits !== undefined && sendDigits !== '' && !SEND_DIGITS.test(sendDigits)) {
    attributes.fail('sendDigits', `may hold only 0-9, A-D, *, # and w (a 0.5 s pause), got ${quoted(sendDigits)}`);
  }
  const onAnswerUrl = attributes.url('url');
  // TWIML.md: the noun's url is requested with POST unless `method` says GET.
  const onAnswerMethod = attributes.method('method') ?? 'POST';
  const report = legReport(attributes);
  for (const name of ['machineDetection', 'machineDetectionTimeout', 'amdStatusCallback', 'amdStatusCallbackMethod', 'byoc']) attributes.ignore(name, 'debug', 'is not supported: ignored');
  attributes.finish();
  const endpoint: DialEndpoint = {
    type: 'phone',
    number,
    ...(sendDigits === undefined || sendDigits === '' ? {} : { dtmfAnswer: sendDigits.replaceAll('w', 'p') }),
    ...(onAnswerUrl === undefined ? {} : { onAnswerUrl, onAnswerMethod }),
  };
  return { endpoint, report };
}

function sipNoun(element: XmlElement, context: ParseContext): { endpoint: DialEndpoint; report: Report } {
  const attributes = new Attributes(element, '<Dial><Sip>', context);
  for (const name of ['username', 'password']) attributes.ignore(name, 'error', 'is not supported: the INVITE is sent without credentials');
  if (attributes.has('method')) attributes.method('method');
  for (const name of ['url', 'method']) attributes.ignore(name, 'error', 'is not supported on a SIP leg: ignored');
  const report = legReport(attributes);
  for (const name of ['machineDetection', 'machineDetectionTimeout', 'amdStatusCallback', 'amdStatusCallbackMethod']) attributes.ignore(name, 'debug', 'is not supported: ignored');
  attributes.finish();
  const text = bodyOf(element).text;
  // Twilio passes `?X-Name=value` parameters of the URI on as SIP headers.
  const mark = text.indexOf('?');
  const uri = mark < 0 ? text : text.slice(0, mark);
  const query = mark < 0 ? '' : text.slice(mark + 1);
  if (!SIP_URI.test(uri)) throw new TwimlError(`<Dial><Sip> must hold a SIP URI such as sip:user@host, got ${quoted(text)}`);
  const headers: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(query)) {
    const bare = name.replace(/^x-/i, '');
    if (bare === name || !HEADER_NAME.test(bare)) throw new TwimlError(`<Dial><Sip> URI header ${quoted(name)} must be an X- header name`);
    if (/[\r\n]/.test(value)) throw new TwimlError(`<Dial><Sip> URI header ${name} must be one line`);
    headers[bare] = value;
  }
  return { endpoint: { type: 'sip', uri, ...(Object.keys(headers).length === 0 ? {} : { headers }) }, report };
}

/** Where the new leg's events go: its noun's statusCallback; without one, nowhere (an empty url). */
function legReport(attributes: Attributes | undefined): Report {
  const url = attributes?.url('statusCallback', { emptyIsAbsent: true });
  const method = attributes?.method('statusCallbackMethod') ?? 'POST';
  // Twilio's default without the attribute: only `completed` (the dialect's default).
  const events = attributes?.has('statusCallbackEvent') === true ? attributes.words('statusCallbackEvent', LEG_EVENTS, []) : undefined;
  return { url: url ?? '', method, shape: 'twiml-dial-leg', ...(events === undefined ? {} : { events }) };
}

function conference(element: XmlElement, context: ParseContext): JoinStep {
  const where = '<Dial><Conference>';
  const attributes = new Attributes(element, where, context);
  const muted = attributes.boolean('muted', false);
  const beep = attributes.oneOf('beep', ['true', 'false', 'onEnter', 'onExit'] as const, 'true');
  const startOnEnter = attributes.boolean('startConferenceOnEnter', true);
  const endOnExit = attributes.boolean('endConferenceOnExit', false);
  const waitUrl = attributes.url('waitUrl', { emptyIsAbsent: true });
  if (attributes.raw('waitUrl')?.trim() === '') note(context, 'debug', `${where} waitUrl`, `${where} waitUrl="" (silence) is not supported: the default music plays`);
  // The music is fetched as a <Play> URL is, whatever the method.
  attributes.method('waitMethod');
  const maxLegs = attributes.whole('maxParticipants', 250, 2, 250);
  const record = attributes.oneOf('record', ['do-not-record', 'record-from-start'] as const, 'do-not-record');
  attributes.oneOf('trim', ['trim-silence', 'do-not-trim'] as const, 'trim-silence');
  attributes.ignore('trim', 'debug', 'is not supported: the recording is kept as it is');
  const recordingUrl = attributes.url('recordingStatusCallback', { emptyIsAbsent: true });
  const recordingMethod = attributes.method('recordingStatusCallbackMethod');
  attributes.ignore('recordingStatusCallbackEvent', 'debug', 'is not supported: only completed is sent');
  const eventsUrl = attributes.url('statusCallback', { emptyIsAbsent: true });
  const eventsMethod = attributes.method('statusCallbackMethod');
  const kinds = attributes.words('statusCallbackEvent', CONFERENCE_EVENTS, ['start', 'end']);
  attributes.ignore('coach', 'error', 'is not supported: this leg is heard by everyone');
  for (const name of ['participantLabel', 'jitterBufferSize', 'region', 'eventCallbackUrl']) attributes.ignore(name, 'debug', 'is not supported: ignored');
  attributes.finish();
  const { text: name, hasElements } = bodyOf(element);
  if (hasElements) throw new TwimlError(`${where} may hold only the room's name, got <${childrenOf(element).elements[0]!.name}>`);
  if (name === '') throw new TwimlError(`${where} needs the room's name in its body`);
  if (name.length > MAX_ROOM_NAME) throw new TwimlError(`${where} name must be at most ${MAX_ROOM_NAME} characters, got ${name.length}`);
  const report: Report =
    recordingUrl === undefined
      ? // Twilio sends no recording event without recordingStatusCallback: an empty url sends nothing.
        { url: '', method: 'POST', shape: 'twiml-conference-recording' }
      : { url: recordingUrl, method: recordingMethod, shape: 'twiml-conference-recording' };
  const beepOf = { true: 'both', false: undefined, onEnter: 'enter', onExit: 'exit' } as const;
  const beeps = beepOf[beep];
  return {
    kind: 'join',
    name,
    ...(waitUrl === undefined ? {} : { musicOnHoldUrl: waitUrl }),
    startOnEnter,
    // Twilio starts a conference when a starting participant is there with someone else.
    startsAlone: false,
    endOnExit,
    record: record === 'record-from-start',
    muted,
    deaf: false,
    report,
    ...(beeps === undefined ? {} : { beep: beeps }),
    maxLegs,
    ...(eventsUrl === undefined ? {} : { events: { report: { url: eventsUrl, method: eventsMethod, shape: 'twiml-conference-events' }, kinds } }),
  };
}

/** A phone number as digits, with the `+` it was written with; undefined when it is not one. */
function phone(text: string): string | undefined {
  const digits = text.replace(/[\s().-]/g, '');
  return PHONE.test(digits) ? digits : undefined;
}

function callerIdOf(callerId: string, endpoint: DialEndpoint, attributes: Attributes): string {
  const number = phone(callerId);
  if (number !== undefined) return number;
  // A SIP leg may show a user name instead of a number.
  if (endpoint.type === 'sip' && /^[A-Za-z0-9._+-]{1,64}$/.test(callerId)) return callerId;
  return attributes.fail('callerId', `must be a phone number (E.164: + and 7 to 15 digits), got ${quoted(callerId)}`);
}
