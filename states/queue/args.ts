/**
 * The queue app's arguments: `Stasis(queue,<role>[,<queue name>])`. Pure, so
 * the machine and the flow that resolves the queue actor agree.
 */
import type { Role } from './types.js';

/** The queue a call joins when the dialplan names none. */
export const DEFAULT_QUEUE = 'default';

/** Queue names: what the dialplan may pass (they name recordings and database rows). */
const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

/** True for a valid queue name. */
export function isQueueName(name: string): boolean {
  return QUEUE_NAME.test(name);
}

/** The role and queue name the arguments ask for, or undefined when they are not valid. */
export function parseQueueArgs(args: readonly string[]): { role: Role; queue: string } | undefined {
  const role = args[0];
  if (role !== 'caller' && role !== 'agent') return undefined;
  const queue = args[1] === undefined || args[1] === '' ? DEFAULT_QUEUE : args[1];
  return isQueueName(queue) ? { role, queue } : undefined;
}

/** The recording-name prefix of a queue's recordings, with its trailing slash. */
export function queueRecordingPrefix(queue: string): string {
  return `queue/${queue}/`;
}
