/**
 * Where a mailbox's recordings live on Asterisk: `voicemail/<mailbox>/<id>`.
 * One place, so deposit, retrieval, forwarding and the CLI agree (pure: the
 * machines use it too).
 */

/** The recording-name prefix of a mailbox, with its trailing slash (so 30 never matches 305). */
export function recordingPrefix(mailbox: string): string {
  return `voicemail/${mailbox}/`;
}
