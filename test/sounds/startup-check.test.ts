/**
 * The start-up check and the inventory behind `sounds list` / `sounds check`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { missingPrompts, promptStatus } from '../../src/sounds/inventory.js';
import { checkPromptsAtStartup } from '../../src/sounds/startup-check.js';
import { diskAri, noAnswer, type DiskAri } from './disk-ari.js';
import { tempDir } from './media.js';

let dir: string;
let cleanup: () => Promise<void>;
let disk: DiskAri;
let lines: Record<string, unknown>[];

/** A logger whose JSON lines are kept for the test. */
function capturingLogger() {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return createLogger({ level: 'debug', stream });
}

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  lines = [];
  for (const file of ['en/vm-intro.wav', 'en/vm-intro.gsm', 'en/beep.wav', 'fr/beep.wav', 'fr/other.wav']) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), 'x');
  }
  disk = diskAri(dir);
});

afterEach(async () => {
  await cleanup();
});

describe('checkPromptsAtStartup', () => {
  it('warns once per missing sound and language, and returns them', async () => {
    const missing = await checkPromptsAtStartup(disk.ari, ['vm-intro', 'beep', 'vm-goodbye', 'beep'], ['en', 'fr'], capturingLogger());
    expect(missing).toEqual([
      { sound: 'vm-goodbye', language: 'en' },
      { sound: 'vm-goodbye', language: 'fr' },
      { sound: 'vm-intro', language: 'fr' },
    ]);
    const warnings = lines.filter((l) => l.level === 'warn');
    expect(warnings.map((w) => [w.sound, w.language])).toEqual([
      ['vm-goodbye', 'en'],
      ['vm-goodbye', 'fr'],
      ['vm-intro', 'fr'],
    ]);
    expect(warnings[0]).toMatchObject({ message: 'sound vm-goodbye is missing in language en', hint: 'stasis-flows sounds add <file> --name vm-goodbye --lang en' });
    expect(disk.requests).toBe(2); // one listing per language, not one request per prompt
  });

  it('nothing missing: no warning', async () => {
    expect(await checkPromptsAtStartup(disk.ari, ['beep'], ['en', 'fr'], capturingLogger())).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('a language with no sounds at all (Asterisk answers 404, the adapter [])', async () => {
    expect(await checkPromptsAtStartup(disk.ari, ['beep'], ['de'], capturingLogger())).toEqual([{ sound: 'beep', language: 'de' }]);
  });

  it('an ARI failure is one warning, never a throw', async () => {
    disk.failWith = noAnswer('sounds.list');
    await expect(checkPromptsAtStartup(disk.ari, ['vm-intro', 'beep'], ['en', 'fr'], capturingLogger())).resolves.toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', message: 'could not check the prompts through ARI', language: 'en' });
  });
});

describe('promptStatus', () => {
  it('per prompt: the flows that play it and the codecs listed in each language', async () => {
    const status = await promptStatus(disk.ari, { 'vm-record': ['vm-intro', 'beep'], queue: ['beep', 'queue-thankyou'] }, ['en', 'fr']);
    expect(status).toEqual([
      { prompt: 'beep', flows: ['vm-record', 'queue'], formats: { en: ['slin'], fr: ['slin'] } },
      { prompt: 'queue-thankyou', flows: ['queue'], formats: { en: [], fr: [] } },
      { prompt: 'vm-intro', flows: ['vm-record'], formats: { en: ['gsm', 'slin'], fr: [] } },
    ]);
    expect(missingPrompts(status, ['en', 'fr'])).toEqual([
      { sound: 'queue-thankyou', language: 'en', flows: ['queue'] },
      { sound: 'queue-thankyou', language: 'fr', flows: ['queue'] },
      { sound: 'vm-intro', language: 'fr', flows: ['vm-record'] },
    ]);
  });
});
