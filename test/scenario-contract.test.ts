import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCENARIOS = fileURLToPath(new URL('./scenarios/', import.meta.url));

describe('scenario files', () => {
  it('never mention the simulator: the same suite runs against a real Asterisk', async () => {
    const files = (await readdir(SCENARIOS)).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = await readFile(`${SCENARIOS}${file}`, 'utf8');
      expect(text, file).not.toMatch(/simulat/i);
    }
  });
});
