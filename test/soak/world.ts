/**
 * The soak's world: one service running every product flow on a simulator
 * with short prompts (the fault matrix's world, one lane), a test caller,
 * the mailboxes and queues the calls use, and a voice-API program whose
 * applications each misbehave in one way (a webhook that answers 500,
 * garbage, an invalid document, or hangs), so a call picks its fault by the
 * application it calls.
 */
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { productFlows } from '../../src/apps/index.js';
import { runCli } from '../../src/cli/main.js';
import { startFaultWorld, type FaultWorld, type Lane } from '../faults/harness.js';
import { ProgramServer, type ProgramReply, type ProgramRoute } from '../support/program-server.js';
import { Sink } from '../support/sink.js';

/** Mailboxes callers leave messages in (never played back, so every deposit must stay). */
export const RECORD_MAILBOXES = Array.from({ length: 12 }, (_, i) => `rec${i}`);
/** The queue's overflow mailbox: a caller who waited too long is sent to vm-record there. */
export const OVERFLOW_MAILBOX = 'overflow';
/** The queues callers and agents meet in. */
export const QUEUES = ['sales', 'support'];

/** How a voice application's webhooks behave. */
type Mode = 'ok' | '500' | 'garbage' | 'invalid' | 'hang';
interface VoiceAppSpec {
  readonly dialect: 'ncco' | 'twiml';
  readonly answer: Mode;
  /** The input (NCCO) or Gather action (TwiML) webhook. */
  readonly action: Mode;
  readonly event: Mode;
}

const VOICE_APPS: Readonly<Record<string, VoiceAppSpec>> = {
  'n-ok': { dialect: 'ncco', answer: 'ok', action: 'ok', event: 'ok' },
  'n-answer500': { dialect: 'ncco', answer: '500', action: 'ok', event: 'ok' },
  'n-answergarbage': { dialect: 'ncco', answer: 'garbage', action: 'ok', event: 'ok' },
  'n-answerinvalid': { dialect: 'ncco', answer: 'invalid', action: 'ok', event: 'ok' },
  'n-answerhang': { dialect: 'ncco', answer: 'hang', action: 'ok', event: 'ok' },
  'n-input500': { dialect: 'ncco', answer: 'ok', action: '500', event: 'ok' },
  'n-inputgarbage': { dialect: 'ncco', answer: 'ok', action: 'garbage', event: 'ok' },
  'n-inputhang': { dialect: 'ncco', answer: 'ok', action: 'hang', event: 'ok' },
  'n-event500': { dialect: 'ncco', answer: 'ok', action: 'ok', event: '500' },
  'n-eventhang': { dialect: 'ncco', answer: 'ok', action: 'ok', event: 'hang' },
  't-ok': { dialect: 'twiml', answer: 'ok', action: 'ok', event: 'ok' },
  't-answer500': { dialect: 'twiml', answer: '500', action: 'ok', event: 'ok' },
  't-answergarbage': { dialect: 'twiml', answer: 'garbage', action: 'ok', event: 'ok' },
  't-answerinvalid': { dialect: 'twiml', answer: 'invalid', action: 'ok', event: 'ok' },
  't-answerhang': { dialect: 'twiml', answer: 'hang', action: 'ok', event: 'ok' },
  't-gather500': { dialect: 'twiml', answer: 'ok', action: '500', event: 'ok' },
  't-eventhang': { dialect: 'twiml', answer: 'ok', action: 'ok', event: 'hang' },
};

/** The voice applications a call can pick (each name says its fault). */
export const VOICE_APP_NAMES = Object.keys(VOICE_APPS);

/** The soak's running world. */
export interface SoakWorld {
  readonly faults: FaultWorld;
  readonly lane: Lane;
  readonly program: ProgramServer;
  /** A 2 s speech recording the vm-playback mailboxes' messages are copied from. */
  readonly sample: string;
  close(): Promise<void>;
}

const twiml = (verbs: string): ProgramReply => ({ body: `<?xml version="1.0" encoding="UTF-8"?><Response>${verbs}</Response>`, headers: { 'Content-Type': 'text/xml' } });

/** A webhook's reply in `mode`; `good` is what a well-behaved program answers. */
function reply(mode: Mode, dialect: 'ncco' | 'twiml', good: ProgramReply): ProgramReply {
  switch (mode) {
    case 'ok':
      return good;
    case '500':
      return { status: 500, body: 'Internal Server Error' };
    case 'garbage':
      return dialect === 'ncco' ? { body: '{"action": [talk', headers: { 'Content-Type': 'application/json' } } : { body: '<Response><Say>unclosed', headers: { 'Content-Type': 'text/xml' } };
    case 'invalid':
      return dialect === 'ncco' ? { json: [{ action: 'teleport', where: 'mars' }] } : twiml('<Teleport to="mars"/>');
    case 'hang':
      return { hang: true };
  }
}

