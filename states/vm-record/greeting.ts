/**
 * greeting: plays the mailbox's greeting (its own, or vm-intro). `#` cuts it
 * short; when it ends the caller is recorded.
 */
import { deposit, isKey } from './setup.js';

export const greeting = deposit.createStateConfig({
  invoke: {
    src: 'playback',
    input: ({ context }) => ({ target: { channelId: context.input.channelId }, media: [context.greeting], log: context.input.log }),
  },
  on: {
    'ari.dtmf': { guard: isKey('#'), target: 'recording' },
    'playback.finished': { target: 'recording' },
  },
});
