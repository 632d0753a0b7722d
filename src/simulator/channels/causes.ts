/** Q.850 hangup causes as Asterisk names and describes them (main/causes.c, res/ari/resource_channels.c). */

const CAUSE_TEXT: Record<number, string> = {
  0: 'Unknown',
  1: 'Unallocated (unassigned) number',
  2: 'No route to specified transmit network',
  3: 'No route to destination',
  6: 'Channel unacceptable',
  16: 'Normal Clearing',
  17: 'User busy',
  18: 'No user responding',
  19: 'User alerting, no answer',
  21: 'Call Rejected',
  22: 'Number changed',
  26: 'Answered elsewhere',
  27: 'Destination out of order',
  28: 'Invalid number format',
  29: 'Facility rejected',
  31: 'Normal, unspecified',
  34: 'Circuit/channel congestion',
  38: 'Network out of order',
  41: 'Temporary failure',
  42: 'Switching equipment congestion',
  44: 'Requested channel not available',
  58: 'Bearer capability not available',
  127: 'Interworking, unspecified',
};

/** `cause_txt` of ChannelDestroyed. */
export function causeText(cause: number): string {
  return CAUSE_TEXT[cause] ?? 'Unknown';
}

/** `DELETE /channels/{id}?reason=` names (Asterisk 22). */
const REASONS: Record<string, number> = {
  normal: 16,
  busy: 17,
  congestion: 34,
  no_answer: 19,
  timeout: 18,
  rejected: 21,
  unallocated: 1,
  normal_unspecified: 31,
  number_incomplete: 28,
  codec_mismatch: 58,
  interworking: 127,
  failure: 38,
  answered_elsewhere: 26,
};

/** The cause for a hangup `reason`, or undefined when Asterisk rejects it (fact 60). */
export function causeOfReason(reason: string): number | undefined {
  return REASONS[reason];
}

/**
 * The `dialstatus` of a Dial event when the called side hangs up before answering.
 * Recorded for 16, 17, 19, 21 and 34 (facts 62, 80); the rest follows app_dial's mapping
 * of causes and is not verified against Asterisk.
 */
export function dialStatusOfCause(cause: number): string {
  switch (cause) {
    case 17:
      return 'BUSY';
    case 34:
    case 38:
    case 41:
    case 42:
      return 'CONGESTION';
    case 18:
    case 19:
    case 16:
    case 21:
      return 'NOANSWER';
    default:
      return 'CHANUNAVAIL';
  }
}
