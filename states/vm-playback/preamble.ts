/**
 * preamble: "message <n>" (vm-message, then the number, each started when
 * the one before finishes, as the tutorial does), then, with the envelope on,
 * when it was received and from which number. # skips to listening: every
 * item is a sound file, because Asterisk will not stop a `number:` or
 * `digits:` playback (facts 104-106). No message left → empty.
 */
import { sayDigits, sayNumber } from '../shared/say.js';
import { currentMessage, isKey, play, retrieval } from './setup.js';
import type { MessageRef } from './types.js';

/** "Received <weekday> at <h> <mm> <am/pm> from <number>", in the server's time zone. */
export function envelopeMedia(message: MessageRef): string[] {
  const at = new Date(message.receivedAt);
  const media = ['sound:vm-received', `sound:digits/day-${at.getDay()}`, 'sound:digits/at'];
  const hours = at.getHours();
  media.push(...sayNumber(hours % 12 === 0 ? 12 : hours % 12));
  if (at.getMinutes() > 0) media.push(...sayNumber(at.getMinutes()));
  media.push(hours < 12 ? 'sound:digits/a-m' : 'sound:digits/p-m');
  if (/^[0-9*#]+$/.test(message.callerNumber)) media.push('sound:vm-from-phonenumber', ...sayDigits(message.callerNumber));
  return media;
}

/** The preamble's media for a message. */
export function preambleMedia(message: MessageRef, envelope: boolean): string[] {
  return ['sound:vm-message', ...sayNumber(message.number), ...(envelope ? envelopeMedia(message) : [])];
}

export const preamble = retrieval.createStateConfig({
  always: { guard: 'isEmpty', target: 'empty' },
  invoke: {
    src: 'playback',
    // Computed even when `always` leaves at once for empty (XState builds the input on entry).
    input: ({ context }) => {
      const message = currentMessage(context);
      return play(context, message ? preambleMedia(message, context.input.settings.envelope) : []);
    },
  },
  on: {
    'playback.finished': { target: 'listening' },
    'ari.dtmf': { guard: isKey('#'), target: 'listening' },
  },
});
