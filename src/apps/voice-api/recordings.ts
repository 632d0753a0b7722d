/**
 * A finished voice-API recording becomes the file the program downloads: it
 * is fetched from Asterisk (a stored recording, always wav here), converted
 * to the format the document asked for, kept under the data directory with a
 * row naming its application, and removed from Asterisk.
 */
import { mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { v4 as uuidv4 } from 'uuid';
import type { AriPort } from '../../ari/port.js';
import { AppError, errorMessage, isAriStatus } from '../../errors.js';
import type { CallLog } from '../../../states/shared/call.js';
import { runTool, type ToolRunner } from '../../sounds/tools.js';
import type { VoiceStore } from '../../storage/voice-types.js';
import type { VoiceCall } from './calls.js';

/** What a kept recording is, for its record event. */
export interface KeptRecording {
  readonly id: string;
  readonly size: number;
}

/** Where recordings are kept. */
export function voiceRecordingsDir(dataDir: string): string {
  return path.join(dataDir, 'voice-recordings');
}

/** sox arguments that write `format` (mp3: 32 kbps CBR, as Vonage's). */
function outputArgs(format: 'mp3' | 'wav' | 'ogg', file: string): string[] {
  if (format === 'mp3') return ['-C', '32', file];
  if (format === 'ogg') return ['-t', 'vorbis', file];
  return ['-t', 'wavpcm', file];
}

/** Keeps the stored recording `name` of a call as `format`; throws NOT_FOUND when Asterisk stored nothing. */
export async function keepVoiceRecording(
  deps: { ari: AriPort; store: VoiceStore; dataDir: string; runner?: ToolRunner },
  call: VoiceCall,
  name: string,
  format: 'mp3' | 'wav' | 'ogg',
  log: CallLog,
  options: { readonly trimSilence?: boolean } = {},
): Promise<KeptRecording> {
  let audio: Buffer;
  try {
    audio = await deps.ari.recordings.getStoredFile(name);
  } catch (err) {
    if (isAriStatus(err, 404)) throw new AppError('NOT_FOUND', `Asterisk stored no recording ${name}`);
    throw err;
  }
  const dir = voiceRecordingsDir(deps.dataDir);
  await mkdir(dir, { recursive: true });
  const id = uuidv4();
  const file = path.join(dir, `${id}.${format}`);
  const source = path.join(dir, `.${id}.source.wav`);
  const part = path.join(dir, `.${id}.part.${format}`);
  try {
    await writeFile(source, audio);
    // trim-silence (TwiML): sox's silence effect cuts quiet lead-in, then (reversed) the tail.
    const trim = options.trimSilence ? ['silence', '1', '0.1', '1%', 'reverse', 'silence', '1', '0.1', '1%', 'reverse'] : [];
    await (deps.runner ?? runTool)('sox', ['-V1', source, ...outputArgs(format, part), ...trim], { timeoutMs: 120_000 });
    await rename(part, file);
  } finally {
    await unlink(source).catch(() => undefined);
    await unlink(part).catch(() => undefined);
  }
  const { size } = await stat(file);
  await deps.store.addRecording({
    id,
    applicationId: call.app?.id ?? '',
    callUuid: call.leg.uuid,
    conversationUuid: call.leg.conversationUuid,
    format,
    path: file,
    size,
    createdAt: new Date().toISOString(),
  });
  // The program downloads it from us now; Asterisk's copy would only pile up.
  await deps.ari.recordings.deleteStored(name).catch((err: unknown) => {
    if (!isAriStatus(err, 404)) log.warn('could not delete the recording from Asterisk', { recording: name, err: errorMessage(err) });
  });
  log.info('recording kept', { recording: name, recordingId: id, format, size });
  return { id, size };
}
