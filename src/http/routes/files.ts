/**
 * Recording downloads. Vonage has handed out three URL shapes over the years
 * (NCCO.md §4.4): `/v1/files/<id>`, `/v3/files/<id>` (the Node SDK) and
 * `/media/download?id=<id>` (2018); all three serve the same file. The
 * record event's `recording_url` uses the first (`recordingUrl`, ../recordings.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../logger.js';
import type { VoiceRecording, VoiceStore } from '../../storage/index.js';
import { authorizeRecording } from '../auth.js';
import { HttpApiError } from '../errors.js';
import { sendRecordingFile } from '../recording-file.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The recording a files route serves, set by its auth preHandler. */
    voiceRecording: VoiceRecording | null;
  }
}


// Ids longer than any stored one are not worth a lookup; the store answers "unknown" for odd ones.
const ID = { type: 'string', minLength: 1, maxLength: 128 } as const;
const BY_PATH = { schema: { params: { type: 'object', properties: { id: ID }, required: ['id'] } } } as const;
const BY_QUERY = { schema: { querystring: { type: 'object', properties: { id: ID }, required: ['id'] } } } as const;

/** Registers the three download routes, authenticated in a preHandler. */
export function fileRoutes(app: FastifyInstance, deps: { voiceStore: VoiceStore; log: Logger }): void {
  app.decorateRequest('voiceRecording', null);

  const authorize = (id: (request: FastifyRequest) => string) => async (request: FastifyRequest) => {
    request.voiceRecording = await authorizeRecording(deps.voiceStore, id(request), request.ip, request.headers.authorization);
  };
  const byPath = authorize((request) => (request.params as { id: string }).id);
  const byQuery = authorize((request) => (request.query as { id: string }).id);

  const send = (request: FastifyRequest, reply: FastifyReply) => {
    const recording = request.voiceRecording!;
    return sendRecordingFile(reply, recording, recording.id, deps.log, () => new HttpApiError('not-found', `recording "${recording.id}" has no file any more`));
  };

  app.get('/v1/files/:id', { ...BY_PATH, preHandler: byPath }, send);
  app.get('/v3/files/:id', { ...BY_PATH, preHandler: byPath }, send);
  app.get('/media/download', { ...BY_QUERY, preHandler: byQuery }, send);
}
