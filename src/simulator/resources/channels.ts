/** `/channels`: originate, create and dial, hang up, answer, media, DTMF, variables, snoop. */
import { causeOfReason } from '../channels/causes.js';
import type { Channel } from '../channels/channel.js';
import { DtmfCommand } from '../channels/dtmf.js';
import { answerChannel, appAvailable, enterStasis, failCall, hangupChannel, indicateToCaller, leaveStasis } from '../channels/lifecycle.js';
import { callLocal, createLocalPair, parseLocal } from '../channels/local.js';
import { snoopChannel } from '../channels/snoop.js';
import type { SnoopRequest } from '../channels/snoop.js';
import type { Core } from '../core.js';
import { leaveBridge } from '../bridges/ops.js';
import { readFunction, readVariable, runDialplan, setVariable } from '../dialplan/pbx.js';
import { allocationFailed, badRequest, conflict, internalError, notFound } from '../errors.js';
import type { Params } from '../http/params.js';
import { created, noContent, ok } from '../http/types.js';
import type { HandlerMap, Reply } from '../http/types.js';
import { PcmEmitter, SilenceEmitter, sampleAt } from '../media/graph.js';
import { mohSamples } from '../media/moh.js';
import { Playback } from '../playbacks/playback.js';
import { LiveRecording } from '../recordings/live.js';
import { findControl, newId, recordingOptions } from './common.js';

