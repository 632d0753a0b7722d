/**
 * What the voice API's fault matrices (NCCO and TwiML) share: a lane spec
 * with short webhook time-outs, a program server playing every cell's
 * customer (one application per cell, its webhooks under `/<app>/`), a test
 * phone per lane for dial steps, and the webhook faults: the request the
 * state makes (the answer in `opening`, an input's or Gather's action in
 * `collect.reporting`…), else the event webhook, answers 500, garbage, a
 * document that does not parse, or hangs past its time-out.
 */
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { voiceApiFlowWith } from '../../src/apps/voice-api/flow.js';
import { twimlDialect } from '../../src/documents/twiml/dialect.js';
import { createLogger } from '../../src/logger.js';
import { createSpeechEngine } from '../../src/media/engines.js';
import { PromptAudio } from '../../src/media/prompt-audio.js';
import { TestCaller, type TestCall } from '../support/caller.js';
import { ProgramServer, type ProgramReply } from '../support/program-server.js';
import { answerPhone } from '../support/voice.js';
import { sleep } from '../support/wait.js';
import type { World } from '../support/world.js';
import { dotted, type FlowUnderTest, type Lane, type LaneSpec, type TourContext, type WebhookFault } from './harness.js';

/** Short enough that a hung webhook (and its one retry) is given up within a cell. */
const WEBHOOK_TIMEOUTS = { answer: { connectMs: 500, socketMs: 800 }, event: { connectMs: 500, socketMs: 800 } } as const;

/** The lanes' service: the voice API with short webhook time-outs, dialling test phones. */
export const voiceSpec: LaneSpec = {
  flows: [voiceApiFlowWith({ webhookTimeouts: WEBHOOK_TIMEOUTS })],
  env: (names) => ({ STASIS_FLOWS_APP_VOICE_API: names('voice-api'), STASIS_FLOWS_VOICE_PHONE_ENDPOINT: 'Local/{number}@stasis-flows-test-phones/n' }),
};

/** The webhooks of a cell's application, by what asks them. */
export type Hook = 'answer' | 'event' | 'input' | 'record' | 'notify' | 'after';


/** A cell's customer: its application, routes and the fault armed on one of its webhooks. */
export interface VoiceCell {
  readonly app: string;
  /** The absolute URL of a hook. */
  url(hook: Hook): string;
  /** What a hook answers (when no fault takes it). */
  route(hook: Hook, reply: () => ProgramReply): void;
  /** Calls the cell's application. */
  call(): Promise<TestCall>;
  /** The lane's test phone (a dial step's far end). */
  readonly phone: TestCaller;
  /** A number that rings the phone, which the tour answers with `answer()`. */
  phoneNumber(): string;
  /** Answers the phone's next call. */
  answer(): Promise<TestCall>;
  /** The end of every tour: the call is over, without the error prompt (unless `refused`), and an armed queued fault was hit. */
  finish(call: TestCall, options?: { refused?: boolean }): Promise<void>;
}

/** A tour with its cell. */
export type VoiceTour = (t: TourContext, cell: VoiceCell) => Promise<void>;

interface LaneGear {
  phone: TestCaller;
}

interface CellState {
  cell: VoiceCell;
  fault: { hook: Hook; fault: WebhookFault; hits: number } | undefined;
  /** The call's state now (this listener runs before the harness's, so inject sees the state entered). */
  state: string;
  unlisten: () => void;
}

const gear = new WeakMap<Lane, LaneGear>();
const cells = new WeakMap<Lane, CellState>();
let program: ProgramServer | undefined;
let tuneBody: Buffer | undefined;
let counter = 0;

/** Starts the program server and a test phone per lane (call once per world, before the cells). */
export async function equip(lanes: readonly Lane[]): Promise<void> {
  if (!program) {
    program = await ProgramServer.start();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'voice-faults-'));
    const file = path.join(dir, 'tune.wav');
    await promisify(execFile)('sox', ['-n', '-r', '8000', '-c', '1', file, 'synth', '0.4', 'sine', '440']);
    tuneBody = await readFile(file);
    await rm(dir, { recursive: true, force: true });
    program.route('/tune.wav', () => ({ body: tuneBody!, headers: { 'Content-Type': 'audio/wav' } }));
  }
  const log = createLogger({ level: 'error', silent: true });
  for (const lane of lanes) {
    // The lane's caller user dials the phone's Stasis app too: only the service's requests are failed.
    const world = { ariUrl: lane.sim.url, username: `caller${lane.index}`, password: 'fault-matrix', log } as unknown as World;
    gear.set(lane, { phone: await TestCaller.connectPhone(world) });
  }
}

/** Closes the phones of `lanes` (and the program server after the last world). */
export async function unequip(lanes: readonly Lane[], last: boolean): Promise<void> {
  for (const lane of lanes) await gear.get(lane)?.phone.close().catch(() => undefined);
  if (last) {
    await program?.close();
    program = undefined;
  }
}

