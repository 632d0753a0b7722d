/**
 * The ARI half of an operation on a live recording, as res_stasis_recording.c does it:
 * its table of (state, operation) gives the answer and the new state at once, and
 * queues a control frame for `__ast_play_and_record` (live.ts), which may act on it
 * later, or never: during the beep the frame is lost (facts 98-101). Keeping the two
 * halves apart is what makes the simulator misbehave as Asterisk does.
 */
import type { RecordingOperation, RecordingState } from './live.js';

/** A control frame for the recording loop, by its AST_CONTROL_RECORD_* subclass. */
export type RecordingFrame = 'cancel' | 'stop' | 'suspend' | 'mute';

/** The subclass numbers Asterisk logs when it drops a frame ("Unexpected control subclass '1101'"). */
export const FRAME_SUBCLASS: Record<RecordingFrame, number> = { cancel: 1100, stop: 1101, suspend: 1102, mute: 1103 };

/** What res_stasis_recording decides before the recording loop sees anything. */
export interface OperationPlan {
  /** `not-recording` is 409 "Recording not in session". */
  result: 'ok' | 'not-recording';
  state: RecordingState;
  /** The ARI-side mute flag (toggle_recording_mute): a frame is sent only when it changes. */
  muted: boolean;
  frame?: RecordingFrame;
  /** Cancel also deletes the file at once (ast_filedelete); when there is none yet, the answer is 500. */
  deleteFile?: boolean;
}

/** res_stasis_recording.c's operations table: the answer, the new ARI state and the frame to queue. */
export function planOperation(state: RecordingState, muted: boolean, op: RecordingOperation): OperationPlan {
  const refuse: OperationPlan = { result: 'not-recording', state, muted };
  const ok = (next: RecordingState, frame?: RecordingFrame, extra: Partial<OperationPlan> = {}): OperationPlan => ({
    result: 'ok',
    state: next,
    muted,
    ...(frame === undefined ? {} : { frame }),
    ...extra,
  });
  if (state === 'queued') {
    // recording_disregard: only the state changes; the recording still runs when its turn comes (fact 18).
    return op === 'stop' || op === 'cancel' ? ok('canceled') : refuse;
  }
  // done, canceled and failed have no row: every operation is 409 (facts 99, 100).
  if (state !== 'recording' && state !== 'paused') return refuse;
  switch (op) {
    case 'cancel':
      return ok('canceled', 'cancel', { deleteFile: true });
    case 'stop':
      return ok('done', 'stop');
    case 'pause':
      return state === 'paused' ? ok(state) : ok('paused', 'suspend');
    case 'unpause':
      return state === 'recording' ? ok(state) : ok('recording', 'suspend');
    case 'mute':
    case 'unmute': {
      const want = op === 'mute';
      // The loop toggles on every mute frame; ARI sends one only on a change (fact 101).
      // Deliberate difference, unrecorded: Asterisk keeps the flag in `int muted:1`, a signed
      // one-bit field that reads back -1, so a real build may send a frame on every repeated mute.
      return want === muted ? ok(state) : ok(state, 'mute', { muted: want });
    }
  }
}
