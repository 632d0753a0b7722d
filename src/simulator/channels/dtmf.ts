/**
 * DTMF. `POST /channels/{id}/dtmf` queues a command on the sending channel that plays
 * the digits as `ast_dtmf_stream` does: 100 ms of quiet, then per digit `duration` ms of
 * tone and `between` ms of pause (facts 13-15). Each digit arrives on the far end's read
 * side when it ends, as ChannelDtmfReceived; a bridge passes it on to the other members.
 */
import type { Core } from '../core.js';
import type { Channel } from './channel.js';
import type { Command } from './queue.js';

const VALID = /^[0-9A-Da-d*#]$/;

/** Options of sendDTMF, in milliseconds. */
export interface DtmfOptions {
  before: number;
  between: number;
  duration: number;
  after: number;
}

/** The command that sends digits from `ch`. */
export class DtmfCommand implements Command {
  readonly kind = 'dtmf';
  private timer: unknown;
  private done: (() => void) | undefined;

  constructor(
    private readonly core: Core,
    private readonly ch: Channel,
    private readonly digits: string,
    private readonly options: DtmfOptions,
  ) {}

  /** Plays the digits out on the clock, then calls `done`. */
  start(done: () => void): void {
    this.done = done;
    // A list of (delay, action) steps, run one after another on the clock.
    const steps: { wait: number; digit?: string }[] = [];
    let wait = this.options.before + 100;
    for (const c of this.digits) {
      if (c === 'w') wait += 500;
      else if (c === 'W') wait += 1000;
      else if (VALID.test(c)) {
        steps.push({ wait: wait + this.options.duration, digit: c });
        wait = this.options.between;
      }
    }
    steps.push({ wait: wait + this.options.after });
    this.next(steps);
  }

  private next(steps: { wait: number; digit?: string }[]): void {
    const step = steps.shift();
    if (step === undefined) {
      const done = this.done;
      this.done = undefined;
      done?.();
      return;
    }
    this.timer = this.core.after(step.wait, () => {
      this.timer = undefined;
      if (step.digit !== undefined) {
        const far = this.ch.peer;
        if (far !== undefined && !far.destroyed) receiveDtmf(this.core, far, step.digit, this.options.duration);
      }
      this.next(steps);
    });
  }

  /** The channel hung up: the remaining digits are never sent. */
  abort(): void {
    this.core.cancel(this.timer);
    this.timer = undefined;
    this.done = undefined;
  }
}

/** A digit arrives on a channel's read side. */
export function receiveDtmf(core: Core, ch: Channel, digit: string, durationMs: number, visited: Set<string> = new Set()): void {
  if (visited.has(ch.id) || ch.destroyed) return;
  visited.add(ch.id);
  core.channelEvent('ChannelDtmfReceived', ch, { digit, duration_ms: durationMs });
  for (const hook of [...ch.dtmfHooks]) hook(digit);
  const bridge = ch.bridge;
  if (bridge === undefined || !bridge.mixing) return;
  for (const m of bridge.members) {
    if (m === ch) continue;
    const far = m.peer;
    if (far !== undefined && !far.destroyed) receiveDtmf(core, far, digit, durationMs, visited);
  }
}
