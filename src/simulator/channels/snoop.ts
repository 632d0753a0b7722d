/**
 * Snoop channels, as `POST /channels/{id}/snoop` makes them (res_ari_channels'
 * ari_channels_handle_snoop_channel and stasis_app_control_snoop, facts 89-92): a channel
 * `Snoop/<target id>-<seq>`, Up, in `default,s,1`, put into the app at once. Its read side
 * carries what it spies on (media/graph.ts, `heardBy`), so recording it records the call;
 * what is written to it (its playbacks) is whispered into the target's frames (`writtenTo`,
 * `heardBy`: only while other audio flows there, fact 91).
 */
import type { Core } from '../core.js';
import { badRequest, internalError, notFound } from '../errors.js';
import { Channel } from './channel.js';
import type { ChannelJson, SnoopDirection } from './channel.js';
import { appAvailable, enterStasis, hangupChannel } from './lifecycle.js';

/** What `POST /channels/{id}/snoop` asks for, before it is checked. */
export interface SnoopRequest {
  targetId: string;
  spy: string | undefined;
  whisper: string | undefined;
  app: string | undefined;
  appArgs: string | undefined;
  snoopId: string | undefined;
}

function direction(value: string | undefined, what: 'spy' | 'whisper'): SnoopDirection {
  if (value === undefined || value === '' || value === 'none') return 'none';
  if (value === 'in' || value === 'out' || value === 'both') return value;
  throw badRequest(`Invalid direction specified for ${what}`);
}

/**
 * Creates a snoop channel with Asterisk's checks in Asterisk's order (directions, app, then
 * the channel); returns its snapshot taken before it entered the app, as the 200 shows it.
 */
export function snoopChannel(core: Core, req: SnoopRequest): ChannelJson {
  const spy = direction(req.spy, 'spy');
  const whisper = direction(req.whisper, 'whisper');
  if (spy === 'none' && whisper === 'none') throw badRequest('Direction must be specified for at least spy or whisper');
  const app = req.app ?? '';
  if (app === '') throw badRequest('Application name is required');
  const target = core.channel(req.targetId);
  if (target === undefined || target.internal) throw notFound('Provided channel was not found');
  const id = req.snoopId === undefined || req.snoopId === '' ? core.uniqueId() : req.snoopId;
  // Deliberate difference (unrecorded): a snoopId in use fails as a failed channel allocation does.
  if (core.channels.has(id)) throw internalError('Snoop channel could not be created');
  const ch = new Channel(id, `Snoop/${target.id}-${core.nextSnoopSeq()}`, core.timestamp(), 'snoop', 'Up');
  ch.snoop = { target, spy, whisper };
  // Recorders re-plan: a spy changes what the snoop reads, a whisper what the call carries.
  core.media.change(() => {
    target.snoops.add(ch);
    core.channels.set(ch.id, ch);
  });
  const snapshot = ch.toJson();
  const appArgs = req.appArgs ?? '';
  ch.dialplan = { ...ch.dialplan, app_name: 'Stasis', app_data: appArgs === '' ? app : `${app},${appArgs}` };
  if (appAvailable(core, app)) {
    enterStasis(core, ch, app, appArgs === '' ? [] : appArgs.split(','));
  } else {
    core.log(`snoop: Stasis app '${app}' not registered; hanging up ${ch.name}`);
    hangupChannel(core, ch, 16, 'dialplan');
  }
  return snapshot;
}
