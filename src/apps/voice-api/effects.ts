/**
 * What the document machine's effects mean for a voice-API call: the
 * application and its answer webhook (open), answering (answer), prompts
 * (speech, media), recordings (keepRecording) and results sent back to the
 * program (report). The dialect's words (NCCO, TwiML) stay behind its
 * Dialect (src/documents/); this module only wires them to Asterisk, the
 * webhooks and the store.
 */
import { fromPromise } from 'xstate';
import type { Program, RecordStep, Report, Speech } from '../../../states/document/program.js';
import type {
  AnswerInput,
  KeepRecordingInput,
  LegInput,
  MediaInput,
  OpenResult,
  RejectInput,
  RenderedPrompt,
  ReportInput,
  ReportReply,
  SpeechInput,
  TonesInput,
} from '../../../states/document/types.js';
import type { StepResult } from '../../../states/document/program.js';
import type { AriPort } from '../../ari/port.js';
import { isAriStatus } from '../../errors.js';
import type { CallStatus, Dialect, DialectCall, DocumentOrigin, ParsedDocument, StatusExtra, StatusTarget } from '../../documents/dialect.js';
import { dialectOf } from '../../documents/dialects.js';
import type { Leg } from '../../documents/leg.js';
import type { PromptAudio } from '../../media/prompt-audio.js';
import { soundInLanguage } from '../../runtime/sounds-check.js';
import type { VoiceApp, VoiceStore } from '../../storage/voice-types.js';
import type { CallRecord, DocumentSource } from './control-types.js';
import { CallEventQueue } from '../../webhooks/call-events.js';
import type { WebhookClient, WebhookTarget } from '../../webhooks/client.js';
import type { VoiceCall, VoiceCalls } from './calls.js';
import type { CallHistory } from './history.js';
import { sendDtmfWithPauses } from './dtmf.js';
import { keepVoiceRecording } from './recordings.js';

/** What the voice-API effects are built with. */
export interface VoiceDeps {
  readonly ari: AriPort;
  readonly store: VoiceStore;
  readonly client: WebhookClient;
  readonly audio: PromptAudio;
  readonly calls: VoiceCalls;
  readonly dataDir: string;
  /** The Stasis app helper channels (snoops) enter. */
  readonly stasisApp: string;
  /** The base of the recording URLs handed out. */
  readonly publicUrl: () => string;
  /** Every call's record, for the REST API. */
  readonly history: CallHistory;
}

/** Prompts for a call that cannot run, best first; the first one installed is played. */
const NO_SERVICE = ['ss-noservice', 'im-sorry', 'beep'];
const ERROR = ['an-error-has-occurred', 'something-terribly-wrong', 'im-sorry', 'beep'];

async function firstInstalled(ari: AriPort, names: readonly string[], language: string): Promise<string[]> {
  for (const name of names) {
    try {
      if (await soundInLanguage(ari, name, language)) return [`sound:${name}`];
    } catch {
      // Asterisk cannot say: play the first and let Asterisk decide.
      return [`sound:${names[0]!}`];
    }
  }
  return [];
}

/** Where a call's events go: its own event URL (REST `event_url`), else its application's. */
export const eventTarget = (call: VoiceCall): StatusTarget => call.eventTarget ?? { url: call.app!.eventUrl, method: call.app!.eventMethod };

/** The call's dialect (its application's). */
export const dialectOfCall = (call: VoiceCall): Dialect => dialectOf(call.app!);

/** The call as its dialect's payloads see it. */
export const dialectCall = (call: VoiceCall): DialectCall => ({ leg: call.leg, app: call.app!, status: call.status });

/** Tells the program a status of its call (queued: never blocks the call), and keeps it for the REST API. */
export function postStatus(deps: Pick<VoiceDeps, 'history'>, call: VoiceCall, status: CallStatus, extra: StatusExtra = {}): void {
  // A `failed` document (internal_error) is a report about the document, not the call's state.
  const aboutDocument = status === 'failed' && extra.detail === 'internal_error';
  if (!aboutDocument) {
    recordStatus(deps.history, call.leg.uuid, status, extra);
    call.status = status;
  }
  if (!call.app || !call.events) return;
  const event = dialectOfCall(call).statusEvent(dialectCall(call), status, new Date(), extra, eventTarget(call));
  if (event) call.events.post(event.target, event.data);
}