/** The media of TwiML's error prompt (its speech rendered once, here, to learn its cache key). */
export async function twimlErrorMedia(): Promise<RegExp> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'voice-faults-tts-'));
  try {
    const audio = new PromptAudio({ dataDir: dir, soundsDir: dir, engine: createSpeechEngine('espeak-ng'), log: createLogger({ level: 'error', silent: true }) });
    const step = twimlDialect.errorProgram().steps[0];
    if (step?.kind !== 'say') throw new Error('TwiML’s error program does not start with speech');
    const media = await audio.speak({ ...step.speech, level: step.prompt.level }, new AbortController().signal);
    const key = path.basename(media);
    return new RegExp(`/tts/${key}$`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The URL of a 0.4 s tune on the program server. */
export function tuneUrl(): string {
  return program!.url('/tune.wav');
}

/** What a faulty webhook answers, in the dialect's words. */
function faultyReply(dialect: 'ncco' | 'twiml', fault: WebhookFault): ProgramReply {
  switch (fault) {
    case 'webhook-500':
      return { status: 500, body: 'Internal Server Error' };
    case 'webhook-garbage':
      return { status: 200, body: '\u0000\u00ff<<{not a document', headers: { 'Content-Type': 'application/octet-stream' } };
    case 'webhook-invalid':
      // Well-formed, but no valid document: a talk without text, an unknown verb.
      return dialect === 'ncco' ? { json: [{ action: 'talk' }] } : { body: '<?xml version="1.0" encoding="UTF-8"?><Response><Bogus/></Response>', headers: { 'Content-Type': 'text/xml' } };
    case 'webhook-hang':
      return { hang: true };
  }
}

async function waitRegistered(lane: Lane, app: string): Promise<void> {
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    const names = await lane.caller.ari.applications.list().then(
      (apps) => apps.map((a) => a.name),
      () => [] as string[],
    );
    if (names.includes(app)) return;
    await sleep(100);
  }
  throw new Error(`${app} is not registered on the simulator`);
}

/**
 * The voice API under the matrix for `dialect`: `hookOf` names the webhook a
 * state's own request goes to (else the event webhook is faulted).
 */
export function voiceFlow(
  dialect: 'ncco' | 'twiml',
  tours: Readonly<Record<string, VoiceTour>>,
  hookOf: (state: string) => Hook,
  goodbye: RegExp,
  /** Hooks whose request may come after the state is left (queued, not waited for: the event webhook, an NCCO record event). */
  queued: readonly Hook[] = ['event'],
): FlowUnderTest {
  const QUEUED: ReadonlySet<Hook> = new Set(queued);
  const wrapped = Object.fromEntries(
    Object.entries(tours).map(([name, tour]) => [
      name,
      (t: TourContext) => {
        const state = cells.get(t.lane);
        if (!state) throw new Error('no cell prepared');
        return tour(t, state.cell);
      },
    ]),
  );
  return {
    key: 'voice-api',
    goodbye,
    tours: wrapped,
    async prepare(lane) {
      cells.get(lane)?.unlisten();
      const phone = gear.get(lane)!.phone;
      await waitRegistered(lane, phone.app);
      const server = program!;
      const name = `fm-${lane.index}-${++counter}-${randomBytes(3).toString('hex')}`;
      const url = (hook: Hook) => server.url(`/${name}/${hook}`);
      const replies = new Map<Hook, () => ProgramReply>();
      const hooks: Hook[] = ['answer', 'event', 'input', 'record', 'notify', 'after'];
      for (const hook of hooks) {
        server.route(`/${name}/${hook}`, () => {
          const armed = state.fault;
          // Sticky: a broken webhook stays broken for the cell (its retry gets the same).
          if (armed && armed.hook === hook) {
            armed.hits++;
            return faultyReply(dialect, armed.fault);
          }
          return replies.get(hook)?.() ?? (dialect === 'ncco' ? { status: 200, body: '' } : { status: 200, body: '' });
        });
      }
      await lane.app.voiceStore.addApp({
        name,
        dialect,
        answerUrl: url('answer'),
        eventUrl: url('event'),
        ...(dialect === 'twiml' ? { signatureSecret: randomBytes(16).toString('hex') } : {}),
      });
      const appName = lane.apps['voice-api']!;
      const cell: VoiceCell = {
        app: name,
        url,
        route: (hook, reply) => replies.set(hook, reply),
        call: () => lane.caller.dial(appName, { args: [name], callerId: 'Matrix <447700900001>', waitAnswer: false }),
        phone,
        phoneNumber: () => phone.phoneNumber('answers'),
        answer: () => answerPhone(phone, 10_000),
        async finish(call, options = {}) {
          if (!call.isOver) await call.ended();
          // An error prompt means the document was given up: not the tour's own end.
          if (!options.refused && call.heardMedia().some((m) => goodbye.test(m))) throw new Error('the caller heard the error prompt');
          const armed = state.fault;
          if (!armed || !QUEUED.has(armed.hook)) return;
          // The event webhook's fault lands on a later event (`completed` at the latest).
          const until = Date.now() + 8000;
          while (armed.hits === 0 && Date.now() < until) await sleep(50);
          if (armed.hits === 0) throw new Error(`the faulty ${armed.hook} webhook was never asked`);
        },
      };
      const state: CellState = {
        cell,
        fault: undefined,
        state: '',
        unlisten: lane.app.events.on('call.state', (event) => {
          if (event.app === appName) state.state = event.state;
        }),
      };
      cells.set(lane, state);
    },
    inject(fault, context) {
      const state = cells.get(context.lane)!;
      const hook = hookOf(dotted(state.state));
      const armed = { hook, fault, hits: 0 };
      state.fault = armed;
      return {
        // A queued hook's request may come after the state: the tour's finish checks it came.
        taken: () => armed.hits > 0 || QUEUED.has(hook),
        cancel: () => {
          if (state.fault === armed) state.fault = undefined;
        },
      };
    },
  };
}

/** The phone's end of a dial: answered, a moment of talk, hung up (the caller's document goes on). */
export async function phoneTalks(cell: VoiceCell): Promise<void> {
  const leg = await cell.answer();
  await sleep(300);
  await leg.hangup();
}
