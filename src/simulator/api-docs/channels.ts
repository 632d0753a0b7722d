/**
 * `/ari/api-docs/channels.json`: channels and what a Stasis app does with them.
 * Parameters are listed in Asterisk's order, because ari-client builds the query
 * string in that order.
 */
import type { ResourceSpec } from './define.js';
import { bodyParam, err, modelMap, op, pathParam, queryParam } from './define.js';
import type { ApiParameter } from './types.js';
import { CallerID, Channel, DialplanCEP } from './models.js';

const channelId = pathParam('channelId', 'Channel id');

/** The usual failures of a command on a channel. */
const notFound = err(404, 'No such channel');
const notInStasis = err(409, 'Channel is not in a Stasis application');
const badState = err(412, 'Channel is in a state that does not allow this');
const commandErrors = [notFound, notInStasis, badState];

const variables = bodyParam('variables', { description: 'Channel variables to set: {"variables": {"NAME": "value"}}' });

/** Parameters shared by originate and originateWithId, in Asterisk's order; `channelId` goes after `variables` in originate only. */
function originateParams(withChannelIdQuery: boolean): ApiParameter[] {
  return [
    queryParam('endpoint', 'string', { required: true, description: 'Endpoint to call, e.g. Local/100@trace/n' }),
    queryParam('extension', 'string', { description: 'Extension to dial after answer' }),
    queryParam('context', 'string', { description: 'Context to dial after answer' }),
    queryParam('priority', 'long', { description: 'Priority to dial after answer' }),
    queryParam('label', 'string', { description: 'Label to dial after answer' }),
    queryParam('app', 'string', { description: 'Stasis application to put the channel in (instead of the dialplan)' }),
    queryParam('appArgs', 'string', { description: 'Arguments of the application, comma-separated' }),
    queryParam('callerId', 'string', { description: 'Caller id to use' }),
    queryParam('timeout', 'int', { defaultValue: 30, description: 'Seconds to wait for an answer' }),
    variables,
    ...(withChannelIdQuery ? [queryParam('channelId', 'string', { description: 'Id for the new channel' })] : []),
    queryParam('otherChannelId', 'string', { description: 'Id for the second half of a Local channel' }),
    queryParam('originator', 'string', { description: 'Channel that caused this one to be created' }),
    queryParam('formats', 'string', { description: 'Comma-separated formats, e.g. ulaw,slin16' }),
  ];
}

const mohClass = queryParam('mohClass', 'string', { description: 'Music on hold class' });
const direction = queryParam('direction', 'string', { defaultValue: 'both', values: ['both', 'in', 'out'], description: 'Audio direction' });

const media = queryParam('media', 'string', {
  required: true,
  multiple: true,
  description: 'Media URIs (sound:, recording:, number:, digits:, characters:, tone:), played one after the other',
});
const lang = queryParam('lang', 'string', { description: 'Language of the sounds, when not the channel language' });
const offsetms = queryParam('offsetms', 'int', { description: 'Milliseconds to skip at the start' });
const skipms = queryParam('skipms', 'int', { defaultValue: 3000, description: 'Milliseconds moved by forward and reverse' });

const snoopDirections = ['none', 'both', 'out', 'in'];
const snoopErrors = [err(400, 'Invalid parameters'), err(404, 'Channel not found')];

/** The snoop parameters in Asterisk's order; `snoopId` is a query parameter of snoopChannel only. */
function snoopParams(withSnoopIdQuery: boolean): ApiParameter[] {
  return [
    queryParam('spy', 'string', { defaultValue: 'none', values: snoopDirections, description: 'Direction of audio to spy on' }),
    queryParam('whisper', 'string', { defaultValue: 'none', values: snoopDirections, description: 'Direction of audio to whisper into' }),
    queryParam('app', 'string', { required: true, description: 'Application the snooping channel is placed into' }),
    queryParam('appArgs', 'string', { description: 'The application arguments to pass to the Stasis application' }),
    ...(withSnoopIdQuery ? [queryParam('snoopId', 'string', { description: 'Unique ID to assign to snooping channel' })] : []),
  ];
}

