/**
 * The world a scenario runs in: a real Asterisk when ARI_URL is set
 * (`npm run test:asterisk`), otherwise the in-repo ARI simulator. This is the
 * only test module that knows the difference; scenario files never do.
 */
import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startApp, type App, type FlowFactory } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { startSimulator } from '../../src/simulator/index.js';

/** Where ARI is, and what the tests may touch there. */
export interface World {
  readonly ariUrl: string;
  readonly username: string;
  readonly password: string;
  /** True against a real Asterisk (for messages only; scenarios must not branch on it). */
  readonly real: boolean;
  /** A scratch directory for this world (data dir, exports). */
  readonly tmpDir: string;
  /**
   * A sounds directory Asterisk reads and the tests may write (`<dir>/<lang>/<name>.<ext>`),
   * when asked for: the simulator's is a private copy of the installed prompts; a real
   * Asterisk's comes from ASTERISK_SOUNDS_DIR (undefined when not set).
   */
  readonly soundsDir: string | undefined;
  /** Builds a configuration for an app under test, from defaults plus `env`. */
  config(env?: Record<string, string>): Config;
  /** Starts the app with these flows; it is stopped by `close()`. */
  startApp(flows: readonly FlowFactory[], env?: Record<string, string>): Promise<App>;
  /** A logger for tests: silent unless TEST_LOG_LEVEL is set. */
  readonly log: Logger;
  close(): Promise<void>;
}

/** Installed prompts, linked into a private sounds directory for a simulator world. */
const INSTALLED_SOUNDS = '/usr/share/asterisk/sounds';

async function privateSoundsDir(tmpDir: string): Promise<string> {
  const dir = path.join(tmpDir, 'sounds');
  const english = path.join(dir, 'en');
  await mkdir(english, { recursive: true });
  const source = path.join(INSTALLED_SOUNDS, 'en');
  const entries = await readdir(source, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    const from = path.join(entry.parentPath, entry.name);
    const to = path.join(english, path.relative(source, from));
    await mkdir(path.dirname(to), { recursive: true });
    await symlink(from, to);
  }
  return dir;
}

/** Starts a world: the simulator, or the real Asterisk named by ARI_URL. */
export async function startWorld(options: { writableSounds?: boolean } = {}): Promise<World> {
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'stasis-flows-test-'));
  const level = process.env.TEST_LOG_LEVEL;
  const log = createLogger({ level: level === 'debug' || level === 'info' || level === 'warn' ? level : 'error', silent: !level });
  const realUrl = process.env.ARI_URL;
  // Asterisk's <spooldir>/recording exists on any install; the simulator, faithful, needs it too (fact 35).
  const recordingsDir = path.join(tmpDir, 'recording');
  if (!realUrl) await mkdir(recordingsDir);
  const soundsDir = realUrl ? process.env.ASTERISK_SOUNDS_DIR : options.writableSounds ? await privateSoundsDir(tmpDir) : undefined;
  const simulator = realUrl ? undefined : await startSimulator({ recordingsDir, ...(soundsDir ? { soundsDir } : {}) }).catch(async (err: unknown) => {
    await rm(tmpDir, { recursive: true, force: true });
    throw err;
  });
  const ariUrl = realUrl ?? simulator!.url;
  const username = realUrl ? (process.env.ARI_USERNAME ?? 'asterisk') : 'asterisk';
  const password = realUrl ? (process.env.ARI_PASSWORD ?? 'asterisk') : 'asterisk';
  const apps: App[] = [];

  const config = (env: Record<string, string> = {}) =>
    loadConfig({
      ARI_URL: ariUrl,
      ARI_USERNAME: username,
      ARI_PASSWORD: password,
      ARI_CONNECT_RETRIES: '0',
      STASIS_FLOWS_DATA_DIR: path.join(tmpDir, 'data'),
      STASIS_FLOWS_POST_CALL_TIMEOUT_MS: '5000',
      // A test that fails with calls still up should not wait the default 30 s at close.
      STASIS_FLOWS_DRAIN_MS: '2000',
      // Many apps run at once in a test run: each HTTP API on a free port.
      STASIS_FLOWS_HTTP_PORT: '0',
      ...(soundsDir ? { ASTERISK_SOUNDS_DIR: soundsDir } : {}),
      ...env,
    });

  return {
    ariUrl,
    username,
    password,
    real: Boolean(realUrl),
    tmpDir,
    soundsDir,
    log,
    config,
    async startApp(flows, env) {
      const app = await startApp({ config: config(env), log, flows });
      apps.push(app);
      return app;
    },
    async close() {
      for (const app of apps.splice(0)) await app.stop();
      await simulator?.close();
      await rm(tmpDir, { recursive: true, force: true });
    },
  };
}
