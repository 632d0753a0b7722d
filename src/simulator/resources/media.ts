/** `/playbacks`, `/recordings` and `/sounds`. */
import { readFileSync } from 'node:fs';
import type { Core } from '../core.js';
import { AriError, badRequest, conflict, internalError, notFound } from '../errors.js';
import { noContent, ok } from '../http/types.js';
import type { HandlerMap, Reply } from '../http/types.js';
import { getSound, listSounds } from '../media/sounds.js';
import type { Playback } from '../playbacks/playback.js';
import type { LiveRecording, RecordingOperation } from '../recordings/live.js';
import { copyStored, deleteStored, findStored, listStored, storedExists, unsafeName } from '../recordings/stored.js';

function findPlayback(core: Core, id: string): Playback {
  const pb = core.playbacks.get(id)?.[0];
  if (pb === undefined) throw notFound('Playback not found');
  return pb;
}

const OPERATIONS = ['pause', 'unpause', 'restart', 'reverse', 'forward'] as const;
type Operation = (typeof OPERATIONS)[number];

function isOperation(op: string): op is Operation {
  return (OPERATIONS as readonly string[]).includes(op);
}

function controlPlayback(core: Core, id: string, operation: string | undefined): Reply {
  if (operation === undefined) throw badRequest('Missing operation');
  if (!isOperation(operation)) throw badRequest(`Invalid operation ${operation}`);
  const result = findPlayback(core, id).control(operation);
  if (result === 'not-playing') throw conflict(`Can only ${operation} while media is playing`);
  if (result === 'failed') throw internalError(`Could not ${operation} playback`);
  return noContent();
}

function findLive(core: Core, name: string): LiveRecording {
  const rec = core.recordings.get(name);
  if (rec === undefined) throw notFound('Recording not found');
  return rec;
}

function operateLive(core: Core, name: string, op: RecordingOperation): Reply {
  const result = findLive(core, name).operate(op);
  if (result === 'not-recording') throw conflict('Recording not in session');
  // A cancel during the beep (fact 100).
  if (result === 'failed') throw internalError('Recording operation failed');
  return noContent();
}

function stored(core: Core, name: string): NonNullable<ReturnType<typeof findStored>> {
  const rec = findStored(core.paths.recordingsDir, name);
  if (rec === undefined) throw notFound('Recording not found');
  return rec;
}

/** The `/playbacks`, `/recordings` and `/sounds` handlers. */
export const mediaHandlers: HandlerMap = {
  'playbacks.get': ({ core, params }) => ok(findPlayback(core, params.pathParam('playbackId')).toJson()),
  'playbacks.stop': ({ core, params }) => {
    if (findPlayback(core, params.pathParam('playbackId')).stop() === 'failed') throw internalError('Could not stop playback');
    return noContent();
  },
  'playbacks.control': ({ core, params }) => controlPlayback(core, params.pathParam('playbackId'), params.str('operation')),

  'recordings.listStored': ({ core }) => ok(listStored(core.paths.recordingsDir).map((r) => ({ name: r.name, format: r.format }))),
  'recordings.getStored': ({ core, params }) => {
    const rec = stored(core, params.pathParam('recordingName'));
    return ok({ name: rec.name, format: rec.format });
  },
  'recordings.deleteStored': ({ core, params }) => {
    const rec = stored(core, params.pathParam('recordingName'));
    deleteStored(core.paths.recordingsDir, rec.name);
    return noContent();
  },
  'recordings.getStoredFile': ({ core, params }) => {
    const rec = stored(core, params.pathParam('recordingName'));
    let data: Buffer;
    try {
      data = readFileSync(rec.path);
    } catch {
      throw new AriError(403, 'Recording file could not be opened');
    }
    return { status: 200, raw: { data, contentType: `audio/${rec.format}` } };
  },
  'recordings.copyStored': ({ core, params }) => {
    const rec = stored(core, params.pathParam('recordingName'));
    const dest = params.str('destinationRecordingName') ?? '';
    if (dest === '') throw badRequest('Invalid destination recording name');
    if (unsafeName(dest)) throw new AriError(403, 'Destination file path is forbidden');
    if (storedExists(core.paths.recordingsDir, dest)) throw conflict('A recording with the same name already exists on the system');
    const copy = copyStored(core.paths.recordingsDir, rec, dest);
    return ok({ name: copy.name, format: copy.format });
  },
  'recordings.getLive': ({ core, params }) => ok(findLive(core, params.pathParam('recordingName')).toJson()),
  'recordings.cancel': ({ core, params }) => operateLive(core, params.pathParam('recordingName'), 'cancel'),
  'recordings.stop': ({ core, params }) => operateLive(core, params.pathParam('recordingName'), 'stop'),
  'recordings.pause': ({ core, params }) => operateLive(core, params.pathParam('recordingName'), 'pause'),
  'recordings.unpause': ({ core, params }) => operateLive(core, params.pathParam('recordingName'), 'unpause'),
  'recordings.mute': ({ core, params }) => operateLive(core, params.pathParam('recordingName'), 'mute'),
  'recordings.unmute': ({ core, params }) => operateLive(core, params.pathParam('recordingName'), 'unmute'),

  'sounds.list': ({ core, params }) => {
    const filter: { lang?: string; format?: string } = {};
    const lang = params.str('lang');
    const format = params.str('format');
    if (lang) filter.lang = lang;
    if (format) filter.format = format;
    const sounds = listSounds(core.paths.soundsDir, filter);
    if (sounds.length === 0) throw notFound('No sounds found that matched the query');
    return ok(sounds);
  },
  'sounds.get': ({ core, params }) => {
    const sound = getSound(core.paths.soundsDir, params.pathParam('soundId'));
    if (sound === undefined) throw notFound('Sound not found');
    return ok(sound);
  },
};
