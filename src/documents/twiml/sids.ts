/**
 * Twilio's ids for the service's own: a SID is a two-letter prefix and 32
 * hex digits, and every id behind one here is a uuid, so a SID is the uuid's
 * hex (`CA…` a call leg, `CF…` a conversation, `RE…` a recording, `AC…` an
 * application). Nothing is stored twice and a SID maps back without a table.
 */

/** The kinds of SID the service hands out. */
export type SidPrefix = 'AC' | 'CA' | 'CF' | 'RE';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SID = /^(AC|CA|CF|RE)([0-9a-f]{32})$/i;

/** The SID of a uuid (`CA` + its 32 hex digits, lower case). */
export function toSid(prefix: SidPrefix, uuid: string): string {
  if (!UUID.test(uuid)) throw new Error(`not a uuid: ${uuid}`);
  return prefix + uuid.replaceAll('-', '').toLowerCase();
}

/** The uuid behind a SID of that kind; undefined when it is not one. */
export function fromSid(prefix: SidPrefix, sid: string): string | undefined {
  const match = SID.exec(sid);
  if (!match || match[1]!.toUpperCase() !== prefix) return undefined;
  const hex = match[2]!.toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
