/**
 * What happens to bridges (facts 48-56): members entering and leaving with
 * ChannelEnteredBridge / ChannelLeftBridge and `BRIDGEPEER`, the app's subscription to
 * the bridge while one of its channels is in it, bridge playbacks on a hidden Announcer,
 * bridge music on an Announcer/ARI_MOH, bridge recordings on a Recorder, destruction.
 */
import type { Channel } from '../channels/channel.js';
import type { Core } from '../core.js';
import { PcmEmitter, sampleAt } from '../media/graph.js';
import { mohSamples } from '../media/moh.js';
import type { Playback } from '../playbacks/playback.js';
import type { LiveRecording } from '../recordings/live.js';
import type { Bridge, HiddenMember } from './bridge.js';

/** Why a channel leaves a bridge. On hangup the app keeps its bridge subscription, as Asterisk does (fact 51). */
export type LeaveReason = 'remove' | 'hangup' | 'continue' | 'destroy' | 'move';

/**
 * Sets `BRIDGEPEER` on every member of a mixing bridge with two or more channels: the
 * other channels' names, most recent first (as recorded: "Announcer/ARI-...;2,Local/...").
 */
function updatePeers(core: Core, bridge: Bridge): void {
  if (!bridge.mixing || bridge.size < 2) return;
  const names = [...bridge.joinOrder].reverse();
  for (const m of bridge.members) {
    const value = names.filter((n) => n !== m.name).join(',');
    m.vars.set('BRIDGEPEER', value);
    core.varsetEvent(m, 'BRIDGEPEER', value);
  }
}

/** A channel in Stasis joins a bridge (run from the channel's queue, as Asterisk does). */
export function enterBridge(core: Core, bridge: Bridge, ch: Channel, options: { mute?: boolean } = {}): void {
  if (bridge.destroyed || ch.hangingUp || ch.destroyed) return;
  if (ch.bridge !== undefined) leaveBridge(core, ch.bridge, ch, ch.bridge === bridge ? 'remove' : 'move');
  core.media.change(() => {
    bridge.members.push(ch);
    bridge.joinOrder.push(ch.name);
    ch.bridge = bridge;
    // `mute=true`: the others do not hear this member (fact 88).
    ch.mutedInBridge = options.mute === true;
  });
  if (ch.stasis !== undefined) {
    ch.bridgeApp = ch.stasis.app;
    core.apps.subscribeBridge(ch.stasis.app, bridge.id, false);
  }
  core.apps.publish('ChannelEnteredBridge', { bridge: bridge.toJson(), channel: ch.toJson() }, { bridges: [bridge.id] });
  updatePeers(core, bridge);
}

/** A member leaves a bridge. */
export function leaveBridge(core: Core, bridge: Bridge, ch: Channel, reason: LeaveReason, extraChannels: string[] = []): void {
  if (ch.bridge !== bridge) return;
  const peer = ch.vars.get('BRIDGEPEER');
  if (peer !== undefined && peer !== '') {
    ch.vars.set('BRIDGEPEER', '');
    core.varsetEvent(ch, 'BRIDGEPEER', '');
  }
  core.media.change(() => {
    const i = bridge.members.indexOf(ch);
    if (i !== -1) bridge.members.splice(i, 1);
    forgetJoin(bridge, ch.name);
    ch.bridge = undefined;
    ch.mutedInBridge = false;
  });
  core.apps.publish('ChannelLeftBridge', { bridge: bridge.toJson(extraChannels), channel: ch.toJson() }, { bridges: [bridge.id] });
  if (reason !== 'hangup' && ch.bridgeApp !== undefined) core.apps.unsubscribeBridge(ch.bridgeApp, bridge.id, false);
  ch.bridgeApp = undefined;
  // A holding bridge's music stops when its last member leaves (fact 86).
  if (bridge.type === 'holding' && bridge.members.length === 0) stopBridgeMoh(core, bridge);
  updatePeers(core, bridge);
}

function forgetJoin(bridge: Bridge, name: string): void {
  const i = bridge.joinOrder.indexOf(name);
  if (i !== -1) bridge.joinOrder.splice(i, 1);
}

