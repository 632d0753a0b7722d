/**
 * The ARI adapter: the only module that talks to ari-client. It connects with
 * a bounded time-out and retries, exposes typed operations that fail with
 * AriError, feeds every WebSocket event to one EventRouter, and follows the
 * WebSocket through drops and reconnections.
 */
import ari, { type RawClient, type RawOperation } from 'ari-client';
import { AppError, AriError, errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { ariErrorMessage, toAriError } from './error-map.js';
import { LeanRequests, segment, type QueryValue } from './lean-requests.js';
import type { AriPort, ConnectionEvent, HangupReason, OriginateOptions, PlayOptions, RecordOptions, SnoopOptions } from './port.js';
import { EventRouter } from './router.js';
import type {
  Application,
  AriEvent,
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

// swagger-client (inside ari-client) assigns a global `log` that prints a Swagger 1.1
// deprecation notice to stdout on every connect (Asterisk serves 1.1). Our stdout is JSON
// lines, so that global is silenced; it is swagger-client's own and nothing else uses it.
(globalThis as { log?: unknown }).log = () => undefined;

/** How to reach Asterisk and which Stasis apps to register. */
export interface ConnectOptions {
  url: string;
  username: string;
  password: string;
  connectTimeoutMs: number;
  connectRetries: number;
  requestTimeoutMs: number;
  log: Logger;
  /** Wait before starting over once ari-client has given up reconnecting the WebSocket. */
  restartDelayMs?: number;
  /**
   * Which path the hot operations take (play, playback control, stop, DTMF,
   * record and its controls, answer, hang-up, bridge membership, music on
   * hold): `lean` (default), a keep-alive pool; `ari-client`, as every other
   * operation. Both answer alike; the lean one costs a fraction of the CPU.
   */
  requestPath?: 'lean' | 'ari-client';
}

/** Rejects with `onTimeout()` when `promise` has not settled within `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/**
 * Checks that ARI answers and accepts the credentials, with plain HTTP and a
 * time-out, before ari-client (which can wait forever) is involved.
 */
async function probe(options: ConnectOptions): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${options.url}/ari/asterisk/ping`, {
      headers: { Authorization: basicAuth(options.username, options.password) },
      signal: AbortSignal.timeout(options.connectTimeoutMs),
    });
  } catch (err) {
    const reason = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${options.connectTimeoutMs} ms` : describeCause(err);
    throw new AppError('ARI_UNREACHABLE', `Asterisk ARI at ${options.url} is unreachable: ${reason}`, { cause: err });
  }
  await response.body?.cancel();
  if (response.status === 401) {
    throw new AppError('ARI_AUTH_FAILED', `Asterisk ARI at ${options.url} refused user "${options.username}": check ARI_USERNAME and ARI_PASSWORD`);
  }
  if (!response.ok) {
    throw new AppError('ARI_UNREACHABLE', `Asterisk ARI at ${options.url} answered ${response.status} to /ari/asterisk/ping: is ARI enabled (ari.conf, http.conf)?`);
  }
}

function describeCause(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? errorMessage(err);
}

/** A loaded ARI connection whose event WebSocket is not open yet. */
export interface AriConnection extends AriPort {
  /**
   * Opens the event WebSocket for these Stasis apps (which registers them with
   * Asterisk). Route StasisStart first: calls may arrive at once.
   */
  listen(apps: readonly string[]): Promise<void>;
  /** Resolves once no request has been in flight for a moment, or after `timeoutMs` (for a clean shutdown). */
  drain(timeoutMs: number): Promise<void>;
}

/**
 * Connects to ARI and loads its API. Retries an unreachable Asterisk
 * (`connectRetries` times, backing off), fails at once on bad credentials, and
 * never waits longer than `connectTimeoutMs` per attempt.
 */
