/**
 * An NCCO (Vonage's JSON list of call actions) parsed and validated once into
 * the internal program the document machine runs. A document with any wrong
 * action or field is refused as a whole, with the first problem, before
 * anything plays; unknown optional fields are only listed.
 */
import type {
  CollectStep,
  DialEndpoint,
  DialStep,
  JoinStep,
  NotifyStep,
  PlayStep,
  Program,
  PromptOptions,
  RecordStep,
  Report,
  SayStep,
  Speech,
  Step,
  WaitStep,
} from '../../../states/document/program.js';
import { voiceTraits } from '../voices.js';
import { FieldReader, NccoFieldError, isObject, shown } from './fields.js';

/** What an NCCO leaves to the application: where results go by default, and the talk language. */
export interface NccoDefaults {
  eventUrl: string;
  eventMethod: 'GET' | 'POST';
  /** BCP-47; `en-US` when unset. */
  language?: string;
}

/** The first thing wrong with a document. */
export interface NccoProblem {
  /** The action's index (from 0); undefined for the whole document. */
  index: number | undefined;
  field: string | undefined;
  message: string;
}

export type NccoParse =
  | { ok: true; program: Program; ignored: readonly { index: number; field: string }[] }
  | { ok: false; problem: NccoProblem; reason: string };

const UNSUPPORTED = new Set(['transfer', 'pay']);
const SUPPORTED = ['talk', 'stream', 'input', 'record', 'notify', 'wait', 'conversation', 'connect'] as const;
type Supported = (typeof SUPPORTED)[number];

