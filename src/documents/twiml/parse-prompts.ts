/**
 * The prompt verbs, alone or nested in `<Gather>`: `<Say>` (text or SSML),
 * `<Play>` (an audio URL and/or keys) and `<Pause>`. Private to the parser.
 */
import type { PromptOptions, SayStep, Speech, Step } from '../../../states/document/program.js';
import { voiceTraits } from '../voices.js';
import { Attributes, TwimlError, note, quoted, resolveUrl, type ParseContext } from './parse-attributes.js';
import { bodyOf, childrenOf, serialize, type XmlElement } from './parse-xml.js';

// The basic voices' (man, woman) short codes, as the locales our voices know.
const SHORT_LANGUAGES: ReadonlyMap<string, string> = new Map([
  ['en', 'en-US'],
  ['en-gb', 'en-GB'],
  ['es', 'es-ES'],
  ['fr', 'fr-FR'],
  ['de', 'de-DE'],
]);
// BCP-47 as TTS lists write it: `en-US`, `cmn-CN`, `en-GB-WLS`.
const LANGUAGE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const BASIC_VOICES: ReadonlyMap<string, 'female' | 'male'> = new Map([
  ['man', 'male'],
  ['woman', 'female'],
  ['alice', 'female'],
]);
const PLAY_DIGITS = /^[0-9A-D*#w]+$/;

/** `<Say>`: one say step, or none (with a note) when it has nothing to say. */
export function say(element: XmlElement, where: string, context: ParseContext, bargeIn: boolean): Step[] {
  const attributes = new Attributes(element, where, context);
  const voice = attributes.raw('voice')?.trim();
  const language = attributes.raw('language')?.trim();
  const loop = attributes.whole('loop', 1, 0);
  attributes.finish();
  const { text, ssml } = spoken(element);
  if (text === '') {
    note(context, 'error', where, `${where} has no text: skipped`);
    return [];
  }
  const traits = voice === undefined ? undefined : voiceOf(voice, where, context);
  const speech: Speech = {
    text,
    ssml,
    // An explicit language wins over the voice's, as in NCCO.
    language: language === undefined ? (traits?.language ?? 'en-US') : languageOf(language, attributes),
    ...(traits?.gender === undefined ? {} : { gender: traits.gender }),
  };
  const step: SayStep = { kind: 'say', speech, prompt: prompt(loop, bargeIn) };
  return [step];
}

/** `<Play>`: keys (`digits`) then the audio URL, either optional but not both. */
export function play(element: XmlElement, where: string, context: ParseContext, bargeIn: boolean): Step[] {
  const attributes = new Attributes(element, where, context);
  const loop = attributes.whole('loop', 1, 0);
  const digits = attributes.raw('digits');
  if (digits !== undefined && !PLAY_DIGITS.test(digits)) {
    attributes.fail('digits', `may hold only 0-9, A-D, *, # and w (a 0.5 s pause), got ${quoted(digits)}`);
  }
  attributes.finish();
  const body = bodyOf(element);
  if (body.hasElements) throw new TwimlError(`${where} may hold only an audio URL, got ${firstElementName(element)}`);
  const steps: Step[] = [];
  if (digits !== undefined) steps.push({ kind: 'tones', digits: digits.replaceAll('w', 'p') });
  if (body.text !== '') {
    const url = resolveUrl(body.text, context.origin, (message) => {
      throw new TwimlError(`${where} URL ${message}`);
    });
    steps.push({ kind: 'play', url, prompt: prompt(loop, bargeIn) });
  } else if (digits === undefined) {
    throw new TwimlError(`${where} needs an audio URL in its body (or digits)`);
  }
  return steps;
}

/** `<Pause>`: a wait; `length="0"` is no step at all. */
export function pause(element: XmlElement, where: string, context: ParseContext): Step[] {
  const attributes = new Attributes(element, where, context);
  const seconds = attributes.whole('length', 1, 0);
  attributes.finish();
  mustBeEmpty(element, where);
  return seconds === 0 ? [] : [{ kind: 'wait', ms: seconds * 1000 }];
}

/** Verbs that take no content (`<Pause>`, `<Hangup>`…) refuse any. */
export function mustBeEmpty(element: XmlElement, where: string): void {
  const { elements, stray } = childrenOf(element);
  if (elements.length > 0) throw new TwimlError(`${where} must be empty, got <${elements[0]!.name}>`);
  if (stray !== undefined) throw new TwimlError(`${where} must be empty, got text ${quoted(stray)}`);
}

function prompt(loop: number, bargeIn: boolean): PromptOptions {
  return { loop, level: 0, bargeIn };
}

/** The text to speak: plain, or SSML when the body holds elements (`<break>`, `<prosody>`…). */
function spoken(element: XmlElement): { text: string; ssml: boolean } {
  const body = bodyOf(element);
  if (!body.hasElements) return { text: body.text, ssml: false };
  const { elements, stray } = childrenOf(element);
  // A body that is already one <speak> element is not wrapped twice.
  if (elements.length === 1 && elements[0]!.name === 'speak' && stray === undefined) return { text: serialize(elements).trim(), ssml: true };
  return { text: `<speak>${serialize(element.children).trim()}</speak>`, ssml: true };
}

/** What a `voice` tells about the language and gender; unknown voices are noted. */
function voiceOf(voice: string, where: string, context: ParseContext): { language?: string; gender?: 'female' | 'male' } | undefined {
  const basic = BASIC_VOICES.get(voice);
  if (basic !== undefined) return { gender: basic };
  if (voice.startsWith('Polly.')) {
    const traits = voiceTraits(voice);
    if (traits !== undefined) return traits;
  }
  // Google's names carry their locale (`Google.en-US-Standard-C`), not their gender.
  const google = /^Google\.([a-z]{2,3}-[A-Z]{2})-/.exec(voice);
  if (google) return { language: google[1]! };
  note(context, 'debug', `${where} voice`, `${where} voice ${quoted(voice)} is not a voice we know: the default voice speaks`);
  return undefined;
}

function languageOf(language: string, attributes: Attributes): string {
  const short = SHORT_LANGUAGES.get(language.toLowerCase());
  if (short !== undefined) return short;
  if (!LANGUAGE.test(language)) attributes.fail('language', `must be a language such as en-US or ja-JP, got ${quoted(language)}`);
  // Case as locales are written (`en-au` → `en-AU`), so the voice lookup finds it.
  return language
    .split('-')
    .map((part, index) => (index === 0 ? part.toLowerCase() : part.length === 2 ? part.toUpperCase() : part.length === 4 ? part[0]!.toUpperCase() + part.slice(1).toLowerCase() : part))
    .join('-');
}

function firstElementName(element: XmlElement): string {
  return `<${childrenOf(element).elements[0]?.name ?? '?'}>`;
}
