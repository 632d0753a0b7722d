/**
 * Asterisk's sounds directory (`<astdatadir>/sounds`, one folder per
 * language): what a sound's files are, and writing them so that Asterisk
 * never sees half a file (a hidden temporary file in the same folder, then
 * rename) and a failure leaves nothing behind.
 */
import { constants } from 'node:fs';
import { access, chmod, copyFile, mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '../errors.js';
import { ASTERISK_SOUND_EXTENSIONS } from './formats.js';
import type { StagedFile } from './convert.js';

/** One file of a sound in a language folder. */
export interface SoundFile {
  readonly ext: string;
  readonly path: string;
}

/** What an install changed. */
export interface InstallResult {
  /** Files written (replacing any with the same name). */
  readonly written: readonly string[];
  /** Other formats of the same sound, removed so that they do not shadow the new one. */
  readonly removed: readonly string[];
}

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

/** One line for a failed file operation. */
function fsProblem(err: unknown, what: string): AppError {
  const code = errnoCode(err);
  const reason =
    code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'EROFS' ? 'read-only file system'
    : code === 'ENOSPC' ? 'no space left on the device'
    : code ?? (err instanceof Error ? err.message : String(err));
  return new AppError('INVALID_INPUT', `cannot ${what}: ${reason}`, { cause: err });
}

async function unlinkQuietly(file: string): Promise<void> {
  await unlink(file).catch(() => undefined);
}

/** The sounds directory of one Asterisk. */
export class SoundsDir {
  constructor(readonly root: string) {}

  /** The folder of a language. */
  languageDir(language: string): string {
    return path.join(this.root, language);
  }

  /** Fails with one line unless the sounds directory exists and the language folder can be written (or created). */
  async checkWritable(language: string): Promise<void> {
    await this.checkExists();
    const dir = this.languageDir(language);
    const existing = await stat(dir).catch(() => undefined);
    if (existing !== undefined && !existing.isDirectory()) throw new AppError('INVALID_INPUT', `${dir} is not a directory`);
    const target = existing === undefined ? this.root : dir;
    try {
      await access(target, constants.W_OK);
    } catch (err) {
      throw fsProblem(err, `write to the sounds directory ${target}`);
    }
  }

  /** Fails with one line unless the sounds directory exists. */
  async checkExists(): Promise<void> {
    const info = await stat(this.root).catch(() => undefined);
    if (info === undefined || !info.isDirectory()) {
      throw new AppError('CONFIG_INVALID', `sounds directory ${this.root} does not exist or is not a directory: set ASTERISK_SOUNDS_DIR to Asterisk's <astdatadir>/sounds`);
    }
  }

  /** The files of a sound in a language (every format Asterisk reads). */
  async filesOf(name: string, language: string): Promise<SoundFile[]> {
    const dir = this.languageDir(language);
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch {
      return [];
    }
    return entries
      .filter((entry) => {
        const dot = entry.lastIndexOf('.');
        return dot > 0 && entry.slice(0, dot) === name && ASTERISK_SOUND_EXTENSIONS.has(entry.slice(dot + 1));
      })
      .sort()
      .map((entry) => ({ ext: entry.slice(entry.lastIndexOf('.') + 1), path: path.join(dir, entry) }));
  }

  /**
   * Installs a converted sound: every staged file is copied to a hidden
   * temporary file in the language folder, then all are renamed into place.
   * With `replace`, other formats of the same name are removed afterwards.
   */
  async install(name: string, language: string, staged: readonly StagedFile[], options: { replace: boolean }): Promise<InstallResult> {
    const dir = this.languageDir(language);
    await mkdir(dir, { mode: 0o755 }).catch((err: unknown) => {
      if (errnoCode(err) !== 'EEXIST') throw fsProblem(err, `create ${dir}`);
    });
    const before = await this.filesOf(name, language);
    const batch = uuidv7();
    const parts: { part: string; final: string }[] = [];
    try {
      for (const file of staged) {
        // Hidden, and an extension no format module reads: Asterisk never lists or plays it.
        const part = path.join(dir, `.${name}.${file.format.ext}.${batch}.part`);
        parts.push({ part, final: path.join(dir, `${name}.${file.format.ext}`) });
        await copyFile(file.path, part);
        // Asterisk runs as its own user: the files must be readable by others.
        await chmod(part, 0o644);
      }
    } catch (err) {
      await Promise.all(parts.map(({ part }) => unlinkQuietly(part)));
      throw fsProblem(err, `write ${name} into ${dir}`);
    }
    const written: string[] = [];
    for (const { part, final } of parts) {
      try {
        await rename(part, final);
        written.push(final);
      } catch (err) {
        await Promise.all(parts.map(({ part: p }) => unlinkQuietly(p)));
        const done = written.length === 0 ? 'nothing was replaced' : `already in place: ${written.map((f) => path.basename(f)).join(', ')}`;
        throw new AppError('INVALID_INPUT', `${fsProblem(err, `move ${path.basename(final)} into ${dir}`).message} (${done})`, { cause: err });
      }
    }
    const removed: string[] = [];
    if (options.replace) {
      for (const old of before) {
        if (written.includes(old.path)) continue;
        try {
          await unlink(old.path);
          removed.push(old.path);
        } catch (err) {
          throw fsProblem(err, `remove ${old.path}, an older format of ${name} that would be played instead of the new one on some channels`);
        }
      }
    }
    return { written, removed };
  }

  /** Deletes every format of a sound in a language; returns the files deleted. */
  async remove(name: string, language: string): Promise<string[]> {
    const removed: string[] = [];
    for (const file of await this.filesOf(name, language)) {
      try {
        await unlink(file.path);
        removed.push(file.path);
      } catch (err) {
        const done = removed.length === 0 ? '' : ` (already removed: ${removed.map((f) => path.basename(f)).join(', ')})`;
        throw new AppError('INVALID_INPUT', `${fsProblem(err, `delete ${file.path}`).message}${done}`, { cause: err });
      }
    }
    return removed;
  }
}
