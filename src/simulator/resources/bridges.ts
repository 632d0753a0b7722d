/** `/bridges` (facts 48-56). */
import { Bridge } from '../bridges/bridge.js';
import { destroyBridge, enterBridge, leaveBridge, playOnBridge, recordBridge, startBridgeMoh, stopBridgeMoh } from '../bridges/ops.js';
import type { Channel } from '../channels/channel.js';
import type { Core } from '../core.js';
import { allocationFailed, badRequest, conflict, internalError, notFound, unprocessable } from '../errors.js';
import type { Params } from '../http/params.js';
import { created, noContent, ok } from '../http/types.js';
import type { HandlerMap, Reply } from '../http/types.js';
import { Playback } from '../playbacks/playback.js';
import { LiveRecording } from '../recordings/live.js';
import { newId, recordingOptions } from './common.js';

const BRIDGE_FLAGS = new Set(['mixing', 'holding', 'dtmf_events', 'proxy_media', 'video_sfu', 'video_single', 'sdp_label']);

function findBridge(core: Core, id: string): Bridge {
  const bridge = core.bridges.get(id);
  if (bridge === undefined || bridge.destroyed) throw notFound('Bridge not found');
  return bridge;
}

function makeBridge(core: Core, type: string | undefined, id: string, name: string): Bridge {
  const flags = (type ?? '').split(',').map((f) => f.trim()).filter((f) => f !== '');
  if (flags.some((f) => !BRIDGE_FLAGS.has(f))) throw internalError(`Unable to create bridge. Possible duplicate bridge id '${id}'`);
  const bridge = new Bridge(id, name, flags.includes('holding') ? 'holding' : 'mixing', core.timestamp());
  core.bridges.set(id, bridge);
  // No BridgeCreated event goes to any app (fact 48).
  return bridge;
}

function create(core: Core, p: Params): Reply {
  const id = p.str('bridgeId') || newId();
  if (core.bridges.has(id)) throw conflict(`Bridge with id '${id}' already exists`);
  return ok(makeBridge(core, p.str('type'), id, p.str('name') ?? '').toJson());
}

function createWithId(core: Core, p: Params): Reply {
  const id = p.pathParam('bridgeId');
  const existing = core.bridges.get(id);
  if (existing !== undefined) {
    const name = p.str('name') ?? '';
    if (name !== '' && name !== existing.name) throw internalError('Changing bridge name is not implemented');
    if ((p.str('type') ?? '') !== '') throw internalError('Supplying a bridge type when updating a bridge is not allowed.');
    return ok(existing.toJson());
  }
  return ok(makeBridge(core, p.str('type'), id, p.str('name') ?? '').toJson());
}

/** The `channel` list of addChannel/removeChannel: 400 "Channel not found", 422 when not in Stasis. */
function channelList(core: Core, p: Params): Channel[] {
  const ids = (p.list('channel') ?? []).filter((c) => c !== '');
  if (ids.length === 0) throw badRequest('Missing parameter channel');
  return ids.map((id) => {
    const ch = core.channel(id);
    if (ch === undefined || ch.internal) throw badRequest('Channel not found');
    if (!ch.inStasis) throw unprocessable('Channel not in Stasis application');
    return ch;
  });
}

/** `mute=true` on addChannel (fact 88). */
function muteParam(p: Params): boolean {
  return p.bool('mute', false);
}

async function addChannel(core: Core, p: Params): Promise<Reply> {
  const bridge = findBridge(core, p.pathParam('bridgeId'));
  const channels = channelList(core, p);
  for (const ch of channels) {
    if (ch.recordings > 0) throw conflict(`Channel ${ch.id} currently recording`);
  }
  const mute = muteParam(p);
  // Joining is a synchronous command on each channel's queue (it waits for a running playback).
  for (const ch of channels) await ch.queue.run('addChannel', () => enterBridge(core, bridge, ch, { mute }));
  return noContent();
}

async function removeChannel(core: Core, p: Params): Promise<Reply> {
  const bridge = findBridge(core, p.pathParam('bridgeId'));
  const channels = channelList(core, p);
  if (channels.some((ch) => ch.bridge !== bridge)) throw unprocessable('Channel not in this bridge');
  for (const ch of channels) await ch.queue.run('removeChannel', () => leaveBridge(core, bridge, ch, 'remove'));
  return noContent();
}

function play(core: Core, p: Params): Reply {
  const bridge = findBridge(core, p.pathParam('bridgeId'));
  const media = p.list('media') ?? [];
  const skipms = p.int('skipms', 3000);
  const offsetms = p.int('offsetms', 0);
  if (media.length === 0 || media.includes('') || skipms < 0 || offsetms < 0) throw allocationFailed();
  const pb = new Playback(core, p.str('playbackId') || newId(), media, p.str('lang') || 'en', { kind: 'bridge', bridge }, skipms === 0 ? 3000 : skipms, offsetms);
  const json = pb.toJson();
  playOnBridge(core, bridge, pb);
  return created(json);
}

function record(core: Core, p: Params): Reply {
  const bridge = findBridge(core, p.pathParam('bridgeId'));
  // Deliberate difference: Asterisk puts the Recorder into the bridge before validating
  // the options (so a rejected request still flickers BRIDGEPEER); the simulator validates first.
  const options = recordingOptions(core, p, p.int('maxDurationSeconds', 0), p.int('maxSilenceSeconds', 0));
  const rec = new LiveRecording(core, options, { kind: 'bridge', bridge });
  const json = rec.toJson();
  recordBridge(core, bridge, rec);
  return created(json);
}

/** The `/bridges` handlers. */
export const bridgeHandlers: HandlerMap = {
  'bridges.list': ({ core }) => ok([...core.bridges.values()].map((b) => b.toJson())),
  'bridges.create': ({ core, params }) => create(core, params),
  'bridges.createWithId': ({ core, params }) => createWithId(core, params),
  'bridges.get': ({ core, params }) => ok(findBridge(core, params.pathParam('bridgeId')).toJson()),
  'bridges.destroy': ({ core, params }) => {
    destroyBridge(core, findBridge(core, params.pathParam('bridgeId')));
    return noContent();
  },
  'bridges.addChannel': ({ core, params }) => addChannel(core, params),
  'bridges.removeChannel': ({ core, params }) => removeChannel(core, params),
  'bridges.startMoh': ({ core, params }) => {
    startBridgeMoh(core, findBridge(core, params.pathParam('bridgeId')));
    return noContent();
  },
  'bridges.stopMoh': ({ core, params }) => {
    if (!stopBridgeMoh(core, findBridge(core, params.pathParam('bridgeId')))) throw conflict("Bridge isn't playing music");
    return noContent();
  },
  'bridges.play': ({ core, params }) => play(core, params),
  'bridges.playWithId': ({ core, params }) => play(core, params),
  'bridges.record': ({ core, params }) => record(core, params),
};
