/** wait: silence for a while (NCCO `wait`, TwiML `<Pause>`); keys are dropped. */
import { document } from '../setup.js';

export const wait = document.createStateConfig({
  after: { waitTime: { target: '#document.next', actions: 'advance' } },
  on: { 'ari.dtmf': {} },
});
