/** `/asterisk`, `/endpoints`, `/applications`, `/mailboxes` and `/events/user`. */
import { arch, release } from 'node:os';
import { ASTERISK_ID, ASTERISK_VERSION } from '../core.js';
import type { Core } from '../core.js';
import { formatTimestamp } from '../clock.js';
import { AriError, badRequest, conflict, notFound } from '../errors.js';
import { noContent, ok } from '../http/types.js';
import type { HandlerMap, Reply } from '../http/types.js';
import type { Params } from '../http/params.js';

interface ModuleInfo {
  name: string;
  description: string;
  use_count: number;
  status: string;
  support_level: string;
  reloadable: boolean;
}

/** A few of the modules a real Asterisk runs; "sounds" as in fact 32. */
const MODULES: ModuleInfo[] = [
  { name: 'app_stasis.so', description: 'Stasis dialplan application', use_count: 0, status: 'Running', support_level: 'core', reloadable: false },
  { name: 'res_ari.so', description: 'Asterisk RESTful Interface', use_count: 0, status: 'Running', support_level: 'core', reloadable: true },
  { name: 'res_ari_sounds.so', description: 'RESTful API module - Sound resources', use_count: 0, status: 'Running', support_level: 'core', reloadable: false },
  { name: 'res_musiconhold.so', description: 'Music On Hold Resource', use_count: 0, status: 'Running', support_level: 'core', reloadable: true },
  { name: 'res_stasis.so', description: 'Stasis application support', use_count: 0, status: 'Running', support_level: 'core', reloadable: false },
  { name: 'res_stasis_playback.so', description: 'Stasis application playback support', use_count: 0, status: 'Running', support_level: 'core', reloadable: false },
  { name: 'res_stasis_recording.so', description: 'Stasis application recording support', use_count: 0, status: 'Running', support_level: 'core', reloadable: false },
  { name: 'sounds', description: 'Sounds Index', use_count: 1, status: 'Running', support_level: 'core', reloadable: false },
];

function moduleJson(m: ModuleInfo): Omit<ModuleInfo, 'reloadable'> {
  return { name: m.name, description: m.description, use_count: m.use_count, status: m.status, support_level: m.support_level };
}

function info(core: Core, p: Params): Reply {
  const started = formatTimestamp(core.startedAt);
  const all: Record<string, unknown> = {
    build: { os: 'Linux', kernel: release(), machine: arch() === 'x64' ? 'x86_64' : arch(), options: 'OPTIONAL_API', date: started.slice(0, 19).replace('T', ' ') + ' UTC', user: 'root' },
    system: { version: ASTERISK_VERSION, entity_id: ASTERISK_ID },
    config: { name: '', default_language: 'en', setid: { user: '', group: '' } },
    status: { startup_time: started, last_reload_time: started },
  };
  const only = (p.list('only') ?? []).filter((o) => o !== '');
  if (only.length === 0) return ok(all);
  const out: Record<string, unknown> = {};
  for (const part of only) {
    if (!(part in all)) throw badRequest(`Unknown 'only' value ${part}`);
    out[part] = all[part];
  }
  return ok(out);
}

function eventSource(core: Core, source: string): { kind: 'channel' | 'bridge'; id: string } {
  const colon = source.indexOf(':');
  const scheme = colon === -1 ? '' : source.slice(0, colon);
  const id = colon === -1 ? '' : source.slice(colon + 1);
  if (scheme === 'channel') {
    if (core.channel(id) === undefined) throw new AriError(422, 'Event source does not exist');
    return { kind: 'channel', id };
  }
  if (scheme === 'bridge') {
    if (!core.bridges.has(id)) throw new AriError(422, 'Event source does not exist');
    return { kind: 'bridge', id };
  }
  // There are no endpoints or device states in the simulator.
  if (scheme === 'endpoint' || scheme === 'deviceState') throw new AriError(422, 'Event source does not exist');
  throw badRequest('Invalid event source URI scheme');
}

function findApp(core: Core, name: string): NonNullable<ReturnType<Core['apps']['get']>> {
  const app = core.apps.get(name);
  if (app === undefined) throw notFound('Application not found');
  return app;
}

function sources(p: Params): string[] {
  const list = (p.list('eventSource') ?? []).filter((s) => s !== '');
  if (list.length === 0) throw badRequest('Missing parameter eventSource');
  return list;
}

