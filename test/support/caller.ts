/**
 * The test caller: a phone driven over ARI, and nothing else. It originates a
 * Local channel into the test context (asterisk-config/extensions.conf) that
 * enters the app under test, then listens to what is played to its far half
 * (the originating app is subscribed to both halves: transcripts, fact 9),
 * presses keys, plays audio into the call, and hangs up. The same code drives
 * the simulator and a real Asterisk.
 */
import { v4 as uuidv4 } from 'uuid';
import { connectAri, type AriConnection } from '../../src/ari/connect.js';
import { routeKey, type Unroute } from '../../src/ari/router.js';
import type { AriEvent, PlaybackContinuingEvent, PlaybackFinishedEvent, PlaybackStartedEvent } from '../../src/ari/types.js';
import type { World } from './world.js';

/** One thing the caller heard: a playback on the far half. */
export interface Heard {
  playbackId: string;
  media: string;
  state: 'playing' | 'done' | 'failed';
  startedAt: number;
  finishedAt?: number;
}

/** Options of a call. */
export interface DialOptions {
  /** The app's arguments (STASIS_ARGS); none enters the app without arguments. */
  args?: readonly string[];
  /** The caller's language (CHANNEL(language) on the far half). */
  lang?: string;
  /** "Name <number>" */
  callerId?: string;
  /** Wait until the app answers (default true). */
  waitAnswer?: boolean;
  timeoutMs?: number;
}

type Predicate = (event: AriEvent) => boolean;

interface Waiter {
  predicate: Predicate;
  resolve: (event: AriEvent) => void;
}

/** A phone that calls apps under test. */
export class TestCaller {
  private readonly pending = new Map<string, (event: AriEvent) => void>();
  private readonly ringing: ((channelId: string) => void)[] = [];
  /** Calls to this phone that came while nobody was waiting for one (answered by the next answerIncoming). */
  private readonly unanswered: string[] = [];

  private constructor(
    readonly ari: AriConnection,
    readonly app: string,
  ) {
    ari.events.listen('StasisStart', (event) => {
      if (event.type !== 'StasisStart') return;
      const pending = this.pending.get(event.channel.id);
      if (pending) pending(event);
      else {
        const waiter = this.ringing.shift();
        if (waiter) waiter(event.channel.id);
        else this.unanswered.push(event.channel.id);
      }
    });
  }

  /**
   * Waits for a call to this phone (a channel the service placed into
   * `Local/<this.app>@stasis-flows-test-noargs/n`), answers it, and returns its
   * id (the phone's half).
   */
  async answerIncoming(timeoutMs = 10_000): Promise<string> {
    const early = this.unanswered.shift();
    const rang = early !== undefined ? Promise.resolve(early) : new Promise<string>((resolve) => this.ringing.push(resolve));
    const channelId = await withTimeout(rang, timeoutMs, 'a call to this phone');
    await this.ari.channels.answer(channelId);
    return channelId;
  }

  /** Connects a phone over ARI with its own Stasis app `app`. */
  private static async open(world: World, app: string): Promise<TestCaller> {
    const ari = await connectAri({
      url: world.ariUrl,
      username: world.username,
      password: world.password,
      connectTimeoutMs: 10_000,
      connectRetries: 0,
      requestTimeoutMs: 10_000,
      log: world.log,
    });
    await ari.listen([app]);
    return new TestCaller(ari, app);
  }

  /** Connects a caller with its own Stasis app. */
  static connect(world: World): Promise<TestCaller> {
    return TestCaller.open(world, `sf-caller-${uuidv4().slice(0, 8)}`);
  }

  /**
   * Connects a test phone: a caller whose Stasis app is `sf-phone-<12 digits>`, so that
   * the service can call it by number through `[stasis-flows-test-phones]` (see
   * `phoneNumber`; its phone endpoint template is `Local/{number}@stasis-flows-test-phones/n`).
   */
  static connectPhone(world: World): Promise<TestCaller> {
    // The first digit is never 0, so every number the phone has is valid E.164.
    const id = `${1 + Math.floor(Math.random() * 9)}${String(Math.floor(Math.random() * 1e11)).padStart(11, '0')}`;
    return TestCaller.open(world, `sf-phone-${id}`);
  }

