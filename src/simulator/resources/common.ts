/** Lookups and validation shared by the resource handlers, with Asterisk's answers. */
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Channel } from '../channels/channel.js';
import type { Core } from '../core.js';
import { badRequest, conflict, internalError, notFound, unprocessable } from '../errors.js';
import type { Params } from '../http/params.js';
import { RECORDING_FORMATS } from '../media/formats.js';
import type { RecordingOptions } from '../recordings/live.js';
import { rootExists, storedExists, unsafeName } from '../recordings/stored.js';

/** A fresh id, as Asterisk generates for playbacks and bridges. */
export function newId(): string {
  return randomUUID();
}

/** ARI's `find_control`: the channel must exist (404) and be in a Stasis app (409). */
export function findControl(core: Core, id: string): Channel {
  const ch = core.channel(id);
  if (ch === undefined || ch.internal) throw notFound('Channel not found');
  if (!ch.inStasis) throw conflict('Channel not in Stasis application');
  return ch;
}

/**
 * `terminateOn` as res_stasis_recording parses it: the digits that end the recording.
 * Deliberate difference (unverified): "none" means no digit ends it; some Asterisk
 * versions fall back to "#" when the accept list is empty (app.c, S_OR(acceptdtmf, "#")).
 */
function parseTerminateOn(value: string | undefined): string | undefined {
  const v = (value ?? '').toLowerCase();
  if (v === '' || v === 'none') return '';
  if (v === 'any') return '#*0123456789abcd';
  if (v === '#' || v === '*') return v;
  return undefined;
}

/** `ifExists`; undefined when invalid. */
function parseIfExists(value: string | undefined): RecordingOptions['ifExists'] | undefined {
  const v = (value ?? '').toLowerCase();
  if (v === '' || v === 'fail') return 'fail';
  if (v === 'overwrite' || v === 'append') return v;
  return undefined;
}

/**
 * The checks of `POST .../record` after the target was found, in Asterisk's order
 * (fact 43): terminateOn, ifExists, format, then the name (500 "Error parsing request"),
 * the recordings directory (fact 35), then existing recordings (409, fact 42).
 */
export function recordingOptions(core: Core, p: Params, maxDurationSeconds: number, maxSilenceSeconds: number): RecordingOptions {
  const terminateOn = parseTerminateOn(p.str('terminateOn'));
  if (terminateOn === undefined) throw badRequest('terminateOn invalid');
  const ifExists = parseIfExists(p.str('ifExists'));
  if (ifExists === undefined) throw badRequest('ifExists invalid');
  const format = p.str('format') ?? '';
  if (!RECORDING_FORMATS.includes(format)) throw unprocessable('specified format is unknown on this system');
  const name = p.str('name') ?? '';
  if (name === '' || unsafeName(name) || maxDurationSeconds < 0 || maxSilenceSeconds < 0) throw internalError('Error parsing request');
  const root = core.paths.recordingsDir;
  if (!rootExists(root)) throw internalError('Internal Server Error');
  try {
    mkdirSync(dirname(join(root, name)), { recursive: true });
  } catch {
    throw internalError('Internal Server Error');
  }
  const exists = `Recording '${name}' already exists and can not be overwritten`;
  if (ifExists === 'fail' && storedExists(root, name)) throw conflict(exists);
  if (core.recordings.has(name)) throw conflict(exists);
  return { name, format, maxDurationSeconds, maxSilenceSeconds, ifExists, beep: p.bool('beep', false), terminateOn };
}