/** Keeps a leg's new status in its record (GET /v1/calls). */
export function recordStatus(history: CallHistory, uuid: string, status: CallStatus, extra?: StatusExtra): void {
  history.update(uuid, {
    status,
    ...(extra?.startTime ? { startTime: extra.startTime.toISOString() } : {}),
    ...(extra?.endTime ? { endTime: extra.endTime.toISOString() } : {}),
    ...(extra?.durationSeconds !== undefined ? { duration: extra.durationSeconds } : {}),
  });
}

/** The call's record as the REST API first shows it. */
export function newRecord(leg: Leg, applicationId: string, to: CallRecord['to'], startedAt: Date): CallRecord {
  return {
    uuid: leg.uuid,
    conversationUuid: leg.conversationUuid,
    applicationId,
    direction: leg.direction,
    status: 'started',
    to,
    from: { type: 'phone', number: leg.from },
    startTime: startedAt.toISOString(),
    endTime: undefined,
    duration: undefined,
  };
}

/** A program's events queue for a call. */
export function eventQueue(deps: Pick<VoiceDeps, 'client'>, call: VoiceCall, app: VoiceApp, log: LegInput['log']): CallEventQueue {
  const fallback: WebhookTarget | undefined = app.fallbackAnswerUrl ? { url: app.fallbackAnswerUrl, method: app.answerMethod } : undefined;
  // Input and notify results that get no answer go to the fallback too (NCCO.md §3).
  return new CallEventQueue(deps.client, { wire: dialectOf(app).wire(app), ...(fallback ? { fallback } : {}), log });
}

/** Prompts rendered ahead, per program: enough for a menu, not a whole playlist. */
const PREFETCH_STEPS = 8;

/**
 * Renders a new program's prompts at once, side by side, so each say or play
 * step finds its audio ready (or in progress) instead of fetching it only
 * when its turn comes; PromptAudio shares a render already under way.
 */
function prefetch(deps: VoiceDeps, call: VoiceCall, program: Program, log: LegInput['log']): void {
  call.prepared.clear();
  const signal = new AbortController().signal;
  for (const step of program.steps.slice(0, PREFETCH_STEPS)) {
    if (step.kind !== 'say' && step.kind !== 'play') continue;
    const key = step.kind === 'say' ? speechKey(step.speech, step.prompt.level) : mediaKey(step.url, step.prompt.level);
    if (call.prepared.has(key)) continue;
    const work = step.kind === 'say' ? deps.audio.speak({ ...step.speech, level: step.prompt.level }, signal) : deps.audio.fetch({ url: step.url, level: step.prompt.level }, signal);
    // The step itself reports a failure when its turn comes (it renders again).
    work.catch((err: unknown) => log.debug('prompt not prepared ahead', { step: step.kind, err: String(err) }));
    call.prepared.set(key, work);
  }
}

const speechKey = (speech: Speech, level: number) => `say:${JSON.stringify([speech.text, speech.ssml, speech.language, speech.gender ?? null, speech.rate ?? null, level])}`;
const mediaKey = (url: string, level: number) => `play:${level}:${url}`;

/** A prompt rendered ahead, or rendered now; a prepared one that failed is tried again. */
async function preparedOr(call: VoiceCall, key: string, render: () => Promise<string>): Promise<string> {
  const ready = call.prepared.get(key);
  if (ready === undefined) return render();
  call.prepared.delete(key);
  return ready.catch(render);
}

/** A document about to run: what it asks that is not supported is logged, its prompts prepared. */
function accepted(deps: VoiceDeps, call: VoiceCall, parsed: Extract<ParsedDocument, { ok: true }>, log: LegInput['log']): void {
  for (const note of parsed.notes) log[note.level](note.message, { where: note.where ?? null });
  prefetch(deps, call, parsed.program, log);
}

/** Finds the program of a call: application, answer webhook (with its fallback), the NCCO checked. */
export async function openCall(deps: VoiceDeps, input: LegInput, language: string, signal: AbortSignal): Promise<OpenResult> {
  const call = deps.calls.get(input.leg);
  const { log } = input;
  // An outbound call had its application, its events and `started` when it was placed.
  if (call.source) return openDocument(deps, call, call.source, language, signal, log);
  const app = call.appName === '' ? undefined : await deps.store.getApp(call.appName);
  if (!app) {
    const reason = call.appName === '' ? 'no voice application named (Stasis(voice-api,<application>))' : `unknown voice application "${call.appName}"`;
    log.error(reason, { voiceApp: call.appName });
    return { outcome: 'refused', reason, prompt: await firstInstalled(deps.ari, NO_SERVICE, language) };
  }
  call.app = app;
  call.events = eventQueue(deps, call, app, log);
  deps.history.put(newRecord(call.leg, app.id, { type: 'phone', number: call.leg.to }, call.startedAt));
  log.info('voice call', { uuid: call.leg.uuid, conversationUuid: call.leg.conversationUuid, from: call.leg.from, to: call.leg.to, voiceAppId: app.id });
  postStatus(deps, call, 'started');
  postStatus(deps, call, 'ringing');
  // The caller hears ringing while the program decides (not every channel can: harmless if refused).
  deps.ari.channels.ring(input.channelId).catch((err: unknown) => log.debug('could not indicate ringing', { err: String(err) }));
  return openDocument(deps, call, { answerUrl: app.answerUrl, answerMethod: app.answerMethod }, language, signal, log);
}