export async function connectAri(options: ConnectOptions): Promise<AriConnection> {
  for (let attempt = 0; ; attempt++) {
    try {
      await probe(options);
      const client = await withTimeout(
        ari.connect(options.url, options.username, options.password),
        options.connectTimeoutMs,
        () => new AppError('ARI_CONNECT_TIMEOUT', `Asterisk ARI at ${options.url} did not serve its API description within ${options.connectTimeoutMs} ms`),
      );
      return new AriClientAdapter(client, options);
    } catch (err) {
      const retryable = err instanceof AppError && err.code !== 'ARI_AUTH_FAILED';
      if (!retryable || attempt >= options.connectRetries) throw err;
      const delay = Math.min(500 * 2 ** attempt, 5000);
      options.log.warn('ARI not ready, retrying', { attempt: attempt + 1, retries: options.connectRetries, delayMs: delay, reason: errorMessage(err) });
      await sleep(delay);
    }
  }
}

/** Copies an ari-client resource (or list) into plain data: its own fields, no methods, no `_client`. */
function toPlain<T>(value: unknown): T {
  if (Array.isArray(value)) return value.map((item) => toPlain<unknown>(item)) as T;
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value as T;
  const plain: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (key.startsWith('_') || typeof field === 'function') continue;
    plain[key] = field;
  }
  return plain as T;
}

function mediaParam(media: PlayOptions['media']): string {
  // Asterisk reads a list as one comma-separated value; repeated `media=` keeps only the last (fact 24).
  return typeof media === 'string' ? media : media.join(',');
}

function listParam(value: string | readonly string[]): string {
  return typeof value === 'string' ? value : value.join(',');
}

function recordParams(options: RecordOptions): Record<string, unknown> {
  return { ...options };
}

function playQuery(o: PlayOptions): Record<string, QueryValue> {
  return { media: mediaParam(o.media), lang: o.lang, offsetms: o.offsetms, skipms: o.skipms };
}

function recordQuery(o: RecordOptions): Record<string, QueryValue> {
  return {
    name: o.name,
    format: o.format,
    maxDurationSeconds: o.maxDurationSeconds,
    maxSilenceSeconds: o.maxSilenceSeconds,
    ifExists: o.ifExists,
    beep: o.beep,
    terminateOn: o.terminateOn,
  };
}

class AriClientAdapter implements AriConnection {
  readonly events: EventRouter;
  private readonly connectionListeners = new Set<(event: ConnectionEvent) => void>();
  /** The event WebSocket is open. */
  private connected = false;
  /** listen() is waiting for the first open, which is not a reconnection. */
  private opening = false;
  private closed = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private apps: string[] = [];
  /** Requests sent and not yet answered. */
  private inFlight = 0;
  private readonly lean: LeanRequests | undefined;

  constructor(
    private readonly client: RawClient,
    private readonly options: ConnectOptions,
  ) {
    this.lean =
      options.requestPath === 'ari-client'
        ? undefined
        : new LeanRequests({ url: options.url, username: options.username, password: options.password, requestTimeoutMs: options.requestTimeoutMs });
    this.events = new EventRouter((err, event) =>
      options.log.error('event handler failed', { eventType: event.type, err: errorMessage(err), stack: err instanceof Error ? err.stack : undefined }),
    );
    // One client-wide listener for every event; ownership is resolved by the router.
    client.on('*', (event: AriEvent) => this.events.dispatch(event));
    client.on('WebSocketConnected', () => this.onConnected());
    client.on('WebSocketReconnecting', (err?: Error) => this.onDisconnected(err ? err.message : 'connection closed'));
    client.on('WebSocketMaxRetries', (err?: Error) => this.onGaveUp(err));
  }

  async listen(apps: readonly string[]): Promise<void> {
    if (apps.length === 0) throw new AppError('INVALID_INPUT', 'no Stasis application to register');
    this.apps = [...apps];
    this.opening = true;
    try {
      await withTimeout(
        this.client.start(this.apps),
        this.options.connectTimeoutMs,
        () => new AppError('ARI_CONNECT_TIMEOUT', `Asterisk ARI at ${this.options.url} did not open the event WebSocket within ${this.options.connectTimeoutMs} ms`),
      );
    } finally {
      this.opening = false;
    }
    this.connected = true;
    this.options.log.info('ARI connected', { url: this.options.url, apps: this.apps });
  }

