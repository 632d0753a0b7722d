/**
 * Adding and removing sounds end to end, with real conversions and an ARI
 * whose sounds resource reads the directory: all-or-nothing before the first
 * write, verification after it, and what stays when verification fails.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AriPort } from '../../src/ari/port.js';
import { AppError } from '../../src/errors.js';
import { addSounds, type AddDeps, type AddItem } from '../../src/sounds/add.js';
import { NO_PROGRESS, type Progress } from '../../src/sounds/progress.js';
import { removeSound } from '../../src/sounds/remove.js';
import { SoundsDir } from '../../src/sounds/sounds-dir.js';
import { runTool } from '../../src/sounds/tools.js';
import { diskAri, noAnswer, type DiskAri } from './disk-ari.js';
import { makeTone, tempDir } from './media.js';

let dir: string;
let cleanup: () => Promise<void>;
let root: string;
let sounds: SoundsDir;
let disk: DiskAri;
let staging: string;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  root = path.join(dir, 'sounds');
  staging = path.join(dir, 'staging');
  await mkdir(path.join(root, 'en'), { recursive: true });
  await mkdir(staging);
  sounds = new SoundsDir(root);
  disk = diskAri(root);
});

afterEach(async () => {
  await cleanup();
});

const QUICK = { attempts: 2, delayMs: 10 };

function deps(overrides: Partial<AddDeps> = {}): AddDeps {
  return { runner: runTool, progress: NO_PROGRESS, stagingDir: staging, connect: () => Promise.resolve(disk.ari), verify: QUICK, ...overrides };
}

async function tone(name: string, seconds = 0.5): Promise<string> {
  return makeTone(path.join(dir, name), { rate: 16_000, channels: 1, seconds });
}

/** Every file in the sounds directory, hidden ones included, relative to it. */
async function everything(): Promise<string[]> {
  return (await readdir(root, { recursive: true })).map(String).filter((f) => f.includes('.')).sort();
}

describe('addSounds', () => {
  it('adds a batch, verified through ARI in the language and both formats', async () => {
    const items: AddItem[] = [
      { input: await tone('one.wav'), name: 'one' },
      { input: await tone('two.wav', 1), name: 'two' },
    ];
    const steps: string[] = [];
    const progress: Progress = { step: (label) => steps.push(label), end: () => undefined };
    const added = await addSounds({ items, language: 'fr', soundsDir: sounds, replace: false }, deps({ progress }));
    expect(added.map((a) => [a.name, a.language, a.listed])).toEqual([
      ['one', 'fr', ['slin', 'slin16']],
      ['two', 'fr', ['slin', 'slin16']],
    ]);
    expect(added[1]!.durationSeconds).toBeCloseTo(1, 1);
    expect(await everything()).toEqual(['fr/one.sln16', 'fr/one.wav', 'fr/two.sln16', 'fr/two.wav']);
    expect(steps).toEqual([`converting ${items[0]!.input}`, `converting ${items[1]!.input}`, 'adding and verifying one', 'adding and verifying two']);
  });

  it('one bad input in a batch: every problem in one line, nothing written, no ARI request', async () => {
    const notes = path.join(dir, 'notes.txt');
    await writeFile(notes, 'hi');
    const quiet = await makeTone(path.join(dir, 'quiet.wav'), { rate: 8000, channels: 1, seconds: 1, volume: 0 });
    const items = [
      { input: await tone('good.wav'), name: 'good' },
      { input: notes, name: 'notes' },
      { input: quiet, name: 'quiet' },
    ];
    const err = await addSounds({ items, language: 'en', soundsDir: sounds, replace: false }, deps()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as Error).message).toBe(
      `2 of 3 inputs cannot be added: ${notes} is not an audio file sox can read (.txt); use wav, mp3, ogg or flac; ${quiet} is silent (1.00 s of silence); nothing was written`,
    );
    expect(await everything()).toEqual([]);
    expect(disk.requests).toBe(0);
  });

  it('an existing sound is kept unless replace; replacing drops its older formats', async () => {
    await writeFile(path.join(root, 'en', 'vm-intro.gsm'), 'old gsm');
    const items = [{ input: await tone('intro.wav'), name: 'vm-intro' }];
    const err = await addSounds({ items, language: 'en', soundsDir: sounds, replace: false }, deps()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CONFLICT', message: 'vm-intro already exists in en (vm-intro.gsm); use --force to replace it' });
    const [added] = await addSounds({ items, language: 'en', soundsDir: sounds, replace: true }, deps());
    expect(added!.removed.map((f) => path.basename(f))).toEqual(['vm-intro.gsm']);
    expect(added!.listed).toEqual(['slin', 'slin16']);
    expect(await everything()).toEqual(['en/vm-intro.sln16', 'en/vm-intro.wav']);
  });

  it('two inputs with the same name are refused', async () => {
    const items = [
      { input: await tone('a.wav'), name: 'same' },
      { input: await tone('b.wav'), name: 'same' },
    ];
    await expect(addSounds({ items, language: 'en', soundsDir: sounds, replace: false }, deps())).rejects.toThrow(/would both be named same; add them separately with --name/);
  });

  it('an unreachable Asterisk: nothing is written', async () => {
    const connect = () => Promise.reject(new AppError('ARI_UNREACHABLE', 'Asterisk ARI at http://127.0.0.1:1 is unreachable: ECONNREFUSED'));
    const err = await addSounds({ items: [{ input: await tone('x.wav'), name: 'x' }], language: 'en', soundsDir: sounds, replace: false }, deps({ connect })).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'ARI_UNREACHABLE',
      message: 'Asterisk ARI at http://127.0.0.1:1 is unreachable: ECONNREFUSED; nothing was written (--no-verify installs without asking Asterisk)',
    });
    expect(await everything()).toEqual([]);
  });

  it('ARI failing after the write: the complete files stay, and the message says so', async () => {
    disk.failWith = noAnswer();
    const err = await addSounds({ items: [{ input: await tone('late.wav'), name: 'late' }], language: 'en', soundsDir: sounds, replace: false }, deps()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ARI_REQUEST_TIMEOUT' });
    expect((err as Error).message).toBe(`wrote en/late.wav, en/late.sln16 under ${root}, but sounds.get: no answer within 100 ms; the files are complete and stay in place`);
    expect(await everything()).toEqual(['en/late.sln16', 'en/late.wav']);
  });

  it('an Asterisk that does not list the sound (another sounds directory) is named as the likely cause', async () => {
    disk.hide.add('elsewhere');
    const err = await addSounds({ items: [{ input: await tone('e.wav'), name: 'elsewhere' }], language: 'en', soundsDir: sounds, replace: false }, deps()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SOUND_MISSING' });
    expect((err as Error).message).toMatch(/but Asterisk does not list elsewhere in en as slin, slin16 \(it lists nothing\); the files are complete and stay in place; check that ASTERISK_SOUNDS_DIR is the sounds directory of this Asterisk$/);
  });

  it('without ARI (--no-verify) the files are written and reported unverified', async () => {
    const [added] = await addSounds({ items: [{ input: await tone('nv.wav'), name: 'nv' }], language: 'en', soundsDir: sounds, replace: false }, deps({ connect: undefined }));
    expect(added!.listed).toBeUndefined();
    expect(await everything()).toEqual(['en/nv.sln16', 'en/nv.wav']);
  });
});