/** The call's document: inline, or fetched from its answer URL (with the application's fallback). */
async function openDocument(deps: VoiceDeps, call: VoiceCall, source: DocumentSource, language: string, signal: AbortSignal, log: LegInput['log']): Promise<OpenResult> {
  const app = call.app!;
  const dialect = dialectOf(app);
  let document: unknown;
  let origin: DocumentOrigin = { events: eventTarget(call) };
  let from = 'the inline document';
  if ('ncco' in source) {
    document = source.ncco;
  } else if ('twiml' in source) {
    document = source.twiml;
  } else {
    const answer: WebhookTarget = { url: source.answerUrl, method: source.answerMethod };
    const fallback: WebhookTarget | undefined = app.fallbackAnswerUrl ? { url: app.fallbackAnswerUrl, method: app.answerMethod } : undefined;
    const reply = await deps.client.fetchDocument(answer, fallback, dialect.answerData(dialectCall(call)), { kind: 'answer', wire: dialect.wire(app), signal, log });
    if (!reply.ok) {
      log.error('answer webhook failed; the call cannot run', { reason: reply.reason });
      postStatus(deps, call, 'failed', { reason: reply.reason, detail: 'internal_error' });
      return { outcome: 'refused', reason: reply.reason, prompt: await firstInstalled(deps.ari, ERROR, language) };
    }
    document = reply.body;
    from = reply.url;
    origin = { ...origin, url: reply.url };
  }
  const parsed = dialect.parse(document, origin);
  if (!parsed.ok) {
    log.error(`invalid document from ${from}: ${parsed.reason}`);
    postStatus(deps, call, 'failed', { reason: parsed.reason, detail: 'internal_error' });
    return { outcome: 'refused', reason: parsed.reason, prompt: await firstInstalled(deps.ari, ERROR, language) };
  }
  accepted(deps, call, parsed, log);
  return { outcome: 'ready', program: parsed.program };
}

/** Answers the channel; tells the program when `announce`. */
export async function answerCall(deps: VoiceDeps, input: AnswerInput): Promise<void> {
  const call = deps.calls.get(input.leg);
  // A leg answered before its document ran (a connect's whisper) was announced by whoever dialled it.
  const announced = call.answeredAt !== undefined;
  try {
    await deps.ari.channels.answer(input.channelId);
  } catch (err) {
    // No reply (status 0): Asterisk may well have answered; answering twice is harmless (fact 8).
    if (!isAriStatus(err, 0)) throw err;
    await deps.ari.channels.answer(input.channelId);
  }
  call.answeredAt ??= new Date();
  for (const resume of call.onAnswered) resume();
  call.onAnswered.clear();
  if (input.announce && !announced) postStatus(deps, call, 'answered', { startTime: call.answeredAt });
}

/** A reply to a report (fetched from `url`): a document replaces the rest (NCCO: a non-empty array; TwiML: any reply); anything else continues. */
export function replyProgram(deps: VoiceDeps, call: VoiceCall, body: unknown, log: LegInput['log'], url?: string): ReportReply {
  const dialect = dialectOfCall(call);
  // The queue gives undefined for a request that failed (after retries and the fallback).
  if (body === undefined && dialect.endsOnFailedReply) {
    log.error('the request for the rest of the document failed; ending the call');
    return { replace: dialect.errorProgram() };
  }
  if (!dialect.isDocument(body)) {
    if (body !== undefined) log.debug('reply is not a document; going on');
    return {};
  }
  const parsed = dialect.parse(body, { events: eventTarget(call), ...(url === undefined ? {} : { url }) });
  if (!parsed.ok) {
    log.error(`invalid document in a reply: ${parsed.reason}`);
    postStatus(deps, call, 'failed', { reason: parsed.reason, detail: 'internal_error' });
    return { replace: dialect.errorProgram() };
  }
  accepted(deps, call, parsed, log);
  return { replace: parsed.program };
}