export const channels: ResourceSpec = {
  name: 'channels',
  description: 'Channel resources',
  swaggerVersion: '1.1',
  apis: [
    {
      path: '/channels',
      description: 'All channels',
      operations: [
        op('GET', 'list', 'List[Channel]', 'List the active channels.'),
        op('POST', 'originate', 'Channel', 'Create a channel and call an endpoint.', originateParams(true), [
          err(400, 'Bad originate parameters'),
          err(409, 'A channel with this id already exists'),
        ]),
      ],
    },
    {
      path: '/channels/create',
      description: 'Create a channel without dialling it',
      operations: [
        op('POST', 'create', 'Channel', 'Create a channel in an application; dial it later.', [
          queryParam('endpoint', 'string', { required: true, description: 'Endpoint to call' }),
          queryParam('app', 'string', { required: true, description: 'Stasis application to put the channel in' }),
          queryParam('appArgs', 'string', { description: 'Arguments of the application, comma-separated' }),
          queryParam('channelId', 'string', { description: 'Id for the new channel' }),
          queryParam('otherChannelId', 'string', { description: 'Id for the second half of a Local channel' }),
          queryParam('originator', 'string', { description: 'Channel that caused this one to be created' }),
          queryParam('formats', 'string', { description: 'Comma-separated formats' }),
          variables,
        ], [err(409, 'A channel with this id already exists')]),
      ],
    },
    {
      path: '/channels/{channelId}',
      description: 'One channel',
      operations: [
        op('GET', 'get', 'Channel', 'Get a channel.', [channelId], [notFound]),
        op('POST', 'originateWithId', 'Channel', 'Create a channel with the given id and call an endpoint.', [channelId, ...originateParams(false)], [
          err(400, 'Bad originate parameters'),
          err(409, 'A channel with this id already exists'),
        ]),
        op('DELETE', 'hangup', 'void', 'Hang up a channel.', [
          channelId,
          queryParam('reason_code', 'string', { description: 'Numeric hangup cause (Q.850)' }),
          queryParam('reason', 'string', {
            values: ['normal', 'busy', 'congestion', 'no_answer', 'timeout', 'rejected', 'unallocated', 'normal_unspecified', 'number_incomplete', 'codec_mismatch', 'interworking', 'failure', 'answered_elsewhere'],
            description: 'Hangup reason by name',
          }),
        ], [err(400, 'Unknown hangup reason'), notFound]),
      ],
    },
    {
      path: '/channels/{channelId}/continue',
      description: 'Leave Stasis',
      operations: [
        op('POST', 'continueInDialplan', 'void', 'Leave the application and go on in the dialplan.', [
          channelId,
          queryParam('context', 'string', { description: 'Context to continue in' }),
          queryParam('extension', 'string', { description: 'Extension to continue at' }),
          queryParam('priority', 'int', { description: 'Priority to continue at' }),
          queryParam('label', 'string', { description: 'Label to continue at' }),
        ], commandErrors),
      ],
    },
    {
      path: '/channels/{channelId}/answer',
      description: 'Answer',
      operations: [op('POST', 'answer', 'void', 'Answer a channel.', [channelId], commandErrors)],
    },
    {
      path: '/channels/{channelId}/ring',
      description: 'Ringing indication',
      operations: [
        op('POST', 'ring', 'void', 'Send ringing to a channel.', [channelId], commandErrors),
        op('DELETE', 'ringStop', 'void', 'Stop sending ringing to a channel.', [channelId], commandErrors),
      ],
    },
    {
      path: '/channels/{channelId}/progress',
      description: 'Progress indication',
      operations: [op('POST', 'progress', 'void', 'Indicate progress on a channel.', [channelId], commandErrors)],
    },
    {
      path: '/channels/{channelId}/dtmf',
      description: 'DTMF',
      operations: [
        op('POST', 'sendDTMF', 'void', 'Send DTMF digits to a channel.', [
          channelId,
          queryParam('dtmf', 'string', { description: 'Digits to send: 0-9, A-D, * and #' }),
          queryParam('before', 'int', { defaultValue: 0, description: 'Milliseconds to wait before the first digit' }),
          queryParam('between', 'int', { defaultValue: 100, description: 'Milliseconds between digits' }),
          queryParam('duration', 'int', { defaultValue: 100, description: 'Milliseconds per digit' }),
          queryParam('after', 'int', { defaultValue: 0, description: 'Milliseconds to wait after the last digit' }),
        ], [err(400, 'No DTMF given'), ...commandErrors]),
      ],
    },
    {
      path: '/channels/{channelId}/mute',
      description: 'Mute',
      operations: [
        op('POST', 'mute', 'void', 'Mute a channel.', [channelId, direction], commandErrors),
        op('DELETE', 'unmute', 'void', 'Unmute a channel.', [channelId, direction], commandErrors),
      ],
    },
    {
      path: '/channels/{channelId}/hold',
      description: 'Hold',
      operations: [
        op('POST', 'hold', 'void', 'Put a channel on hold.', [channelId], commandErrors),
        op('DELETE', 'unhold', 'void', 'Take a channel off hold.', [channelId], commandErrors),
      ],
    },
    {
      path: '/channels/{channelId}/moh',
      description: 'Music on hold',
      operations: [
        op('POST', 'startMoh', 'void', 'Start music on hold on a channel.', [channelId, mohClass], commandErrors),
        op('DELETE', 'stopMoh', 'void', 'Stop music on hold on a channel.', [channelId], commandErrors),
      ],
    },
    {
      path: '/channels/{channelId}/silence',
      description: 'Silence',
      operations: [
        op('POST', 'startSilence', 'void', 'Start playing silence to a channel.', [channelId], commandErrors),
        op('DELETE', 'stopSilence', 'void', 'Stop playing silence to a channel.', [channelId], commandErrors),
      ],
    },
    {
      path: '/channels/{channelId}/play',
      description: 'Play media',
      operations: [
        op('POST', 'play', 'Playback', 'Play media to a channel.', [
          channelId,
          media,
          lang,
          offsetms,
          skipms,
          queryParam('playbackId', 'string', { description: 'Id for the new playback' }),
        ], commandErrors),
      ],
    },
    {
      path: '/channels/{channelId}/play/{playbackId}',
      description: 'Play media with a given playback id',
      operations: [
        op('POST', 'playWithId', 'Playback', 'Play media to a channel with the given playback id.', [
          channelId,
          pathParam('playbackId', 'Id for the new playback'),
          media,
          lang,
          offsetms,
          skipms,
        ], commandErrors),
      ],
    },
    {
      path: '/channels/{channelId}/record',
      description: 'Record',
      operations: [
        op('POST', 'record', 'LiveRecording', 'Record audio from a channel.', [
          channelId,
          queryParam('name', 'string', { required: true, description: 'Recording name; may contain /' }),
          queryParam('format', 'string', { required: true, description: 'File format, e.g. wav' }),
          queryParam('maxDurationSeconds', 'int', { defaultValue: 0, min: 0, description: 'Stop after this many seconds; 0 for no limit' }),
          queryParam('maxSilenceSeconds', 'int', { defaultValue: 0, min: 0, description: 'Stop after this much silence; 0 for no limit' }),
          queryParam('ifExists', 'string', { defaultValue: 'fail', values: ['fail', 'overwrite', 'append'], description: 'What to do when the name exists' }),
          queryParam('beep', 'boolean', { defaultValue: false, description: 'Beep before recording' }),
          queryParam('terminateOn', 'string', { defaultValue: 'none', values: ['none', 'any', '*', '#'], description: 'DTMF that ends the recording' }),
        ], [
          err(400, 'Bad parameters'),
          notFound,
          err(409, 'Channel not in Stasis, bridged, or the name is in use and may not be overwritten'),
          err(422, 'Unknown format'),
        ]),
      ],
    },
    {
      path: '/channels/{channelId}/variable',
      description: 'Channel variables',
      operations: [
        op('GET', 'getChannelVar', 'Variable', 'Read a channel variable or dialplan function.', [
          channelId,
          queryParam('variable', 'string', { required: true, description: 'Variable or function, e.g. CHANNEL(language)' }),
        ], [err(400, 'No variable given'), err(404, 'No such channel or variable'), notInStasis]),
        op('POST', 'setChannelVar', 'void', 'Set a channel variable or dialplan function.', [
          channelId,
          queryParam('variable', 'string', { required: true, description: 'Variable or function' }),
          queryParam('value', 'string', { description: 'New value; unset when absent' }),
          queryParam('report_events', 'boolean', { defaultValue: false, description: 'Send a ChannelVarset event' }),
        ], [err(400, 'No variable given'), notFound, notInStasis]),
      ],
    },
    {
      path: '/channels/{channelId}/snoop',
      description: 'Snoop (spy/whisper) on a channel',
      operations: [
        op('POST', 'snoopChannel', 'Channel', 'Start snooping.', [channelId, ...snoopParams(true)], snoopErrors),
      ],
    },
    {
      path: '/channels/{channelId}/snoop/{snoopId}',
      description: 'Snoop (spy/whisper) on a channel',
      operations: [
        op('POST', 'snoopChannelWithId', 'Channel', 'Start snooping.', [channelId, pathParam('snoopId', 'Unique ID to assign to snooping channel'), ...snoopParams(false)], snoopErrors),
      ],
    },
    {
      path: '/channels/{channelId}/dial',
      description: 'Dial a created channel',
      operations: [
        op('POST', 'dial', 'void', 'Dial a channel made with create.', [
          channelId,
          queryParam('caller', 'string', { description: 'Channel that is calling' }),
          queryParam('timeout', 'int', { defaultValue: 0, min: 0, description: 'Seconds to wait for an answer; 0 for no limit' }),
        ], [err(404, 'No such channel'), err(409, 'Channel cannot be dialled')]),
      ],
    },
  ],
  models: modelMap(DialplanCEP, CallerID, Channel),
};
