/**
 * Local channels: `Local/<exten>@<context>[/options]` makes a pair of channels; the
 * `;2` half runs the dialplan at exten@context, the `;1` half is what was called. Audio
 * and DTMF written to one half arrive on the other half's read side. The only channel
 * technology the simulator has (there are no SIP endpoints, fact 67).
 */
import type { Core } from '../core.js';
import { runDialplan } from '../dialplan/pbx.js';
import { Channel } from './channel.js';
import type { ChannelOrigin } from './channel.js';
import { dialEvent, failCall, hangupChannel } from './lifecycle.js';

/** A parsed `Local/...` endpoint. */
export interface LocalEndpoint {
  exten: string;
  context: string;
  options: string;
  /** What `Dial` events show as `dialstring`: `100@trace/n`. */
  dialstring: string;
}

/** Parses the part after `Local/`; undefined when it is not a Local endpoint. */
export function parseLocal(tech: string, device: string): LocalEndpoint | undefined {
  if (tech.toLowerCase() !== 'local' || device === '') return undefined;
  const slash = device.indexOf('/');
  const target = slash === -1 ? device : device.slice(0, slash);
  const options = slash === -1 ? '' : device.slice(slash + 1);
  const at = target.indexOf('@');
  const exten = at === -1 ? target : target.slice(0, at);
  const context = at === -1 ? 'default' : target.slice(at + 1);
  if (exten === '') return undefined;
  return { exten, context, options, dialstring: device };
}

/**
 * Creates both halves; `;1` gets `id1`, `;2` gets `id2` (generated when absent). No
 * ChannelCreated is sent: no app is subscribed yet (as in the transcripts); deliberate
 * difference: a `subscribeAll` app does not get one either.
 */
export function createLocalPair(core: Core, ep: LocalEndpoint, origin: ChannelOrigin, id1: string | undefined, id2: string | undefined): [Channel, Channel] {
  const seq = core.nextNameSeq();
  const ts = core.timestamp();
  const base = `Local/${ep.exten}@${ep.context}-${seq}`;
  const one = new Channel(id1 ?? core.uniqueId(), `${base};1`, ts, origin, 'Down');
  const two = new Channel(id2 ?? core.uniqueId(), `${base};2`, ts, 'pbx', 'Down');
  one.dialplan = { context: ep.context, exten: ep.exten, priority: 1, app_name: '', app_data: '' };
  two.dialplan = { context: ep.context, exten: ep.exten, priority: 1, app_name: '', app_data: '' };
  one.half = 1;
  two.half = 2;
  one.peer = two;
  two.peer = one;
  core.channels.set(one.id, one);
  core.channels.set(two.id, two);
  return [one, two];
}

/**
 * Calls a Local `;1` half (ast_call): its variables and caller id pass to `;2`, a Dial
 * event with an empty status goes out, and `;2` starts the dialplan (facts 7, 73-74). When
 * the extension does not exist the call fails and both halves go away, with no Dial.
 */
export function callLocal(core: Core, one: Channel, ep: LocalEndpoint, timeoutMs: number): void {
  const two = one.peer;
  if (two === undefined) return;
  two.state = 'Ring';
  for (const [name, value] of one.vars) {
    two.vars.set(name, value);
    core.varsetEvent(two, name, value);
  }
  if (one.caller.name !== '' || one.caller.number !== '') {
    // The caller id shows on both halves as caller and connected line (fact 74).
    two.caller = { ...one.caller };
    two.connected = { ...one.caller };
    core.channelEvent('ChannelCallerId', two, { caller_presentation: 0, caller_presentation_txt: 'Presentation Allowed, Not Screened' });
    core.channelEvent('ChannelConnectedLine', two);
  }
  // chan_local sets the far half up first and only then finds no extension (fact 73).
  if (!core.dialplan.exists(ep.context, ep.exten)) {
    core.log(`local: no such extension/context ${ep.exten}@${ep.context}`);
    failCall(core, one);
    return;
  }
  one.dial = { ...(one.dial ?? {}), dialstring: ep.dialstring, answered: false };
  dialEvent(core, one, '');
  if (timeoutMs > 0) {
    // The time-out hangs the called half up with cause 19 and no final Dial (facts 73, 78).
    const dial = one.dial;
    dial.timer = core.after(timeoutMs, () => {
      if (one.dial === dial && !dial.answered) hangupChannel(core, one, 19, 'timeout');
    });
  }
  runDialplan(core, two, ep.context, ep.exten, 1);
}
