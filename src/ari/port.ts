/**
 * What the rest of the project may ask of Asterisk: typed ARI operations and
 * the event router. The ari-client implementation lives in `connect.ts`; tests
 * and the benchmark may implement it with stubs.
 */
import type { EventRouter } from './router.js';
import type {
  Application,
  AsteriskInfo,
  Bridge,
  Channel,
  LiveRecording,
  Mailbox,
  Playback,
  PlaybackOperation,
  Sound,
  StoredRecording,
} from './types.js';

/** Options of a play request (channel or bridge). */
export interface PlayOptions {
  /** The playback id to use; generate it first and route it, so no event is missed. */
  playbackId: string;
  /** One media URI, or a list played back to back as one playback. */
  media: string | readonly string[];
  lang?: string;
  offsetms?: number;
  skipms?: number;
}

/** Options of a record request (channel or bridge). */
export interface RecordOptions {
  name: string;
  format: string;
  maxDurationSeconds?: number;
  maxSilenceSeconds?: number;
  ifExists?: 'fail' | 'overwrite' | 'append';
  beep?: boolean;
  terminateOn?: 'none' | 'any' | '*' | '#';
}

/** A snoop direction: `in` is what the channel reads (the caller's voice), `out` what is written to it. */
export type SnoopDirection = 'none' | 'in' | 'out' | 'both';

/** Options of a snoop request: at least one of `spy` and `whisper` must be other than `none`. */
export interface SnoopOptions {
  /** The Stasis app the snoop channel enters (StasisStart with `appArgs`). */
  app: string;
  spy?: SnoopDirection;
  whisper?: SnoopDirection;
  appArgs?: string;
  /** The snoop channel's id; generate it first and route it, so its StasisStart is not missed. */
  snoopId?: string;
}

/** Options of an originate request. */
export interface OriginateOptions {
  endpoint: string;
  app?: string;
  appArgs?: string;
  extension?: string;
  context?: string;
  priority?: number;
  channelId?: string;
  otherChannelId?: string;
  callerId?: string;
  timeout?: number;
  variables?: Record<string, string>;
}

export type HangupReason = 'normal' | 'busy' | 'congestion' | 'no_answer' | 'timeout' | 'rejected' | 'unallocated' | 'normal_unspecified' | 'number_incomplete' | 'codec_mismatch' | 'interworking' | 'failure' | 'answered_elsewhere';

export interface AriChannels {
  list(): Promise<Channel[]>;
  get(channelId: string): Promise<Channel>;
  originate(options: OriginateOptions): Promise<Channel>;
  create(options: { endpoint: string; app: string; appArgs?: string; channelId?: string; otherChannelId?: string; variables?: Record<string, string> }): Promise<Channel>;
  dial(channelId: string, options?: { caller?: string; timeout?: number }): Promise<void>;
  answer(channelId: string): Promise<void>;
  hangup(channelId: string, reason?: HangupReason): Promise<void>;
  continueInDialplan(channelId: string, options?: { context?: string; extension?: string; priority?: number }): Promise<void>;
  ring(channelId: string): Promise<void>;
  sendDtmf(channelId: string, dtmf: string, options?: { between?: number; duration?: number }): Promise<void>;
  play(channelId: string, options: PlayOptions): Promise<Playback>;
  record(channelId: string, options: RecordOptions): Promise<LiveRecording>;
  getVariable(channelId: string, variable: string): Promise<string>;
  setVariable(channelId: string, variable: string, value: string): Promise<void>;
  startMoh(channelId: string, mohClass?: string): Promise<void>;
  stopMoh(channelId: string): Promise<void>;
  hold(channelId: string): Promise<void>;
  unhold(channelId: string): Promise<void>;
  mute(channelId: string, direction?: 'both' | 'in' | 'out'): Promise<void>;
  unmute(channelId: string, direction?: 'both' | 'in' | 'out'): Promise<void>;
  /** Starts a snoop channel on `channelId` (Asterisk answers with the new channel, already Up). */
  snoop(channelId: string, options: SnoopOptions): Promise<Channel>;
}

export interface AriBridges {
  list(): Promise<Bridge[]>;
  get(bridgeId: string): Promise<Bridge>;
  create(options: { bridgeId?: string; type: 'mixing' | 'holding'; name?: string }): Promise<Bridge>;
  destroy(bridgeId: string): Promise<void>;
  addChannel(bridgeId: string, channelIds: string | readonly string[]): Promise<void>;
  removeChannel(bridgeId: string, channelIds: string | readonly string[]): Promise<void>;
  play(bridgeId: string, options: PlayOptions): Promise<Playback>;
  record(bridgeId: string, options: RecordOptions): Promise<LiveRecording>;
  startMoh(bridgeId: string, mohClass?: string): Promise<void>;
  stopMoh(bridgeId: string): Promise<void>;
}

export interface AriPlaybacks {
  get(playbackId: string): Promise<Playback>;
  stop(playbackId: string): Promise<void>;
  control(playbackId: string, operation: PlaybackOperation): Promise<void>;
}

export interface AriRecordings {
  listStored(): Promise<StoredRecording[]>;
  getStored(name: string): Promise<StoredRecording>;
  deleteStored(name: string): Promise<void>;
  copyStored(name: string, destination: string): Promise<StoredRecording>;
  getStoredFile(name: string): Promise<Buffer>;
  getLive(name: string): Promise<LiveRecording>;
  stop(name: string): Promise<void>;
  cancel(name: string): Promise<void>;
  pause(name: string): Promise<void>;
  unpause(name: string): Promise<void>;
  mute(name: string): Promise<void>;
  unmute(name: string): Promise<void>;
}

export interface AriSounds {
  /** Lists sounds; Asterisk answers 404 when a filter matches nothing, which this returns as []. */
  list(filter?: { lang?: string; format?: string }): Promise<Sound[]>;
  get(soundId: string): Promise<Sound>;
}

export interface AriMailboxes {
  list(): Promise<Mailbox[]>;
  get(name: string): Promise<Mailbox>;
  update(name: string, counts: { oldMessages: number; newMessages: number }): Promise<void>;
  delete(name: string): Promise<void>;
}

export interface AriApplications {
  list(): Promise<Application[]>;
  get(name: string): Promise<Application>;
  subscribe(name: string, eventSource: string | readonly string[]): Promise<Application>;
  unsubscribe(name: string, eventSource: string | readonly string[]): Promise<Application>;
}

export interface AriAsterisk {
  info(): Promise<AsteriskInfo>;
  ping(): Promise<{ ping: string; timestamp: string; asterisk_id: string }>;
}

/** Connection state changes the runtime reacts to. */
export type ConnectionEvent =
  | { type: 'disconnected'; reason: string }
  | { type: 'reconnected' };

/** Everything the project may ask of ARI. */
export interface AriPort {
  readonly channels: AriChannels;
  readonly bridges: AriBridges;
  readonly playbacks: AriPlaybacks;
  readonly recordings: AriRecordings;
  readonly sounds: AriSounds;
  readonly mailboxes: AriMailboxes;
  readonly applications: AriApplications;
  readonly asterisk: AriAsterisk;
  /** Where ARI events arrive; owners route resources here. */
  readonly events: EventRouter;
  /** Follows the WebSocket: a drop, and each successful reconnection (the apps are registered again). */
  onConnection(listener: (event: ConnectionEvent) => void): () => void;
  /** Closes the WebSocket; no reconnection follows. */
  close(): Promise<void>;
}
