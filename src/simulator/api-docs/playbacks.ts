/** `/ari/api-docs/playbacks.json`: control of running playbacks. */
import type { ResourceSpec } from './define.js';
import { err, modelMap, op, pathParam, queryParam } from './define.js';
import { Playback } from './models.js';

const playbackId = pathParam('playbackId', 'Playback id');
const notFound = err(404, 'No such playback');

export const playbacks: ResourceSpec = {
  name: 'playbacks',
  description: 'Playback control resources',
  swaggerVersion: '1.1',
  apis: [
    {
      path: '/playbacks/{playbackId}',
      description: 'One playback',
      operations: [
        op('GET', 'get', 'Playback', 'Get a playback.', [playbackId], [notFound]),
        op('DELETE', 'stop', 'void', 'Stop a playback.', [playbackId], [notFound]),
      ],
    },
    {
      path: '/playbacks/{playbackId}/control',
      description: 'Pause, resume, rewind or skip a playback',
      operations: [
        op('POST', 'control', 'void', 'Control a playback.', [
          playbackId,
          queryParam('operation', 'string', { required: true, values: ['restart', 'pause', 'unpause', 'reverse', 'forward'], description: 'What to do' }),
        ], [
          err(400, 'Unknown operation'),
          notFound,
          err(409, 'Not possible in the current state of the playback'),
        ]),
      ],
    },
  ],
  models: modelMap(Playback),
};
