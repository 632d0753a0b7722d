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
import { openStore } from './storage/index.js';
import type { VoicemailStore } from './storage/types.js';
import { CallRuntime } from './runtime/call-runtime.js';
import { createPlaybackEffect } from './runtime/effects/playback.js';
import { createRecordingEffect } from './runtime/effects/recording.js';
import { FlowRegistry, type Flow } from './runtime/flow.js';

/** What flows are built with. */
export interface FlowServices {
  readonly ari: AriPort;
  readonly config: Config;
  readonly log: Logger;
  /** Mailboxes and messages. */
  readonly store: VoicemailStore;
  /** Events for integrations (voicemail.deposited...). */
  readonly events: AppEvents;
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
  readonly events: AppEvents;
  /** Stops the calls, closes the ARI connection and the store. */
  stop(): Promise<void>;
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
  const ari: AriConnection = await connectAri({
    url: config.ari.url,
    username: config.ari.username,
    password: config.ari.password,
    connectTimeoutMs: config.ari.connectTimeoutMs,
    connectRetries: config.ari.connectRetries,
    requestTimeoutMs: config.ari.requestTimeoutMs,
    log,
  });
  const store = openStore(config.dataDir, { defaultMaxMessages: config.voicemail.maxMessages });
  const events = new AppEvents((err, event) => log.error('event listener failed', { event, err: errorMessage(err) }));
  const services: FlowServices = { ari, config, log, store, events, effects: createEffects(ari, config) };
  const flows = new FlowRegistry(options.flows.map((build) => build(services)));
  const runtime = new CallRuntime({ ari, flows, log, postCallTimeoutMs: config.postCallTimeoutMs });
  runtime.start();
  const stop = async () => {
    await runtime.stop();
    await ari.close();
    await store.close();
  };
  try {
    await ari.listen(flows.apps);
  } catch (err) {
    await stop();
    throw err;
  }
  // One warning per prompt missing in a configured language; calls are taken meanwhile.
  const prompts = [...new Set([...flows].flatMap((flow) => flow.prompts))];
  void checkPromptsAtStartup(ari, prompts, config.languages, log);
  return { ari, runtime, flows, store, events, stop };
}