/** Routes of one voice application on the program server. */
function routesOf(program: ProgramServer, name: string, spec: VoiceAppSpec): Record<string, ProgramRoute> {
  const action = program.url(`/${name}/action`);
  if (spec.dialect === 'ncco') {
    return {
      [`/${name}/answer`]: () =>
        reply(spec.answer, 'ncco', {
          json: [
            { action: 'talk', text: 'Welcome to the soak.' },
            { action: 'input', type: ['dtmf'], dtmf: { maxDigits: 2, timeOut: 1, submitOnHash: true }, eventUrl: [action] },
          ],
        }),
      [`/${name}/action`]: () => reply(spec.action, 'ncco', { json: [{ action: 'talk', text: 'Goodbye.' }] }),
      [`/${name}/event`]: () => reply(spec.event, 'ncco', { status: 200 }),
    };
  }
  return {
    [`/${name}/answer`]: () => reply(spec.answer, 'twiml', twiml(`<Gather numDigits="1" timeout="1" action="${action}"><Say>Welcome to the soak.</Say></Gather><Say>Goodbye.</Say>`)),
    [`/${name}/action`]: () => reply(spec.action, 'twiml', twiml('<Say>You pressed a key.</Say><Hangup/>')),
    [`/${name}/event`]: () => reply(spec.event, 'twiml', { status: 204 }),
  };
}

/** Starts the world and seeds what the calls use. */
export async function startSoakWorld(): Promise<SoakWorld> {
  const faults = await startFaultWorld(
    {
      flows: productFlows,
      env: (names) => ({
        STASIS_FLOWS_APP_VM_RECORD: names('vm-record'),
        STASIS_FLOWS_APP_VM_PLAYBACK: names('vm-playback'),
        STASIS_FLOWS_APP_QUEUE: names('queue'),
        STASIS_FLOWS_APP_VOICE_API: names('voice-api'),
        STASIS_FLOWS_VM_REVIEW_TIMEOUT_MS: '1500',
        STASIS_FLOWS_VM_IDLE_TIMEOUT_MS: '3000',
        STASIS_FLOWS_VM_DIGIT_TIMEOUT_MS: '1000',
        STASIS_FLOWS_VM_MAX_SILENCE_SECONDS: '3',
        STASIS_FLOWS_VM_SKIP_MS: '500',
        STASIS_FLOWS_QUEUE_ANNOUNCE_PERIOD_MS: '1000',
        STASIS_FLOWS_QUEUE_MAX_WAIT_MS: '4000',
        STASIS_FLOWS_QUEUE_VOICEMAIL: OVERFLOW_MAILBOX,
        STASIS_FLOWS_QUEUE_WRAP_UP_MS: '500',
        STASIS_FLOWS_VOICE_PHONE_ENDPOINT: 'Local/{number}@stasis-flows-test-phones/n',
      }),
    },
    1,
  );
  const lane = faults.lanes[0]!;
  const program = await ProgramServer.start();
  try {
    for (const id of [...RECORD_MAILBOXES, OVERFLOW_MAILBOX]) await lane.app.store.addMailbox({ id, name: `Soak ${id}`, maxMessages: 100_000 });
    const dataDir = path.join(lane.tmpDir, 'data');
    for (const [name, spec] of Object.entries(VOICE_APPS)) {
      for (const [route, handler] of Object.entries(routesOf(program, name, spec))) program.route(route, handler);
      const err = new Sink();
      const argv = ['voice-app', 'add', name, '--dialect', spec.dialect, '--answer-url', program.url(`/${name}/answer`), '--event-url', program.url(`/${name}/event`)];
      const code = await runCli(argv, { env: { STASIS_FLOWS_DATA_DIR: dataDir }, stdout: new Sink(), stderr: err });
      if (code !== 0) throw new Error(`voice-app add ${name} failed (${code}): ${err.text}`);
    }
    const sample = `soak-sample/${uuidv7()}`;
    await lane.caller.makeRecording(sample, 2);
    return {
      faults,
      lane,
      program,
      sample,
      async close() {
        await program.close();
        await faults.close();
      },
    };
  } catch (err) {
    await program.close();
    await faults.close();
    throw err;
  }
}
