/**
 * Rendered prompts in Asterisk's sounds directory: `<base>.wav` (8 kHz) and
 * `<base>.sln16` (16 kHz), played as `sound:<base>` (Asterisk adds the
 * extension and picks the format for the channel). Files are written as a
 * hidden temporary file in the same folder, then renamed, so Asterisk never
 * reads half a file.
 */
import { chmod, copyFile, mkdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '../errors.js';
import type { StagedFile } from '../sounds/convert.js';
import { OUTPUT_FORMATS } from '../sounds/formats.js';

/** The media URI Asterisk plays a rendered prompt by (transcripts fact 93: no extension). */
export function soundUri(base: string): string {
  return `sound:${base}`;
}

/** True when every format of the prompt is in place (a crash between renames leaves it incomplete). */
export async function hasSound(base: string): Promise<boolean> {
  for (const format of OUTPUT_FORMATS) {
    const info = await stat(`${base}.${format.ext}`).catch(() => undefined);
    if (info === undefined || !info.isFile() || info.size === 0) return false;
  }
  return true;
}

function problem(err: unknown, what: string): AppError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOSPC' ? 'no space left on the device' : code ?? String(err);
  return new AppError('CONFIG_INVALID', `cannot ${what}: ${reason} (ASTERISK_SOUNDS_DIR must be writable)`, { cause: err });
}

/** Copies the staged files to `<base>.<ext>`, atomically each; on failure nothing new is left. */
export async function installSound(staged: readonly StagedFile[], base: string): Promise<void> {
  const dir = path.dirname(base);
  const name = path.basename(base);
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 });
  } catch (err) {
    throw problem(err, `create ${dir}`);
  }
  const batch = uuidv7();
  const parts = staged.map((file) => ({ from: file.path, part: path.join(dir, `.${name}.${file.format.ext}.${batch}.part`), final: `${base}.${file.format.ext}` }));
  try {
    for (const { from, part } of parts) {
      await copyFile(from, part);
      // Asterisk runs as its own user.
      await chmod(part, 0o644);
    }
    for (const { part, final } of parts) await rename(part, final);
  } catch (err) {
    await Promise.all(parts.map(({ part }) => unlink(part).catch(() => undefined)));
    throw problem(err, `write ${name} into ${dir}`);
  }
}

/** Removes every format of a prompt (a render that failed after some were renamed). */
export async function removeSound(base: string): Promise<void> {
  await Promise.all(OUTPUT_FORMATS.map((format) => unlink(`${base}.${format.ext}`).catch(() => undefined)));
}
