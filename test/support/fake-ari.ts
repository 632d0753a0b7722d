/**
 * An in-memory AriPort for machine and runtime tests and the benchmark: no
 * network. Requests are recorded and answered by overridable handlers; events
 * are injected with `emit`, which dispatches them through the real router.
 */
import { AriError } from '../../src/errors.js';
import type { AriPort, ConnectionEvent } from '../../src/ari/port.js';
import { EventRouter } from '../../src/ari/router.js';
import type { AriEvent, Channel } from '../../src/ari/types.js';

/** One recorded request: `resource.operation` and its arguments. */
export interface FakeRequest {
  op: string;
  args: unknown[];
}

type Handler = (...args: unknown[]) => unknown;

/** A stub ARI: every operation resolves (with `{}` or the handler's answer) and is recorded. */
export class FakeAri implements AriPort {
  readonly events = new EventRouter((err) => {
    throw err;
  });
  readonly requests: FakeRequest[] = [];
  /** Set `record = false` for benchmarks. */
  record = true;
  private readonly handlers = new Map<string, Handler>();
  private readonly connectionListeners = new Set<(event: ConnectionEvent) => void>();

  /** Answers `op` (e.g. `channels.play`) with a handler; throw an AriError from it to fail. */
  on(op: string, handler: Handler): this {
    this.handlers.set(op, handler);
    return this;
  }

  /** Makes `op` fail with an Asterisk status and message. */
  fail(op: string, status: number, message: string): this {
    return this.on(op, () => {
      throw new AriError({ status, operation: op, message });
    });
  }

  /** Dispatches an event as if it came from the WebSocket. */
  emit(event: AriEvent): void {
    this.events.dispatch(event);
  }

  /** Simulates the WebSocket dropping or coming back. */
  connection(event: ConnectionEvent): void {
    for (const listener of this.connectionListeners) listener(event);
  }

  /** The recorded requests for one operation. */
  calls(op: string): unknown[][] {
    return this.requests.filter((r) => r.op === op).map((r) => r.args);
  }

  onConnection(listener: (event: ConnectionEvent) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private op(name: string) {
    return (...args: unknown[]): Promise<never> => {
      if (this.record) this.requests.push({ op: name, args });
      const handler = this.handlers.get(name);
      try {
        return Promise.resolve((handler ? handler(...args) : undefined) as never);
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
  }

  private group<K extends string>(resource: string, names: readonly K[]): Record<K, (...args: unknown[]) => Promise<never>> {
    return Object.fromEntries(names.map((n) => [n, this.op(`${resource}.${n}`)])) as Record<K, (...args: unknown[]) => Promise<never>>;
  }

  readonly channels = this.group('channels', [
    'list', 'get', 'originate', 'create', 'dial', 'answer', 'hangup', 'continueInDialplan', 'ring', 'sendDtmf', 'play', 'record',
    'getVariable', 'setVariable', 'startMoh', 'stopMoh', 'hold', 'unhold', 'mute', 'unmute', 'snoop',
  ] as const);
  readonly bridges = this.group('bridges', ['list', 'get', 'create', 'destroy', 'addChannel', 'removeChannel', 'play', 'record', 'startMoh', 'stopMoh'] as const);
  readonly playbacks = this.group('playbacks', ['get', 'stop', 'control'] as const);
  readonly recordings = this.group('recordings', [
    'listStored', 'getStored', 'deleteStored', 'copyStored', 'getStoredFile', 'getLive', 'stop', 'cancel', 'pause', 'unpause', 'mute', 'unmute',
  ] as const);
  readonly sounds = this.group('sounds', ['list', 'get'] as const);
  readonly mailboxes = this.group('mailboxes', ['list', 'get', 'update', 'delete'] as const);
  readonly applications = this.group('applications', ['list', 'get', 'subscribe', 'unsubscribe'] as const);
  readonly asterisk = this.group('asterisk', ['info', 'ping'] as const);
}

/** A channel as ARI describes it, for synthetic events. */
export function fakeChannel(id: string, overrides: Partial<Channel> = {}): Channel {
  return {
    id,
    name: `Local/test@stasis-flows-test-00000001;2`,
    state: 'Up' as const,
    caller: { name: '', number: '' },
    connected: { name: '', number: '' },
    accountcode: '',
    dialplan: { context: 'stasis-flows-test', exten: 'test', priority: 3 },
    creationtime: '2026-11-23T10:00:00.000+0000',
    language: 'en',
    ...overrides,
  };
}

const stamp = { timestamp: '2026-11-23T10:00:00.000+0000', asterisk_id: '00:00:00:00:00:01' };

/** Builders for synthetic ARI events. */
export const fakeEvents = {
  stasisStart: (app: string, channelId: string, args: string[] = []): AriEvent => ({ type: 'StasisStart', application: app, args, channel: fakeChannel(channelId), ...stamp }),
  stasisEnd: (app: string, channelId: string): AriEvent => ({ type: 'StasisEnd', application: app, channel: fakeChannel(channelId), ...stamp }),
  dtmf: (app: string, channelId: string, digit: string): AriEvent => ({ type: 'ChannelDtmfReceived', application: app, digit, duration_ms: 100, channel: fakeChannel(channelId), ...stamp }),
  hangupRequest: (app: string, channelId: string): AriEvent => ({ type: 'ChannelHangupRequest', application: app, cause: 16, channel: fakeChannel(channelId), ...stamp }),
  playbackStarted: (app: string, id: string, channelId: string, media: string): AriEvent => ({
    type: 'PlaybackStarted', application: app, playback: { id, media_uri: media, target_uri: `channel:${channelId}`, language: 'en', state: 'playing' }, ...stamp,
  }),
  playbackContinuing: (app: string, id: string, channelId: string, media: string, next?: string): AriEvent => ({
    type: 'PlaybackContinuing', application: app, playback: { id, media_uri: media, ...(next === undefined ? {} : { next_media_uri: next }), target_uri: `channel:${channelId}`, language: 'en', state: 'continuing' }, ...stamp,
  }),
  playbackFinished: (app: string, id: string, channelId: string, media: string, state: 'done' | 'failed' = 'done'): AriEvent => ({
    type: 'PlaybackFinished', application: app, playback: { id, media_uri: media, target_uri: `channel:${channelId}`, language: 'en', state }, ...stamp,
  }),
  recordingStarted: (app: string, name: string, channelId: string): AriEvent => ({
    type: 'RecordingStarted', application: app, recording: { name, format: 'wav', state: 'recording', target_uri: `channel:${channelId}` }, ...stamp,
  }),
  recordingFinished: (app: string, name: string, channelId: string, duration: number): AriEvent => ({
    type: 'RecordingFinished', application: app, recording: { name, format: 'wav', state: 'done', target_uri: `channel:${channelId}`, duration }, ...stamp,
  }),
};
