/**
 * The external programs the sound tools use (sox, espeak-ng), run with
 * execFile (never a shell) and a time-out. A missing program is one clear
 * error naming the Debian package that provides it.
 */
import { execFile } from 'node:child_process';
import { AppError } from '../errors.js';

/** The programs we run, with the Debian packages that provide them. */
export const TOOL_PACKAGES = {
  sox: 'sox',
  'espeak-ng': 'espeak-ng',
} as const;

export type Tool = keyof typeof TOOL_PACKAGES;

/** What a finished program printed. */
export interface ToolOutput {
  stdout: string;
  stderr: string;
}

/** How one program is run: a time-out, and a signal that kills it (the promise then rejects with the signal's reason). */
export interface ToolRunOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Runs one program; tests wrap it to count or fake calls. */
export type ToolRunner = (tool: Tool, args: readonly string[], options?: ToolRunOptions) => Promise<ToolOutput>;

/** A program that ran and failed (non-zero exit or time-out); `stderr` says why. */
export class ToolFailure extends Error {
  constructor(
    readonly tool: Tool,
    readonly stderr: string,
    readonly timedOut: boolean,
  ) {
    super(timedOut ? `${tool} did not finish in time` : `${tool} failed: ${firstProblem(stderr)}`);
    this.name = 'ToolFailure';
  }
}

/** The line of a program's stderr that says what went wrong (sox prefixes it with "FAIL"). */
export function firstProblem(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim()).filter(Boolean);
  const line = lines.find((l) => /\bFAIL\b|error/i.test(l)) ?? lines[0] ?? 'no message';
  return line.replace(/^sox FAIL \w+:\s*/, '').replace(/^Error:\s*/, '');
}

const DEFAULT_TIMEOUT_MS = 120_000;

/** Why a signal aborted, as an Error (an AbortError when it gave no Error). */
function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}

/** Runs a program with execFile and a time-out (default 120 s). */
export const runTool: ToolRunner = (tool, args, options = {}) =>
  new Promise((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    execFile(
      tool,
      [...args],
      // SIGKILL: sox treats SIGTERM as "stop here", closes a valid but truncated file and exits 0.
      { timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024, encoding: 'utf8', windowsHide: true, ...(signal ? { signal } : {}) },
      (err, stdout, stderr) => {
        if (!err) {
          resolve({ stdout, stderr });
          return;
        }
        // Killed because the caller gave up: its reason, not a tool failure.
        if (signal?.aborted) {
          reject(abortError(signal));
          return;
        }
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new AppError('DEPENDENCY_MISSING', `${tool} is not installed: install the Debian package ${TOOL_PACKAGES[tool]} (apt-get install ${TOOL_PACKAGES[tool]})`, { cause: err }));
          return;
        }
        // execFile kills a program that runs over its time-out and sets `killed`.
        reject(new ToolFailure(tool, stderr, err.killed === true));
      },
    );
  });
