/**
 * TwiML's XML as a small element tree: checked for well-formedness first (so
 * a broken document gets its line and column), then read in document order,
 * attributes kept as written, no value coerced. Private to the TwiML parser.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** Text between elements (whitespace kept: SSML inside `<Say>` needs its spaces). */
export interface XmlText {
  readonly kind: 'text';
  readonly text: string;
}

/** One element, its attributes by name (case-sensitive, as TwiML is) and its children in order. */
export interface XmlElement {
  readonly kind: 'element';
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlNode[];
}

export type XmlNode = XmlText | XmlElement;

// trimValues is off on purpose: `Hello <break/> there` must keep its spaces;
// the parser trims what it reads (bodies, numbers) itself. htmlEntities turns
// on numeric character references (`&#233;`), which XML has and v5 leaves alone otherwise.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  htmlEntities: true,
});

/** The document's top-level elements, or why it is not well-formed XML (one line). */
export function readXml(xml: string): { ok: true; elements: readonly XmlElement[] } | { ok: false; reason: string } {
  if (xml.trim() === '') return { ok: false, reason: 'the document is empty (a TwiML document is one <Response> element)' };
  const checked = XMLValidator.validate(xml);
  if (checked !== true) {
    const { line, col, msg } = checked.err;
    const at = typeof col === 'number' ? `line ${line}, column ${col}` : `line ${line}`;
    return { ok: false, reason: `not well-formed XML at ${at}: ${msg}` };
  }
  let parsed: unknown;
  try {
    parsed = parser.parse(xml);
  } catch (err) {
    // What passes the validator may still be refused by the parser's own guards
    // (an attribute named __proto__, entity expansion limits, deep nesting).
    return { ok: false, reason: `the document cannot be read: ${err instanceof Error ? err.message : String(err)}` };
  }
  const nodes = toNodes(parsed);
  return { ok: true, elements: nodes.filter((node): node is XmlElement => node.kind === 'element') };
}

/** The element children; text that is not only whitespace comes back as `stray`. */
export function childrenOf(element: XmlElement): { elements: XmlElement[]; stray: string | undefined } {
  const elements: XmlElement[] = [];
  let stray: string | undefined;
  for (const child of element.children) {
    if (child.kind === 'element') elements.push(child);
    else if (stray === undefined && child.text.trim() !== '') stray = child.text.trim();
  }
  return { elements, stray };
}

/** The element's text (its text children joined, trimmed); `hasElements` when it holds elements too. */
export function bodyOf(element: XmlElement): { text: string; hasElements: boolean } {
  let text = '';
  let hasElements = false;
  for (const child of element.children) {
    if (child.kind === 'text') text += child.text;
    else hasElements = true;
  }
  return { text: text.trim(), hasElements };
}

/** Children written back as XML (for SSML inside `<Say>`), escaped again. */
export function serialize(nodes: readonly XmlNode[]): string {
  return nodes
    .map((node) => {
      if (node.kind === 'text') return escapeText(node.text);
      const attributes = [...node.attributes].map(([name, value]) => ` ${name}="${escapeAttribute(value)}"`).join('');
      return node.children.length === 0 ? `<${node.name}${attributes}/>` : `<${node.name}${attributes}>${serialize(node.children)}</${node.name}>`;
    })
    .join('');
}

/** fast-xml-parser's ordered output (`[{ tag: [children], ':@': {attrs} }, { '#text': … }]`) as our nodes. */
function toNodes(raw: unknown): XmlNode[] {
  if (!Array.isArray(raw)) return [];
  const nodes: XmlNode[] = [];
  for (const item of raw as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const entry = item as Record<string, unknown>;
    for (const key of Object.keys(entry)) {
      if (key === ':@') continue;
      if (key === '#text') nodes.push({ kind: 'text', text: String(entry[key]) });
      // `?xml` declarations and processing instructions are not part of the document's content.
      else if (!key.startsWith('?')) nodes.push({ kind: 'element', name: key, attributes: attributesOf(entry[':@']), children: toNodes(entry[key]) });
    }
  }
  return nodes;
}

function attributesOf(raw: unknown): ReadonlyMap<string, string> {
  if (typeof raw !== 'object' || raw === null) return new Map();
  return new Map(Object.entries(raw as Record<string, unknown>).map(([name, value]) => [name, String(value)]));
}

function escapeText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function escapeAttribute(text: string): string {
  return escapeText(text).replaceAll('"', '&quot;');
}
