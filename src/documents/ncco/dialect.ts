/**
 * The NCCO dialect (Vonage): JSON documents, JSON or query-string requests
 * signed with an HS256 token, Vonage's event and result payloads.
 */
import type { Dialect, DocumentNote } from '../dialect.js';
import { recordingUrl } from '../../http/recordings.js';
import { jsonWire } from '../../webhooks/client.js';
import { parseNcco } from './parse.js';
import { answerRequest, reportPayload, statusEvent } from './payloads.js';

/** Why a field the parser set aside will not run (logged when the document is accepted). */
function noteOf(index: number, field: string): DocumentNote {
  if (field === 'canSpeak' || field === 'canHear') {
    return { level: 'error', where: `index ${index}, ${field}`, message: `conversation ${field} with a list of legs cannot be done on one Asterisk bridge: ignored, the leg joins unmuted` };
  }
  return { level: 'debug', where: `index ${index}, ${field}`, message: 'NCCO field not supported; ignored' };
}

/** Vonage's NCCO. */
export const nccoDialect: Dialect = {
  name: 'ncco',
  wire: (app) => jsonWire(app.signatureSecret ? { secret: app.signatureSecret, applicationId: app.id } : undefined),
  parse(document, origin) {
    const parsed = parseNcco(document, { eventUrl: origin.events.url, eventMethod: origin.events.method });
    if (!parsed.ok) return { ok: false, reason: `Invalid NCCO: ${parsed.reason}` };
    const notes = parsed.ignored.map(({ index, field }) => noteOf(index, field));
    parsed.program.steps.forEach((step, index) => {
      if (step.kind === 'collect' && step.speechRequested) {
        notes.push({ level: 'error', where: `index ${index}`, message: 'speech input is not supported (Asterisk has no speech recognition): this input takes keys only' });
      }
    });
    return { ok: true, program: parsed.program, notes };
  },
  isDocument: (document) => Array.isArray(document) && document.length > 0,
  answerData: (call) => answerRequest(call.leg),
  reportData: (report, result, call, links, at) => reportPayload(report, result, call.leg, { recordingUrl: (id) => recordingUrl(links.publicUrl, id) }, at),
  statusEvent: (call, status, at, extra, target) => ({ target: { url: target.url, method: target.method }, data: statusEvent(call.leg, status, at, extra) }),
  errorProgram: () => ({ steps: [{ kind: 'hangup' }] }),
  // NCCO.md §3: an input or notify result that gets no answer lets the NCCO go on.
  endsOnFailedReply: false,
};
