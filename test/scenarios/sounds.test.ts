/**
 * Sounds, from the admin's side and the caller's: `stasis-flows sounds add`
 * writes a prompt into Asterisk's sounds directory, ARI lists it in the right
 * language and formats at once, and a caller in that language hears it to the
 * end; `sounds check` gates on the flows' prompts. Runs unchanged wherever
 * test/support/world.ts points ARI; against a real Asterisk it needs a sounds
 * directory the test may write (ASTERISK_SOUNDS_DIR). Everything happens in languages of the test's own.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { v4 as uuidv4 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { App } from '../../src/app.js';
import { allPrompts } from '../../src/apps/prompts.js';
import { runCli } from '../../src/cli/main.js';
import { announceFlow } from '../sounds/announce-flow.js';
import { makeTone } from '../sounds/media.js';
import { TestCaller } from '../support/caller.js';
import { eventually } from '../support/wait.js';
import { startWorld, type World } from '../support/world.js';
import { Sink } from '../support/sink.js';

const APP = `announce-${uuidv4().slice(0, 8)}`;
const SKIP = 'no sounds directory this test may write: set ASTERISK_SOUNDS_DIR to the Asterisk sounds directory (<astdatadir>/sounds)';

let world: World;
let app: App;
let caller: TestCaller;
let inputs: string;
const languages: string[] = [];

beforeAll(async () => {
  world = await startWorld({ writableSounds: true });
  app = await world.startApp([announceFlow(APP)]);
  caller = await TestCaller.connect(world);
  inputs = path.join(world.tmpDir, 'inputs');
  await mkdir(inputs);
});

afterAll(async () => {
  await caller?.close();
  if (world?.soundsDir) for (const language of languages) await rm(path.join(world.soundsDir, language), { recursive: true, force: true });
  await world?.close();
});

/** The admin runs `stasis-flows ...` on the Asterisk host. */
async function admin(args: string[], env: Record<string, string> = {}) {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runCli(args, {
    env: {
      ARI_URL: world.ariUrl,
      ARI_USERNAME: world.username,
      ARI_PASSWORD: world.password,
      ARI_CONNECT_RETRIES: '0',
      STASIS_FLOWS_DATA_DIR: path.join(world.tmpDir, 'data'),
      ...(world.soundsDir ? { ASTERISK_SOUNDS_DIR: world.soundsDir } : {}),
      ...env,
    },
    stdout,
    stderr,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

function newLanguage(ctx: TestContext): string {
  if (!world.soundsDir) ctx.skip(SKIP);
  const language = `zz_s${uuidv4().replace(/-/g, '').slice(0, 8)}`;
  languages.push(language);
  return language;
}

async function tone(name: string, seconds = 0.8): Promise<string> {
  return makeTone(path.join(inputs, name), { rate: 44_100, channels: 2, seconds });
}

/** The formats ARI lists for a sound, as `language/codec`. */
async function formatsOf(name: string): Promise<string[]> {
  const sound = await caller.ari.sounds.get(name).catch(() => undefined);
  return (sound?.formats ?? []).map((f) => `${f.language}/${f.format}`).sort();
}

describe('sounds scenarios', () => {
  it('an added sound is listed in its language and formats, and a caller in that language hears it to the end', async (ctx) => {
    const language = newLanguage(ctx);
    const name = `sf-test-${uuidv4().slice(0, 8)}`;
    const added = await admin(['sounds', 'add', await tone('welcome.mp3', 2), '--name', name, '--lang', language]);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toMatch(new RegExp(`^${name} +${language} +2\\.\\d\\d s +slin, slin16 `, 'm'));
    // No reload: Asterisk reads its sounds index from disk on every request.
    expect(await formatsOf(name)).toEqual([`${language}/slin`, `${language}/slin16`]);

    const call = await caller.dial(APP, { args: [name], lang: language });
    const started = await call.hears(`sound:${name}`);
    expect(started.playback.language).toBe(language);
    const finished = await call.heardEnd(`sound:${name}`);
    expect(finished.playback.state).toBe('done');
    const heard = call.heard.find((h) => h.media === `sound:${name}`)!;
    expect((heard.finishedAt! - heard.startedAt) / 1000).toBeGreaterThan(1.5);
    await call.ended();
    await eventually(() => app.runtime.size === 0, 'the call to be over in the app');
  });

  it('sounds check fails when a flow prompt is removed from a language, and passes once it is restored', async (ctx) => {
    const language = newLanguage(ctx);
    for (const prompt of allPrompts()) {
      const r = prompt === 'vm-goodbye'
        ? await admin(['sounds', 'say', 'Goodbye.', '--name', prompt, '--lang', language, '--voice', 'en'])
        : await admin(['sounds', 'add', await tone(`${prompt}.wav`), '--lang', language]);
      expect(r, r.stderr).toMatchObject({ code: 0 });
    }
    expect(await admin(['sounds', 'check', '--lang', language])).toMatchObject({ code: 0, stdout: `${language}: ok, all ${allPrompts().length} prompts present\n` });

    const removed = await admin(['sounds', 'remove', 'vm-intro', '--lang', language, '--force']);
    expect(removed.code).toBe(0);
    expect(await formatsOf('vm-intro')).not.toContain(`${language}/slin`);
    const failing = await admin(['sounds', 'check', '--lang', language]);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain(`${language}: MISSING 1 of ${allPrompts().length}: vm-intro (vm-record)`);

    expect((await admin(['sounds', 'add', await tone('vm-intro.wav'), '--lang', language])).code).toBe(0);
    expect(await admin(['sounds', 'check', '--lang', language])).toMatchObject({ code: 0 });
  });

  it('an unreachable Asterisk: sounds add fails with one line and writes nothing', async (ctx) => {
    const language = newLanguage(ctx);
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const r = await admin(['sounds', 'add', await tone('down.wav'), '--lang', language], { ARI_URL: `http://127.0.0.1:${port}` });
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toMatch(/^stasis-flows: Asterisk ARI at http:\/\/127\.0\.0\.1:\d+ is unreachable: [^\n]*; nothing was written \(--no-verify installs without asking Asterisk\)\n$/);
    expect(await readdir(path.join(world.soundsDir!, language)).catch(() => [])).toEqual([]);
  });

  it('files Asterisk does not see (another sounds directory) stay, complete, and the message says so', async () => {
    const elsewhere = path.join(world.tmpDir, 'not-asterisks-sounds');
    await mkdir(elsewhere);
    const name = `sf-lost-${uuidv4().slice(0, 8)}`;
    const r = await admin(['sounds', 'add', await tone('lost.wav'), '--name', name, '--lang', 'en'], { ASTERISK_SOUNDS_DIR: elsewhere });
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toBe(
      `stasis-flows: wrote en/${name}.wav, en/${name}.sln16 under ${elsewhere}, but Asterisk does not list ${name} in en as slin, slin16 (it lists nothing); ` +
        'the files are complete and stay in place; check that ASTERISK_SOUNDS_DIR is the sounds directory of this Asterisk\n',
    );
    expect((await readdir(path.join(elsewhere, 'en'))).sort()).toEqual([`${name}.sln16`, `${name}.wav`]);
  });
});
