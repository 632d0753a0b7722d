/**
 * Message waiting indication: after the messages of a mailbox change, tell
 * Asterisk the new and old counts (ARI mailboxes resource, which needs
 * res_mwi_external) so phones light up. Failing to do so never fails a call.
 */
import type { AriPort } from '../../ari/port.js';
import { errorMessage } from '../../errors.js';
import type { VoicemailStore } from '../../storage/types.js';

/** The Asterisk mailbox name phones subscribe to (`mailboxes=305@stasis-flows` in pjsip.conf). */
export function mwiMailboxName(mailbox: string, context: string): string {
  return `${mailbox}@${context}`;
}

/** Publishes the mailbox's current counts; logs and returns false on failure. */
export async function publishMwi(
  deps: { ari: AriPort; store: VoicemailStore; log: { warn(message: string, meta?: Record<string, unknown>): unknown } },
  mailbox: string,
  context: string,
): Promise<boolean> {
  try {
    const counts = await deps.store.countMessages(mailbox);
    await deps.ari.mailboxes.update(mwiMailboxName(mailbox, context), { oldMessages: counts.old, newMessages: counts.new });
    return true;
  } catch (err) {
    deps.log.warn('could not update message waiting indication', { mailbox, err: errorMessage(err) });
    return false;
  }
}
