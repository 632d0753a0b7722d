/**
 * A reply to a TwiML request, read by its content type as Twilio does
 * (TWIML.md §1): XML is a document, audio is played, plain text is read
 * aloud, and either of those then hangs up.
 */
import type { Program } from '../../../states/document/program.js';
import type { DocumentOrigin, ParsedDocument } from '../dialect.js';
import { parseTwiml } from './parse.js';

/** What a reply to a TwiML request holds, by its content type (TWIML.md §1). */
export type TwimlReply = { readonly kind: 'twiml'; readonly xml: string } | { readonly kind: 'audio' } | { readonly kind: 'text'; readonly text: string } | { readonly kind: 'empty' };

const PLAIN = { loop: 1, level: 0, bargeIn: false } as const;

/** Reads a reply body by content type: xml/html types → twiml, audio/* → audio, text/plain → text, empty body → empty; anything else (json…) → throws Error('reply is not TwiML: <content-type>'). */
export function readTwimlReply(body: string, contentType: string | undefined): TwimlReply {
  if (body.trim() === '') return { kind: 'empty' };
  const type = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type === '') {
    // Servers that forget the content type still mean TwiML when the body is XML.
    if (/^\s*<(\?xml|Response[\s/>])/.test(body)) return { kind: 'twiml', xml: body };
    throw new Error('reply is not TwiML: no content type');
  }
  if (type === 'text/xml' || type === 'application/xml' || type === 'text/html' || type.endsWith('+xml')) return { kind: 'twiml', xml: body };
  if (type.startsWith('audio/')) return { kind: 'audio' };
  if (type === 'text/plain') return { kind: 'text', text: body.trim() };
  throw new Error(`reply is not TwiML: ${type}`);
}

/** The program a reply runs: TwiML parsed; audio → [play origin.url, hangup]; text → [say text, hangup]; empty → no steps. */
export function replyProgram(reply: TwimlReply, origin: DocumentOrigin): ParsedDocument {
  switch (reply.kind) {
    case 'twiml':
      return parseTwiml(reply.xml, origin);
    case 'audio':
      // The audio is fetched again by the play step, from where the reply came.
      if (origin.url === undefined) return { ok: false, reason: 'an audio reply has no URL to play it from' };
      return accepted({ steps: [{ kind: 'play', url: origin.url, prompt: PLAIN }, { kind: 'hangup' }] });
    case 'text':
      if (reply.text === '') return accepted({ steps: [] });
      return accepted({ steps: [{ kind: 'say', speech: { text: reply.text, ssml: false, language: 'en-US' }, prompt: PLAIN }, { kind: 'hangup' }] });
    case 'empty':
      // Running off the end of a document hangs up: an empty reply is that.
      return accepted({ steps: [] });
  }
}

function accepted(program: Program): ParsedDocument {
  return { ok: true, program, notes: [] };
}