/**
 * Sends a step's result. A result whose reply may replace the rest (input,
 * notify, a TwiML action) waits for it, in the call's event order; a record
 * event is queued. A result the dialect does not send (TwiML's empty
 * `<Gather>`) sends nothing and the program goes on.
 */
export async function report(deps: VoiceDeps, input: ReportInput): Promise<ReportReply> {
  const call = deps.calls.get(input.leg);
  if (!call.events || !call.app || input.report.url === '') return {};
  const data = dialectOfCall(call).reportData(input.report, input.result, dialectCall(call), { publicUrl: deps.publicUrl() }, new Date());
  if (data === undefined) return {};
  const target: WebhookTarget = { url: input.report.url, method: input.report.method };
  if (!(input.report.replies ?? input.result.kind !== 'record')) {
    call.events.post(target, data);
    return {};
  }
  return replyProgram(deps, call, await call.events.ask(target, data), input.log, input.report.url);
}

/** Keeps a recording that ran beside the document (background, conversation) and sends its record event. */
export async function keepAndReport(
  deps: VoiceDeps,
  call: VoiceCall,
  recording: { name: string; format: RecordStep['format']; report: Report; channelId: string; startTime: string; endTime: string },
  log: LegInput['log'],
): Promise<void> {
  const kept = await keepVoiceRecording({ ari: deps.ari, store: deps.store, dataDir: deps.dataDir }, call, recording.name, recording.format, log);
  await report(deps, {
    leg: call.leg.uuid,
    channelId: recording.channelId,
    log,
    report: recording.report,
    result: { kind: 'record', recordingId: kept.id, size: kept.size, startTime: recording.startTime, endTime: recording.endTime },
  });
}

/** Keeps a finished blocking recording; its status report (TwiML `recordingStatusCallback`) is queued. */
export async function keepRecording(deps: VoiceDeps, input: KeepRecordingInput): Promise<Extract<StepResult, { kind: 'record' }>> {
  const call = deps.calls.get(input.leg);
  const kept = await keepVoiceRecording({ ari: deps.ari, store: deps.store, dataDir: deps.dataDir }, call, input.name, input.step.format, input.log, { trimSilence: input.step.trimSilence === true });
  const result = { kind: 'record' as const, recordingId: kept.id, size: kept.size, startTime: input.startedAt, endTime: input.endedAt };
  if (input.step.statusReport) await report(deps, { leg: input.leg, channelId: input.channelId, log: input.log, report: { ...input.step.statusReport, replies: false }, result });
  return result;
}

/** The machine's effects, by name. */
export function voiceEffects(deps: VoiceDeps) {
  return {
    open: fromPromise<OpenResult, LegInput>(({ input, signal }) => {
      const call = deps.calls.get(input.leg);
      return openCall(deps, input, call.language, signal);
    }),
    answer: fromPromise<void, AnswerInput>(({ input }) => answerCall(deps, input)),
    speech: fromPromise<RenderedPrompt, SpeechInput>(async ({ input, signal }) => ({
      media: await preparedOr(deps.calls.get(input.leg), speechKey(input.speech, input.level), () => deps.audio.speak({ ...input.speech, level: input.level }, signal)),
    })),
    media: fromPromise<RenderedPrompt, MediaInput>(async ({ input, signal }) => ({
      media: await preparedOr(deps.calls.get(input.leg), mediaKey(input.url, input.level), () => deps.audio.fetch({ url: input.url, level: input.level }, signal)),
    })),
    keepRecording: fromPromise<Extract<StepResult, { kind: 'record' }>, KeepRecordingInput>(({ input }) => keepRecording(deps, input)),
    report: fromPromise<ReportReply, ReportInput>(({ input }) => report(deps, input)),
    reject: fromPromise<void, RejectInput>(async ({ input }) => {
      const call = deps.calls.get(input.leg);
      if (call.answeredAt === undefined) call.rejected = input.reason;
      // Cause 17 (busy) or 21 (rejected): the call's final status follows from it (history.ts).
      await deps.ari.channels.hangup(input.channelId, input.reason === 'busy' ? 'busy' : 'rejected').catch((err: unknown) => {
        if (!isAriStatus(err, 404)) throw err;
      });
    }),
    tones: fromPromise<void, TonesInput>(({ input }) => sendDtmfWithPauses(deps.ari, input.channelId, input.digits)),
  };
}

