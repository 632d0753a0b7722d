/**
 * SSML for espeak-ng's `-m`: only the elements it understands are kept,
 * rebuilt from their known attributes; every other tag is dropped and its text
 * kept. espeak-ng reads unknown tags harmlessly, but `<audio src>` makes it
 * run sox on a local path (and crash), and `xml:lang` / `<voice>` would switch
 * the voice the request chose; a stray `<` or `&` would be read as markup.
 */

/** Elements kept, with the attributes kept on each and what their values may be. */
const ALLOWED: Readonly<Record<string, Readonly<Record<string, RegExp>>>> = {
  break: { time: /^\d{1,5}(\.\d+)?m?s$/, strength: /^(none|x-weak|weak|medium|strong|x-strong)$/ },
  prosody: { rate: /^[\w.%+-]{1,20}$/, pitch: /^[\w.%+-]{1,20}$/, volume: /^[\w.%+-]{1,20}$/, range: /^[\w.%+-]{1,20}$/ },
  emphasis: { level: /^(strong|moderate|none|reduced)$/ },
  'say-as': { 'interpret-as': /^[\w-]{1,30}$/, format: /^[\w-]{1,30}$/, detail: /^[\w-]{1,30}$/ },
  // espeak-ng speaks the alias: dropping the tag would read the written form instead.
  sub: { alias: /^[^<>]{0,200}$/ },
  p: {},
  s: {},
};

const ENTITY = /^&(amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/;

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/** Text between tags: known entities stay, a bare `&` or `>` is escaped. */
function escapeText(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '&') out += ENTITY.test(text.slice(i)) ? '&' : '&amp;';
    else if (c === '>') out += '&gt;';
    else out += c;
  }
  return out;
}

function attributesOf(source: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of source.matchAll(/([A-Za-z_][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    attributes.set(match[1]!.toLowerCase(), match[2] ?? match[3] ?? '');
  }
  return attributes;
}

function openTag(name: string, source: string, selfClosing: boolean): string {
  const allowed = ALLOWED[name]!;
  const kept = [...attributesOf(source)]
    .filter(([key, value]) => allowed[key]?.test(value.trim()) === true)
    .map(([key, value]) => ` ${key}="${escapeAttribute(value.trim())}"`);
  return `<${name}${kept.join('')}${selfClosing ? '/' : ''}>`;
}

/**
 * Turns SSML (with or without `<speak>`) into the subset espeak-ng reads with
 * `-m`: one `<speak>` root, balanced tags, known attributes only.
 */
export function toEspeakSsml(ssml: string): string {
  const cleaned = ssml
    .replace(/<\?[\s\S]*?\?>/g, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    // A DOCTYPE could declare entities; none are wanted.
    .replace(/<!DOCTYPE(?:[^[>]|\[[\s\S]*?\])*>/gi, '')
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_m, text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;'));
  let out = '';
  const open: string[] = [];
  let i = 0;
  while (i < cleaned.length) {
    const lt = cleaned.indexOf('<', i);
    if (lt === -1) {
      out += escapeText(cleaned.slice(i));
      break;
    }
    out += escapeText(cleaned.slice(i, lt));
    const tag = /^<(\/?)([A-Za-z][\w:.-]*)((?:\s+[^<>]*?)?)\s*(\/?)>/.exec(cleaned.slice(lt));
    if (tag === null) {
      // "a < b": text, not markup.
      out += '&lt;';
      i = lt + 1;
      continue;
    }
    i = lt + tag[0].length;
    const [, closing, rawName, attributes, selfClosing] = tag;
    const name = rawName!.toLowerCase();
    if (ALLOWED[name] === undefined) continue;
    if (closing === '/') {
      const at = open.lastIndexOf(name);
      if (at === -1) continue;
      // Closing an outer element closes the inner ones left open.
      while (open.length > at) out += `</${open.pop()!}>`;
    } else if (selfClosing === '/' || name === 'break') {
      out += openTag(name, attributes ?? '', true);
    } else {
      out += openTag(name, attributes ?? '', false);
      open.push(name);
    }
  }
  while (open.length > 0) out += `</${open.pop()!}>`;
  return `<speak>${out.trim()}</speak>`;
}

/** The words of an SSML document, without markup: what is left to say. */
export function ssmlWords(ssml: string): string {
  return ssml
    .replace(/<[^>]*>/g, ' ')
    .replace(/&[#\w]+;/g, ' x ')
    .replace(/\s+/g, ' ')
    .trim();
}
