/**
 * Progress of a batch: a bar redrawn in place on a terminal, plain lines
 * otherwise (a log file or a CI job has no use for carriage returns).
 */

/** Reports the steps of a batch. */
export interface Progress {
  /** Starts the next step. */
  step(label: string): void;
  /** Clears the bar (a terminal) once the batch is over, successfully or not. */
  end(): void;
}

const WIDTH = 24;

/** True when `stream` is a terminal. */
export function isTerminal(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/** Silent progress, for single files and callers that show none. */
export const NO_PROGRESS: Progress = { step: () => undefined, end: () => undefined };

/** Progress over `total` steps written to `stream`. */
export function createProgress(stream: NodeJS.WritableStream, total: number): Progress {
  let done = 0;
  if (!isTerminal(stream)) {
    return {
      step(label) {
        done++;
        stream.write(`[${done}/${total}] ${label}\n`);
      },
      end: () => undefined,
    };
  }
  let drawn = false;
  return {
    step(label) {
      done++;
      const filled = Math.round((WIDTH * (done - 1)) / total);
      const columns = (stream as { columns?: number }).columns ?? 80;
      const line = `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${done}/${total} ${label}`;
      // \r and "erase line": redraw in place, cut to the terminal's width so it never wraps.
      stream.write(`\r\u001b[2K${line.slice(0, Math.max(10, columns - 1))}`);
      drawn = true;
    },
    end() {
      if (drawn) stream.write('\r\u001b[2K');
      drawn = false;
    },
  };
}