/** Parses a caller id as `ast_callerid_parse`: `"Name" <num>`, `Name <num>`, `<num>`, a number, or a name. */
export function parseCallerId(text: string): { name: string; number: string } {
  const m = /^\s*(?:"([^"]*)"|([^<]*?))\s*<([^>]*)>\s*$/.exec(text);
  if (m !== null) return { name: (m[1] ?? m[2] ?? '').trim(), number: (m[3] ?? '').trim() };
  const t = text.trim();
  if (/^[0-9+*#() .-]+$/.test(t)) return { name: '', number: t.replace(/[() .-]/g, '') };
  return { name: t, number: '' };
}

function splitEndpoint(endpoint: string | undefined): { tech: string; device: string } {
  if (endpoint === undefined || endpoint === '') throw badRequest('Endpoint must be specified');
  const slash = endpoint.indexOf('/');
  const tech = slash === -1 ? endpoint : endpoint.slice(0, slash);
  const device = slash === -1 ? '' : endpoint.slice(slash + 1);
  if (tech === '' || device === '') throw badRequest('Invalid endpoint specified');
  return { tech, device };
}

function checkIds(core: Core, ...ids: (string | undefined)[]): void {
  for (const id of ids) {
    if (id !== undefined && id !== '' && core.channels.has(id)) throw conflict('Channel with given unique ID already exists');
  }
}

function setVariables(ch: Channel, vars: Record<string, unknown> | undefined): void {
  for (const [k, v] of Object.entries(vars ?? {})) ch.vars.set(k, typeof v === 'string' ? v : JSON.stringify(v));
}

/** POST /channels and POST /channels/{channelId} (fact 7, 12, 64). */
function originate(core: Core, p: Params, pathId?: string): Reply {
  const { tech, device } = splitEndpoint(p.str('endpoint'));
  const app = p.str('app') ?? '';
  const appArgs = p.str('appArgs') ?? '';
  const extension = p.str('extension') ?? '';
  let then: NonNullable<Channel['dial']>['then'];
  if (app !== '') {
    then = { app, appData: appArgs === '' ? app : `${app},${appArgs}`, args: appArgs === '' ? [] : appArgs.split(',') };
  } else if (extension !== '') {
    const context = p.str('context') || 'default';
    const label = p.str('label') ?? '';
    let priority = p.int('priority', 0) || 1;
    if (label !== '') {
      const numeric = /^\s*\d+/.test(label) ? Number.parseInt(label, 10) : core.dialplan.findLabel(context, extension, label);
      if (numeric === undefined) throw notFound('Requested label can not be found');
      if (numeric === 0) throw badRequest('Requested priority is illegal');
      priority = numeric;
    }
    then = { context, exten: extension, priority };
  } else {
    throw badRequest('Application or extension must be specified');
  }
  const id1 = pathId ?? p.str('channelId');
  const id2 = p.str('otherChannelId');
  checkIds(core, id1, id2);
  const originator = p.str('originator');
  if (originator !== undefined && originator !== '' && core.channel(originator) === undefined) {
    throw badRequest('Provided originator channel was not found');
  }
  const ep = parseLocal(tech, device);
  // Deliberate difference: only Local channels exist in the simulator; anything else fails
  // as Asterisk does for an unknown technology (fact 1).
  if (ep === undefined) throw allocationFailed();
  const [one, two] = createLocalPair(core, ep, 'originate', id1 || undefined, id2 || undefined);
  one.dialplan = { ...one.dialplan, app_name: 'AppDial2', app_data: '(Outgoing Line)' };
  const callerId = p.str('callerId');
  if (callerId !== undefined && callerId !== '') {
    one.caller = parseCallerId(callerId);
    one.connected = { ...one.caller };
  }
  setVariables(one, p.object('variables'));
  if (app !== '') {
    // The originating app hears both halves (fact 9).
    core.apps.subscribeChannel(app, one.id, 'originate');
    core.apps.subscribeChannel(app, two.id, 'originate');
  }
  one.dial = { dialstring: ep.dialstring, answered: false, then };
  const snapshot = one.toJson();
  const timeout = p.int('timeout', 30);
  callLocal(core, one, ep, timeout > 0 ? timeout * 1000 : timeout === -1 ? 0 : 30_000);
  return ok(snapshot);
}

/** POST /channels/create: a channel in the app at once, dialled later with /dial. */
function create(core: Core, p: Params): Reply {
  if (p.str('originator') && p.str('formats')) throw badRequest("Originator and formats can't both be specified");
  const { tech, device } = splitEndpoint(p.str('endpoint'));
  const app = p.str('app') ?? '';
  const appArgs = p.str('appArgs') ?? '';
  const id1 = p.str('channelId');
  const id2 = p.str('otherChannelId');
  checkIds(core, id1, id2);
  const ep = parseLocal(tech, device);
  if (ep === undefined) throw allocationFailed();
  const [one] = createLocalPair(core, ep, 'create', id1 || undefined, id2 || undefined);
  one.dialstring = device;
  if (app === '') {
    // Asterisk answers 200 and the channel is gone at once, with no events (fact 77).
    const gone = one.toJson();
    failCall(core, one);
    return ok(gone);
  }
  core.apps.subscribeChannel(app, one.id, 'originate');
  setVariables(one, p.object('variables'));
  const snapshot = one.toJson();
  one.dialplan = { ...one.dialplan, app_name: 'Stasis', app_data: appArgs === '' ? app : `${app},${appArgs}` };
  if (appAvailable(core, app)) {
    enterStasis(core, one, app, appArgs === '' ? [] : appArgs.split(','));
  } else {
    core.log(`create: Stasis app '${app}' not registered; hanging up ${one.name}`);
    hangupChannel(core, one, 16, 'dialplan');
  }
  return ok(snapshot);
}

/** POST /channels/{id}/dial. */
function dial(core: Core, p: Params): Reply {
  const ch = findControl(core, p.pathParam('channelId'));
  const callerId = p.str('caller');
  const caller = callerId === undefined ? undefined : core.channel(callerId);
  // Deliberate difference: a channel already being dialled also gets this 409 (Asterisk would
  // try to call the Local channel a second time, which chan_local refuses).
  if ((ch.state !== 'Down' && ch.state !== 'Rsrvd') || ch.dial !== undefined) throw conflict("Channel is not in the 'Down' state");
  const dialstring = ch.dialstring;
  if (dialstring === undefined) throw conflict('Dialing a channel not created by ARI');
  if (caller !== undefined) {
    for (const [k, v] of caller.vars) ch.vars.set(k, v);
    ch.language = caller.language;
    ch.connected = { ...caller.caller };
  }
  const timeout = p.int('timeout', 0);
  ch.queue.enqueue({
    kind: 'dial',
    start(done) {
      const ep = parseLocal('Local', dialstring);
      if (ep !== undefined && !ch.hangingUp) {
        ch.dial = { dialstring: ep.dialstring, answered: false };
        callLocal(core, ch, ep, timeout > 0 ? timeout * 1000 : 0);
      }
      done();
    },
  });
  return noContent();
}

/** DELETE /channels/{id} (facts 57-60). */
function hangup(core: Core, p: Params): Reply {
  const ch = core.channel(p.pathParam('channelId'));
  if (ch === undefined || ch.internal) throw notFound('Channel not found');
  const reason = p.str('reason');
  const code = p.str('reason_code');
  if (reason && code) throw badRequest("The reason and reason_code can't both be specified");
  let cause = 16;
  if (code) {
    if (!/^\s*\d+/.test(code)) throw badRequest('Invalid reason for hangup reason code provided');
    cause = Number.parseInt(code, 10);
  } else if (reason) {
    const c = causeOfReason(reason);
    if (c === undefined) throw badRequest('Invalid reason for hangup reason provided');
    cause = c;
  }
  hangupChannel(core, ch, cause, 'api');
  return noContent();
}

/** POST /channels/{id}/continue (fact 61). */
function continueInDialplan(core: Core, p: Params): Reply {
  const ch = findControl(core, p.pathParam('channelId'));
  const ctxArg = p.str('context') ?? '';
  const extArg = p.str('extension') ?? '';
  const context = ctxArg === '' ? ch.dialplan.context : ctxArg;
  const exten = ctxArg === '' ? extArg || ch.dialplan.exten : extArg || 's';
  const label = p.str('label') ?? '';
  let priority: number;
  if (label !== '') {
    const found = /^\s*\d+/.test(label) ? Number.parseInt(label, 10) : core.dialplan.findLabel(context, exten, label);
    if (found === undefined) throw notFound('Requested label can not be found');
    if (found === 0) throw badRequest('Requested priority is illegal');
    priority = found;
  } else if (p.int('priority', 0) !== 0) {
    priority = p.int('priority', 0);
  } else if (ctxArg === '' && extArg === '') {
    priority = ch.dialplan.priority + 1;
  } else {
    priority = 1;
  }
  ch.queue.enqueue({
    kind: 'continue',
    start(done) {
      if (ch.bridge !== undefined) leaveBridge(core, ch.bridge, ch, 'continue');
      leaveStasis(core, ch);
      // A channel that came from the dialplan goes back to it; an originated or created one hangs up.
      if (ch.runsDialplan) runDialplan(core, ch, context, exten, priority);
      else hangupChannel(core, ch, 16, 'dialplan');
      done();
    },
  });
  return noContent();
}

/** Queues a command that completes at once (ARI's asynchronous controls: hold, MOH, mute...). */
function control(ch: Channel, kind: string, fn: () => void): Reply {
  ch.queue.enqueue({
    kind,
    start(done) {
      fn();
      done();
    },
  });
  return noContent();
}

function direction(p: Params): { read: boolean; write: boolean } {
  const d = p.str('direction') ?? 'both';
  if (d === '') throw badRequest('Direction is required');
  if (d === 'in') return { read: true, write: false };
  if (d === 'out') return { read: false, write: true };
  if (d === 'both') return { read: true, write: true };
  throw badRequest('Invalid direction specified');
}

function play(core: Core, p: Params): Reply {
  const ch = findControl(core, p.pathParam('channelId'));
  const skipms = p.int('skipms', 3000);
  const offsetms = p.int('offsetms', 0);
  if (skipms < 0) throw badRequest('skipms cannot be negative');
  if (offsetms < 0) throw badRequest('offsetms cannot be negative');
  const media = p.list('media') ?? [];
  if (media.length === 0 || media.includes('')) throw internalError('Failed to queue media for playback');
  const id = p.str('playbackId') || newId();
  const language = p.str('lang') || ch.language;
  const pb = new Playback(core, id, media, language, { kind: 'channel', channel: ch }, skipms === 0 ? 3000 : skipms, offsetms);
  const json = pb.toJson();
  ch.queue.enqueue(pb);
  return created(json);
}

function record(core: Core, p: Params): Reply {
  const maxDuration = p.int('maxDurationSeconds', 0);
  const maxSilence = p.int('maxSilenceSeconds', 0);
  if (maxDuration < 0) throw badRequest('max_duration_seconds cannot be negative');
  if (maxSilence < 0) throw badRequest('max_silence_seconds cannot be negative');
  const ch = findControl(core, p.pathParam('channelId'));
  const options = recordingOptions(core, p, maxDuration, maxSilence);
  const rec = new LiveRecording(core, options, { kind: 'channel', channel: ch });
  const json = rec.toJson();
  ch.queue.enqueue(rec);
  return created(json);
}

function getChannelVar(core: Core, p: Params): Reply {
  const variable = p.str('variable') ?? '';
  if (variable === '') throw badRequest('Variable name is required');
  const ch = core.channel(p.pathParam('channelId'));
  // Fact 33: this endpoint says "Provided channel", the others "Channel not found".
  if (ch === undefined || ch.internal) throw notFound('Provided channel was not found');
  const fn = /^([A-Za-z_][A-Za-z0-9_]*)\((.*)\)$/.exec(variable);
  if (fn !== null) {
    const value = readFunction(ch, fn[1] ?? '', fn[2] ?? '');
    if (value === undefined) throw internalError('Unable to read provided function');
    return ok({ value });
  }
  const value = readVariable(core, ch, variable);
  if (value === undefined) throw notFound('Provided variable was not found');
  return ok({ value });
}

function setChannelVar(core: Core, p: Params): Reply {
  const variable = p.str('variable') ?? '';
  if (variable === '') throw badRequest('Variable name is required');
  const ch = findControl(core, p.pathParam('channelId'));
  const value = p.str('value');
  return control(ch, 'setvar', () => {
    setVariable(core, ch, variable, value);
  });
}

function sendDtmf(core: Core, p: Params): Reply {
  const ch = findControl(core, p.pathParam('channelId'));
  const dtmf = p.str('dtmf') ?? '';
  if (dtmf === '') throw badRequest('DTMF is required');
  const between = p.int('between', 100);
  const duration = p.int('duration', 100);
  ch.queue.enqueue(
    new DtmfCommand(core, ch, dtmf, {
      before: Math.max(0, p.int('before', 0)),
      between: between > 0 ? between : 100,
      duration: duration > 0 ? duration : 100,
      after: Math.max(0, p.int('after', 0)),
    }),
  );
  return noContent();
}

/** The parameters of both snoop forms (`snoopId` from the path or the query). */
function snoopRequest(p: Params): SnoopRequest {
  return { targetId: p.pathParam('channelId'), spy: p.str('spy'), whisper: p.str('whisper'), app: p.str('app'), appArgs: p.str('appArgs'), snoopId: p.str('snoopId') };
}

/** The `/channels` handlers. */
export const channelHandlers: HandlerMap = {
  'channels.list': ({ core }) => ok([...core.channels.values()].filter((c) => !c.destroyed && !c.internal).map((c) => c.toJson())),
  'channels.originate': ({ core, params }) => originate(core, params),
  'channels.originateWithId': ({ core, params }) => originate(core, params, params.pathParam('channelId')),
  'channels.create': ({ core, params }) => create(core, params),
  'channels.get': ({ core, params }) => {
    const ch = core.channel(params.pathParam('channelId'));
    if (ch === undefined || ch.internal) throw notFound('Channel not found');
    return ok(ch.toJson());
  },
  'channels.hangup': ({ core, params }) => hangup(core, params),
  'channels.continueInDialplan': ({ core, params }) => continueInDialplan(core, params),
  'channels.answer': async ({ core, params }) => {
    const ch = findControl(core, params.pathParam('channelId'));
    // Answer is synchronous in ARI: the reply waits for the channel's queue (after a running playback).
    let failed = false;
    await ch.queue.run('answer', () => answerChannel(core, ch), () => (failed = true));
    if (failed) throw internalError('Failed to answer channel');
    return noContent();
  },
  // Ringing / progress on an unanswered `;2` reach the caller half as Dial events (fact 79);
  // stopping the ringing sends nothing and leaves the caller `Ringing`.
  'channels.ring': ({ core, params }) => {
    const ch = findControl(core, params.pathParam('channelId'));
    return control(ch, 'ring', () => indicateToCaller(core, ch, 'RINGING'));
  },
  'channels.ringStop': ({ core, params }) => control(findControl(core, params.pathParam('channelId')), 'ringStop', () => {}),
  'channels.progress': ({ core, params }) => {
    const ch = findControl(core, params.pathParam('channelId'));
    return control(ch, 'progress', () => indicateToCaller(core, ch, 'PROGRESS'));
  },
  'channels.sendDTMF': ({ core, params }) => sendDtmf(core, params),
  'channels.mute': ({ core, params }) => {
    const ch = findControl(core, params.pathParam('channelId'));
    const d = direction(params);
    return control(ch, 'mute', () => core.media.change(() => {
      if (d.read) ch.muteIn = true;
      if (d.write) ch.muteOut = true;
    }));
  },
  'channels.unmute': ({ core, params }) => {
    const ch = findControl(core, params.pathParam('channelId'));
    const d = direction(params);
    return control(ch, 'unmute', () => core.media.change(() => {
      if (d.read) ch.muteIn = false;
      if (d.write) ch.muteOut = false;
    }));
  },
  // Hold is an indication only: no events (fact 66) and no audio change on a Local channel.
  'channels.hold': ({ core, params }) => control(findControl(core, params.pathParam('channelId')), 'hold', () => {}),
  'channels.unhold': ({ core, params }) => control(findControl(core, params.pathParam('channelId')), 'unhold', () => {}),
  'channels.startMoh': ({ core, params }) => {
    const ch = findControl(core, params.pathParam('channelId'));
    return control(ch, 'moh', () => core.media.change(() => {
      if (ch.moh !== undefined) ch.outputs.delete(ch.moh);
      const samples = mohSamples(core.paths.mohDir);
      ch.moh = samples === undefined ? undefined : new PcmEmitter(samples, sampleAt(core.clock.now()), 0, true);
      if (ch.moh !== undefined) ch.outputs.add(ch.moh);
    }));
  },
  'channels.stopMoh': ({ core, params }) => {
    const ch = findControl(core, params.pathParam('channelId'));
    return control(ch, 'moh', () => core.media.change(() => {
      if (ch.moh !== undefined) ch.outputs.delete(ch.moh);
      ch.moh = undefined;
    }));
  },
  'channels.startSilence': ({ core, params }) => {
    const ch = findControl(core, params.pathParam('channelId'));
    return control(ch, 'silence', () => core.media.change(() => {
      ch.silence ??= new SilenceEmitter();
      ch.outputs.add(ch.silence);
    }));
  },
  'channels.stopSilence': ({ core, params }) => {
    const ch = findControl(core, params.pathParam('channelId'));
    return control(ch, 'silence', () => core.media.change(() => {
      if (ch.silence !== undefined) ch.outputs.delete(ch.silence);
      ch.silence = undefined;
    }));
  },
  'channels.play': ({ core, params }) => play(core, params),
  'channels.playWithId': ({ core, params }) => play(core, params),
  'channels.record': ({ core, params }) => record(core, params),
  'channels.getChannelVar': ({ core, params }) => getChannelVar(core, params),
  'channels.setChannelVar': ({ core, params }) => setChannelVar(core, params),
  'channels.dial': ({ core, params }) => dial(core, params),
  'channels.snoopChannel': ({ core, params }) => ok(snoopChannel(core, snoopRequest(params))),
  'channels.snoopChannelWithId': ({ core, params }) => ok(snoopChannel(core, snoopRequest(params))),
};
