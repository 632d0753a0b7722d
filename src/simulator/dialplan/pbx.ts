/**
 * Runs the dialplan on a channel: the apps NoOp, Answer, Set, Stasis, Hangup, Wait,
 * Ringing, Progress, Busy and Congestion, with
 * `${...}` substitution of variables and a few functions (EXTEN, CHANNEL(language),
 * CALLERID(num)...). Each step publishes ChannelDialplan. `Stasis()` for an app nobody
 * has registered sets STASISSTATUS=FAILED and the dialplan goes on, as in Asterisk.
 */
import type { Channel } from '../channels/channel.js';
import { answerChannel, appAvailable, enterStasis, farEndRefused, hangupChannel, indicateToCaller } from '../channels/lifecycle.js';
import type { Core } from '../core.js';

/** Splits app arguments on commas (Asterisk's standard app argument parsing, without quoting). */
export function splitArgs(data: string): string[] {
  return data.split(',');
}

function findClose(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text.startsWith('${', i)) {
      depth++;
      i++;
    } else if (text[i] === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/** Substitutes `${VAR}`, `${FUNC(args)}` and `${VAR:offset:length}` in dialplan text. */
export function substitute(core: Core, ch: Channel, text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('${', i);
    if (start === -1) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, start);
    const close = findClose(text, start + 2);
    if (close === -1) {
      out += text.slice(start);
      break;
    }
    const expr = substitute(core, ch, text.slice(start + 2, close));
    out += evaluate(core, ch, expr);
    i = close + 1;
  }
  return out;
}

function evaluate(core: Core, ch: Channel, expr: string): string {
  const fn = /^([A-Za-z_][A-Za-z0-9_]*)\((.*)\)$/.exec(expr);
  if (fn !== null) return readFunction(ch, fn[1] ?? '', fn[2] ?? '') ?? '';
  const slice = /^([^:]+):(-?\d+)(?::(-?\d+))?$/.exec(expr);
  if (slice !== null) {
    const value = readVariable(core, ch, slice[1] ?? '') ?? '';
    const offset = Number(slice[2]);
    const start = offset < 0 ? Math.max(0, value.length + offset) : offset;
    const length = slice[3] === undefined ? undefined : Number(slice[3]);
    return length === undefined ? value.slice(start) : length < 0 ? value.slice(start, length) : value.slice(start, start + length);
  }
  return readVariable(core, ch, expr) ?? '';
}

/** A dialplan function read (`CHANNEL(language)`...); undefined when the simulator does not know the function. */
export function readFunction(ch: Channel, name: string, args: string): string | undefined {
  const arg = args.trim();
  switch (name.toUpperCase()) {
    case 'CHANNEL':
      switch (arg.toLowerCase()) {
        case 'language':
          return ch.language;
        case 'name':
          return ch.name;
        case 'uniqueid':
          return ch.id;
        case 'state':
          return ch.state;
        case 'accountcode':
          return ch.accountcode;
        default:
          return '';
      }
    case 'CALLERID':
      switch (arg.toLowerCase()) {
        case 'num':
        case 'number':
          return ch.caller.number;
        case 'name':
          return ch.caller.name;
        case 'all':
          return ch.caller.name === '' ? ch.caller.number : `"${ch.caller.name}" <${ch.caller.number}>`;
        default:
          return '';
      }
    case 'LEN':
      return String(args.length);
    default:
      return undefined;
  }
}

/** A dialplan function write; false when the function is unknown. Writing CHANNEL(language) sends no ChannelVarset (fact 11). */
export function writeFunction(ch: Channel, name: string, args: string, value: string): boolean {
  const arg = args.trim().toLowerCase();
  switch (name.toUpperCase()) {
    case 'CHANNEL':
      if (arg === 'language') {
        ch.language = value;
        return true;
      }
      if (arg === 'accountcode') {
        ch.accountcode = value;
        return true;
      }
      return false;
    case 'CALLERID':
      if (arg === 'num' || arg === 'number') ch.caller = { ...ch.caller, number: value };
      else if (arg === 'name') ch.caller = { ...ch.caller, name: value };
      else return false;
      return true;
    default:
      return false;
  }
}

/** A variable: the channel's own, the built-in ones (EXTEN, CONTEXT...), then `[globals]`. */
export function readVariable(core: Core, ch: Channel, name: string): string | undefined {
  const own = ch.vars.get(name);
  if (own !== undefined) return own;
  switch (name) {
    case 'EXTEN':
      return ch.dialplan.exten;
    case 'CONTEXT':
      return ch.dialplan.context;
    case 'PRIORITY':
      return String(ch.dialplan.priority);
    case 'CHANNEL':
      return ch.name;
    case 'UNIQUEID':
      return ch.id;
    case 'LANGUAGE':
      return ch.language;
    case 'HANGUPCAUSE':
      return String(ch.hangupCause);
    default:
      return core.dialplan.globals.get(name);
  }
}

