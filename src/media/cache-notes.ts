/**
 * The cache index of prompt audio: one JSON note per rendered prompt under
 * `<dataDir>/media-cache/`, written atomically (temporary file, then rename).
 * The audio itself is in the sounds directory; a note without its audio is
 * ignored, and audio without its note is rendered again.
 */
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';

/** What is known about a fetched URL. */
export interface MediaNote {
  readonly url: string;
  readonly level: number;
  readonly finalUrl: string;
  readonly etag: string | undefined;
  readonly lastModified: string | undefined;
  readonly contentType: string | undefined;
  /** When the body was downloaded, ISO 8601. */
  readonly fetchedAt: string;
  /** When the server last confirmed it (a 200 or a 304), ISO 8601. */
  readonly validatedAt: string;
  /** Until when no revalidation is needed (Cache-Control max-age), ISO 8601; undefined: revalidate every time. */
  readonly freshUntil: string | undefined;
  readonly bytes: number;
}

/** What a rendered speech prompt says. */
export interface SpeechNote {
  readonly engine: string;
  readonly voice: string;
  readonly language: string;
  readonly ssml: boolean;
  readonly gender: string | undefined;
  readonly rate: number;
  readonly level: number;
  readonly characters: number;
  readonly renderedAt: string;
}

/** Reads a note; undefined when missing or unreadable. */
export async function readNote<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Writes a note atomically. */
export async function writeNote(file: string, note: object): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const part = `${file}.${uuidv7()}.part`;
  try {
    await writeFile(part, `${JSON.stringify(note, null, 2)}\n`, 'utf8');
    await rename(part, file);
  } catch (err) {
    await unlink(part).catch(() => undefined);
    throw err;
  }
}

/** Seconds of freshness from a Cache-Control header; undefined when none (or no-cache / no-store). */
export function maxAgeSeconds(cacheControl: string | undefined): number | undefined {
  if (cacheControl === undefined) return undefined;
  const directives = cacheControl.toLowerCase().split(',').map((d) => d.trim());
  if (directives.some((d) => d === 'no-cache' || d === 'no-store')) return undefined;
  const maxAge = directives.map((d) => /^max-age\s*=\s*"?(\d{1,10})"?$/.exec(d)?.[1]).find((v) => v !== undefined);
  return maxAge === undefined ? undefined : Number(maxAge);
}
