/**
 * What every call machine receives from the runtime: its input, the ARI
 * events it is sent, and the logger interface it may use (structural, so
 * states/ does not depend on winston).
 */

/** The logging a machine may do; the runtime passes the call's child logger. */
export interface CallLog {
  debug(message: string, meta?: Record<string, unknown>): unknown;
  info(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
}

/** Input of every call's root actor. */
export interface CallInput {
  /** The channel in Stasis (the caller's channel). */
  channelId: string;
  /** The Stasis application's arguments, as the dialplan gave them. */
  args: readonly string[];
  /** Caller id as the channel carries it. */
  caller: { name: string; number: string };
  /** The channel's language when it entered Stasis. */
  language: string;
  /** Where the dialplan was when the channel entered Stasis (the extension dialled), where Asterisk said. */
  dialplan?: { context: string; exten: string };
  /** `inbound`: the channel came from the dialplan; `outbound`: the service placed the call (runtime.originate). */
  direction: 'inbound' | 'outbound';
  /** What whoever placed an outbound call attached to it (empty for inbound calls). */
  data: Readonly<Record<string, string>>;
  log: CallLog;
}

/**
 * What a call's machine may output in its final state. `handOver` passes the
 * channel, still in Stasis, to another app's flow in this process (for example
 * a queue caller who waited too long, to voicemail) instead of hanging up.
 */
export interface CallOutput {
  handOver?: { app: string; args: readonly string[] };
}

/** Events the runtime sends to a call's root actor. */
export type CallEvent =
  /** A DTMF digit the caller pressed (0-9, A-D, *, #). */
  | { type: 'ari.dtmf'; digit: string }
  /** The caller hung up (or the channel is being hung up). */
  | { type: 'ari.hangup' }
  /** The channel left Stasis: the last event a call gets. */
  | { type: 'ari.stasisEnd' }
  /**
   * The service asks the flow to end the call as it would end it itself (a
   * goodbye where it has one); the runtime hangs up when the flow is done, or
   * after a bound. `shutdown`: the service is stopping; `request`: from outside (an API).
   */
  | { type: 'call.end'; reason: 'shutdown' | 'request' };

/** True for the events that mean the caller is gone. */
export function isCallerGone(event: { type: string }): boolean {
  return event.type === 'ari.hangup' || event.type === 'ari.stasisEnd';
}