  /**
   * A number in `[stasis-flows-test-phones]`: `answers` rings this phone (its app gets
   * the call unanswered: `answerIncoming` picks it up, or the test lets it ring), `busy`
   * is busy, `unanswered` rings for ever, `congested` is congested. Only a phone made
   * with `connectPhone` has numbers (each kind carries the phone's digits, for the logs).
   */
  phoneNumber(kind: 'answers' | 'busy' | 'unanswered' | 'congested'): string {
    const id = /^sf-phone-(\d{12})$/.exec(this.app)?.[1];
    if (id === undefined) throw new Error(`${this.app} is not a test phone: connect it with TestCaller.connectPhone`);
    const prefix = { answers: '1', busy: '2', unanswered: '3', congested: '4' }[kind];
    return `${prefix}${id}`;
  }

  /** Calls an app through the test context; resolves once the app has answered. */
  async dial(app: string, options: DialOptions = {}): Promise<TestCall> {
    const tag = uuidv4();
    const id = `${tag}-1`;
    const peerId = `${tag}-2`;
    const call = new TestCall(this.ari, id, peerId);
    const answered = new Promise<AriEvent>((resolve) => this.pending.set(id, resolve));
    const context = options.args === undefined ? 'stasis-flows-test-noargs' : 'stasis-flows-test';
    try {
      await this.ari.channels.originate({
        endpoint: `Local/${app}@${context}/n`,
        app: this.app,
        channelId: id,
        otherChannelId: peerId,
        ...(options.callerId === undefined ? {} : { callerId: options.callerId }),
        variables: { STASIS_ARGS: (options.args ?? []).join(','), CALLER_LANG: options.lang ?? 'en' },
      });
      if (options.waitAnswer !== false) {
        await withTimeout(answered, options.timeoutMs ?? 10_000, `${app} to answer`);
      }
    } finally {
      this.pending.delete(id);
    }
    return call;
  }