/** Sets (or, with undefined, unsets) a channel variable and publishes ChannelVarset. Leading underscores (inheritance marks) are dropped. */
export function setVariable(core: Core, ch: Channel, name: string, value: string | undefined): boolean {
  const fn = /^([A-Za-z_][A-Za-z0-9_]*)\((.*)\)$/.exec(name);
  if (fn !== null) return writeFunction(ch, fn[1] ?? '', fn[2] ?? '', value ?? '');
  const key = name.replace(/^_{1,2}/, '');
  if (value === undefined) ch.vars.delete(key);
  else ch.vars.set(key, value);
  core.varsetEvent(ch, key, value ?? '');
  return true;
}

/** Runs the dialplan from (context, exten, priority) until an app stops it or the channel hangs up. */
export function runDialplan(core: Core, ch: Channel, context: string, exten: string, priority: number): void {
  ch.runsDialplan = true;
  let p = priority;
  for (let steps = 0; steps < 10_000; steps++) {
    if (ch.hangingUp || ch.destroyed) return;
    const step = core.dialplan.step(context, exten, p);
    if (step === undefined) {
      // Auto-fallthrough: with no more priorities, the PBX ends and hangs up.
      ch.dialplan = { ...ch.dialplan, context, exten, priority: p };
      hangupChannel(core, ch, 16, 'dialplan');
      return;
    }
    ch.dialplan = { context, exten, priority: p, app_name: step.app, app_data: '' };
    const data = substitute(core, ch, step.data);
    ch.dialplan = { ...ch.dialplan, app_data: data };
    core.channelEvent('ChannelDialplan', ch, { dialplan_app: step.app, dialplan_app_data: data });
    const wait = waitSeconds(step.app, data);
    if (wait !== undefined) {
      // Wait() sleeps the channel's own thread: the plan goes on later, unless it was hung up meanwhile.
      const next = p + 1;
      core.after(wait * 1000, () => runDialplan(core, ch, context, exten, next));
      return;
    }
    if (!execApp(core, ch, step.app, data)) return;
    p++;
  }
}

/** The seconds a `Wait(n)` sleeps (fractions allowed, as app_wait); undefined for any other app. */
function waitSeconds(app: string, data: string): number | undefined {
  if (app.toLowerCase() !== 'wait') return undefined;
  const n = Number.parseFloat(data);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** Runs one app; false when the dialplan stops here (Stasis, Hangup, Busy, Congestion, an unknown app). */
function execApp(core: Core, ch: Channel, app: string, data: string): boolean {
  switch (app.toLowerCase()) {
    case 'noop':
      return true;
    case 'answer':
      answerChannel(core, ch);
      return true;
    case 'ringing':
      indicateToCaller(core, ch, 'RINGING');
      return true;
    case 'progress':
      indicateToCaller(core, ch, 'PROGRESS');
      return true;
    case 'busy':
      // Busy() / Congestion() set the channel's own cause, indicate, and wait for the caller to hang up (fact 73).
      farEndRefused(core, ch, 17);
      return false;
    case 'congestion':
      farEndRefused(core, ch, 34);
      return false;
    case 'set': {
      const eq = data.indexOf('=');
      if (eq > 0) setVariable(core, ch, data.slice(0, eq).trim(), data.slice(eq + 1));
      return true;
    }
    case 'hangup': {
      const cause = Number.parseInt(data, 10);
      hangupChannel(core, ch, Number.isFinite(cause) && cause > 0 ? cause : 16, 'dialplan');
      return false;
    }
    case 'stasis': {
      const [name = '', ...args] = splitArgs(data);
      if (name !== '' && appAvailable(core, name)) {
        enterStasis(core, ch, name, args);
        return false;
      }
      core.log(`dialplan: Stasis app '${name}' not registered`);
      ch.vars.set('STASISSTATUS', 'FAILED');
      core.varsetEvent(ch, 'STASISSTATUS', '');
      core.varsetEvent(ch, 'STASISSTATUS', 'FAILED');
      return true;
    }
    default:
      // Deliberate difference: the simulator knows only the apps above; Asterisk would
      // run the app (or, for one it lacks, hang up as here).
      core.log(`dialplan: no application '${app}' in the simulator; hanging up ${ch.name}`);
      hangupChannel(core, ch, 16, 'dialplan');
      return false;
  }
}
