/** `/ari/api-docs/bridges.json`: bridges, their members, and media on them. Parameters in Asterisk's order. */
import type { ResourceSpec } from './define.js';
import { bodyParam, err, modelMap, op, pathParam, queryParam } from './define.js';
import { Bridge } from './models.js';

const bridgeId = pathParam('bridgeId', 'Bridge id');
const notFound = err(404, 'No such bridge');

const type = queryParam('type', 'string', { description: 'Bridge features, comma-separated, e.g. mixing or holding,dtmf_events' });
const name = queryParam('name', 'string', { description: 'Name for the bridge' });
const variables = bodyParam('variables', { description: 'Bridge variables to set: {"variables": {"NAME": "value"}}' });
const channel = queryParam('channel', 'string', { required: true, multiple: true, description: 'Ids of the channels' });

const media = queryParam('media', 'string', {
  required: true,
  multiple: true,
  description: 'Media URIs, played one after the other',
});
const announcerFormat = queryParam('announcer_format', 'string', { description: 'Format of the announcer channel' });
const lang = queryParam('lang', 'string', { description: 'Language of the sounds' });
const offsetms = queryParam('offsetms', 'int', { defaultValue: 0, min: 0, description: 'Milliseconds to skip at the start' });
const skipms = queryParam('skipms', 'int', { defaultValue: 3000, min: 0, description: 'Milliseconds moved by forward and reverse' });
const playErrors = [notFound, err(409, 'Bridge is not in a Stasis application'), err(422, 'Unknown format')];

export const bridges: ResourceSpec = {
  name: 'bridges',
  description: 'Bridge resources',
  swaggerVersion: '1.1',
  apis: [
    {
      path: '/bridges',
      description: 'All bridges',
      operations: [
        op('GET', 'list', 'List[Bridge]', 'List the active bridges.'),
        op('POST', 'create', 'Bridge', 'Create a bridge.', [
          type,
          queryParam('bridgeId', 'string', { description: 'Id for the new bridge' }),
          name,
          variables,
        ], [err(409, 'A bridge with this id already exists')]),
      ],
    },
    {
      path: '/bridges/{bridgeId}',
      description: 'One bridge',
      operations: [
        op('POST', 'createWithId', 'Bridge', 'Create a bridge with the given id.', [type, bridgeId, name, variables], [
          err(409, 'A bridge with this id already exists'),
        ]),
        op('GET', 'get', 'Bridge', 'Get a bridge.', [bridgeId], [notFound]),
        op('DELETE', 'destroy', 'void', 'Destroy a bridge; its members stay in Stasis.', [bridgeId], [notFound]),
      ],
    },
    {
      path: '/bridges/{bridgeId}/addChannel',
      description: 'Add channels',
      operations: [
        op('POST', 'addChannel', 'void', 'Add channels to a bridge.', [
          bridgeId,
          channel,
          queryParam('role', 'string', { description: 'Role of the channels in the bridge' }),
          queryParam('absorbDTMF', 'boolean', { defaultValue: false, description: 'Keep DTMF from these channels out of the bridge' }),
          queryParam('mute', 'boolean', { defaultValue: false, description: 'Keep audio from these channels out of the bridge' }),
          queryParam('inhibitConnectedLineUpdates', 'boolean', { defaultValue: false, description: 'Do not send connected line updates' }),
        ], [
          err(400, 'No such channel'),
          notFound,
          err(409, 'Bridge is not in Stasis, or a channel is recording'),
          err(422, 'Channel is not in a Stasis application'),
        ]),
      ],
    },
    {
      path: '/bridges/{bridgeId}/removeChannel',
      description: 'Remove channels',
      operations: [
        op('POST', 'removeChannel', 'void', 'Remove channels from a bridge.', [bridgeId, channel], [
          err(400, 'No such channel'),
          notFound,
          err(409, 'Bridge is not in a Stasis application'),
          err(422, 'Channel is not in this bridge'),
        ]),
      ],
    },
    {
      path: '/bridges/{bridgeId}/moh',
      description: 'Music on hold',
      operations: [
        op('POST', 'startMoh', 'void', 'Start (or change) music on hold in a bridge.', [
          bridgeId,
          queryParam('mohClass', 'string', { description: 'Music on hold class' }),
        ], [notFound, err(409, 'Bridge is not in a Stasis application')]),
        op('DELETE', 'stopMoh', 'void', 'Stop music on hold in a bridge.', [bridgeId], [notFound, err(409, 'Bridge is not in a Stasis application')]),
      ],
    },
    {
      path: '/bridges/{bridgeId}/play',
      description: 'Play media',
      operations: [
        op('POST', 'play', 'Playback', 'Play media to every member of a bridge.', [
          bridgeId,
          media,
          announcerFormat,
          lang,
          offsetms,
          skipms,
          queryParam('playbackId', 'string', { description: 'Id for the new playback' }),
        ], playErrors),
      ],
    },
    {
      path: '/bridges/{bridgeId}/play/{playbackId}',
      description: 'Play media with a given playback id',
      operations: [
        op('POST', 'playWithId', 'Playback', 'Play media to a bridge with the given playback id.', [
          bridgeId,
          pathParam('playbackId', 'Id for the new playback'),
          media,
          announcerFormat,
          lang,
          offsetms,
          skipms,
        ], playErrors),
      ],
    },
    {
      path: '/bridges/{bridgeId}/record',
      description: 'Record',
      operations: [
        op('POST', 'record', 'LiveRecording', 'Record the mixed audio of a bridge.', [
          bridgeId,
          queryParam('name', 'string', { required: true, description: 'Recording name; may contain /' }),
          queryParam('format', 'string', { required: true, description: 'File format, e.g. wav' }),
          queryParam('recorder_format', 'string', { description: 'Format of the recorder channel' }),
          queryParam('maxDurationSeconds', 'int', { defaultValue: 0, min: 0, description: 'Stop after this many seconds; 0 for no limit' }),
          queryParam('maxSilenceSeconds', 'int', { defaultValue: 0, min: 0, description: 'Stop after this much silence; 0 for no limit' }),
          queryParam('ifExists', 'string', { defaultValue: 'fail', values: ['fail', 'overwrite', 'append'], description: 'What to do when the name exists' }),
          queryParam('beep', 'boolean', { defaultValue: false, description: 'Beep before recording' }),
          queryParam('terminateOn', 'string', { defaultValue: 'none', values: ['none', 'any', '*', '#'], description: 'DTMF that ends the recording' }),
        ], [
          err(400, 'Bad parameters'),
          notFound,
          err(409, 'Bridge not in Stasis, or the name is in use and may not be overwritten'),
          err(422, 'Unknown format'),
        ]),
      ],
    },
  ],
  models: modelMap(Bridge),
};
