/**
 * A channel's control queue. In Asterisk every ARI command for a channel in Stasis is a
 * task on that channel's queue, run one at a time, in order (facts 15-18, 45, 63): DTMF
 * sent during a playback goes out after it, a record during a playback is `queued`, a
 * play during a recording waits for it.
 */

/** One queued command. */
export interface Command {
  readonly kind: string;
  /** Runs the command; it calls `done` when it has finished (at once, or later). */
  start(done: () => void): void;
  /** The channel hung up while this command ran: end it now (it still calls `done`). */
  abort?(): void;
  /** The channel hung up while this command waited: play out what Asterisk does then. */
  hangupWhileQueued?(): void;
}

/** The queue of one channel (or of a bridge's announcer). */
export class CommandQueue {
  private readonly waiting: Command[] = [];
  private current: Command | undefined;
  private pumping = false;
  private closed = false;

  /** The running command, if any. */
  get running(): Command | undefined {
    return this.current;
  }

  /** Whether nothing runs and nothing waits. */
  get idle(): boolean {
    return this.current === undefined && this.waiting.length === 0;
  }

  /** Adds a command; it starts at once when the queue is idle. After hangup it is flushed instead. */
  enqueue(cmd: Command): void {
    if (this.closed) {
      cmd.hangupWhileQueued?.();
      return;
    }
    this.waiting.push(cmd);
    this.pump();
  }

  /** Runs `fn` in turn; resolves once it has run (ARI's synchronous commands: answer, addChannel). */
  run(kind: string, fn: () => void, onHangup: () => void = () => {}): Promise<void> {
    return new Promise<void>((resolve) => {
      this.enqueue({
        kind,
        start(done) {
          try {
            fn();
          } finally {
            done();
            resolve();
          }
        },
        hangupWhileQueued() {
          onHangup();
          resolve();
        },
      });
    });
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.current === undefined && this.waiting.length > 0 && !this.closed) {
        const cmd = this.waiting.shift();
        if (cmd === undefined) break;
        this.current = cmd;
        cmd.start(() => {
          if (this.current !== cmd) return;
          this.current = undefined;
          this.pump();
        });
      }
    } finally {
      this.pumping = false;
    }
  }

  /**
   * The channel hung up: the running command is aborted, then every waiting command
   * plays out its hangup behaviour in order (a queued playback still gets PlaybackStarted
   * and PlaybackFinished "failed", fact 63).
   */
  hangup(): void {
    this.closed = true;
    const cmd = this.current;
    if (cmd !== undefined) {
      this.current = undefined;
      cmd.abort?.();
    }
    while (this.waiting.length > 0) this.waiting.shift()?.hangupWhileQueued?.();
  }
}
