/**
 * `stasis-flows sounds ...` in-process through runCli, against the world's ARI
 * (the simulator, or a real Asterisk with ARI_URL and ASTERISK_SOUNDS_DIR).
 * Each test works in a language of its own, so a real Asterisk's prompts are
 * never touched.
 */
import { chmod, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { v4 as uuidv4 } from 'uuid';
import { afterAll, afterEach, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { FLOW_PROMPTS, allPrompts } from '../../src/apps/prompts.js';
import { runCli } from '../../src/cli/main.js';
import { promptsByName } from '../../src/sounds/inventory.js';
import { makeTone, permissionsApply } from '../sounds/media.js';
import { startWorld, type World } from '../support/world.js';
import { Sink } from '../support/sink.js';

let world: World;
let inputs: string;
const languages: string[] = [];
let printed = '';

beforeAll(async () => {
  world = await startWorld({ writableSounds: true });
  inputs = path.join(world.tmpDir, 'inputs');
  await mkdir(inputs);
});

afterAll(async () => {
  if (world?.soundsDir) for (const language of languages) await rm(path.join(world.soundsDir, language), { recursive: true, force: true });
  await world?.close();
});

afterEach(() => {
  // Expected failures are one line, never a stack.
  expect(printed).not.toMatch(/\n\s+at /);
  printed = '';
});

/** A language of this test's own. */
function newLanguage(): string {
  const language = `zz_c${uuidv4().replace(/-/g, '').slice(0, 8)}`;
  languages.push(language);
  return language;
}

/** The sounds directory, or skips the test when the world has none we may write. */
function soundsDir(ctx: TestContext): string {
  if (!world.soundsDir) ctx.skip('ASTERISK_SOUNDS_DIR is not set: no sounds directory of this Asterisk to write');
  return world.soundsDir;
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ARI_URL: world.ariUrl,
    ARI_USERNAME: world.username,
    ARI_PASSWORD: world.password,
    ARI_CONNECT_RETRIES: '0',
    STASIS_FLOWS_DATA_DIR: path.join(world.tmpDir, 'data'),
    ...(world.soundsDir ? { ASTERISK_SOUNDS_DIR: world.soundsDir } : {}),
    ...extra,
  };
}

async function cli(args: string[], extra: Record<string, string> = {}, options: { tty?: boolean } = {}) {
  const stdout = new Sink();
  const stderr = new Sink(options.tty);
  const code = await runCli(args, { env: env(extra), stdout, stderr });
  printed += stdout.text + stderr.text;
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Expects a failure: exit 1, one line on stderr, nothing on stdout. */
async function fails(args: string[], message: RegExp | string, extra?: Record<string, string>) {
  const r = await cli(args, extra);
  expect(r).toMatchObject({ code: 1, stdout: '' });
  expect(r.stderr).toMatch(/^stasis-flows: [^\n]+\n$/);
  if (typeof message === 'string') expect(r.stderr).toBe(`stasis-flows: ${message}\n`);
  else expect(r.stderr).toMatch(message);
}

async function tone(name: string, options: { rate?: number; channels?: number; seconds?: number } = {}): Promise<string> {
  return makeTone(path.join(inputs, name), { rate: options.rate ?? 16_000, channels: options.channels ?? 1, seconds: options.seconds ?? 0.6 });
}

async function filesIn(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).sort();
}

/** What `sounds list --all --json` says about one sound in one language. */
async function listed(name: string, language: string): Promise<readonly string[] | undefined> {
  const r = await cli(['sounds', 'list', '--all', '--json', '--lang', language]);
  expect(r.code).toBe(0);
  const rows = JSON.parse(r.stdout) as { prompt: string; formats: Record<string, string[]> }[];
  return rows.find((row) => row.prompt === name)?.formats[language];
}

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('stasis-flows sounds: help and usage', () => {
  it('the group and every command have --help', async () => {
    const group = await cli(['sounds', '--help']);
    expect(group.code).toBe(0);
    for (const command of ['add', 'say', 'list', 'check', 'remove']) {
      expect(group.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
      const help = await cli(['sounds', command, '--help']);
      expect(help).toMatchObject({ code: 0, stderr: '' });
      expect(help.stdout).toMatch(new RegExp(`^Usage: stasis-flows sounds ${command} `));
    }
    expect((await cli(['--help'])).stdout).toMatch(/^ {2}sounds /m);
  });

  it('usage errors exit 2 with the usage text', async () => {
    const noFile = await cli(['sounds', 'add']);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toMatch(/^stasis-flows: missing argument <file>\n\nUsage: stasis-flows sounds add <file\.\.\.>/);
    const sayNoName = await cli(['sounds', 'say', 'hello']);
    expect(sayNoName).toMatchObject({ code: 2 });
    expect(sayNoName.stderr).toMatch(/^stasis-flows: missing option --name\n/);
  });

  it('a bad name or language is one line', async () => {
    const file = await tone('ok.wav');
    await fails(['sounds', 'add', file, '--name', '../../etc/x'], /sound name "\.\.\/\.\.\/etc\/x" must not contain/);
    await fails(['sounds', 'add', file, '--name', 'a/b'], /must not contain "\/"/);
    await fails(['sounds', 'add', file, '--lang', '../en'], /language "\.\.\/en" must be a code such as en/);
    await fails(['sounds', 'remove', '..', '--lang', 'en'], /must not contain/);
  });

  it('without ARI_URL, commands that ask Asterisk say which variable is missing', async () => {
    await fails(['sounds', 'check'], 'config: ARI_URL is required but not set', { ARI_URL: '' });
  });
});

describe('stasis-flows sounds add', () => {
  it('converts a file, writes wav and sln16 in the language, and Asterisk lists both', async (ctx) => {
    const dir = soundsDir(ctx);
    const language = newLanguage();
    const file = await tone('greeting.mp3', { rate: 44_100, channels: 2, seconds: 1.2 });
    const r = await cli(['sounds', 'add', file, '--lang', language]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const [header, row, ...rest] = r.stdout.split('\n');
    expect(header).toMatch(/^NAME +LANG +DURATION +ASTERISK LISTS +SOURCE$/);
    expect(row).toMatch(new RegExp(`^greeting +${language} +1\\.2\\d s +slin, slin16 +${file} \\(44100 Hz stereo, MPEG`));
    expect(rest.join('\n')).toContain(`Wrote greeting.wav, greeting.sln16 to ${path.join(dir, language)}.`);
    expect(rest.join('\n')).toContain(`Asterisk lists it in ${language} now; no reload is needed.`);
    expect(await filesIn(path.join(dir, language))).toEqual(['greeting.sln16', 'greeting.wav']);
    expect(await listed('greeting', language)).toEqual(['slin', 'slin16']);
  });

  it('a batch: each file named after itself, plain progress lines when not a terminal', async (ctx) => {
    const dir = soundsDir(ctx);
    const language = newLanguage();
    const files = [await tone('b-one.wav', { rate: 44_100, channels: 2 }), await tone('b-two.ogg', { rate: 48_000 }), await tone('b-three.flac', { rate: 22_050 })];
    const r = await cli(['sounds', 'add', ...files, '--lang', language]);
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      `[1/6] converting ${files[0]}`,
      `[2/6] converting ${files[1]}`,
      `[3/6] converting ${files[2]}`,
      '[4/6] adding and verifying b-one',
      '[5/6] adding and verifying b-two',
      '[6/6] adding and verifying b-three',
    ]);
    expect(r.stdout).toMatch(/^b-one +/m);
    expect(r.stdout).toMatch(/^b-three +/m);
    expect(await filesIn(path.join(dir, language))).toEqual(['b-one.sln16', 'b-one.wav', 'b-three.sln16', 'b-three.wav', 'b-two.sln16', 'b-two.wav']);
  });

  it('a batch on a terminal draws a bar in place and clears it', async (ctx) => {
    soundsDir(ctx);
    const language = newLanguage();
    const r = await cli(['sounds', 'add', await tone('t-one.wav'), await tone('t-two.wav'), '--lang', language], {}, { tty: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('\r\u001b[2K[');
    expect(r.stderr).toContain('] 4/4 adding and verifying t-two');
    expect(r.stderr).not.toContain('\n');
    expect(r.stderr.endsWith('\r\u001b[2K')).toBe(true);
  });

  it('--name names one file only', async () => {
    const r = await cli(['sounds', 'add', await tone('n1.wav'), await tone('n2.wav'), '--name', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^stasis-flows: --name names one sound; with several files each is named after its file\n/);
  });

  it('bad input writes nothing: not audio, silent, empty, missing', async (ctx) => {
    const dir = soundsDir(ctx);
    const language = newLanguage();
    const text = path.join(inputs, 'readme.txt');
    await writeFile(text, 'not audio');
    const empty = path.join(inputs, 'empty.wav');
    await writeFile(empty, '');
    const silent = await makeTone(path.join(inputs, 'silent.wav'), { rate: 8000, channels: 1, seconds: 1, volume: 0 });
    await fails(['sounds', 'add', text, '--lang', language], `${text} is not an audio file sox can read (.txt); use wav, mp3, ogg or flac; nothing was written`);
    await fails(['sounds', 'add', silent, '--lang', language], `${silent} is silent (1.00 s of silence); nothing was written`);
    await fails(['sounds', 'add', empty, '--lang', language], `${empty} is empty (0 bytes); nothing was written`);
    await fails(['sounds', 'add', path.join(inputs, 'nope.wav'), '--lang', language], `${path.join(inputs, 'nope.wav')}: no such file; nothing was written`);
    expect(await filesIn(path.join(dir, language))).toEqual([]);
  });

  it('a batch with one bad file writes nothing, not even the good ones', async (ctx) => {
    const dir = soundsDir(ctx);
    const language = newLanguage();
    const silent = await makeTone(path.join(inputs, 'hush.wav'), { rate: 8000, channels: 1, seconds: 1, volume: 0 });
    // A batch on a non-terminal prints its progress lines first; the error is still one line, the last.
    const batch = await cli(['sounds', 'add', await tone('fine.wav'), silent, '--lang', language]);
    expect(batch).toMatchObject({ code: 1, stdout: '' });
    expect(batch.stderr.split('\n').filter(Boolean)).toEqual([
      `[1/4] converting ${path.join(inputs, 'fine.wav')}`,
      `[2/4] converting ${silent}`,
      `stasis-flows: ${silent} is silent (1.00 s of silence); nothing was written`,
    ]);
    expect(await filesIn(path.join(dir, language))).toEqual([]);
  });

  it('an existing sound needs --force', async (ctx) => {
    soundsDir(ctx);
    const language = newLanguage();
    const file = await tone('again.wav');
    expect((await cli(['sounds', 'add', file, '--lang', language])).code).toBe(0);
    await fails(['sounds', 'add', file, '--lang', language], `again already exists in ${language} (again.sln16, again.wav); use --force to replace it`);
    expect((await cli(['sounds', 'add', file, '--lang', language, '--force'])).code).toBe(0);
  });

  it('a sounds directory that cannot be written is one line, before anything is converted', async () => {
    const file = path.join(world.tmpDir, 'a-file');
    await writeFile(file, 'x');
    const bad = path.join(file, 'sounds');
    await fails(['sounds', 'add', await tone('w.wav')], `sounds directory ${bad} does not exist or is not a directory: set ASTERISK_SOUNDS_DIR to Asterisk's <astdatadir>/sounds`, {
      ASTERISK_SOUNDS_DIR: bad,
    });
  });

  it('a read-only sounds directory is one line', async (ctx) => {
    const dir = path.join(world.tmpDir, 'readonly-sounds');
    await mkdir(dir, { recursive: true });
    if (!(await permissionsApply(dir))) ctx.skip('running as root: chmod does not stop writes (the path-under-a-file case covers the error)');
    await chmod(dir, 0o555);
    try {
      await fails(['sounds', 'add', await tone('r.wav'), '--no-verify'], `cannot write to the sounds directory ${dir}: permission denied`, { ASTERISK_SOUNDS_DIR: dir });
    } finally {
      await chmod(dir, 0o755);
    }
  });

  it('an unreachable Asterisk: one line, nothing written', async (ctx) => {
    const dir = soundsDir(ctx);
    const language = newLanguage();
    const url = `http://127.0.0.1:${await closedPort()}`;
    await fails(['sounds', 'add', await tone('u.wav'), '--lang', language], new RegExp(`^stasis-flows: Asterisk ARI at ${url} is unreachable: .*; nothing was written \\(--no-verify installs without asking Asterisk\\)\\n$`), {
      ARI_URL: url,
    });
    expect(await filesIn(path.join(dir, language))).toEqual([]);
  });

  it('--no-verify writes without Asterisk (and without ARI settings)', async () => {
    const dir = path.join(world.tmpDir, 'offline-sounds');
    await mkdir(dir, { recursive: true });
    const r = await cli(['sounds', 'add', await tone('offline.wav'), '--lang', 'en', '--no-verify'], { ASTERISK_SOUNDS_DIR: dir, ARI_URL: '' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^offline +en +0\.60 s +not verified/m);
    expect(r.stdout).toContain('Not checked through ARI (--no-verify): run "stasis-flows sounds check" once Asterisk runs.');
    expect(await filesIn(path.join(dir, 'en'))).toEqual(['offline.sln16', 'offline.wav']);
  });
});

describe('stasis-flows sounds say', () => {
  it('synthesises and adds a prompt; the same text again comes from the cache', async (ctx) => {
    const dir = soundsDir(ctx);
    const language = newLanguage();
    const args = ['sounds', 'say', 'Thank you for calling.', '--name', 'thanks', '--lang', language, '--voice', 'en'];
    const first = await cli(args);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^thanks +${language} +\\d\\.\\d\\d s +slin, slin16 +"Thank you for calling\\."`, 'm'));
    expect(first.stdout).toContain('Spoken by espeak-ng voice en.');
    const again = await cli([...args, '--force']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Spoken by espeak-ng voice en (from the cache: espeak-ng did not run).');
    expect(await filesIn(path.join(world.tmpDir, 'data', 'tts-cache'))).toHaveLength(2);
    expect(await filesIn(path.join(dir, language))).toEqual(['thanks.sln16', 'thanks.wav']);
  });

  it('a language without an espeak-ng voice asks for --voice', async (ctx) => {
    soundsDir(ctx);
    await fails(['sounds', 'say', 'Hello', '--name', 'hello', '--lang', 'zz_novoice'], 'espeak-ng has no voice "zz-novoice" or "zz": choose one with --voice (espeak-ng --voices lists them)');
  });
});

describe('stasis-flows sounds list, check and remove', () => {
  /** A language holding every prompt the flows declare. */
  async function completeLanguage(): Promise<string> {
    const language = newLanguage();
    for (const prompt of allPrompts()) expect((await cli(['sounds', 'add', await tone(`${prompt}.wav`), '--lang', language])).code).toBe(0);
    return language;
  }

  it('check passes when every prompt is there, fails naming what a language lacks, passes again once restored', async (ctx) => {
    soundsDir(ctx);
    const language = await completeLanguage();
    const ok = await cli(['sounds', 'check'], { STASIS_FLOWS_LANGUAGES: language });
    expect(ok).toMatchObject({ code: 0, stdout: `${language}: ok, all ${allPrompts().length} prompts present\n` });

    const kept = await cli(['sounds', 'remove', 'vm-intro', '--lang', language]);
    expect(kept.code).toBe(1);
    expect(kept.stderr).toBe(`stasis-flows: vm-intro is a prompt of vm-record: calls in ${language} would fail without it; use --force to remove it anyway\n`);
    const removed = await cli(['sounds', 'remove', 'vm-intro', '--lang', language, '--force']);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toBe(
      [
        `Removed vm-intro from ${language}: vm-intro.sln16, vm-intro.wav.`,
        `Asterisk no longer lists it in ${language}.`,
        'It is a prompt of vm-record: "stasis-flows sounds check" fails until it is back.',
        '',
      ].join('\n'),
    );

    const bad = await cli(['sounds', 'check', '--lang', language]);
    expect(bad.code).toBe(1);
    expect(bad.stdout.split('\n')[0]).toBe(`${language}: MISSING 1 of ${allPrompts().length}: vm-intro (vm-record)`);
    const json = await cli(['sounds', 'check', '--lang', language, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ missing: [{ sound: 'vm-intro', language, flows: ['vm-record'] }] });
    const table = await cli(['sounds', 'list', '--lang', language]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^vm-intro +vm-record +MISSING$/m);
    expect(table.stdout).toMatch(/^beep +vm-record,queue +slin,slin16$/m);

    expect((await cli(['sounds', 'add', await tone('vm-intro.wav'), '--lang', language])).code).toBe(0);
    expect((await cli(['sounds', 'check', '--lang', language])).code).toBe(0);
  });

  it('check covers every configured language when --lang is absent', async (ctx) => {
    soundsDir(ctx);
    const complete = await completeLanguage();
    const empty = newLanguage();
    const r = await cli(['sounds', 'check'], { STASIS_FLOWS_LANGUAGES: `${complete},${empty}` });
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([
      `${complete}: ok, all ${allPrompts().length} prompts present`,
      `${empty}: MISSING ${allPrompts().length} of ${allPrompts().length}: ${[...promptsByName(FLOW_PROMPTS)].map(([p, flows]) => `${p} (${flows.join(', ')})`).join(', ')}`,
    ]);
  });

  it('remove of a sound that is not there, and of another language only', async (ctx) => {
    const dir = soundsDir(ctx);
    const one = newLanguage();
    const two = newLanguage();
    const file = await tone('promo.wav');
    for (const language of [one, two]) expect((await cli(['sounds', 'add', file, '--lang', language])).code).toBe(0);
    expect((await cli(['sounds', 'remove', 'promo', '--lang', one])).code).toBe(0);
    expect(await filesIn(path.join(dir, one))).toEqual([]);
    expect(await listed('promo', two)).toEqual(['slin', 'slin16']);
    await fails(['sounds', 'remove', 'promo', '--lang', one], `promo is not in ${one} (no promo.* in ${path.join(dir, one)})`);
  });
});
