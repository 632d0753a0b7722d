/**
 * The application factory, separate from the process entry point (main.ts):
 * tests start the same app in-process against the simulator or a real Asterisk.
 */
import { connectAri, type AriConnection } from './ari/connect.js';
import type { AriPort } from './ari/port.js';
import type { Config } from './config.js';
import { AppEvents } from './events.js';
import { errorMessage } from './errors.js';
import type { Logger } from './logger.js';
import { checkPromptsAtStartup } from './sounds/startup-check.js';
import { startHttpApi, type HttpApi } from './http/server.js';
import { openQueueStore, openStore, openVoiceStore } from './storage/index.js';
import type { QueueStore, VoicemailStore } from './storage/types.js';
import type { VoiceStore } from './storage/voice-types.js';
import type { CallControl, ConferenceControl } from './apps/voice-api/control-types.js';
import { CallRuntime } from './runtime/call-runtime.js';
import { createPlaybackEffect } from './runtime/effects/playback.js';
import { createRecordingEffect } from './runtime/effects/recording.js';
import { FlowRegistry, type Flow } from './runtime/flow.js';
import { NamedActors } from './runtime/named-actors.js';

/** What flows are built with. */
export interface FlowServices {
  readonly ari: AriPort;
  readonly config: Config;
  readonly log: Logger;
  /** Mailboxes and messages. */
  readonly store: VoicemailStore;
  /** The queue log and the queues' live members. */
  readonly queueStore: QueueStore;
  /** Events for integrations (voicemail.deposited, call.started...). */
  readonly events: AppEvents;
  /** Voice-API applications and their recordings. */
  readonly voiceStore: VoiceStore;
  /** The base of URLs handed out (STASIS_FLOWS_PUBLIC_URL, else the HTTP API's own address). */
  publicUrl(): string;
  /** Work to do at shutdown once the calls are over, before the stores close (flushing webhooks). */
  atStop(task: () => Promise<void>): void;
  /** The call runtime, once it exists (flows are built before it): to place calls and reach live ones. */
  runtime(): CallRuntime;
  /** What flows offer the HTTP API (the voice API's call control). */
  readonly http: { calls?: CallControl; conferences?: ConferenceControl };
  /** Long-lived named actors many calls share (queues); stopped and persisted before the stores close. */
  readonly actors: NamedActors;
  /** The shared effects, bound to this ARI connection. */
  readonly effects: {
    readonly playback: ReturnType<typeof createPlaybackEffect>;
    readonly recording: ReturnType<typeof createRecordingEffect>;
  };
}

/** Builds a flow once the services exist. */
export type FlowFactory = (services: FlowServices) => Flow;

/** A running app. */
export interface App {
  readonly ari: AriPort;
  readonly runtime: CallRuntime;
  readonly flows: FlowRegistry;
  readonly store: VoicemailStore;
  readonly queueStore: QueueStore;
  readonly voiceStore: VoiceStore;
  readonly events: AppEvents;
  /** The HTTP API (recordings now; call control next). */
  readonly http: HttpApi;
  /**
   * Shuts down: no new calls (they go back to the dialplan), live calls get
   * `STASIS_FLOWS_DRAIN_MS`, then each is ended through its flow; then the
   * long-lived actors stop and persist, the ARI connection and the stores close.
   */
  stop(): Promise<void>;
  /** Cuts a `stop()` short (a second signal): every call is hung up at once; the rest of the shutdown still runs. */
  stopNow(): void;
}

/** Builds the shared effects for one ARI connection. */
export function createEffects(ari: AriPort, config: Config): FlowServices['effects'] {
  return {
    playback: createPlaybackEffect(ari, config.playback),
    recording: createRecordingEffect(ari, { finishTimeoutMs: 5000 }),
  };
}

/** Connects to ARI, builds the flows, starts the call runtime and registers the apps. */
export async function startApp(options: { config: Config; log: Logger; flows: readonly FlowFactory[] }): Promise<App> {
  const { config, log } = options;
  // Local first: a database that cannot open stops start-up before Asterisk is involved.
  const store = openStore(config.dataDir, { defaultMaxMessages: config.voicemail.maxMessages });
  let queueStore: QueueStore | undefined;
  let voiceStore: VoiceStore | undefined;
  let http: HttpApi | undefined;
  const stopTasks: (() => Promise<void>)[] = [];
  let ari: AriConnection | undefined;
  let runtime: CallRuntime | undefined;
  const actors = new NamedActors(log);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await runtime?.drain(config.drainMs);
      // Queues may still be writing their members: they finish before the stores close.
      await actors.stopAll();
      for (const task of stopTasks.splice(0)) await task().catch((err: unknown) => log.warn('a shutdown task failed', { err: errorMessage(err) }));
      await http?.close();
      // Cleanups of the calls just ended (stop a playback, destroy a bridge) are still on the wire.
      await ari?.drain(2000);
      await ari?.close();
      await store.close();
      await queueStore?.close();
      await voiceStore?.close();
    })());
  const stopNow = () => runtime?.stopNow();
  try {
    queueStore = openQueueStore(config.dataDir);
    // Members a previous run left (it crashed) are not in any queue now.
    const stale = await queueStore.clearMembers();
    if (stale > 0) log.info('cleared queue members a previous run left', { members: stale });
    voiceStore = openVoiceStore(config.dataDir);
    const voice = voiceStore;
    ari = await connectAri({
      url: config.ari.url,
      username: config.ari.username,
      password: config.ari.password,
      connectTimeoutMs: config.ari.connectTimeoutMs,
      connectRetries: config.ari.connectRetries,
      requestTimeoutMs: config.ari.requestTimeoutMs,
      requestPath: config.ari.requestPath,
      log,
    });
    const events = new AppEvents((err, event) => log.error('event listener failed', { event, err: errorMessage(err) }));
    const services: FlowServices = {
      ari,
      config,
      log,
      store,
      queueStore,
      voiceStore: voice,
      publicUrl: () => config.voiceApi.publicUrl ?? http?.url ?? '',
      atStop: (task) => stopTasks.push(task),
      runtime: () => {
        if (!runtime) throw new Error('the call runtime is not started yet');
        return runtime;
      },
      http: {},
      events,
      actors,
      effects: createEffects(ari, config),
    };
    const flows = new FlowRegistry(options.flows.map((build) => build(services)));
    runtime = new CallRuntime({ ari, flows, log, events, postCallTimeoutMs: config.postCallTimeoutMs });
    runtime.start();
    // After the flows: the API serves what they offer (call control).
    http = await startHttpApi(
      { voiceStore: voice, log, publicUrl: () => config.voiceApi.publicUrl ?? http?.url ?? '', ...services.http },
      { host: config.voiceApi.httpHost, port: config.voiceApi.httpPort },
    );
    const httpApi = http;
    await ari.listen(flows.apps);
    // One warning per prompt missing in a configured language; calls are taken meanwhile.
    const prompts = [...new Set([...flows].flatMap((flow) => flow.prompts))];
    void checkPromptsAtStartup(ari, prompts, config.languages, log);
    return { ari, runtime, flows, store, queueStore, voiceStore: voice, events, http: httpApi, stop, stopNow };
  } catch (err) {
    await stop();
    throw err;
  }
}
