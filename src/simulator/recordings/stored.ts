/**
 * Stored recordings: files in `<recordingsDir>/<name>.<format>`, where the name may
 * contain subdirectories (fact 35). Listed, read, copied and deleted straight from disk,
 * as Asterisk does.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { codecOfExtension } from '../media/formats.js';

/** A stored recording as ARI shows it. */
export interface StoredRecordingJson {
  name: string;
  format: string;
}

/** One stored recording file. */
export interface StoredRecording extends StoredRecordingJson {
  path: string;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Names with `..` never reach the disk (Asterisk refuses them the same way). */
export function unsafeName(name: string): boolean {
  return name.split('/').includes('..') || name.includes('..');
}

function walk(root: string, prefix: string, out: StoredRecording[]): void {
  let names: string[];
  try {
    names = readdirSync(join(root, prefix)).sort();
  } catch {
    return;
  }
  for (const n of names) {
    const rel = prefix === '' ? n : `${prefix}/${n}`;
    const path = join(root, rel);
    if (isDir(path)) {
      walk(root, rel, out);
      continue;
    }
    const dot = n.lastIndexOf('.');
    if (dot <= 0) continue;
    const ext = n.slice(dot + 1);
    if (codecOfExtension(ext) === undefined) continue;
    const name = rel.slice(0, rel.length - ext.length - 1);
    // One entry per name, as Asterisk keys its container by name.
    if (!out.some((r) => r.name === name)) out.push({ name, format: ext, path });
  }
}

/** Every stored recording, by name. */
export function listStored(root: string): StoredRecording[] {
  const out: StoredRecording[] = [];
  walk(root, '', out);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** One stored recording, or undefined. */
export function findStored(root: string, name: string): StoredRecording | undefined {
  if (name === '' || unsafeName(name)) return undefined;
  const dir = join(root, dirname(name));
  const base = name.slice(name.lastIndexOf('/') + 1);
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return undefined;
  }
  for (const n of names) {
    if (!n.startsWith(`${base}.`)) continue;
    const ext = n.slice(base.length + 1);
    if (codecOfExtension(ext) === undefined) continue;
    const path = join(dir, n);
    if (isFile(path)) return { name, format: ext, path };
  }
  return undefined;
}

/** Deletes every format of a recording (`ast_filedelete(name, NULL)`). */
export function deleteStored(root: string, name: string): void {
  for (;;) {
    const rec = findStored(root, name);
    if (rec === undefined) return;
    unlinkSync(rec.path);
  }
}

/** Whether a recording of this name exists in any format (`ast_fileexists`). */
export function storedExists(root: string, name: string): boolean {
  return findStored(root, name) !== undefined;
}

/** Copies a recording to a new name, creating subdirectories. */
export function copyStored(root: string, rec: StoredRecording, destination: string): StoredRecording {
  const path = join(root, `${destination}.${rec.format}`);
  mkdirSync(dirname(path), { recursive: true });
  copyFileSync(rec.path, path);
  return { name: destination, format: rec.format, path };
}

/** Whether the recordings directory itself exists (Asterisk does not create it, fact 35). */
export function rootExists(root: string): boolean {
  return existsSync(root) && isDir(root);
}
