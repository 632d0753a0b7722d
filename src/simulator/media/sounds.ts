/**
 * The sounds index, laid out as Asterisk's: `<soundsDir>/<language>/<id>.<ext>`, with
 * nested ids such as `digits/4`. Like Asterisk 22 (fact 32) it is read from disk on
 * every request, so a new file shows up, and a deleted one disappears, at once.
 */
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { SOUND_EXTENSIONS, codecOfExtension } from './formats.js';

/** One sound as `GET /sounds` lists it. */
export interface SoundJson {
  id: string;
  formats: { language: string; format: string }[];
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The language directories (each subdirectory of the sounds directory, symlinks followed). */
function languages(soundsDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(soundsDir);
  } catch {
    return [];
  }
  return names.filter((n) => !n.startsWith('.') && isDir(join(soundsDir, n))).sort();
}

function walk(dir: string, prefix: string, out: (id: string, ext: string) => void): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    if (isDir(path)) {
      walk(path, `${prefix}${name}/`, out);
      continue;
    }
    const dot = name.lastIndexOf('.');
    if (dot <= 0) continue;
    const ext = name.slice(dot + 1);
    if (codecOfExtension(ext) !== undefined) out(`${prefix}${name.slice(0, dot)}`, ext);
  }
}

function sortFormats(formats: SoundJson['formats']): SoundJson['formats'] {
  return formats.sort((a, b) => a.language.localeCompare(b.language) || a.format.localeCompare(b.format));
}

/** Every sound, optionally only those in a language and/or codec (`GET /sounds?lang=&format=`). */
export function listSounds(soundsDir: string, filter: { lang?: string; format?: string } = {}): SoundJson[] {
  const byId = new Map<string, SoundJson['formats']>();
  for (const language of languages(soundsDir)) {
    if (filter.lang !== undefined && filter.lang !== language) continue;
    walk(join(soundsDir, language), '', (id, ext) => {
      const format = codecOfExtension(ext) ?? ext;
      if (filter.format !== undefined && filter.format !== format) return;
      const formats = byId.get(id) ?? [];
      if (!formats.some((f) => f.language === language && f.format === format)) formats.push({ language, format });
      byId.set(id, formats);
    });
  }
  return [...byId.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([id, formats]) => ({ id, formats: sortFormats(formats) }));
}

/** One sound (`GET /sounds/{id}`), or undefined. */
export function getSound(soundsDir: string, id: string): SoundJson | undefined {
  const formats: SoundJson['formats'] = [];
  for (const language of languages(soundsDir)) {
    for (const ext of SOUND_EXTENSIONS) {
      if (!isFile(join(soundsDir, language, `${id}.${ext}`))) continue;
      const format = codecOfExtension(ext) ?? ext;
      if (!formats.some((f) => f.language === language && f.format === format)) formats.push({ language, format });
    }
  }
  return formats.length === 0 ? undefined : { id, formats: sortFormats(formats) };
}

/**
 * The file Asterisk would play for `sound:<name>` in a language: it tries the language,
 * the language without its dialect (`en_GB` -> `en`), no language, then the default
 * `en` (file.c, fileexists_core). An absolute name is used as it is.
 */
export function findSoundFile(soundsDir: string, name: string, language: string): { path: string; ext: string } | undefined {
  const bases: string[] = [];
  if (isAbsolute(name)) {
    bases.push(name);
  } else {
    const dirs: string[] = [];
    if (language !== '') dirs.push(language);
    const underscore = language.indexOf('_');
    if (underscore > 0) dirs.push(language.slice(0, underscore));
    dirs.push('');
    dirs.push('en');
    for (const d of new Set(dirs)) bases.push(d === '' ? join(soundsDir, name) : join(soundsDir, d, name));
  }
  for (const base of bases) {
    for (const ext of SOUND_EXTENSIONS) {
      if (isFile(`${base}.${ext}`)) return { path: `${base}.${ext}`, ext };
    }
  }
  return undefined;
}