  onConnection(listener: (event: ConnectionEvent) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.restartTimer);
    this.connectionListeners.clear();
    try {
      this.client.stop();
    } catch {
      // already closed
    }
    await this.lean?.close();
  }

  private emit(event: ConnectionEvent): void {
    for (const listener of this.connectionListeners) {
      try {
        listener(event);
      } catch (err) {
        this.options.log.error('connection listener failed', { err: errorMessage(err) });
      }
    }
  }

  private onConnected(): void {
    if (this.closed) {
      // ari-client may reconnect after stop() when a retry was already scheduled.
      this.client.stop();
      return;
    }
    if (this.opening || this.connected) return; // the first open is listen()'s
    this.connected = true;
    this.options.log.info('ARI WebSocket reconnected; apps registered again', { apps: this.apps });
    this.emit({ type: 'reconnected' });
  }

  private onDisconnected(reason: string): void {
    if (this.closed || !this.connected) return;
    this.connected = false;
    this.options.log.warn('ARI WebSocket lost; reconnecting', { reason });
    this.emit({ type: 'disconnected', reason });
  }

  private onGaveUp(err?: Error): void {
    if (this.closed) return;
    const delay = this.options.restartDelayMs ?? 5000;
    this.options.log.error('ARI WebSocket reconnection gave up; starting over', { reason: err?.message, delayMs: delay });
    this.restartTimer = setTimeout(() => {
      this.client.start(this.apps).catch((error: unknown) => this.onGaveUp(error instanceof Error ? error : undefined));
    }, delay);
  }

  /** Runs one ari-client operation with a time-out, returning plain data or throwing AriError. */
  private async call<T>(resource: string, nickname: string, params: Record<string, unknown>, resourceId?: string): Promise<T> {
    const operation = `${resource}.${nickname}`;
    const api = (this.client as unknown as Record<string, Record<string, RawOperation> | undefined>)[resource];
    const fn = api?.[nickname];
    if (!fn) throw new AriError({ status: 404, operation, resourceId, message: 'operation not offered by this Asterisk' });
    this.inFlight++;
    try {
      const result = await withTimeout(
        fn(params),
        this.options.requestTimeoutMs,
        () => new AriError({ status: 0, operation, resourceId, message: `no answer within ${this.options.requestTimeoutMs} ms` }),
      );
      return toPlain<T>(result);
    } catch (err) {
      if (err instanceof AriError) throw err;
      throw toAriError(operation, resourceId, err);
    } finally {
      this.inFlight--;
    }
  }

  /**
   * A hot operation: on the lean path when there is one, else through
   * ari-client (`classic`). Both count as in flight for drain().
   */
  private async hot<T>(
    operation: `${string}.${string}`,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    query: Readonly<Record<string, QueryValue>>,
    resourceId: string,
    classic: () => Promise<T>,
    idempotent = false,
  ): Promise<T> {
    if (this.lean === undefined) return classic();
    this.inFlight++;
    try {
      return await this.lean.call<T>(operation, method, path, query, resourceId, { idempotent });
    } finally {
      this.inFlight--;
    }
  }

  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // Two quiet looks in a row: a cleanup may send its request right after another settles.
    for (let quiet = 0; quiet < 2 && Date.now() < deadline; ) {
      quiet = this.inFlight === 0 ? quiet + 1 : 0;
      await sleep(20);
    }
  }

  private async callVoid(resource: string, nickname: string, params: Record<string, unknown>, resourceId?: string): Promise<void> {
    await this.call<unknown>(resource, nickname, params, resourceId);
  }

  readonly channels = {
    list: () => this.call<Channel[]>('channels', 'list', {}),
    get: (channelId: string) => this.call<Channel>('channels', 'get', { channelId }, channelId),
    originate: (o: OriginateOptions) => this.call<Channel>('channels', 'originate', { ...o }, o.channelId ?? o.endpoint),
    create: (o: { endpoint: string; app: string; appArgs?: string; channelId?: string; otherChannelId?: string; variables?: Record<string, string> }) =>
      this.call<Channel>('channels', 'create', { ...o }, o.channelId ?? o.endpoint),
    dial: (channelId: string, o: { caller?: string; timeout?: number } = {}) => this.callVoid('channels', 'dial', { channelId, ...o }, channelId),
    answer: (channelId: string) =>
      // Answering twice is harmless (204, fact 8).
      this.hot('channels.answer', 'POST', `/channels/${segment(channelId)}/answer`, {}, channelId, () => this.callVoid('channels', 'answer', { channelId }, channelId), true),
    hangup: (channelId: string, reason?: HangupReason) =>
      this.hot(
        'channels.hangup',
        'DELETE',
        `/channels/${segment(channelId)}`,
        { reason },
        channelId,
        () => this.callVoid('channels', 'hangup', reason === undefined ? { channelId } : { channelId, reason }, channelId),
        true,
      ),
    continueInDialplan: (channelId: string, o: { context?: string; extension?: string; priority?: number } = {}) =>
      this.callVoid('channels', 'continueInDialplan', { channelId, ...o }, channelId),
    ring: (channelId: string) => this.callVoid('channels', 'ring', { channelId }, channelId),
    sendDtmf: (channelId: string, dtmf: string, o: { between?: number; duration?: number } = {}) =>
      this.hot('channels.sendDTMF', 'POST', `/channels/${segment(channelId)}/dtmf`, { dtmf, between: o.between, duration: o.duration }, channelId, () =>
        this.callVoid('channels', 'sendDTMF', { channelId, dtmf, ...o }, channelId),
      ),
    play: (channelId: string, o: PlayOptions) =>
      this.hot('channels.playWithId', 'POST', `/channels/${segment(channelId)}/play/${segment(o.playbackId)}`, playQuery(o), channelId, () =>
        this.call<Playback>('channels', 'playWithId', { ...o, channelId, media: mediaParam(o.media) }, channelId),
      ),
    record: (channelId: string, o: RecordOptions) =>
      this.hot('channels.record', 'POST', `/channels/${segment(channelId)}/record`, recordQuery(o), channelId, () =>
        this.call<LiveRecording>('channels', 'record', { ...recordParams(o), channelId }, channelId),
      ),
    getVariable: async (channelId: string, variable: string) =>
      (await this.call<{ value: string }>('channels', 'getChannelVar', { channelId, variable }, channelId)).value,
    setVariable: (channelId: string, variable: string, value: string) =>
      this.callVoid('channels', 'setChannelVar', { channelId, variable, value }, channelId),
    startMoh: (channelId: string, mohClass?: string) =>
      this.hot('channels.startMoh', 'POST', `/channels/${segment(channelId)}/moh`, { mohClass }, channelId, () =>
        this.callVoid('channels', 'startMoh', mohClass === undefined ? { channelId } : { channelId, mohClass }, channelId),
      ),
    stopMoh: (channelId: string) =>
      this.hot('channels.stopMoh', 'DELETE', `/channels/${segment(channelId)}/moh`, {}, channelId, () => this.callVoid('channels', 'stopMoh', { channelId }, channelId)),
    hold: (channelId: string) => this.callVoid('channels', 'hold', { channelId }, channelId),
    unhold: (channelId: string) => this.callVoid('channels', 'unhold', { channelId }, channelId),
    mute: (channelId: string, direction: 'both' | 'in' | 'out' = 'both') => this.callVoid('channels', 'mute', { channelId, direction }, channelId),
    unmute: (channelId: string, direction: 'both' | 'in' | 'out' = 'both') => this.callVoid('channels', 'unmute', { channelId, direction }, channelId),
    snoop: (channelId: string, o: SnoopOptions) => {
      // Only the options given go out, so Asterisk applies its own defaults to the rest.
      const params: Record<string, unknown> = { channelId, app: o.app };
      for (const key of ['spy', 'whisper', 'appArgs', 'snoopId'] as const) if (o[key] !== undefined) params[key] = o[key];
      return this.call<Channel>('channels', o.snoopId === undefined ? 'snoopChannel' : 'snoopChannelWithId', params, channelId);
    },
  };

  readonly bridges = {
    list: () => this.call<Bridge[]>('bridges', 'list', {}),
    get: (bridgeId: string) => this.call<Bridge>('bridges', 'get', { bridgeId }, bridgeId),
    create: (o: { bridgeId?: string; type: 'mixing' | 'holding'; name?: string }) =>
      o.bridgeId === undefined
        ? this.call<Bridge>('bridges', 'create', { type: o.type, ...(o.name === undefined ? {} : { name: o.name }) })
        : this.call<Bridge>('bridges', 'createWithId', { bridgeId: o.bridgeId, type: o.type, ...(o.name === undefined ? {} : { name: o.name }) }, o.bridgeId),
    destroy: (bridgeId: string) => this.callVoid('bridges', 'destroy', { bridgeId }, bridgeId),
    addChannel: (bridgeId: string, channelIds: string | readonly string[]) =>
      this.hot('bridges.addChannel', 'POST', `/bridges/${segment(bridgeId)}/addChannel`, { channel: listParam(channelIds) }, bridgeId, () =>
        this.callVoid('bridges', 'addChannel', { bridgeId, channel: listParam(channelIds) }, bridgeId),
      ),
    removeChannel: (bridgeId: string, channelIds: string | readonly string[]) =>
      this.hot('bridges.removeChannel', 'POST', `/bridges/${segment(bridgeId)}/removeChannel`, { channel: listParam(channelIds) }, bridgeId, () =>
        this.callVoid('bridges', 'removeChannel', { bridgeId, channel: listParam(channelIds) }, bridgeId),
      ),
    play: (bridgeId: string, o: PlayOptions) =>
      this.hot('bridges.playWithId', 'POST', `/bridges/${segment(bridgeId)}/play/${segment(o.playbackId)}`, playQuery(o), bridgeId, () =>
        this.call<Playback>('bridges', 'playWithId', { ...o, bridgeId, media: mediaParam(o.media) }, bridgeId),
      ),
    record: (bridgeId: string, o: RecordOptions) =>
      this.hot('bridges.record', 'POST', `/bridges/${segment(bridgeId)}/record`, recordQuery(o), bridgeId, () =>
        this.call<LiveRecording>('bridges', 'record', { ...recordParams(o), bridgeId }, bridgeId),
      ),
    startMoh: (bridgeId: string, mohClass?: string) =>
      this.callVoid('bridges', 'startMoh', mohClass === undefined ? { bridgeId } : { bridgeId, mohClass }, bridgeId),
    stopMoh: (bridgeId: string) => this.callVoid('bridges', 'stopMoh', { bridgeId }, bridgeId),
  };

  readonly playbacks = {
    get: (playbackId: string) =>
      this.hot('playbacks.get', 'GET', `/playbacks/${segment(playbackId)}`, {}, playbackId, () => this.call<Playback>('playbacks', 'get', { playbackId }, playbackId), true),
    stop: (playbackId: string) =>
      this.hot('playbacks.stop', 'DELETE', `/playbacks/${segment(playbackId)}`, {}, playbackId, () => this.callVoid('playbacks', 'stop', { playbackId }, playbackId)),
    control: (playbackId: string, operation: PlaybackOperation) =>
      this.hot('playbacks.control', 'POST', `/playbacks/${segment(playbackId)}/control`, { operation }, playbackId, () =>
        this.callVoid('playbacks', 'control', { playbackId, operation }, playbackId),
      ),
  };

  readonly recordings = {
    listStored: () => this.call<StoredRecording[]>('recordings', 'listStored', {}),
    getStored: (name: string) => this.call<StoredRecording>('recordings', 'getStored', { recordingName: name }, name),
    deleteStored: (name: string) => this.callVoid('recordings', 'deleteStored', { recordingName: name }, name),
    copyStored: (name: string, destination: string) =>
      this.call<StoredRecording>('recordings', 'copyStored', { recordingName: name, destinationRecordingName: destination }, name),
    getStoredFile: (name: string) => this.downloadStoredFile(name),
    getLive: (name: string) => this.call<LiveRecording>('recordings', 'getLive', { recordingName: name }, name),
    stop: (name: string) => this.liveRecording('stop', 'POST', '/stop', name),
    cancel: (name: string) => this.liveRecording('cancel', 'DELETE', '', name),
    pause: (name: string) => this.liveRecording('pause', 'POST', '/pause', name),
    unpause: (name: string) => this.liveRecording('unpause', 'DELETE', '/pause', name),
    mute: (name: string) => this.liveRecording('mute', 'POST', '/mute', name),
    unmute: (name: string) => this.liveRecording('unmute', 'DELETE', '/mute', name),
  };

  readonly sounds = {
    list: async (filter: { lang?: string; format?: string } = {}) => {
      try {
        // Lean too: the whole index is thousands of entries, which ari-client would wrap one by one.
        return await this.hot('sounds.list', 'GET', '/sounds', { lang: filter.lang, format: filter.format }, '', () => this.call<Sound[]>('sounds', 'list', { ...filter }), true);
      } catch (err) {
        // Asterisk answers 404 "No sounds found that matched the query", not [] (fact 30).
        if (err instanceof AriError && err.status === 404) return [];
        throw err;
      }
    },
    get: (soundId: string) =>
      this.hot('sounds.get', 'GET', `/sounds/${segment(soundId)}`, {}, soundId, () => this.call<Sound>('sounds', 'get', { soundId }, soundId), true),
  };

  readonly mailboxes = {
    list: () => this.call<Mailbox[]>('mailboxes', 'list', {}),
    get: (name: string) => this.call<Mailbox>('mailboxes', 'get', { mailboxName: name }, name),
    update: (name: string, counts: { oldMessages: number; newMessages: number }) =>
      this.callVoid('mailboxes', 'update', { mailboxName: name, ...counts }, name),
    delete: (name: string) => this.callVoid('mailboxes', 'delete', { mailboxName: name }, name),
  };

  readonly applications = {
    list: () => this.call<Application[]>('applications', 'list', {}),
    get: (name: string) => this.call<Application>('applications', 'get', { applicationName: name }, name),
    subscribe: (name: string, eventSource: string | readonly string[]) =>
      this.call<Application>('applications', 'subscribe', { applicationName: name, eventSource: listParam(eventSource) }, name),
    unsubscribe: (name: string, eventSource: string | readonly string[]) =>
      this.call<Application>('applications', 'unsubscribe', { applicationName: name, eventSource: listParam(eventSource) }, name),
  };

  readonly asterisk = {
    info: () => this.call<AsteriskInfo>('asterisk', 'getInfo', {}),
    ping: () => this.call<{ ping: string; timestamp: string; asterisk_id: string }>('asterisk', 'ping', {}),
  };

  /** An operation on a live recording (its name %2F-encoded in the path, fact 36). */
  private liveRecording(nickname: string, method: 'POST' | 'DELETE', suffix: string, name: string): Promise<void> {
    return this.hot(`recordings.${nickname}`, method, `/recordings/live/${segment(name)}${suffix}`, {}, name, () =>
      this.callVoid('recordings', nickname, { recordingName: name }, name),
    );
  }

  /**
   * Downloads a stored recording's audio with plain HTTP: ari-client's HTTP
   * layer (shred) decodes response bodies as text, which would corrupt audio.
   */
  private async downloadStoredFile(name: string): Promise<Buffer> {
    const operation = 'recordings.getStoredFile';
    let response: Response;
    try {
      response = await fetch(`${this.options.url}/ari/recordings/stored/${encodeURIComponent(name)}/file`, {
        headers: { Authorization: basicAuth(this.options.username, this.options.password) },
        signal: AbortSignal.timeout(this.options.requestTimeoutMs),
      });
    } catch (err) {
      throw new AriError({ status: 0, operation, resourceId: name, message: describeCause(err), cause: err });
    }
    if (!response.ok) {
      const text = await response.text();
      throw new AriError({ status: response.status, operation, resourceId: name, message: ariErrorMessage(text || response.statusText) });
    }
    return Buffer.from(await response.arrayBuffer());
  }
}