  /**
   * Makes a stored recording of `seconds` of speech on Asterisk, through ARI
   * only: the caller calls itself (both halves in its own app), records one
   * half while playing `media` into the other, and hangs up. Tests use it to
   * seed mailboxes on the simulator and a real Asterisk alike.
   */
  async makeRecording(name: string, seconds: number, media = 'sound:tt-monkeys'): Promise<void> {
    const tag = uuidv4();
    const id = `${tag}-1`;
    const peerId = `${tag}-2`;
    const inStasis = (channelId: string) => new Promise<AriEvent>((resolve) => this.pending.set(channelId, resolve));
    const peerEntered = inStasis(peerId);
    const answered = inStasis(id);
    const finished = new Promise<AriEvent>((resolve) => {
      const unroute = this.ari.events.route(routeKey.recording(name), (event) => {
        if (event.type === 'RecordingFinished' || event.type === 'RecordingFailed') {
          unroute();
          resolve(event);
        }
      });
    });
    try {
      await this.ari.channels.originate({
        endpoint: `Local/${this.app}@stasis-flows-test-noargs/n`,
        app: this.app,
        channelId: id,
        otherChannelId: peerId,
        variables: { CALLER_LANG: 'en' },
      });
      await withTimeout(peerEntered, 10_000, 'the recorder call to enter Stasis');
      await this.ari.channels.answer(peerId);
      await withTimeout(answered, 10_000, 'the recorder call to be answered');
      await this.ari.channels.record(peerId, { name, format: 'wav', ifExists: 'overwrite' });
      const playbackId = uuidv4();
      await this.ari.channels.play(id, { playbackId, media });
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      await this.ari.recordings.stop(name);
      const end = await withTimeout(finished, 10_000, `recording ${name} to finish`);
      if (end.type !== 'RecordingFinished') throw new Error(`recording ${name} failed`);
    } finally {
      this.pending.delete(id);
      this.pending.delete(peerId);
      await this.ari.channels.hangup(id).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.ari.close();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** One call in progress, seen from the phone. */
export class TestCall {
  /** Every event about either half, in arrival order. */
  readonly events: AriEvent[] = [];
  /** What was played to the caller, in order. */
  readonly heard: Heard[] = [];
  /** DTMF digits the app's side received (sanity checks of key presses). */
  private cursor = 0;
  private readonly waiters = new Set<Waiter>();
  private readonly unroutes: Unroute[];
  private gone = false;

  constructor(
    private readonly ari: AriConnection,
    /** The caller's half (;1). */
    readonly id: string,
    /** The half that runs the app (;2). */
    readonly peerId: string,
  ) {
    const onEvent = (event: AriEvent) => this.onEvent(event);
    this.unroutes = [ari.events.route(routeKey.channel(id), onEvent), ari.events.route(routeKey.channel(peerId), onEvent)];
  }

  private onEvent(event: AriEvent): void {
    this.events.push(event);
    if (event.type === 'PlaybackStarted' && event.playback.target_uri === `channel:${this.peerId}`) this.onPlaybackStarted(event);
    if ((event.type === 'PlaybackFinished' || event.type === 'PlaybackContinuing') && event.playback.target_uri === `channel:${this.peerId}`) this.onPlaybackFinished(event);
    if (event.type === 'ChannelDestroyed' && event.channel.id === this.peerId) {
      this.gone = true;
      for (const unroute of this.unroutes) unroute();
    }
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate(event)) {
        this.waiters.delete(waiter);
        waiter.resolve(event);
      }
    }
  }

  private onPlaybackStarted(event: PlaybackStartedEvent): void {
    const known = [...this.heard].reverse().find((h) => h.playbackId === event.playback.id);
    if (known && this.wasUnpause(event)) {
      known.state = 'playing';
      return;
    }
    this.heard.push({ playbackId: event.playback.id, media: event.playback.media_uri, state: 'playing', startedAt: Date.now() });
  }

  /** The end of an item: PlaybackFinished, or PlaybackContinuing between the items of a list (fact 69). */
  private onPlaybackFinished(event: PlaybackFinishedEvent | PlaybackContinuingEvent): void {
    const item = [...this.heard].reverse().find((h) => h.playbackId === event.playback.id);
    if (!item) return; // deleted while queued: never heard
    item.state = event.playback.state === 'failed' ? 'failed' : 'done';
    item.finishedAt = Date.now();
  }

  /**
   * Waits for the next event (after the last one a wait matched) that
   * satisfies `predicate`, and moves past it.
   */
  async next(predicate: Predicate, what: string, timeoutMs = 15_000): Promise<AriEvent> {
    for (let i = this.cursor; i < this.events.length; i++) {
      const event = this.events[i]!;
      if (predicate(event)) {
        this.cursor = i + 1;
        return event;
      }
    }
    const found = await withTimeout(
      new Promise<AriEvent>((resolve) => this.waiters.add({ predicate, resolve })),
      timeoutMs,
      `${what} (heard so far: ${this.heard.map((h) => `${h.media}[${h.state}]`).join(', ') || 'nothing'})`,
    );
    this.cursor = this.events.indexOf(found) + 1;
    return found;
  }

  /** Waits until the caller starts hearing `media` (exact URI or pattern). */
  async hears(media: string | RegExp, timeoutMs?: number): Promise<PlaybackStartedEvent> {
    return (await this.next(
      (e) => e.type === 'PlaybackStarted' && e.playback.target_uri === `channel:${this.peerId}` && matches(e.playback.media_uri, media) && !this.wasUnpause(e),
      `to hear ${String(media)}`,
      timeoutMs,
    )) as PlaybackStartedEvent;
  }

  /** Waits until `media` stops playing to the caller; resolves with the end state. */
  async heardEnd(media: string | RegExp, timeoutMs?: number): Promise<PlaybackFinishedEvent> {
    return (await this.next(
      (e) => e.type === 'PlaybackFinished' && e.playback.target_uri === `channel:${this.peerId}` && matches(e.playback.media_uri, media),
      `${String(media)} to end`,
      timeoutMs,
    )) as PlaybackFinishedEvent;
  }

  private wasUnpause(event: PlaybackStartedEvent): boolean {
    // An unpause re-sends PlaybackStarted for the item playing (fact 26); the next item of a list
    // comes after a PlaybackContinuing (fact 69).
    const earlier = this.events.indexOf(event);
    for (let i = earlier - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if ((e.type === 'PlaybackContinuing' || e.type === 'PlaybackStarted') && e.playback.id === event.playback.id) return e.type === 'PlaybackStarted';
    }
    return false;
  }

  /** Presses keys on the phone; they reach the app as ChannelDtmfReceived. */
  async press(digits: string): Promise<void> {
    await this.ari.channels.sendDtmf(this.id, digits, { between: 100, duration: 100 });
  }

  /**
   * Presses keys and waits until the app's side has received the last one
   * (ChannelDtmfReceived on its half: digits sent while a playback runs wait
   * for it to end, fact 15), then a moment for the app to act on it, so an
   * assertion that nothing changed comes after every key has landed.
   */
  async pressDelivered(digits: string, settleMs = 300): Promise<void> {
    const last = digits.at(-1);
    if (last === undefined) return;
    const from = this.events.length;
    await this.press(digits);
    const seen = (e: AriEvent) => e.type === 'ChannelDtmfReceived' && e.channel.id === this.peerId && e.digit === last;
    if (!this.events.slice(from).some(seen)) {
      await withTimeout(new Promise<AriEvent>((resolve) => this.waiters.add({ predicate: seen, resolve })), 15_000, `the app to receive ${digits}`);
    }
    await new Promise((resolve) => setTimeout(resolve, settleMs));
  }

  /** Plays `media` into the call (the caller "speaks") for `seconds`, then stops. */
  async speak(seconds: number, media = 'sound:tt-monkeys'): Promise<void> {
    const playbackId = uuidv4();
    await this.ari.channels.play(this.id, { playbackId, media });
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    await this.ari.playbacks.stop(playbackId).catch(() => undefined); // it may have ended already
  }

  /**
   * Listens to the call for `seconds`, as the phone hears it: records this
   * half (`;1`), which hears whatever is played or mixed on the app's half
   * (music on hold included), with silence detection on so that Asterisk
   * measures the talking; then deletes the recording. DTMF sent on `;1` waits
   * while it records: press keys before or after, not during.
   */
  async listen(seconds: number): Promise<{ talkingSeconds: number; durationSeconds: number }> {
    const name = `sf-listen/${uuidv4()}`;
    const finished = new Promise<AriEvent>((resolve) => {
      const unroute = this.ari.events.route(routeKey.recording(name), (event) => {
        if (event.type === 'RecordingFinished' || event.type === 'RecordingFailed') {
          unroute();
          resolve(event);
        }
      });
    });
    await this.ari.channels.record(this.id, { name, format: 'wav', maxDurationSeconds: seconds, maxSilenceSeconds: seconds, ifExists: 'overwrite' });
    try {
      const end = await withTimeout(finished, (seconds + 10) * 1000, `listening (${name}) to end`);
      if (end.type !== 'RecordingFinished') throw new Error(`listening failed: ${end.type === 'RecordingFailed' ? end.recording.cause : end.type}`);
      return { talkingSeconds: end.recording.talking_duration ?? 0, durationSeconds: end.recording.duration ?? 0 };
    } finally {
      await this.ari.recordings.deleteStored(name).catch(() => undefined);
    }
  }

  /** Hangs up the phone. */
  async hangup(): Promise<void> {
    await this.ari.channels.hangup(this.id).catch(() => undefined);
  }

  /** Waits until the call is over on the app's side (its half is destroyed). */
  async ended(timeoutMs = 15_000): Promise<void> {
    if (this.gone) return;
    await this.next((e) => e.type === 'ChannelDestroyed' && e.channel.id === this.peerId, 'the call to end', timeoutMs);
  }

  /** True once the app's half is destroyed. */
  get isOver(): boolean {
    return this.gone;
  }

  /** The media URIs heard, in order. */
  heardMedia(): string[] {
    return this.heard.map((h) => h.media);
  }
}

function matches(value: string, expected: string | RegExp): boolean {
  return typeof expected === 'string' ? value === expected : expected.test(value);
}
