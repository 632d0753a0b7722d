/**
 * ARI models and events as Asterisk 22 sends them (JSON field names kept as-is).
 * Only the fields the project reads are typed; Asterisk sends more.
 */

export interface CallerId {
  name: string;
  number: string;
}

export interface DialplanCep {
  context: string;
  exten: string;
  priority: number;
  app_name?: string;
  app_data?: string;
}

export type ChannelState = 'Down' | 'Rsrved' | 'OffHook' | 'Dialing' | 'Ring' | 'Ringing' | 'Up' | 'Busy' | 'Dialing Offhook' | 'Pre-ring' | 'Unknown';

export interface Channel {
  id: string;
  name: string;
  state: ChannelState;
  caller: CallerId;
  connected: CallerId;
  accountcode: string;
  dialplan: DialplanCep;
  creationtime: string;
  language: string;
}

export interface Bridge {
  id: string;
  technology: string;
  bridge_type: string;
  bridge_class: string;
  creator: string;
  name: string;
  channels: string[];
  creationtime?: string;
}

export type PlaybackState = 'queued' | 'playing' | 'paused' | 'continuing' | 'done' | 'failed';

export interface Playback {
  id: string;
  media_uri: string;
  next_media_uri?: string;
  target_uri: string;
  language?: string;
  state: PlaybackState;
}

export type PlaybackOperation = 'pause' | 'unpause' | 'forward' | 'reverse' | 'restart';

export interface LiveRecording {
  name: string;
  format: string;
  target_uri: string;
  state: 'queued' | 'recording' | 'paused' | 'done' | 'failed' | 'canceled';
  duration?: number;
  talking_duration?: number;
  silence_duration?: number;
  cause?: string;
}

export interface StoredRecording {
  name: string;
  format: string;
}

export interface FormatLangPair {
  language: string;
  format: string;
}

export interface Sound {
  id: string;
  text?: string;
  formats: FormatLangPair[];
}

export interface Mailbox {
  name: string;
  old_messages: number;
  new_messages: number;
}

export interface Application {
  name: string;
  channel_ids: string[];
  bridge_ids: string[];
  endpoint_ids: string[];
  device_names: string[];
}

export interface AsteriskInfo {
  system?: { version?: string; entity_id?: string };
  build?: Record<string, unknown>;
  config?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** Fields every ARI event carries. */
interface EventBase {
  application: string;
  timestamp: string;
  asterisk_id?: string;
}

export interface StasisStartEvent extends EventBase {
  type: 'StasisStart';
  args: string[];
  channel: Channel;
  replace_channel?: Channel;
}
export interface StasisEndEvent extends EventBase {
  type: 'StasisEnd';
  channel: Channel;
}
export interface ChannelDtmfReceivedEvent extends EventBase {
  type: 'ChannelDtmfReceived';
  digit: string;
  duration_ms: number;
  channel: Channel;
}
export interface ChannelHangupRequestEvent extends EventBase {
  type: 'ChannelHangupRequest';
  cause?: number;
  soft?: boolean;
  channel: Channel;
}
export interface ChannelDestroyedEvent extends EventBase {
  type: 'ChannelDestroyed';
  cause: number;
  cause_txt: string;
  channel: Channel;
}
export interface ChannelStateChangeEvent extends EventBase {
  type: 'ChannelStateChange';
  channel: Channel;
}
export interface ChannelVarsetEvent extends EventBase {
  type: 'ChannelVarset';
  variable: string;
  value: string;
  channel?: Channel;
}
export interface ChannelEnteredBridgeEvent extends EventBase {
  type: 'ChannelEnteredBridge';
  bridge: Bridge;
  channel?: Channel;
}
export interface ChannelLeftBridgeEvent extends EventBase {
  type: 'ChannelLeftBridge';
  bridge: Bridge;
  channel: Channel;
}
export interface BridgeDestroyedEvent extends EventBase {
  type: 'BridgeDestroyed';
  bridge: Bridge;
}
export interface PlaybackStartedEvent extends EventBase {
  type: 'PlaybackStarted';
  playback: Playback;
}
export interface PlaybackContinuingEvent extends EventBase {
  type: 'PlaybackContinuing';
  playback: Playback;
}
export interface PlaybackFinishedEvent extends EventBase {
  type: 'PlaybackFinished';
  playback: Playback;
}
export interface RecordingStartedEvent extends EventBase {
  type: 'RecordingStarted';
  recording: LiveRecording;
}
export interface RecordingFinishedEvent extends EventBase {
  type: 'RecordingFinished';
  recording: LiveRecording;
}
export interface RecordingFailedEvent extends EventBase {
  type: 'RecordingFailed';
  recording: LiveRecording;
}
export interface DialEvent extends EventBase {
  type: 'Dial';
  dialstatus: string;
  dialstring?: string;
  forward?: string;
  peer: Channel;
  caller?: Channel;
}
export interface ApplicationReplacedEvent extends EventBase {
  type: 'ApplicationReplaced';
}

/** The events the project handles. Others arrive too and are routed by the same rules. */
export type AriEvent =
  | StasisStartEvent
  | StasisEndEvent
  | ChannelDtmfReceivedEvent
  | ChannelHangupRequestEvent
  | ChannelDestroyedEvent
  | ChannelStateChangeEvent
  | ChannelVarsetEvent
  | ChannelEnteredBridgeEvent
  | ChannelLeftBridgeEvent
  | BridgeDestroyedEvent
  | PlaybackStartedEvent
  | PlaybackContinuingEvent
  | PlaybackFinishedEvent
  | RecordingStartedEvent
  | RecordingFinishedEvent
  | RecordingFailedEvent
  | DialEvent
  | ApplicationReplacedEvent;

export type AriEventType = AriEvent['type'];

/** Narrows an event by type. */
export type AriEventOf<T extends AriEventType> = Extract<AriEvent, { type: T }>;
