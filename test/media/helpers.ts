/**
 * Test helpers for prompt audio: counting runners and engines, a wav's peak,
 * and a silent logger that keeps what was logged.
 */
import { readFile } from 'node:fs/promises';
import { wavFormat } from '../../src/audio/wav.js';
import type { CallLogLike } from '../../src/media/prompt-audio.js';
import type { SpeechEngine, SpeechRequest } from '../../src/media/speech-engine.js';
import { runTool, type Tool, type ToolRunner } from '../../src/sounds/tools.js';

/** The real runner, keeping every program run. */
export function countingRunner(): { runner: ToolRunner; runs: { tool: Tool; args: readonly string[] }[] } {
  const runs: { tool: Tool; args: readonly string[] }[] = [];
  return {
    runs,
    runner: (tool, args, options) => {
      runs.push({ tool, args });
      return runTool(tool, args, options);
    },
  };
}

/** An engine that counts its renders and passes them to another. */
export function countingEngine(inner: SpeechEngine): SpeechEngine & { renders: SpeechRequest[] } {
  const renders: SpeechRequest[] = [];
  return {
    name: inner.name,
    renders,
    render(request, outFile, signal) {
      renders.push(request);
      return inner.render(request, outFile, signal);
    },
  };
}

/** The largest absolute sample of a 16-bit PCM wav. */
export async function wavPeak(file: string): Promise<number> {
  const buf = await readFile(file);
  const fmt = wavFormat(buf);
  if (!fmt) throw new Error(`${file} is not a WAVE file`);
  let max = 0;
  for (let i = fmt.dataOffset; i + 1 < fmt.dataOffset + fmt.dataBytes; i += 2) max = Math.max(max, Math.abs(buf.readInt16LE(i)));
  return max;
}

/** A logger that keeps its lines. */
export function memoryLog(): CallLogLike & { lines: { level: string; message: string; meta: Record<string, unknown> | undefined }[] } {
  const lines: { level: string; message: string; meta: Record<string, unknown> | undefined }[] = [];
  const at = (level: string) => (message: string, meta?: Record<string, unknown>) => lines.push({ level, message, meta });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
