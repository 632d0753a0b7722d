/**
 * A call's membership of its queue, as an invoked callback actor: it joins on
 * start and its cleanup tells the queue the member left. Exit actions do not
 * run when an actor is stopped (a hang-up can stop a call actor at any
 * moment); a cleanup does, so the queue never keeps a ghost member.
 *
 * It is also the call's line to the queue: the queue sends `QueueToMember`
 * events to it, which it passes to the call machine; the call machine sends
 * it `MemberCommand`s, which it passes to the queue with the member's id.
 */
import { fromCallback } from 'xstate';
import type { MemberInfo, QueueRef, QueueToMember } from './types.js';

/** What a call machine asks of its queue. */
export type MemberCommand = { type: 'queue.complete' } | { type: 'queue.recorded'; name: string; outcome: 'kept' | 'discarded' };

/** Input of the membership actor. */
export interface MembershipInput {
  queue: QueueRef;
  member: Omit<MemberInfo, 'ref'>;
}

const FROM_QUEUE: ReadonlySet<string> = new Set<QueueToMember['type']>([
  'queue.position',
  'queue.matched',
  'queue.connected',
  'queue.requeued',
  'queue.ended',
  'queue.overflow',
]);

function fromQueue(event: QueueToMember | MemberCommand): event is QueueToMember {
  return FROM_QUEUE.has(event.type);
}

/** The membership actor: join, relay both ways, leave in the cleanup. */
export const membership = fromCallback<QueueToMember | MemberCommand, MembershipInput>(({ input, self, sendBack, receive }) => {
  const { queue, member } = input;
  const id = member.id;
  receive((event) => {
    if (fromQueue(event)) sendBack(event);
    else if (event.type === 'queue.complete') queue.send({ type: 'queue.complete', id });
    else queue.send({ type: 'queue.recorded', id, name: event.name, outcome: event.outcome });
  });
  queue.send({ type: 'queue.join', member: { ...member, ref: self } });
  return () => queue.send({ type: 'queue.leave', id });
});
