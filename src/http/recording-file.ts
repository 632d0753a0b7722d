/**
 * Streams a stored recording's file as a download: the one way both REST
 * dialects (Vonage's `/v1/files`, Twilio's `/Recordings/RE…`) serve audio.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyReply } from 'fastify';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RecordingFormat, VoiceRecording } from '../storage/index.js';

const CONTENT_TYPES: Readonly<Record<RecordingFormat, string>> = { mp3: 'audio/mpeg', wav: 'audio/wav', ogg: 'audio/ogg' };

/** Sends the recording's file named `filename` (no extension); throws `missing()` when the row outlived its file. */
export async function sendRecordingFile(reply: FastifyReply, recording: VoiceRecording, filename: string, log: Logger, missing: () => Error): Promise<FastifyReply> {
  let size: number;
  try {
    const info = await stat(recording.path);
    if (!info.isFile()) throw new Error('not a regular file');
    size = info.size;
  } catch (err) {
    // Deleted by hand, or the disk moved: say so in the log, answer "not found".
    log.warn('recording file missing', { recordingId: recording.id, path: recording.path, error: errorMessage(err) });
    throw missing();
  }
  return reply
    .header('Content-Type', CONTENT_TYPES[recording.format])
    .header('Content-Length', size)
    .header('Content-Disposition', `attachment; filename="${filename}.${recording.format}"`)
    .send(createReadStream(recording.path));
}
