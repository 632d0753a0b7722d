/**
 * The resource-object models: what operations return and what events carry. Each
 * declaration lists the models that Asterisk lists in the same file (for example
 * `Variable` lives in asterisk.json although channels.getChannelVar returns it, and
 * `Playback` in playbacks.json although channels.play returns it); swagger-client merges
 * the models of all declarations, so a declaration may use a model from another one.
 *
 * Property names and types are Asterisk 22's; descriptions are ours.
 */
import { enumProp, model, prop } from './define.js';

// asterisk.json

export const BuildInfo = model('BuildInfo', 'How Asterisk was built.', {
  os: prop('string', true, 'Operating system'),
  kernel: prop('string', true, 'Kernel version'),
  options: prop('string', true, 'Compile-time options'),
  machine: prop('string', true, 'Machine architecture'),
  date: prop('string', true, 'Build date'),
  user: prop('string', true, 'Build user'),
});

export const SystemInfo = model('SystemInfo', 'Version and identity of this Asterisk.', {
  version: prop('string', true, 'Asterisk version'),
  entity_id: prop('string', true),
});

export const SetId = model('SetId', 'User and group Asterisk runs as.', {
  user: prop('string', true, 'User name'),
  group: prop('string', true, 'Group name'),
});

export const ConfigInfo = model('ConfigInfo', 'Global settings of this Asterisk.', {
  name: prop('string', true, 'System name'),
  default_language: prop('string', true, 'Default language of new channels'),
  max_channels: prop('int', false, 'Channel limit, if any'),
  max_open_files: prop('int', false, 'Open file limit, if any'),
  max_load: prop('double', false, 'Load average limit, if any'),
  setid: prop('SetId', true, 'Effective user and group'),
});

export const StatusInfo = model('StatusInfo', 'Start and reload times.', {
  startup_time: prop('Date', true, 'When Asterisk started'),
  last_reload_time: prop('Date', true, 'When configuration was last reloaded'),
});

export const AsteriskInfo = model('AsteriskInfo', 'Information about this Asterisk; each part can be selected with `only`.', {
  build: prop('BuildInfo', false),
  system: prop('SystemInfo', false),
  config: prop('ConfigInfo', false),
  status: prop('StatusInfo', false),
});

export const AsteriskPing = model('AsteriskPing', 'Answer to a ping.', {
  asterisk_id: prop('string', true, 'Id of this Asterisk'),
  ping: prop('string', true, 'Always "pong"'),
  timestamp: prop('string', true, 'When the ping was answered'),
});

export const Module = model('Module', 'A loaded Asterisk module.', {
  name: prop('string', true),
  description: prop('string', true),
  use_count: prop('int', true),
  status: prop('string', true),
  support_level: prop('string', true),
});

export const Variable = model('Variable', 'The value of a variable or dialplan function.', {
  value: prop('string', true),
});

// endpoints.json

export const Endpoint = model('Endpoint', 'An endpoint: a technology and a resource, with its channels.', {
  technology: prop('string', true, 'Channel technology, e.g. PJSIP'),
  resource: prop('string', true, 'Name within the technology'),
  state: enumProp(['unknown', 'offline', 'online'], false),
  channel_ids: prop('List[string]', true, 'Ids of the channels on this endpoint'),
});

export const TextMessage = model('TextMessage', 'An out-of-call text message.', {
  from: prop('string', true),
  to: prop('string', true),
  body: prop('string', true),
  variables: prop('object', false, 'Technology-specific key/value pairs'),
});

// channels.json

export const DialplanCEP = model('DialplanCEP', 'A position in the dialplan.', {
  context: prop('string', true),
  exten: prop('string', true),
  priority: prop('long', true),
  app_name: prop('string', true, 'Application running at this position'),
  app_data: prop('string', true, 'Its arguments'),
});

export const CallerID = model('CallerID', 'A caller id.', {
  name: prop('string', true),
  number: prop('string', true),
});

