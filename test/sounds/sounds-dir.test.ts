/**
 * The sounds directory: temporary file then rename, nothing half-written after
 * a failure, older formats removed on replace, remove per language.
 */
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StagedFile } from '../../src/sounds/convert.js';
import { OUTPUT_FORMATS } from '../../src/sounds/formats.js';
import { SoundsDir } from '../../src/sounds/sounds-dir.js';
import { permissionsApply, tempDir } from './media.js';

let dir: string;
let cleanup: () => Promise<void>;
let root: string;
let sounds: SoundsDir;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  root = path.join(dir, 'sounds');
  await mkdir(path.join(root, 'en'), { recursive: true });
  sounds = new SoundsDir(root);
});

afterEach(async () => {
  await cleanup();
});

/** Staged files with recognisable content. */
async function staged(tag: string): Promise<StagedFile[]> {
  const files: StagedFile[] = [];
  for (const format of OUTPUT_FORMATS) {
    const file = path.join(dir, `${tag}.${format.ext}`);
    await writeFile(file, `${tag} ${format.ext}`);
    files.push({ format, path: file });
  }
  return files;
}

const list = (language: string) => readdir(path.join(root, language)).then((names) => names.sort());

describe('SoundsDir', () => {
  it('installs every format, readable by Asterisk, with no temporary file left', async () => {
    const result = await sounds.install('welcome', 'en', await staged('v1'), { replace: false });
    expect(result.written.map((f) => path.basename(f))).toEqual(['welcome.wav', 'welcome.sln16']);
    expect(await list('en')).toEqual(['welcome.sln16', 'welcome.wav']);
    expect(await readFile(path.join(root, 'en', 'welcome.wav'), 'utf8')).toBe('v1 wav');
    expect((await stat(path.join(root, 'en', 'welcome.wav'))).mode & 0o777).toBe(0o644);
  });

  it('creates the language folder', async () => {
    await sounds.install('bonjour', 'fr', await staged('fr'), { replace: false });
    expect(await list('fr')).toEqual(['bonjour.sln16', 'bonjour.wav']);
  });

  it('a failure while writing leaves nothing behind and the old sound intact', async () => {
    await sounds.install('welcome', 'en', await staged('v1'), { replace: false });
    const broken = await staged('v2');
    broken[1] = { ...broken[1]!, path: path.join(dir, 'vanished.sln16') }; // the second copy fails
    const err = await sounds.install('welcome', 'en', broken, { replace: true }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^cannot write welcome into .*\/en: ENOENT$/);
    expect(await list('en')).toEqual(['welcome.sln16', 'welcome.wav']);
    expect(await readFile(path.join(root, 'en', 'welcome.wav'), 'utf8')).toBe('v1 wav');
  });

  it('replacing removes older formats that Asterisk could prefer; other sounds and languages stay', async () => {
    for (const file of ['vm-intro.gsm', 'vm-intro.ulaw', 'vm-intro2.wav', 'vm-intro.txt']) await writeFile(path.join(root, 'en', file), 'old');
    await mkdir(path.join(root, 'fr'));
    await writeFile(path.join(root, 'fr', 'vm-intro.gsm'), 'old');
    const result = await sounds.install('vm-intro', 'en', await staged('new'), { replace: true });
    expect(result.removed.map((f) => path.basename(f)).sort()).toEqual(['vm-intro.gsm', 'vm-intro.ulaw']);
    expect(await list('en')).toEqual(['vm-intro.sln16', 'vm-intro.txt', 'vm-intro.wav', 'vm-intro2.wav']);
    expect(await list('fr')).toEqual(['vm-intro.gsm']);
  });

  it('filesOf sees every format of exactly that name, not temporary files or look-alikes', async () => {
    for (const file of ['beep.wav', 'beep.gsm', 'beep.sln16', 'beep2.wav', 'beep.txt', '.beep.wav.0190.part']) await writeFile(path.join(root, 'en', file), 'x');
    expect((await sounds.filesOf('beep', 'en')).map((f) => f.ext)).toEqual(['gsm', 'sln16', 'wav']);
    expect(await sounds.filesOf('beep', 'de')).toEqual([]);
  });

  it('remove deletes every format in that language only', async () => {
    await mkdir(path.join(root, 'fr'));
    for (const file of ['en/beep.wav', 'en/beep.gsm', 'en/beeper.wav', 'fr/beep.wav']) await writeFile(path.join(root, file), 'x');
    expect((await sounds.remove('beep', 'en')).map((f) => path.basename(f))).toEqual(['beep.gsm', 'beep.wav']);
    expect(await list('en')).toEqual(['beeper.wav']);
    expect(await list('fr')).toEqual(['beep.wav']);
  });

  it('a sounds directory that does not exist, or sits under a regular file, is one line naming ASTERISK_SOUNDS_DIR', async () => {
    await writeFile(path.join(dir, 'file'), 'x');
    for (const bad of [path.join(dir, 'missing'), path.join(dir, 'file', 'sounds'), path.join(dir, 'file')]) {
      await expect(new SoundsDir(bad).checkWritable('en')).rejects.toThrow(`sounds directory ${bad} does not exist or is not a directory: set ASTERISK_SOUNDS_DIR to Asterisk's <astdatadir>/sounds`);
    }
  });

  it('a language "folder" that is a file is refused before anything is written', async () => {
    await writeFile(path.join(root, 'de'), 'x');
    await expect(sounds.checkWritable('de')).rejects.toThrow(`${path.join(root, 'de')} is not a directory`);
  });

  it('a folder Asterisk owns and we cannot write is one line', async (ctx) => {
    if (!(await permissionsApply(root))) ctx.skip('running as root: chmod does not stop writes (the CLI test covers a path under a regular file)');
    await chmod(path.join(root, 'en'), 0o555);
    try {
      await expect(sounds.checkWritable('en')).rejects.toThrow(`cannot write to the sounds directory ${path.join(root, 'en')}: permission denied`);
      const err = await sounds.install('x', 'en', await staged('x'), { replace: false }).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/permission denied/);
      expect(await list('en')).toEqual([]);
    } finally {
      await chmod(path.join(root, 'en'), 0o755);
    }
  });
});