const MAX_TALK_CHARS = 1500;
// BCP-47 as TTS lists write it: `en-US`, `cmn-CN`, `en-GB-WLS`.
const LANGUAGE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const RECORD_KEYS = new Set(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#']);
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

/** What one action adds to the program beside its step. */
interface ActionContext {
  readonly defaults: NccoDefaults;
  /** Sticky bargeIn (NCCO.md 2.1): set by a talk/stream with bargeIn, cleared by an input. */
  bargeIn: boolean;
  ignored: string[];
}

/** Parses and validates an NCCO into a program; never throws. */
export function parseNcco(document: unknown, defaults: NccoDefaults): NccoParse {
  if (!Array.isArray(document)) {
    return refuse(undefined, undefined, undefined, `an NCCO must be a JSON array of actions, got ${kindOf(document)}`);
  }
  // An empty array is a valid NCCO with nothing to do: the call ends at once,
  // which is what Vonage does when the last (here: no) action finishes.
  const steps: Step[] = [];
  const ignored: { index: number; field: string }[] = [];
  const context: ActionContext = { defaults, bargeIn: false, ignored: [] };
  for (const [index, action] of (document as unknown[]).entries()) {
    if (!isObject(action)) {
      return refuse(index, undefined, undefined, `must be an object, got ${kindOf(action)}`);
    }
    const name = action['action'];
    if (name === undefined || name === null) return refuse(index, undefined, 'action', 'has no "action" field');
    if (typeof name !== 'string') return refuse(index, undefined, 'action', `"action" must be a string, got ${shown(name)}`);
    if (UNSUPPORTED.has(name)) {
      const message = `${name} is not supported yet`;
      return { ok: false, problem: { index, field: 'action', message }, reason: `action ${index} (${name}) is not supported yet` };
    }
    if (!(SUPPORTED as readonly string[]).includes(name)) {
      return refuse(index, undefined, 'action', `unknown action ${shown(name)} (known: ${SUPPORTED.join(', ')})`);
    }
    const fields = new FieldReader(action);
    fields.raw('action');
    context.ignored = [];
    try {
      steps.push(parseAction(name as Supported, fields, context));
    } catch (err) {
      if (err instanceof NccoFieldError) return refuse(index, name, err.field, err.message);
      throw err;
    }
    for (const field of [...context.ignored, ...fields.unknown()]) ignored.push({ index, field });
  }
  return { ok: true, program: { steps }, ignored };
}

function parseAction(name: Supported, fields: FieldReader, context: ActionContext): Step {
  switch (name) {
    case 'talk':
      return talk(fields, context);
    case 'stream':
      return stream(fields, context);
    case 'input':
      return input(fields, context);
    case 'record':
      return record(fields, context);
    case 'notify':
      return notify(fields, context);
    case 'wait':
      return wait(fields);
    case 'conversation':
      return conversation(fields, context);
    case 'connect':
      return connect(fields, context);
  }
}

function talk(fields: FieldReader, context: ActionContext): SayStep {
  const text = fields.string('text');
  if (text === undefined) fields.fail('text', 'is required');
  const ssml = text.trimStart().startsWith('<speak');
  // The limit counts what is spoken: SSML markup does not count.
  const spoken = ssml ? text.replace(/<[^>]*>/g, '') : text;
  if (spoken.trim() === '') fields.fail('text', 'must not be empty');
  if (spoken.length > MAX_TALK_CHARS) {
    fields.fail('text', `must be at most ${MAX_TALK_CHARS} characters (SSML tags excluded), got ${spoken.length}`);
  }
  const language = fields.string('language');
  if (language !== undefined && !LANGUAGE.test(language)) {
    fields.fail('language', `must be a BCP-47 language such as en-US or ja-JP, got ${shown(language)}`);
  }
  const voiceName = fields.string('voiceName');
  const voice = voiceName === undefined ? undefined : voiceTraits(voiceName);
  if (voiceName !== undefined && voice === undefined) context.ignored.push('voiceName');
  // style and premium pick one of Vonage's voices for a language; espeak-ng has
  // no styles, so they are checked for type and otherwise have no effect.
  fields.wholeNumber('style', 0, 0, UNBOUNDED);
  fields.boolean('premium', false);
  if (fields.has('style')) context.ignored.push('style');
  if (fields.has('premium')) context.ignored.push('premium');
  const speech: Speech = {
    text,
    ssml,
    // An explicit language wins over the voice's: it is the newer field.
    language: language ?? voice?.language ?? context.defaults.language ?? 'en-US',
    ...(voice === undefined ? {} : { gender: voice.gender }),
  };
  return { kind: 'say', speech, prompt: prompt(fields, context) };
}

function stream(fields: FieldReader, context: ActionContext): PlayStep {
  const url = fields.url('streamUrl');
  if (url === undefined) fields.fail('streamUrl', 'is required');
  return { kind: 'play', url, prompt: prompt(fields, context) };
}

/** loop, level and bargeIn, with bargeIn made sticky here so the machine sees it per step. */
function prompt(fields: FieldReader, context: ActionContext): PromptOptions {
  const loop = fields.wholeNumber('loop', 1, 0, UNBOUNDED);
  // The REST variant sends level as a string ("0.5"): accept both.
  const level = fields.number('level', -1, 1, { strings: true }) ?? 0;
  if (fields.boolean('bargeIn', false)) context.bargeIn = true;
  return { loop, level, bargeIn: context.bargeIn };
}

function input(fields: FieldReader, context: ActionContext): CollectStep {
  context.bargeIn = false;
  const mode = fields.oneOf('mode', ['synchronous', 'asynchronous'] as const, 'synchronous');
  if (mode === 'asynchronous') fields.fail('mode', '"asynchronous" is not supported yet (digits are sent once the input ends)');
  // The shape of the request decides the shape of the result (NCCO.md 4.3): the
  // legacy one (before mid-2020) has no `type` and keeps the DTMF settings on the
  // action itself; seed 000 is written against it and reads `dtmf` as a string.
  const current = fields.has('type') || fields.has('dtmf') || fields.has('speech');
  let speechRequested = false;
  let dtmf: DtmfSettings;
  if (current) {
    speechRequested = inputTypes(fields).includes('speech') || fields.has('speech');
    fields.object('speech');
    // The speech settings (language, endOnSilence…) have no effect: speech input is not supported.
    if (fields.has('speech')) context.ignored.push('speech');
    const settings = fields.object('dtmf');
    const reader = new FieldReader(settings ?? {}, 'dtmf.');
    dtmf = dtmfSettings(reader);
    context.ignored.push(...reader.unknown());
  } else {
    dtmf = dtmfSettings(fields);
  }
  return {
    kind: 'collect',
    ...dtmf,
    speechRequested,
    report: report(fields, context, current ? 'ncco-input' : 'ncco-input-legacy'),
  };
}

type DtmfSettings = Pick<CollectStep, 'maxDigits' | 'timeoutMs' | 'submitKey'>;

function dtmfSettings(fields: FieldReader): DtmfSettings {
  const maxDigits = fields.wholeNumber('maxDigits', 4, 1, 20);
  // 1-10 s: 10 is Vonage's documented maximum; 0 (which the Python SDK lets
  // through) would submit before the caller could press anything.
  const timeOut = fields.number('timeOut', 1, 10) ?? 3;
  const submitOnHash = fields.boolean('submitOnHash', false);
  return { maxDigits, timeoutMs: Math.round(timeOut * 1000), ...(submitOnHash ? { submitKey: '#' } : {}) };
}

function inputTypes(fields: FieldReader): readonly string[] {
  const value = fields.raw('type');
  if (value === undefined || value === null) return ['dtmf'];
  const valid =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((item) => item === 'dtmf' || item === 'speech');
  if (!valid) fields.fail('type', `must be an array of "dtmf" and/or "speech", got ${shown(value)}`);
  return value as string[];
}

function record(fields: FieldReader, context: ActionContext): RecordStep {
  // We record the one leg the document runs on: a stereo split of a conversation has no meaning yet.
  if (fields.has('split')) fields.fail('split', 'is not supported yet (one leg is recorded, in mono)');
  if (fields.has('channels')) fields.fail('channels', 'is not supported yet (one leg is recorded, in mono)');
  const format = fields.oneOf('format', ['mp3', 'wav', 'ogg'] as const, 'mp3');
  const endOnSilenceSeconds = fields.number('endOnSilence', 3, 10);
  const endOnKey = fields.raw('endOnKey');
  if (endOnKey !== undefined && endOnKey !== null && (typeof endOnKey !== 'string' || !RECORD_KEYS.has(endOnKey))) {
    fields.fail('endOnKey', `must be one of 0-9, * or #, got ${shown(endOnKey)}`);
  }
  const key = typeof endOnKey === 'string' ? endOnKey : undefined;
  const maxSeconds = fields.number('timeOut', 3, 7200) ?? 7200;
  const beep = fields.boolean('beepStart', false);
  fields.object('transcription');
  if (fields.has('transcription')) context.ignored.push('transcription');
  return {
    kind: 'record',
    format,
    ...(endOnSilenceSeconds === undefined ? {} : { endOnSilenceSeconds }),
    ...(key === undefined ? {} : { endKeys: key }),
    maxSeconds,
    beep,
    // The recording guide's rule (NCCO.md 2.4): a way to end it early makes it a
    // voicemail the program waits for; without one it runs in the background.
    blocking: endOnSilenceSeconds !== undefined || key !== undefined,
    report: report(fields, context, 'ncco-record'),
  };
}

function notify(fields: FieldReader, context: ActionContext): NotifyStep {
  const payload = fields.object('payload');
  if (payload === undefined) fields.fail('payload', 'is required');
  if (!fields.has('eventUrl')) fields.fail('eventUrl', 'is required');
  return { kind: 'notify', payload, report: report(fields, context, 'ncco-notify') };
}

function wait(fields: FieldReader): WaitStep {
  const value = fields.number('timeout', -UNBOUNDED, UNBOUNDED) ?? 10;
  // Clamped as the SDKs do, not refused: a wait is never worth failing a call for.
  const seconds = Math.min(7200, Math.max(0.1, value));
  return { kind: 'wait', ms: Math.round(seconds * 1000) };
}

/** Vonage's limit, and the longest name we key a room by. */
const MAX_CONVERSATION_NAME = 256;

function conversation(fields: FieldReader, context: ActionContext): JoinStep {
  const name = fields.string('name');
  if (name === undefined) fields.fail('name', 'is required');
  if (name.trim() === '') fields.fail('name', 'must not be empty');
  if (name.length > MAX_CONVERSATION_NAME) fields.fail('name', `must be at most ${MAX_CONVERSATION_NAME} characters, got ${name.length}`);
  const musicOnHoldUrl = fields.url('musicOnHoldUrl');
  const startOnEnter = fields.boolean('startOnEnter', true);
  const endOnExit = fields.boolean('endOnExit', false);
  const record = fields.boolean('record', false);
  const mute = fields.boolean('mute', false);
  const canSpeak = legList(fields, 'canSpeak');
  const canHear = legList(fields, 'canHear');
  // The Python SDK raises on both: which one wins is not defined anywhere.
  if (mute && canSpeak !== undefined) fields.fail('mute', 'cannot be used together with canSpeak');
  // One mixing bridge has no per-listener matrix (MAPPING.md LEG-AUDIO): only
  // "nobody" can be done (mute in / out); a list of legs is left out, and the
  // effects log it as an error, since the leg then hears and is heard by all.
  if (canSpeak !== undefined && canSpeak.length > 0) context.ignored.push('canSpeak');
  if (canHear !== undefined && canHear.length > 0) context.ignored.push('canHear');
  fields.object('transcription');
  if (fields.has('transcription')) context.ignored.push('transcription');
  return {
    kind: 'join',
    name,
    ...(musicOnHoldUrl === undefined ? {} : { musicOnHoldUrl }),
    startOnEnter,
    endOnExit,
    record,
    muted: mute || canSpeak?.length === 0,
    deaf: canHear?.length === 0,
    report: report(fields, context, 'ncco-record'),
  };
}

// The SDKs' check (NCCO.md 2.6): E.164 digits without the `+`.
const PHONE_NUMBER = /^[1-9]\d{6,14}$/;
const DTMF_ANSWER = /^[0-9A-D*#p]+$/;
// A SIP header name (RFC 3261 token, conservatively): it becomes a channel variable name.
const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;

function connect(fields: FieldReader, context: ActionContext): DialStep {
  const endpoints = fields.raw('endpoint');
  if (endpoints === undefined || endpoints === null) fields.fail('endpoint', 'is required');
  if (!Array.isArray(endpoints) || endpoints.length !== 1) fields.fail('endpoint', `must be an array of exactly one endpoint, got ${shown(endpoints)}`);
  const first: unknown = endpoints[0];
  if (!isObject(first)) fields.fail('endpoint', `must be an array of one endpoint object, got ${shown(first)}`);
  const endpoint = dialEndpoint(new FieldReader(first, 'endpoint[0].'), context);
  const from = fields.string('from');
  if (from !== undefined && !PHONE_NUMBER.test(from)) fields.fail('from', `must be a number in E.164 digits (no +), got ${shown(from)}`);
  // We have no number pool: the caller's number (or `from`) shows instead.
  fields.boolean('randomFromNumber', false);
  if (fields.has('randomFromNumber')) context.ignored.push('randomFromNumber');
  const timeoutSeconds = fields.wholeNumber('timeout', 60, 3, 7200);
  const limitSeconds = fields.wholeNumber('limit', 7200, 1, 7200);
  const eventType = fields.string('eventType');
  if (eventType !== undefined && eventType !== 'synchronous') fields.fail('eventType', `must be "synchronous", got ${shown(eventType)}`);
  const ringbackUrl = fields.url('ringbackTone');
  // Answering-machine detection needs a detector Asterisk does not have here.
  for (const name of ['machineDetection', 'advanced_machine_detection', 'advancedMachineDetection']) {
    fields.raw(name);
    if (fields.has(name)) context.ignored.push(name);
  }
  return {
    kind: 'dial',
    endpoint,
    ...(from === undefined ? {} : { from }),
    timeoutSeconds,
    limitSeconds,
    synchronous: eventType === 'synchronous',
    ...(ringbackUrl === undefined ? {} : { ringbackUrl }),
    report: report(fields, context, 'ncco-connect'),
  };
}

function dialEndpoint(fields: FieldReader, context: ActionContext): DialEndpoint {
  const type = fields.string('type');
  if (type === undefined) fields.fail('type', 'is required (phone or sip)');
  switch (type) {
    case 'phone': {
      const number = fields.string('number');
      if (number === undefined) fields.fail('number', 'is required');
      if (!PHONE_NUMBER.test(number)) fields.fail('number', `must be E.164 digits without + (7 to 15 digits), got ${shown(number)}`);
      const dtmfAnswer = fields.string('dtmfAnswer');
      if (dtmfAnswer !== undefined && !DTMF_ANSWER.test(dtmfAnswer)) fields.fail('dtmfAnswer', `may hold only 0-9, A-D, *, # and p (a 500 ms pause), got ${shown(dtmfAnswer)}`);
      const onAnswer = fields.object('onAnswer');
      let onAnswerUrl: string | undefined;
      if (onAnswer !== undefined) {
        const url = onAnswer.url;
        if (typeof url !== 'string' || !/^https?:\/\/[^\s]+$/.test(url)) fields.fail('onAnswer', `.url must be an http(s) URL, got ${shown(url)}`);
        onAnswerUrl = url;
        // `ringbackTone` (or the older `ringback`) here is the caller's ringback while the callee hears it: the action's ringbackTone plays meanwhile.
      }
      context.ignored.push(...fields.unknown());
      return { type: 'phone', number, ...(dtmfAnswer === undefined || dtmfAnswer === '' ? {} : { dtmfAnswer }), ...(onAnswerUrl === undefined ? {} : { onAnswerUrl }) };
    }
    case 'sip': {
      const uri = fields.string('uri');
      if (uri === undefined) fields.fail('uri', 'is required');
      if (!/^sips?:[^\s@]+@[^\s@]+$/.test(uri)) fields.fail('uri', `must be a SIP URI such as sip:user@host, got ${shown(uri)}`);
      const raw = fields.object('headers');
      let headers: Record<string, string> | undefined;
      if (raw !== undefined) {
        headers = {};
        for (const [name, value] of Object.entries(raw)) {
          if (!HEADER_NAME.test(name)) fields.fail('headers', `has a header name that is not a SIP token: ${shown(name)}`);
          if (typeof value !== 'string' || /[\r\n]/.test(value)) fields.fail('headers', `.${name} must be a one-line string, got ${shown(value)}`);
          headers[name] = value;
        }
      }
      context.ignored.push(...fields.unknown());
      return { type: 'sip', uri, ...(headers === undefined || Object.keys(headers).length === 0 ? {} : { headers }) };
    }
    case 'app':
      return fields.fail('type', 'app endpoints (Client SDK users) are not supported');
    case 'websocket':
    case 'vbc':
      return fields.fail('type', `${type} endpoints are not supported`);
    default:
      return fields.fail('type', `must be phone or sip, got ${shown(type)}`);
  }
}

/** `canSpeak` / `canHear`: an array of leg uuids (strings), or undefined when absent. */
function legList(fields: FieldReader, name: string): readonly string[] | undefined {
  const value = fields.raw(name);
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item !== '')) {
    fields.fail(name, `must be an array of leg uuids, got ${shown(value)}`);
  }
  return value as string[];
}

function report(fields: FieldReader, context: ActionContext, shape: string): Report {
  const url = fields.url('eventUrl');
  // NCCO's own default method is POST; the application's applies with its URL.
  if (url !== undefined) return { url, method: fields.method('eventMethod', 'POST'), shape };
  return { url: context.defaults.eventUrl, method: fields.method('eventMethod', context.defaults.eventMethod), shape };
}

function refuse(index: number | undefined, action: string | undefined, field: string | undefined, message: string): NccoParse {
  const where = index === undefined ? 'NCCO' : action === undefined ? `action ${index}` : `action ${index} (${action})`;
  return { ok: false, problem: { index, field, message }, reason: `${where}: ${message}` };
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${shown(value)}`;
}