function addHidden(core: Core, bridge: Bridge, kind: HiddenMember['kind']): HiddenMember {
  const prefix = kind === 'recorder' ? 'Recorder/ARI' : kind === 'moh' ? 'Announcer/ARI_MOH' : 'Announcer/ARI';
  const member: HiddenMember = { kind, name: `${prefix}-${core.nextNameSeq()};2`, uniqueid: core.uniqueId() };
  core.media.change(() => {
    bridge.hidden.push(member);
    bridge.joinOrder.push(member.name);
  });
  updatePeers(core, bridge);
  return member;
}

function removeHidden(core: Core, bridge: Bridge, member: HiddenMember): void {
  const i = bridge.hidden.indexOf(member);
  if (i === -1) return;
  core.media.change(() => {
    bridge.hidden.splice(i, 1);
    forgetJoin(bridge, member.name);
  });
  if (!bridge.destroyed) updatePeers(core, bridge);
}

/** Queues a playback on the bridge's announcer, which joins for it and leaves when nothing is left to play. */
export function playOnBridge(core: Core, bridge: Bridge, pb: Playback): void {
  bridge.announcements.enqueue({
    kind: 'play',
    start(done) {
      bridge.announcer ??= addHidden(core, bridge, 'announcer');
      pb.start(() => {
        done();
        if (bridge.announcements.idle && bridge.announcer !== undefined) {
          const announcer = bridge.announcer;
          bridge.announcer = undefined;
          removeHidden(core, bridge, announcer);
        }
      });
    },
    abort: () => pb.abort(),
    hangupWhileQueued: () => pb.hangupWhileQueued(),
  });
}

/** `POST /bridges/{id}/moh`: an Announcer/ARI_MOH joins and plays the music. */
export function startBridgeMoh(core: Core, bridge: Bridge): void {
  if (bridge.moh !== undefined) return;
  const member = addHidden(core, bridge, 'moh');
  const samples = mohSamples(core.paths.mohDir);
  const emitter = samples === undefined ? undefined : new PcmEmitter(samples, sampleAt(core.clock.now()), 0, true);
  bridge.moh = { member, emitter };
  if (emitter !== undefined) core.media.change(() => bridge.outputs.add(emitter));
}

/** `DELETE /bridges/{id}/moh`; false when no music plays (409, fact 54). */
export function stopBridgeMoh(core: Core, bridge: Bridge): boolean {
  const moh = bridge.moh;
  if (moh === undefined) return false;
  bridge.moh = undefined;
  const emitter = moh.emitter;
  if (emitter !== undefined) core.media.change(() => bridge.outputs.delete(emitter));
  removeHidden(core, bridge, moh.member);
  return true;
}

const bridgeRecordings = new WeakMap<Bridge, Set<LiveRecording>>();

/** Starts a bridge recording: a Recorder joins for as long as it records. */
export function recordBridge(core: Core, bridge: Bridge, rec: LiveRecording): void {
  const member = addHidden(core, bridge, 'recorder');
  const set = bridgeRecordings.get(bridge) ?? new Set<LiveRecording>();
  bridgeRecordings.set(bridge, set);
  set.add(rec);
  rec.start(() => {
    set.delete(rec);
    removeHidden(core, bridge, member);
  });
}

/**
 * `DELETE /bridges/{id}`: members leave (staying in Stasis), the hidden channels hang up,
 * then BridgeDestroyed goes to the apps still subscribed (fact 51).
 */
export function destroyBridge(core: Core, bridge: Bridge): void {
  // Fact 56: in a holding bridge with music, the leave snapshot still lists the music channel.
  const extra = bridge.type === 'holding' && bridge.moh !== undefined ? [bridge.moh.member.uniqueid] : [];
  for (const m of [...bridge.members]) leaveBridge(core, bridge, m, 'destroy', extra);
  bridge.destroyed = true;
  core.bridges.delete(bridge.id);
  bridge.announcements.hangup();
  for (const rec of [...(bridgeRecordings.get(bridge) ?? [])]) rec.abort();
  stopBridgeMoh(core, bridge);
  core.media.change(() => bridge.outputs.clear());
  core.apps.publish('BridgeDestroyed', { bridge: bridge.toJson() }, { bridges: [bridge.id] });
  core.apps.forgetBridge(bridge.id);
}
