/**
 * Music on hold: the files of a class, played one after the other and looped. The
 * simulator has one class, "default", read from the MOH directory (Debian's
 * asterisk-moh-opsound-wav by default).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SOUND_EXTENSIONS, loadMediaFile } from './formats.js';

const cache = new Map<string, { key: string; samples: Int16Array }>();

/**
 * The samples of a class, all files in name order. Deliberate difference: any class
 * name plays the default class (Asterisk falls back to it too when a class is unknown,
 * and answers 204 either way, fact 54). Undefined when there is no music.
 */
export function mohSamples(mohDir: string): Int16Array | undefined {
  let names: string[];
  try {
    names = readdirSync(mohDir).sort();
  } catch {
    return undefined;
  }
  const files: { path: string; ext: string; stamp: string }[] = [];
  const seen = new Set<string>();
  for (const n of names) {
    const dot = n.lastIndexOf('.');
    if (dot <= 0) continue;
    const base = n.slice(0, dot);
    const ext = n.slice(dot + 1);
    if (!SOUND_EXTENSIONS.includes(ext) || seen.has(base)) continue;
    const path = join(mohDir, n);
    try {
      const st = statSync(path);
      if (!st.isFile()) continue;
      files.push({ path, ext, stamp: `${path}:${st.size}:${st.mtimeMs}` });
      seen.add(base);
    } catch {
      continue;
    }
  }
  if (files.length === 0) return undefined;
  const key = files.map((f) => f.stamp).join('|');
  const hit = cache.get(mohDir);
  if (hit?.key === key) return hit.samples;
  const parts = files.map((f) => loadMediaFile(f.path, f.ext)?.samples ?? new Int16Array(0));
  const total = parts.reduce((n, p) => n + p.length, 0);
  if (total === 0) return undefined;
  const samples = new Int16Array(total);
  let at = 0;
  for (const p of parts) {
    samples.set(p, at);
    at += p.length;
  }
  cache.set(mohDir, { key, samples });
  return samples;
}
