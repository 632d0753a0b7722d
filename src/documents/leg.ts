/**
 * Who a document-driven call is, as the program's server sees it: the ids and
 * numbers every webhook carries. Made once when the call starts.
 */

/** One leg of a voice-API call. */
export interface Leg {
  /** The leg's id (a uuid), stable for the call; not Asterisk's channel id. */
  readonly uuid: string;
  /** `CON-<uuid>`: the conversation the leg's document runs in. */
  readonly conversationUuid: string;
  /** The caller's number (the channel's caller id number). */
  readonly from: string;
  /** The number called: the second Stasis argument, else the dialplan extension. */
  readonly to: string;
  readonly direction: 'inbound' | 'outbound';
}