function subscribe(core: Core, p: Params): Reply {
  const app = findApp(core, p.pathParam('applicationName'));
  const parsed = sources(p).map((s) => eventSource(core, s));
  for (const s of parsed) {
    if (s.kind === 'channel') core.apps.subscribeChannel(app.name, s.id, 'explicit');
    else core.apps.subscribeBridge(app.name, s.id, true);
  }
  return ok(app.toJson());
}

function unsubscribe(core: Core, p: Params): Reply {
  const app = findApp(core, p.pathParam('applicationName'));
  for (const s of sources(p)) {
    const colon = s.indexOf(':');
    const scheme = colon === -1 ? '' : s.slice(0, colon);
    const id = colon === -1 ? '' : s.slice(colon + 1);
    let done = false;
    if (scheme === 'channel') done = core.apps.unsubscribeChannel(app.name, id, 'explicit');
    else if (scheme === 'bridge') done = core.apps.unsubscribeBridge(app.name, id, true);
    else if (scheme !== 'endpoint' && scheme !== 'deviceState') throw badRequest('Invalid event source URI scheme');
    if (!done) throw new AriError(422, 'Event source was not subscribed to');
  }
  return ok(app.toJson());
}

function userEvent(core: Core, p: Params): Reply {
  const appName = p.str('application') ?? '';
  if (appName === '') throw badRequest('Missing parameter application');
  const app = findApp(core, appName);
  const fields: Record<string, unknown> = { eventname: p.pathParam('eventName'), userevent: p.object('variables') ?? {} };
  for (const s of (p.list('source') ?? []).filter((x) => x !== '')) {
    const src = eventSource(core, s);
    if (src.kind === 'channel') fields['channel'] = core.channel(src.id)?.toJson();
    else fields['bridge'] = core.bridges.get(src.id)?.toJson();
  }
  core.apps.publish('ChannelUserevent', fields, { apps: [app.name] });
  return noContent();
}

/** The `/asterisk`, `/endpoints`, `/applications`, `/mailboxes` and `/events` handlers. */
export const systemHandlers: HandlerMap = {
  'asterisk.getInfo': ({ core, params }) => info(core, params),
  'asterisk.ping': ({ core }) => ok({ ping: 'pong', timestamp: core.timestamp(), asterisk_id: ASTERISK_ID }),
  'asterisk.listModules': () => ok(MODULES.map(moduleJson)),
  'asterisk.getModule': ({ params }) => {
    const m = MODULES.find((x) => x.name === params.pathParam('moduleName'));
    if (m === undefined) throw notFound('Module could not be found in running modules');
    return ok(moduleJson(m));
  },
  'asterisk.reloadModule': ({ params }) => {
    const m = MODULES.find((x) => x.name === params.pathParam('moduleName'));
    if (m === undefined) throw notFound('Module not found in running modules');
    if (!m.reloadable) throw conflict('Module does not support reloading');
    return noContent();
  },

  'endpoints.list': () => ok([]),

  'applications.list': ({ core }) => ok(core.apps.list().map((a) => a.toJson())),
  'applications.get': ({ core, params }) => ok(findApp(core, params.pathParam('applicationName')).toJson()),
  'applications.subscribe': ({ core, params }) => subscribe(core, params),
  'applications.unsubscribe': ({ core, params }) => unsubscribe(core, params),

  'mailboxes.list': ({ core }) => ok([...core.mailboxes.entries()].map(([name, m]) => ({ name, old_messages: m.old, new_messages: m.new }))),
  'mailboxes.get': ({ core, params }) => {
    const name = params.pathParam('mailboxName');
    const m = core.mailboxes.get(name);
    // Sic: Asterisk 22 spells it this way (resource_mailboxes.c).
    if (m === undefined) throw notFound('Mailbox is does not exist');
    return ok({ name, old_messages: m.old, new_messages: m.new });
  },
  'mailboxes.update': ({ core, params }) => {
    core.mailboxes.set(params.pathParam('mailboxName'), { old: params.int('oldMessages', 0), new: params.int('newMessages', 0) });
    return noContent();
  },
  'mailboxes.delete': ({ core, params }) => {
    if (!core.mailboxes.delete(params.pathParam('mailboxName'))) throw notFound('Mailbox does not exist');
    return noContent();
  },

  'events.userEvent': ({ core, params }) => userEvent(core, params),
  // A plain GET (no WebSocket upgrade) on /events.
  'events.eventWebsocket': () => {
    throw new AriError(426, 'Upgrade to a WebSocket is required');
  },
};
