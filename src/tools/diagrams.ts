/**
 * The README's state diagrams, generated from the machine definitions.
 * `npm run diagrams` rewrites them; a test fails when the README is stale.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { AnyStateMachine } from 'xstate';
import { documentMachine } from '../../states/document/machine.js';
import { queueCallMachine } from '../../states/queue/machine.js';
import { vmPlaybackMachine } from '../../states/vm-playback/machine.js';
import { vmRecordMachine } from '../../states/vm-record/machine.js';
import { toMermaid } from './mermaid.js';

/** Machines drawn in the README, by marker name. */
export const DIAGRAMS: Record<string, AnyStateMachine> = {
  'vm-record': vmRecordMachine,
  'vm-playback': vmPlaybackMachine,
  queue: queueCallMachine,
  document: documentMachine,
};

/** Replaces every `<!-- diagram:NAME -->...<!-- /diagram -->` block with the machine's current diagram. */
export function renderDiagrams(readme: string): string {
  return readme.replace(/<!-- diagram:([\w-]+) -->[\s\S]*?<!-- \/diagram -->/g, (block, name: string) => {
    const machine = DIAGRAMS[name];
    if (!machine) throw new Error(`README asks for an unknown diagram "${name}"`);
    return `<!-- diagram:${name} -->\n\`\`\`mermaid\n${toMermaid(machine)}\n\`\`\`\n<!-- /diagram -->`;
  });
}

/** Path of the repository's README. */
export const README_PATH = fileURLToPath(new URL('../../README.md', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const readme = await readFile(README_PATH, 'utf8');
  await writeFile(README_PATH, renderDiagrams(readme));
  process.stdout.write('README diagrams updated\n');
}
