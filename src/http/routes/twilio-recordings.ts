/**
 * Recording downloads at the URL a TwiML `<Record>` reports
 * (`/2010-04-01/Accounts/AC…/Recordings/RE…`, TWIML.md §3.1). Twilio's
 * recordings are public by default, so a request without credentials is
 * served (the SID is a random uuid); one with Basic credentials must be this
 * account's. Only a TwiML application's recordings are served here, and only
 * under its own Account SID (else 404). A `.wav` or `.mp3` suffix is accepted
 * but the stored file is served as it is, with its own content type (no
 * conversion: a deliberate difference); `.json` gives a minimal Recording.
 */
import type { FastifyInstance } from 'fastify';
import { fromSid } from '../../documents/twiml/sids.js';
import type { Logger } from '../../logger.js';
import type { VoiceStore } from '../../storage/index.js';
import { authenticateAccount } from '../twilio-auth.js';
import { notFound } from '../twilio-errors.js';
import type { AccountParams } from './twilio-context.js';
import { recordingJson } from './twilio-resources.js';
import { sendRecordingFile } from '../recording-file.js';


const FILE = /^(RE[0-9a-fA-F]{32})(\.json|\.wav|\.mp3)?$/;

/** Registers the recording download, which authenticates itself (credentials are optional). */
export function twilioRecordingRoutes(scope: FastifyInstance, deps: { voiceStore: VoiceStore; log: Logger }): void {
  scope.get<{ Params: AccountParams & { file: string } }>('/Accounts/:accountSid/Recordings/:file', async (request, reply) => {
    const { accountSid, file } = request.params;
    const match = FILE.exec(file);
    const missing = () => notFound(request.url);
    if (request.headers.authorization !== undefined) await authenticateAccount(deps.voiceStore, accountSid, request.headers.authorization);
    const appId = fromSid('AC', accountSid);
    const recordingId = match ? fromSid('RE', match[1]!) : undefined;
    if (appId === undefined || recordingId === undefined) throw missing();
    const recording = await deps.voiceStore.getRecording(recordingId);
    if (!recording || recording.applicationId !== appId) throw missing();
    // Without credentials, still only a TwiML app's: an NCCO app's recordings need its token (/v1/files).
    const app = await deps.voiceStore.getApp(appId);
    if (!app || app.id !== appId || app.dialect !== 'twiml') throw missing();
    if (match![2] === '.json') return recordingJson(recording, accountSid, match![1]!);
    return sendRecordingFile(reply, recording, match![1]!, deps.log, missing);
  });
}
