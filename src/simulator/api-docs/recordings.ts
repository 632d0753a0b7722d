/**
 * `/ari/api-docs/recordings.json`: stored and live recordings. A recording name may
 * contain `/`; in a URL path it must be sent as `%2F` (ari-client does so).
 */
import type { ResourceSpec } from './define.js';
import { err, modelMap, op, pathParam, queryParam } from './define.js';
import { LiveRecording, StoredRecording } from './models.js';

const recordingName = pathParam('recordingName', 'Recording name');
const notFound = err(404, 'No such recording');
const notInSession = err(409, 'Recording is not in progress');

export const recordings: ResourceSpec = {
  name: 'recordings',
  description: 'Recording resources',
  swaggerVersion: '1.1',
  apis: [
    {
      path: '/recordings/stored',
      description: 'Stored recordings',
      operations: [op('GET', 'listStored', 'List[StoredRecording]', 'List the stored recordings.')],
    },
    {
      path: '/recordings/stored/{recordingName}',
      description: 'One stored recording',
      operations: [
        op('GET', 'getStored', 'StoredRecording', 'Get a stored recording.', [recordingName], [notFound]),
        op('DELETE', 'deleteStored', 'void', 'Delete a stored recording.', [recordingName], [notFound]),
      ],
    },
    {
      path: '/recordings/stored/{recordingName}/file',
      description: 'The audio file of a stored recording',
      operations: [
        op('GET', 'getStoredFile', 'binary', 'Download the audio file of a stored recording.', [recordingName], [
          err(403, 'The file cannot be opened'),
          notFound,
        ]),
      ],
    },
    {
      path: '/recordings/stored/{recordingName}/copy',
      description: 'Copy a stored recording',
      operations: [
        op('POST', 'copyStored', 'StoredRecording', 'Copy a stored recording under a new name.', [
          recordingName,
          queryParam('destinationRecordingName', 'string', { required: true, description: 'Name of the copy' }),
        ], [notFound, err(409, 'A recording with the destination name exists')]),
      ],
    },
    {
      path: '/recordings/live/{recordingName}',
      description: 'A recording in progress',
      operations: [
        op('GET', 'getLive', 'LiveRecording', 'Get a recording in progress.', [recordingName], [notFound]),
        op('DELETE', 'cancel', 'void', 'Stop a recording and throw it away.', [recordingName], [notFound]),
      ],
    },
    {
      path: '/recordings/live/{recordingName}/stop',
      description: 'Stop and keep',
      operations: [op('POST', 'stop', 'void', 'Stop a recording and keep it.', [recordingName], [notFound])],
    },
    {
      path: '/recordings/live/{recordingName}/pause',
      description: 'Pause',
      operations: [
        op('POST', 'pause', 'void', 'Pause a recording.', [recordingName], [notFound, notInSession]),
        op('DELETE', 'unpause', 'void', 'Resume a paused recording.', [recordingName], [notFound, notInSession]),
      ],
    },
    {
      path: '/recordings/live/{recordingName}/mute',
      description: 'Mute',
      operations: [
        op('POST', 'mute', 'void', 'Record silence instead of audio.', [recordingName], [notFound, notInSession]),
        op('DELETE', 'unmute', 'void', 'Record audio again.', [recordingName], [notFound, notInSession]),
      ],
    },
  ],
  models: modelMap(StoredRecording, LiveRecording),
};
