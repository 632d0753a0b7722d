import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/sounds/progress.js';
import { Sink } from '../support/sink.js';

describe('progress', () => {
  it('plain numbered lines when not a terminal', () => {
    const sink = new Sink(false);
    const progress = createProgress(sink, 2);
    progress.step('converting a.wav');
    progress.step('converting b.mp3');
    progress.end();
    expect(sink.text).toBe('[1/2] converting a.wav\n[2/2] converting b.mp3\n');
  });

  it('a bar redrawn in place on a terminal, cleared at the end', () => {
    const sink = new Sink(true);
    const progress = createProgress(sink, 4);
    progress.step('converting a.wav');
    progress.step('converting b.wav');
    expect(sink.text).not.toContain('\n');
    expect(sink.text).toContain(`\r\u001b[2K[${'.'.repeat(24)}] 1/4 converting a.wav`);
    expect(sink.text).toContain('\r\u001b[2K[######..................] 2/4 converting b.wav');
    progress.end();
    expect(sink.text.endsWith('\r\u001b[2K')).toBe(true);
  });
});
