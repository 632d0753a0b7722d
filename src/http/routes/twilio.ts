/**
 * The Twilio-compatible REST API (TWIML.md §4), for programs that use the
 * `twilio` SDK with `client.api.baseUrl` pointed here (§5). A fastify plugin
 * registered under `/2010-04-01`: encapsulated, so its own error and
 * not-found handlers answer everything under it in Twilio's shape
 * (../twilio-errors.ts) and its bodies are form-encoded only. Every route
 * but the recording download needs the account's Basic credentials
 * (../twilio-auth.ts), checked before the body is read.
 */
import type { FastifyInstance } from 'fastify';
import { authenticateAccount } from '../twilio-auth.js';
import { installTwilioErrors } from '../twilio-errors.js';
import { twilioCallRoutes } from './twilio-calls.js';
import { twilioConferenceRoutes } from './twilio-conferences.js';
import type { AccountParams, TwilioRoutesOptions } from './twilio-context.js';
import { acceptFormBodies } from './twilio-form.js';
import { twilioRecordingRoutes } from './twilio-recordings.js';

export type { TwilioRoutesOptions } from './twilio-context.js';

/** The URL prefix the plugin is registered under. */
export const TWILIO_PREFIX = '/2010-04-01';

/** Registers the Twilio routes; `register(twilioRoutes, { prefix: TWILIO_PREFIX, … })`. */
export async function twilioRoutes(scope: FastifyInstance, options: TwilioRoutesOptions): Promise<void> {
  installTwilioErrors(scope, options.log);
  acceptFormBodies(scope);
  scope.decorateRequest('twilioApp', null);
  twilioRecordingRoutes(scope, options);
  await scope.register((authed, _options, done) => {
    // onRequest: before the body is read, so an unauthenticated caller learns nothing of the parameters.
    authed.addHook('onRequest', async (request) => {
      request.twilioApp = await authenticateAccount(options.voiceStore, (request.params as AccountParams).accountSid, request.headers.authorization);
    });
    twilioCallRoutes(authed, options);
    twilioConferenceRoutes(authed, options);
    done();
  });
}
