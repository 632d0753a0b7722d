/**
 * What every Twilio route shares: its dependencies, the application its auth
 * hook found, and the SIDs in its path.
 */
import type { FastifyRequest } from 'fastify';
import { ControlError, type CallControl, type ConferenceControl } from '../../apps/voice-api/control-types.js';
import { fromSid, type SidPrefix } from '../../documents/twiml/sids.js';
import type { Logger } from '../../logger.js';
import type { VoiceApp, VoiceStore } from '../../storage/index.js';
import { badParam, notFound, TwilioError } from '../twilio-errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The TwiML application a Twilio REST request comes from, set by its auth hook. */
    twilioApp: VoiceApp | null;
  }
}

/** What the Twilio routes need. */
export interface TwilioRoutesOptions {
  voiceStore: VoiceStore;
  log: Logger;
  /** Absent: the Calls routes answer 503. */
  calls?: CallControl;
  /** Absent: the Conferences routes answer 503. */
  conferences?: ConferenceControl;
}

/** The path parameters every account route has. */
export type AccountParams = { accountSid: string };

/** The authenticated application and its Account SID (the path's, which the auth hook checked). */
export function accountOf(request: FastifyRequest): { app: VoiceApp; accountSid: string } {
  return { app: request.twilioApp!, accountSid: (request.params as AccountParams).accountSid };
}

/**
 * The uuid behind a path segment `<SID>.json` of that kind. Anything else (no
 * `.json`, another kind of SID, not a SID) is no resource here: 404.
 */
export function pathSid(request: FastifyRequest, file: string, prefix: SidPrefix): string {
  const uuid = file.endsWith('.json') ? fromSid(prefix, file.slice(0, -'.json'.length)) : undefined;
  if (uuid === undefined) throw notFound(request.url);
  return uuid;
}

/**
 * Runs a control request, its ControlError as Twilio's: not-found a 404 of
 * this path, gone (over) a 400 with 21220, invalid a 400 with the reason.
 */
export async function controlled<T>(request: FastifyRequest, what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof ControlError)) throw err;
    if (err.reason === 'not-found') throw notFound(request.url);
    if (err.reason === 'gone') throw new TwilioError(400, 21220, `${what} is over: ${err.detail}`);
    throw badParam(err.detail);
  }
}
