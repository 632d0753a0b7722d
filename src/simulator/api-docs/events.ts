/**
 * `/ari/api-docs/events.json`: the event WebSocket, user events, and the model of every
 * message Asterisk 22 can send on the WebSocket.
 *
 * ari-client looks up `client._swagger.apis.events.models[event.type]` for every
 * incoming message and reads its `properties`; a type missing here crashes it. So every
 * model Asterisk 22 declares in events.json is here, with its property names and types.
 * A property whose type is a resource model (Channel, Bridge, Playback, LiveRecording,
 * Endpoint, DeviceState, ...) is turned into an ari-client resource object.
 */
import type { ResourceSpec } from './define.js';
import { bodyParam, enumProp, err, model, modelMap, op, pathParam, prop, queryParam } from './define.js';
import { DeviceState } from './models.js';

/** Every subtype of Event, in Asterisk's order. */
export const EVENT_TYPES = [
  'DeviceStateChanged',
  'PlaybackStarted',
  'PlaybackContinuing',
  'PlaybackFinished',
  'RecordingStarted',
  'RecordingFinished',
  'RecordingFailed',
  'ApplicationMoveFailed',
  'ApplicationRegistered',
  'ApplicationUnregistered',
  'ApplicationReplaced',
  'BridgeCreated',
  'BridgeDestroyed',
  'BridgeMerged',
  'BridgeBlindTransfer',
  'BridgeAttendedTransfer',
  'BridgeVideoSourceChanged',
  'ChannelCreated',
  'ChannelDestroyed',
  'ChannelEnteredBridge',
  'ChannelLeftBridge',
  'ChannelStateChange',
  'ChannelDtmfReceived',
  'ChannelDialplan',
  'ChannelCallerId',
  'ChannelUserevent',
  'ChannelHangupRequest',
  'ChannelVarset',
  'ChannelToneDetected',
  'ChannelTalkingStarted',
  'ChannelTalkingFinished',
  'ChannelHold',
  'ChannelUnhold',
  'ContactStatusChange',
  'EndpointStateChange',
  'Dial',
  'StasisEnd',
  'StasisStart',
  'TextMessageReceived',
  'ChannelConnectedLine',
  'PeerStatusChange',
  'ChannelTransfer',
  'RESTResponse',
  'CallBroadcast',
  'CallClaimed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

const Message = model('Message', 'Base of every WebSocket message.', {
  type: prop('string', true, 'Which message this is'),
  asterisk_id: prop('string', false, 'Id of the Asterisk that sent it'),
}, { discriminator: 'type', subTypes: ['MissingParams', 'Event'] });

const MissingParams = model('MissingParams', 'A request lacked required parameters.', {
  params: prop('List[string]', true, 'The missing parameters'),
});

const Event = model('Event', 'Base of every event sent to an application.', {
  application: prop('string', true, 'The application receiving the event'),
  timestamp: prop('Date', true, 'When the event happened'),
}, { subTypes: [...EVENT_TYPES] });

const ContactInfo = model('ContactInfo', 'A contact of an AOR.', {
  uri: prop('string', true),
  contact_status: enumProp(['Unreachable', 'Reachable', 'Unknown', 'NonQualified', 'Removed'], true),
  aor: prop('string', true),
  roundtrip_usec: prop('string', false),
});

const Peer = model('Peer', 'A peer and its status.', {
  peer_status: prop('string', true),
  cause: prop('string', false),
  address: prop('string', false),
  port: prop('string', false),
  time: prop('string', false),
});

const ReferTo = model('ReferTo', 'Where a REFER transfers to.', {
  requested_destination: prop('RequiredDestination', true),
  destination_channel: prop('Channel', false),
  connected_channel: prop('Channel', false),
  bridge: prop('Bridge', false),
});

const ReferredBy = model('ReferredBy', 'Who sent a REFER.', {
  source_channel: prop('Channel', true),
  connected_channel: prop('Channel', false),
  bridge: prop('Bridge', false),
});

const RequiredDestination = model('RequiredDestination', 'The destination asked for by a REFER.', {
  protocol_id: prop('string', false),
  destination: prop('string', false),
  additional_protocol_params: prop('List[AdditionalParam]', false),
});

const AdditionalParam = model('AdditionalParam', 'A protocol parameter of a REFER.', {
  parameter_name: prop('string', true),
  parameter_value: prop('string', true),
});

const RESTHeader = model('RESTHeader', 'A header of a REST request sent over the WebSocket.', {
  name: prop('string', true),
  value: prop('string', true),
});

const RESTQueryStringParameter = model('RESTQueryStringParameter', 'A query parameter of a REST request sent over the WebSocket.', {
  name: prop('string', true),
  value: prop('string', true),
});

const RESTRequest = model('RESTRequest', 'A REST request sent over the WebSocket.', {
  type: prop('string', true),
  transaction_id: prop('string', true),
  request_id: prop('string', true),
  method: prop('string', true),
  uri: prop('string', true),
  content_type: prop('string', false),
  query_strings: prop('List[RESTQueryStringParameter]', false),
  message_body: prop('string', false),
});

const RESTResponse = model('RESTResponse', 'The answer to a REST request sent over the WebSocket.', {
  transaction_id: prop('string', true),
  request_id: prop('string', true),
  status_code: prop('int', true),
  reason_phrase: prop('string', true),
  uri: prop('string', true),
  content_type: prop('string', false),
  message_body: prop('string', false),
});

const playbackEvent = (id: string, what: string) => model(id, what, { playback: prop('Playback', true) });
const recordingEvent = (id: string, what: string) => model(id, what, { recording: prop('LiveRecording', true) });
const channelEvent = (id: string, what: string) => model(id, what, { channel: prop('Channel', true) });
const bridgeEvent = (id: string, what: string) => model(id, what, { bridge: prop('Bridge', true) });

const eventModels = [
  model('DeviceStateChanged', 'A device changed state.', { device_state: prop('DeviceState', true) }),
  playbackEvent('PlaybackStarted', 'A playback started.'),
  playbackEvent('PlaybackContinuing', 'A playback moved on to the next item of its media list.'),
  playbackEvent('PlaybackFinished', 'A playback ended (done or failed).'),
  recordingEvent('RecordingStarted', 'A recording started.'),
  recordingEvent('RecordingFinished', 'A recording ended.'),
  recordingEvent('RecordingFailed', 'A recording failed.'),
  model('ApplicationMoveFailed', 'Moving a channel to another application failed.', {
    channel: prop('Channel', true),
    destination: prop('string', true),
    args: prop('List[string]', true),
  }),
  model('ApplicationRegistered', 'The application was registered.', {}),
  model('ApplicationUnregistered', 'The application was unregistered.', {}),
  model('ApplicationReplaced', 'Another WebSocket took over the application.', {}),
  bridgeEvent('BridgeCreated', 'A bridge was created.'),
  bridgeEvent('BridgeDestroyed', 'A bridge was destroyed.'),
  model('BridgeMerged', 'Two bridges were merged.', {
    bridge: prop('Bridge', true),
    bridge_from: prop('Bridge', true),
  }),
  model('BridgeBlindTransfer', 'A blind transfer happened.', {
    channel: prop('Channel', true),
    replace_channel: prop('Channel', false),
    transferee: prop('Channel', false),
    exten: prop('string', true),
    context: prop('string', true),
    result: prop('string', true),
    is_external: prop('boolean', true),
    bridge: prop('Bridge'),
  }),
  model('BridgeAttendedTransfer', 'An attended transfer happened.', {
    transferer_first_leg: prop('Channel', true),
    transferer_second_leg: prop('Channel', true),
    replace_channel: prop('Channel', false),
    transferee: prop('Channel', false),
    transfer_target: prop('Channel', false),
    result: prop('string', true),
    is_external: prop('boolean', true),
    transferer_first_leg_bridge: prop('Bridge'),
    transferer_second_leg_bridge: prop('Bridge'),
    destination_type: prop('string', true),
    destination_bridge: prop('string'),
    destination_application: prop('string'),
    destination_link_first_leg: prop('Channel'),
    destination_link_second_leg: prop('Channel'),
    destination_threeway_channel: prop('Channel'),
    destination_threeway_bridge: prop('Bridge'),
  }),
  model('BridgeVideoSourceChanged', 'The video source of a bridge changed.', {
    bridge: prop('Bridge', true),
    old_video_source_id: prop('string', false),
  }),
  channelEvent('ChannelCreated', 'A channel was created.'),
  model('ChannelDestroyed', 'A channel was destroyed.', {
    cause: prop('int', true, 'Hangup cause (Q.850)'),
    cause_txt: prop('string', true, 'Hangup cause as text'),
    tech_cause: prop('int'),
    channel: prop('Channel', true),
  }),
  model('ChannelEnteredBridge', 'A channel joined a bridge.', {
    bridge: prop('Bridge', true),
    channel: prop('Channel'),
  }),
  model('ChannelLeftBridge', 'A channel left a bridge.', {
    bridge: prop('Bridge', true),
    channel: prop('Channel', true),
  }),
  channelEvent('ChannelStateChange', 'The state of a channel changed.'),
  model('ChannelDtmfReceived', 'A DTMF digit ended on a channel.', {
    digit: prop('string', true),
    duration_ms: prop('int', true),
    channel: prop('Channel', true),
  }),
  model('ChannelDialplan', 'The dialplan position of a channel changed.', {
    channel: prop('Channel', true),
    dialplan_app: prop('string', true),
    dialplan_app_data: prop('string', true),
  }),
  model('ChannelCallerId', 'The caller id of a channel changed.', {
    caller_presentation: prop('int', true),
    caller_presentation_txt: prop('string', true),
    channel: prop('Channel', true),
  }),
  model('ChannelUserevent', 'A user event was raised.', {
    eventname: prop('string', true),
    channel: prop('Channel', false),
    bridge: prop('Bridge', false),
    endpoint: prop('Endpoint', false),
    userevent: prop('object', true),
  }),
  model('ChannelHangupRequest', 'Someone asked for a channel to hang up.', {
    cause: prop('int'),
    tech_cause: prop('int'),
    soft: prop('boolean'),
    channel: prop('Channel', true),
  }),
  model('ChannelVarset', 'A variable changed (on a channel, or a global one).', {
    variable: prop('string', true),
    value: prop('string', true),
    channel: prop('Channel', false),
  }),
  model('ChannelHold', 'A channel was put on hold.', {
    channel: prop('Channel', true),
    musicclass: prop('string', false),
  }),
  channelEvent('ChannelUnhold', 'A channel was taken off hold.'),
  channelEvent('ChannelToneDetected', 'A tone was detected on a channel.'),
  channelEvent('ChannelTalkingStarted', 'Talking started on a channel.'),
  model('ChannelTalkingFinished', 'Talking stopped on a channel.', {
    channel: prop('Channel', true),
    duration: prop('int', true),
  }),
  model('ContactStatusChange', 'A contact changed status.', {
    endpoint: prop('Endpoint', true),
    contact_info: prop('ContactInfo', true),
  }),
  model('PeerStatusChange', 'A peer changed status.', {
    endpoint: prop('Endpoint', true),
    peer: prop('Peer', true),
  }),
  model('EndpointStateChange', 'An endpoint changed state.', { endpoint: prop('Endpoint', true) }),
  model('Dial', 'The progress of a dial.', {
    caller: prop('Channel', false),
    peer: prop('Channel', true),
    forward: prop('string', false),
    forwarded: prop('Channel', false),
    dialstring: prop('string', false),
    dialstatus: prop('string', true),
  }),
  channelEvent('StasisEnd', 'A channel left the application.'),
  model('StasisStart', 'A channel entered the application.', {
    args: prop('List[string]', true),
    channel: prop('Channel', true),
    replace_channel: prop('Channel', false),
  }),
  model('TextMessageReceived', 'A text message arrived.', {
    message: prop('TextMessage', true),
    endpoint: prop('Endpoint', false),
  }),
  channelEvent('ChannelConnectedLine', 'The connected line of a channel changed.'),
  model('ChannelTransfer', 'A REFER-based transfer progressed.', {
    state: prop('string', false),
    refer_to: prop('ReferTo', true),
    referred_by: prop('ReferredBy', true),
  }),
  model('CallBroadcast', 'A channel is offered to several applications.', {
    channel: prop('Channel', true),
    caller: prop('string', false),
    called: prop('string', false),
  }),
  model('CallClaimed', 'An application claimed a broadcast channel.', {
    channel: prop('Channel', true),
    winner_app: prop('string', true),
  }),
];

export const events: ResourceSpec = {
  name: 'events',
  description: 'WebSocket resource',
  // Asterisk serves this one file as Swagger 1.2; the rest are 1.1.
  swaggerVersion: '1.2',
  apis: [
    {
      path: '/events',
      description: 'The event WebSocket',
      operations: [
        {
          ...op('GET', 'eventWebsocket', 'Message', 'Open the WebSocket that delivers events.', [
            queryParam('app', 'string', { required: true, multiple: true, description: 'Applications to register, comma-separated' }),
            queryParam('subscribeAll', 'boolean', { description: 'Subscribe the applications to all events' }),
          ]),
          upgrade: 'websocket',
          websocketProtocol: 'ari',
        },
      ],
    },
    {
      path: '/events/user/{eventName}',
      description: 'User events',
      operations: [
        op('POST', 'userEvent', 'void', 'Raise a user event for an application.', [
          pathParam('eventName', 'Event name'),
          queryParam('application', 'string', { required: true, description: 'Application that gets the event' }),
          queryParam('source', 'string', { multiple: true, description: 'Event sources: channel:<id>, bridge:<id>, endpoint:<tech>/<resource>, deviceState:<name>' }),
          bodyParam('variables', { description: 'Key/value pairs for the event: {"variables": {"key": "value"}}' }),
        ], [
          err(404, 'No such application'),
          err(422, 'No such event source'),
          err(400, 'Bad event source or event data'),
        ]),
      ],
    },
  ],
  models: modelMap(
    Message,
    MissingParams,
    Event,
    ContactInfo,
    Peer,
    ...eventModels,
    ReferTo,
    ReferredBy,
    RequiredDestination,
    AdditionalParam,
    RESTHeader,
    RESTQueryStringParameter,
    RESTRequest,
    RESTResponse,
    // Deliberate difference: Asterisk declares DeviceState in deviceStates.json, which
    // we do not serve. DeviceStateChanged refers to it, so it is declared here instead,
    // keeping every model reference resolvable (ari-client itself does not need it).
    DeviceState,
  ),
};
