/**
 * The ARI half of `DELETE /playbacks/{id}` and `POST /playbacks/{id}/control`, as
 * res_stasis_playback.c does it: a table of (state, operation) gives the answer and the
 * new state, and queues a control frame for whatever plays the current item
 * (playback.ts). Its `controllable` flag is set when a `sound:`, `recording:` or `tone:`
 * item starts and never cleared, so a `number:` or `digits:` item refuses every
 * operation until a `sound:` item has started in that playback, and accepts them after
 * (facts 104-106), although it cannot act on them the way a sound file can.
 */

/** A playback's state as res_stasis_playback keeps it; ARI shows stopped and canceled as "done". */
export type AriPlaybackState = 'queued' | 'playing' | 'paused' | 'stopped' | 'canceled' | 'done';

/** `DELETE` (stop) and the control operations. */
export type PlaybackOperation = 'stop' | 'pause' | 'unpause' | 'restart' | 'reverse' | 'forward';

/** A control frame for the stream, by its AST_CONTROL_STREAM_* name. */
export type PlaybackFrame = 'stop' | 'suspend' | 'restart' | 'reverse' | 'forward';

/** What res_stasis_playback decides; `not-playing` is 409, `failed` is 500. */
export interface PlaybackPlan {
  result: 'ok' | 'not-playing' | 'failed';
  state: AriPlaybackState;
  frame?: PlaybackFrame;
  /** playback_unpause publishes PlaybackStarted (fact 26). */
  started?: boolean;
}

const FRAME: Record<Exclude<PlaybackOperation, 'pause' | 'unpause'>, PlaybackFrame> = { stop: 'stop', restart: 'restart', reverse: 'reverse', forward: 'forward' };

/** res_stasis_playback.c's operations table. */
export function planPlaybackOperation(state: AriPlaybackState, controllable: boolean, op: PlaybackOperation): PlaybackPlan {
  const noop: PlaybackPlan = { result: 'ok', state };
  // Every operation that reaches the stream needs `controllable` (playback_stop, playback_pause...).
  const send = (next: AriPlaybackState, frame: PlaybackFrame, started = false): PlaybackPlan =>
    controllable ? { result: 'ok', state: next, frame, ...(started ? { started } : {}) } : { result: 'failed', state };
  switch (state) {
    case 'queued':
      // A stop cancels it (it never starts, fact 23); restart is a no-op; the rest have no entry.
      if (op === 'stop') return { result: 'ok', state: 'canceled' };
      return op === 'restart' ? noop : { result: 'not-playing', state };
    case 'playing':
      if (op === 'unpause') return noop;
      if (op === 'pause') return send('paused', 'suspend');
      return send(op === 'stop' ? 'stopped' : state, FRAME[op]);
    case 'paused':
      if (op === 'pause') return noop;
      if (op === 'unpause') return send('playing', 'suspend', true);
      if (op === 'stop') return send('stopped', 'stop');
      return { result: 'not-playing', state };
    default:
      // Stopped, canceled or done: a stop is a no-op (the second DELETE of fact 106), the rest 409.
      return op === 'stop' ? noop : { result: 'not-playing', state };
  }
}
