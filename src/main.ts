/**
 * Process entry point: configuration, logging, the app, and signals. Nothing
 * here is needed by tests, which start the app through `startApp`.
 */
import { productFlows } from './apps/index.js';
import { startApp, type App } from './app.js';
import { ConfigError, describeConfig, loadConfig, type Config } from './config.js';
import { errorMessage } from './errors.js';
import { createLogger } from './logger.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    // One clear line naming the variable, then stop.
    process.stderr.write(`${err instanceof ConfigError ? err.message : errorMessage(err)}\n`);
    process.exit(1);
  }
  const log = createLogger({ level: config.logLevel });
  // A bug in one call must not take the process (and every other call) down.
  process.on('unhandledRejection', (reason) => log.error('unhandled rejection', { err: errorMessage(reason), stack: reason instanceof Error ? reason.stack : undefined }));
  process.on('uncaughtException', (err) => log.error('uncaught exception', { err: err.message, stack: err.stack }));

  log.info('starting stasis-flows', { config: describeConfig(config) });
  let app: App;
  try {
    app = await startApp({ config, log, flows: productFlows });
  } catch (err) {
    log.error(`cannot start: ${errorMessage(err)}`);
    process.exitCode = 1;
    return;
  }
  log.info('ready', { apps: app.flows.apps, http: app.http.url });

  // The first signal drains (STASIS_FLOWS_DRAIN_MS), the second stops at once.
  let signals = 0;
  const onSignal = (signal: string) => {
    signals++;
    if (signals > 1) {
      log.warn('second signal: stopping at once', { signal, liveCalls: app.runtime.size });
      app.stopNow();
      return;
    }
    log.info('shutting down', { signal, liveCalls: app.runtime.size, drainMs: config.drainMs });
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('shutdown failed', { err: errorMessage(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

await main();
