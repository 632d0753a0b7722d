/**
 * Entering and leaving Stasis, answering, and hanging up, with Asterisk 22's event order
 * for Local channels (facts 7-11, 57-63). A hangup runs in three steps:
 *   1. the request: `ChannelHangupRequest` on the channel hung up;
 *   2. the unwinding of that channel: its queued commands play out (PlaybackFinished
 *      "failed", RecordingFinished), it leaves its bridge, then Stasis (StasisEnd and
 *      `STASISSTATUS=SUCCESS`), and a channel running the dialplan ends its PBX
 *      (`ChannelHangupRequest {cause:16, soft:true}`);
 *   3. the Local peer is told (`ChannelHangupRequest` with the cause), the first half is
 *      destroyed (`ChannelDestroyed`), then the peer unwinds and is destroyed too.
 */
import { leaveBridge } from '../bridges/ops.js';
import type { Core } from '../core.js';
import { runDialplan } from '../dialplan/pbx.js';
import { causeText, dialStatusOfCause } from './causes.js';
import type { Channel, ChannelState } from './channel.js';

/** What started a hangup: `DELETE /channels/{id}`, the dialplan (Hangup(), its end, leaving Stasis), or a dial time-out. */
export type HangupKind = 'api' | 'dialplan' | 'timeout';

/** Sets a channel's state and publishes `ChannelStateChange`. */
export function setState(core: Core, ch: Channel, state: ChannelState): void {
  if (ch.state === state) return;
  ch.state = state;
  core.channelEvent('ChannelStateChange', ch);
}

/** `Stasis(app,args)`: `STASISSTATUS` is set empty (seen by other subscribers only, fact 11), then StasisStart. */
export function enterStasis(core: Core, ch: Channel, app: string, args: string[]): void {
  ch.vars.set('STASISSTATUS', '');
  core.varsetEvent(ch, 'STASISSTATUS', '');
  ch.stasis = { app, args };
  core.apps.subscribeChannel(app, ch.id, 'stasis');
  core.apps.publish('StasisStart', { args, channel: ch.toJson() }, { apps: [app] });
}

/** Leaves Stasis: StasisEnd to the app, which then stops hearing about the channel, then `STASISSTATUS=SUCCESS`. */
export function leaveStasis(core: Core, ch: Channel): void {
  const stasis = ch.stasis;
  if (stasis === undefined) return;
  core.apps.publish('StasisEnd', { channel: ch.toJson() }, { apps: [stasis.app] });
  ch.stasis = undefined;
  core.apps.unsubscribeChannel(stasis.app, ch.id, 'stasis');
  ch.vars.set('STASISSTATUS', 'SUCCESS');
  core.varsetEvent(ch, 'STASISSTATUS', 'SUCCESS');
}

/** Whether an app can take a channel now (registered over a connected WebSocket). */
export function appAvailable(core: Core, app: string): boolean {
  return core.apps.get(app)?.active === true;
}

/** Publishes a `Dial` event about a called channel (`peer`; ARI's dials have no `caller`, fact 10). */
export function dialEvent(core: Core, called: Channel, dialstatus: string): void {
  const dial = called.dial;
  if (dial === undefined || called.internal) return;
  core.apps.publish('Dial', { dialstatus, forward: '', dialstring: dial.dialstring, peer: called.toJson() }, { channels: [called.id] });
}

/**
 * Answers a channel. Answering the `;2` half of a Local channel answers the call: the
 * `;1` half goes Up, `Dial` says ANSWER, and `;1` enters its app (fact 8).
 */
export function answerChannel(core: Core, ch: Channel): void {
  if (ch.state === 'Up' || ch.hangingUp) return;
  setState(core, ch, 'Up');
  const called = ch.half === 2 ? ch.peer : undefined;
  if (called?.dial !== undefined && !called.dial.answered && !called.hangingUp) calledAnswered(core, called);
}

function calledAnswered(core: Core, called: Channel): void {
  const dial = called.dial;
  if (dial === undefined) return;
  dial.answered = true;
  core.cancel(dial.timer);
  setState(core, called, 'Up');
  dialEvent(core, called, 'ANSWER');
  called.dial = undefined;
  const then = dial.then;
  if (then === undefined) return;
  if ('app' in then) {
    called.dialplan = { ...called.dialplan, app_name: 'Stasis', app_data: then.appData };
    if (appAvailable(core, then.app)) {
      enterStasis(core, called, then.app, then.args);
    } else {
      // app_stasis: "Stasis app not registered"; the originate thread then hangs up.
      called.vars.set('STASISSTATUS', 'FAILED');
      core.varsetEvent(called, 'STASISSTATUS', '');
      core.varsetEvent(called, 'STASISSTATUS', 'FAILED');
      hangupChannel(core, called, 16, 'dialplan');
    }
  } else {
    called.runsDialplan = true;
    runDialplan(core, called, then.context, then.exten, then.priority);
  }
}

/** Hangs up a channel (and, for a Local channel, its other half). */
export function hangupChannel(core: Core, ch: Channel, cause: number, kind: HangupKind): void {
  if (ch.hangingUp || ch.destroyed) return;
  core.media.change(() => {
    ch.hangingUp = true;
    ch.hangupCause = cause;
    // DELETE is a soft hangup: ARI shows the AST_SOFTHANGUP_EXPLICIT flag (32) as `cause`.
    // DELETE, and a dial time-out of a channel in Stasis (fact 78), are soft hangups.
    if (kind === 'api' || (kind === 'timeout' && ch.stasis !== undefined)) core.channelEvent('ChannelHangupRequest', ch, { cause: 32, soft: true });
    unwind(core, ch, true, kind);
    const peer = ch.peer !== undefined && !ch.peer.hangingUp && !ch.peer.destroyed ? ch.peer : undefined;
    if (peer !== undefined) {
      peer.hangingUp = true;
      // A far end that set its own cause (Busy(), Congestion()) is destroyed with it (fact 73).
      peer.hangupCause = peer.ownCause ?? cause;
      core.channelEvent('ChannelHangupRequest', peer, { cause });
    }
    destroy(core, ch);
    if (peer !== undefined) {
      unwind(core, peer, false, kind);
      destroy(core, peer);
    }
  });
}

