/**
 * Every prompt each flow plays, declared in one place: the flows use these
 * lists, `stasis-flows sounds check` and the start-up check read them.
 */
import { QUEUE_PROMPTS } from '../../states/queue/machine.js';
import { VM_PLAYBACK_PROMPTS } from '../../states/vm-playback/machine.js';
import { VM_RECORD_PROMPTS } from '../../states/vm-record/machine.js';

/** Prompts by flow (keyed by the flow's default app name). */
export const FLOW_PROMPTS: Readonly<Record<string, readonly string[]>> = {
  'vm-record': VM_RECORD_PROMPTS,
  'vm-playback': VM_PLAYBACK_PROMPTS,
  queue: QUEUE_PROMPTS,
};

/** Every prompt of every flow, once. */
export function allPrompts(): string[] {
  return [...new Set(Object.values(FLOW_PROMPTS).flat())].sort();
}