describe('removeSound', () => {
  const FLOWS = { 'vm-record': ['vm-intro', 'beep'] };

  async function install(name: string, language: string): Promise<void> {
    await addSounds({ items: [{ input: await tone(`${name}-${language}.wav`), name }], language, soundsDir: sounds, replace: true }, deps());
  }

  const remove = (name: string, language: string, force = false, connect: (() => Promise<AriPort>) | undefined = () => Promise.resolve(disk.ari)) =>
    removeSound({ name, language, soundsDir: sounds, force, flowPrompts: FLOWS }, { connect, verify: QUICK });

  it('removes every format in one language and checks through ARI that it is gone there', async () => {
    await install('promo', 'en');
    await install('promo', 'fr');
    await writeFile(path.join(root, 'en', 'promo.gsm'), 'x');
    const removed = await remove('promo', 'en');
    expect(removed.files.map((f) => path.basename(f))).toEqual(['promo.gsm', 'promo.sln16', 'promo.wav']);
    expect(removed).toMatchObject({ flows: [], verified: true });
    expect(await everything()).toEqual(['fr/promo.sln16', 'fr/promo.wav']);
  });

  it("a flow's prompt needs force", async () => {
    await install('beep', 'en');
    await expect(remove('beep', 'en')).rejects.toThrow('beep is a prompt of vm-record: calls in en would fail without it; use --force to remove it anyway');
    expect(await remove('beep', 'en', true)).toMatchObject({ flows: ['vm-record'] });
  });

  it('a sound that is not there, a bad name, an unreachable Asterisk', async () => {
    await expect(remove('nothing', 'en')).rejects.toThrow(`nothing is not in en (no nothing.* in ${path.join(root, 'en')})`);
    await expect(remove('../en/beep', 'en')).rejects.toThrow(/must not contain/);
    await install('keep', 'en');
    const down = () => Promise.reject(new AppError('ARI_UNREACHABLE', 'Asterisk ARI at x is unreachable: ECONNREFUSED'));
    await expect(remove('keep', 'en', false, down)).rejects.toThrow('Asterisk ARI at x is unreachable: ECONNREFUSED; nothing was removed (--no-verify removes without asking Asterisk)');
    expect(await everything()).toEqual(['en/keep.sln16', 'en/keep.wav']);
  });
});
