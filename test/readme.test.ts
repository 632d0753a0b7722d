import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DIAGRAMS, README_PATH, renderDiagrams } from '../src/tools/diagrams.js';

describe('README', () => {
  it('shows the state diagrams of the current machine definitions (npm run diagrams)', async () => {
    const readme = await readFile(README_PATH, 'utf8');
    for (const name of Object.keys(DIAGRAMS)) expect(readme).toContain(`<!-- diagram:${name} -->`);
    expect(readme).toBe(renderDiagrams(readme));
  });
});