export const Channel = model('Channel', 'A channel: one leg of a call.', {
  id: prop('string', true, 'Unique id of the channel'),
  protocol_id: prop('string', true, 'Protocol call id, if any'),
  name: prop('string', true, 'Channel name, e.g. Local/100@trace-00000001;2'),
  state: enumProp(['Down', 'Rsrved', 'OffHook', 'Dialing', 'Ring', 'Ringing', 'Up', 'Busy', 'Dialing Offhook', 'Pre-ring', 'Unknown'], true),
  caller: prop('CallerID', true),
  connected: prop('CallerID', true),
  accountcode: prop('string', true),
  dialplan: prop('DialplanCEP', true, 'Where the channel is in the dialplan'),
  creationtime: prop('Date', true),
  language: prop('string', true, 'Language used for sounds'),
  channelvars: prop('object', false, 'Variables configured to be reported with every channel'),
  caller_rdnis: prop('string', undefined, 'Redirecting number'),
  tenantid: prop('string', false),
});

// bridges.json

export const Bridge = model('Bridge', 'A bridge joining channels.', {
  id: prop('string', true),
  technology: prop('string', true, 'Bridging technology, e.g. simple_bridge'),
  bridge_type: enumProp(['mixing', 'holding'], true),
  bridge_class: prop('string', true),
  creator: prop('string', true),
  name: prop('string', true),
  channels: prop('List[string]', true, 'Ids of the channels in the bridge'),
  video_mode: prop('string', false),
  video_source_id: prop('string', false),
  creationtime: prop('Date', true),
  bridgevars: prop('object', false),
});

// recordings.json

export const StoredRecording = model('StoredRecording', 'A finished recording on disk.', {
  name: prop('string', true, 'Name, possibly with subdirectories, without extension'),
  format: prop('string', true, 'File format, e.g. wav'),
});

export const LiveRecording = model('LiveRecording', 'A recording in progress (or just ended).', {
  name: prop('string', true),
  format: prop('string', true),
  target_uri: prop('string', true, 'What is recorded: channel:<id> or bridge:<id>'),
  state: enumProp(['queued', 'recording', 'paused', 'done', 'failed', 'canceled'], true),
  duration: prop('int', false, 'Seconds of audio written'),
  talking_duration: prop('int', false, 'Seconds of speech (with maxSilenceSeconds)'),
  silence_duration: prop('int', false, 'Seconds of silence (with maxSilenceSeconds)'),
  cause: prop('string', false, 'Why it failed'),
});

// sounds.json

export const FormatLangPair = model('FormatLangPair', 'One language and format a sound exists in.', {
  language: prop('string', true),
  format: prop('string', true),
});

export const Sound = model('Sound', 'A sound file known to Asterisk.', {
  id: prop('string', true, 'Sound name, e.g. vm-intro'),
  text: prop('string', false, 'What the sound says'),
  formats: prop('List[FormatLangPair]', true),
});

// playbacks.json

export const Playback = model('Playback', 'Media being played to a channel or bridge.', {
  id: prop('string', true),
  media_uri: prop('string', true, 'The media being played'),
  next_media_uri: prop('string', false, 'The next item of a media list'),
  target_uri: prop('string', true, 'Where it plays: channel:<id> or bridge:<id>'),
  language: prop('string', undefined),
  state: enumProp(['queued', 'playing', 'continuing', 'done', 'failed'], true),
});

// mailboxes.json

export const Mailbox = model('Mailbox', 'Message counts of a mailbox.', {
  name: prop('string', true),
  old_messages: prop('int', true),
  new_messages: prop('int', true),
});

// applications.json

export const Application = model('Application', 'A Stasis application and what it is subscribed to.', {
  name: prop('string', true),
  channel_ids: prop('List[string]', true),
  bridge_ids: prop('List[string]', true),
  endpoint_ids: prop('List[string]', true),
  device_names: prop('List[string]', true),
  events_allowed: prop('List[object]', true),
  events_disallowed: prop('List[object]', true),
});

// deviceStates.json (not served; see events.ts)

export const DeviceState = model('DeviceState', 'State of a device.', {
  name: prop('string', true),
  state: enumProp(['UNKNOWN', 'NOT_INUSE', 'INUSE', 'BUSY', 'INVALID', 'UNAVAILABLE', 'RINGING', 'RINGINUSE', 'ONHOLD'], true),
});
