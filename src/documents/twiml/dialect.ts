/**
 * Twilio's TwiML as a dialect (dialect.ts): XML documents, form-encoded
 * requests signed with `X-Twilio-Signature`, Twilio's parameter names and
 * status callbacks only for the events a program asked for.
 */
import type { Program } from '../../../states/document/program.js';
import type { Dialect, DocumentOrigin, ParsedDocument } from '../dialect.js';
import { parseTwiml } from './parse.js';
import { answerParams, reportParams, statusCallback } from './payloads.js';
import { replyProgram, type TwimlReply } from './reply.js';
import { twimlWire } from './wire.js';

const REPLY_KINDS: ReadonlySet<unknown> = new Set(['twiml', 'audio', 'text', 'empty']);

/** True for what `twimlWire(…).decode` returns. */
function isTwimlReply(document: unknown): document is TwimlReply {
  return typeof document === 'object' && document !== null && REPLY_KINDS.has((document as { kind?: unknown }).kind);
}

/** The TwiML dialect. */
export const twimlDialect: Dialect = {
  name: 'twiml',
  wire: (app) => twimlWire(app.signatureSecret ?? ''),
  parse(document: unknown, origin: DocumentOrigin): ParsedDocument {
    // A string is an inline document (the REST API's `Twiml`); a reply has been read by its content type.
    if (typeof document === 'string') return parseTwiml(document, origin);
    if (isTwimlReply(document)) return replyProgram(document, origin);
    return { ok: false, reason: 'not a TwiML document' };
  },
  // Any reply runs: an empty one is a document with no steps, and the call ends, as on Twilio.
  isDocument: (document) => typeof document === 'string' || isTwimlReply(document),
  answerData: (call) => answerParams(call),
  reportData: (report, result, call, links) => reportParams(report, result, call, links),
  statusEvent(call, status, at, extra, target) {
    // An empty URL: the program asked for no status callbacks (a `<Number>` without `statusCallback`).
    if (target.url === '') return undefined;
    const data = statusCallback(call, status, at, extra, target.events);
    return data === undefined ? undefined : { target: { url: target.url, method: target.method }, data };
  },
  errorProgram: (): Program => ({
    steps: [
      {
        kind: 'say',
        speech: { text: 'An application error has occurred. Goodbye.', ssml: false, language: 'en-US' },
        prompt: { loop: 1, level: 0, bargeIn: false },
      },
      { kind: 'hangup' },
    ],
  }),
  // Twilio: an action URL that fails is error 11200; the caller hears the error and the call ends.
  endsOnFailedReply: true,
};
