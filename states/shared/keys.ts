/**
 * DTMF guards shared by the call machines. Each is named (`key #`, `digit`)
 * so the generated diagrams show the key on the edge.
 */

type Dtmf = { type: string; digit?: string };

function named<T extends (...args: never[]) => boolean>(name: string, fn: T): T {
  return Object.defineProperty(fn, 'name', { value: name });
}

/** A guard: the event is the given DTMF key. */
export const isKey = (key: string) => named(`key ${key}`, ({ event }: { event: Dtmf }) => event.type === 'ari.dtmf' && event.digit === key);

/** A guard: the event is a digit key, 0-9. */
export const isDigit = named('digit', ({ event }: { event: Dtmf }) => event.type === 'ari.dtmf' && event.digit !== undefined && /^[0-9]$/.test(event.digit));
