/**
 * join: the leg is in a named conversation (NCCO `conversation`) until it
 * leaves. The `membership` effect joins on start and leaves in its cleanup,
 * so a hang-up, `call.end` or a replaced document always takes the leg out
 * of the room. The room may let the leg go itself (another member's
 * endOnExit, the room full or failed): then the document goes on with its
 * next step. Keys do nothing here.
 */
import { document, legInput, stepOf } from '../setup.js';

export const join = document.createStateConfig({
  invoke: {
    src: 'membership',
    input: ({ context }) => ({ ...legInput(context), step: stepOf(context, 'join') }),
  },
  on: {
    'conversation.left': { target: '#document.next', actions: 'advance' },
    'ari.dtmf': {},
  },
});