/** Step 2 of a hangup: what the channel's own thread does on its way out. */
function unwind(core: Core, ch: Channel, initiator: boolean, kind: HangupKind): void {
  ch.queue.hangup();
  if (ch.dial !== undefined && !ch.dial.answered) {
    core.cancel(ch.dial.timer);
    // The call was never answered: the dial ends NOANSWER (cancelled) or as the far end said
    // (BUSY..., facts 62, 80). A time-out sends no final Dial (73, 78), nor does a created
    // channel hung up by its own app while it rings (78).
    const silent = kind === 'timeout' || (initiator && ch.origin === 'create');
    if (!silent) dialEvent(core, ch, initiator ? 'NOANSWER' : dialStatusOfCause(ch.hangupCause));
    ch.dial = undefined;
  }
  if (ch.bridge !== undefined) leaveBridge(core, ch.bridge, ch, 'hangup');
  ch.outputs.clear();
  ch.moh = undefined;
  ch.silence = undefined;
  leaveStasis(core, ch);
  if (ch.runsDialplan) core.channelEvent('ChannelHangupRequest', ch, { cause: 16, soft: true });
  endSnoops(core, ch);
}

/** How long after the snooped channel's StasisEnd each snoop channel gets its own (10-20 ms, fact 92). */
export const SNOOP_END_DELAY_MS = 15;

/**
 * The snooped channel has gone: app_snoop's channels stop a little later, with only a
 * StasisEnd (no ChannelHangupRequest; their app hears no ChannelDestroyed, fact 92); a live
 * recording on one finishes first and is kept.
 */
function endSnoops(core: Core, ch: Channel): void {
  for (const snoop of ch.snoops) core.after(SNOOP_END_DELAY_MS, () => hangupChannel(core, snoop, 16, 'dialplan'));
}

/** Step 3: `ChannelDestroyed` to the apps still subscribed (the originating app; never the Stasis app, fact 58). */
function destroy(core: Core, ch: Channel): void {
  if (ch.origin === 'originate') ch.dialplan = { ...ch.dialplan, priority: 1, app_name: 'AppDial2', app_data: '(Outgoing Line)' };
  else ch.dialplan = { ...ch.dialplan, app_name: '', app_data: '' };
  core.channelEvent('ChannelDestroyed', ch, { cause: ch.hangupCause, cause_txt: causeText(ch.hangupCause) });
  ch.destroyed = true;
  ch.snoop?.target.snoops.delete(ch);
  core.apps.forgetChannel(ch.id);
  core.channels.delete(ch.id);
}

/**
 * A call whose far end could not be reached (no such extension): both halves go away
 * without a Dial event, as when chan_local's call fails.
 */
export function failCall(core: Core, ch: Channel): void {
  core.media.change(() => {
    for (const c of [ch.peer, ch]) {
      if (c === undefined || c.destroyed) continue;
      c.hangingUp = true;
      // A created channel dialled to nowhere leaves its app with cause 16; an originate's halves go with 0 (facts 73, 78).
      c.hangupCause = c.origin === 'create' ? 16 : 0;
      c.queue.hangup();
      leaveStasis(core, c);
      endSnoops(core, c);
      destroy(core, c);
    }
  });
}

/**
 * The far end indicated ringing or progress (`Ringing()`, `Progress()`, `POST .../ring`,
 * `.../progress` on an unanswered `;2`): the caller half, while it is being called, hears
 * it as a Dial event, and ringing also makes it `Ringing` (facts 73, 79).
 */
export function indicateToCaller(core: Core, ch: Channel, status: 'RINGING' | 'PROGRESS'): void {
  if (ch.state === 'Up' || ch.hangingUp || ch.half !== 2) return;
  const caller = ch.peer;
  if (caller?.dial === undefined || caller.dial.answered || caller.hangingUp) return;
  if (status === 'RINGING') setState(core, caller, 'Ringing');
  dialEvent(core, caller, status);
}

/**
 * `Busy()` / `Congestion()` on a `;2` half (fact 73): it goes `Busy` with its own cause, the
 * dial ends BUSY / CONGESTION, and then an originate's `;1` hangs up (cause 0), while a
 * created channel stays in its app, `Down`, until the app hangs it up (fact 78); its far
 * half then goes quietly (nobody is subscribed to it).
 */
export function farEndRefused(core: Core, ch: Channel, cause: 17 | 34): void {
  core.media.change(() => {
    ch.ownCause = cause;
    ch.hangupCause = cause;
    setState(core, ch, 'Busy');
    const caller = ch.half === 2 ? ch.peer : undefined;
    // Nobody is waiting on the answer: the channel sits in Busy() until it is hung up.
    if (caller?.dial === undefined || caller.dial.answered || caller.hangingUp) return;
    core.cancel(caller.dial.timer);
    dialEvent(core, caller, cause === 17 ? 'BUSY' : 'CONGESTION');
    caller.dial = undefined;
    if (caller.stasis !== undefined) {
      caller.peer = undefined;
      ch.peer = undefined;
      ch.hangingUp = true;
      ch.queue.hangup();
      destroy(core, ch);
    } else {
      hangupChannel(core, caller, 0, 'dialplan');
    }
  });
}
