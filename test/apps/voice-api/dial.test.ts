import { describe, expect, it } from 'vitest';
import { VoiceCalls, type VoiceCall } from '../../../src/apps/voice-api/calls.js';
import { CallHistory } from '../../../src/apps/voice-api/history.js';
import { dialEffect, type DialDeps } from '../../../src/apps/voice-api/dial.js';
import type { AriEvent, StasisStartEvent } from '../../../src/ari/types.js';
import type { Expectation } from '../../../src/runtime/call-runtime.js';
import type { DialStep } from '../../../states/document/program.js';
import type { DialInput } from '../../../states/document/setup.js';
import { flush, memoryLog, runEffect } from '../../support/effect-harness.js';
import { FakeAri, fakeChannel, fakeEvents } from '../../support/fake-ari.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const settle = async () => {
  for (let i = 0; i < 10; i++) await flush();
};
const stamp = { timestamp: '2026-11-23T10:00:00.000+0000', asterisk_id: '00:00:00:00:00:01', application: 'voice-api' };
const dialEvent = (channelId: string, dialstatus: string): AriEvent => ({ type: 'Dial', dialstatus, peer: fakeChannel(channelId, { state: 'Ringing' }), ...stamp });
const destroyed = (channelId: string, cause: number): AriEvent => ({ type: 'ChannelDestroyed', cause, cause_txt: '', channel: fakeChannel(channelId), ...stamp });
const ringingState = (channelId: string): AriEvent => ({ type: 'ChannelStateChange', channel: fakeChannel(channelId, { state: 'Ringing' }), ...stamp });

const step = (options: Partial<DialStep> = {}): DialStep => ({
  kind: 'dial',
  endpoint: { type: 'phone', number: '447700900123' },
  timeoutSeconds: 20,
  limitSeconds: 7200,
  synchronous: false,
  report: { url: 'http://app.test/leg-events', method: 'POST', shape: 'ncco-connect' },
  ...options,
});

function world(options: { reply?: unknown } = {}) {
  const ari = new FakeAri();
  const staged = new Map<string, { expectation: Expectation; timeoutMs: number | undefined }>();
  const posted: { url: string; body: Record<string, unknown>; asked: boolean }[] = [];
  const calls = new VoiceCalls();
  const call = {
    leg: { uuid: 'caller-uuid', conversationUuid: 'CON-1', from: '447700900001', to: '447700900999', direction: 'inbound' },
    channelId: 'caller-ch',
    appName: 'app',
    log: memoryLog(),
    language: 'en',
    startedAt: new Date(),
    app: { eventUrl: 'http://app.test/event', eventMethod: 'POST' },
    events: {
      post: (target: { url: string }, body: Record<string, unknown>) => posted.push({ url: target.url, body, asked: false }),
      ask: (target: { url: string }, body: Record<string, unknown>) => {
        posted.push({ url: target.url, body, asked: true });
        return Promise.resolve(options.reply);
      },
    },
    prepared: new Map(),
    pending: new Set(),
    announcements: new Map(),
    ownMedia: new Set(),
    status: 'answered',
    commands: new Set(),
    onAnswered: new Set(),
  } as unknown as VoiceCall;
  calls.add(call);
  const fetched: string[] = [];
  const history = new CallHistory();
  const deps = {
    ari,
    calls,
    history,
    stasisApp: 'voice-api',
    audio: {
      fetch: (request: { url: string }) => {
        fetched.push(request.url);
        return Promise.resolve('sound:/data/media/ringback');
      },
      // A document in a reply has its prompts prepared ahead, as every reply's are.
      speak: () => Promise.resolve('sound:/data/tts/prompt'),
    },
    runtime: () => ({
      expect: (channelId: string, expectation: Expectation, timeoutMs?: number) => {
        staged.set(channelId, { expectation, timeoutMs });
        return () => staged.delete(channelId);
      },
    }),
    endpoints: { phone: 'Local/{number}@phones/n', sip: 'PJSIP/{uri}' },
    maxLoops: 3,
    goneTimeoutMs: 50,
  } as unknown as DialDeps;
  const input = (s: DialStep): DialInput => ({ leg: 'caller-uuid', channelId: 'caller-ch', log: call.log, step: s });
  const originated = () => ari.calls('channels.originate')[0]![0] as { channelId: string; endpoint: string; callerId?: string; timeout: number; app: string; variables?: Record<string, string> };
  const answer = (channelId: string) => {
    const claim = staged.get(channelId)!.expectation;
    if (claim.kind !== 'claim') throw new Error('not a claim');
    // As the runtime does: a claimed channel is no longer staged.
    staged.delete(channelId);
    claim.onStasisStart({ ...fakeEvents.stasisStart('voice-api', channelId), type: 'StasisStart' } as StasisStartEvent);
  };
  const statuses = () => posted.map((p) => p.body.status);
  return { ari, deps, call, history, staged, posted, statuses, fetched, input, originated, answer, ops: () => ari.requests.map((r) => r.op) };
}

describe('dialer effect', () => {
  it('places the new leg through the phone template, staged as a claim, with the caller’s number and the ring time', async () => {
    const t = world();
    runEffect(dialEffect(t.deps), t.input(step()));
    await settle();
    const request = t.originated();
    expect(request).toMatchObject({ endpoint: 'Local/447700900123@phones/n', app: 'voice-api', callerId: '447700900001', timeout: 20 });
    expect(t.staged.get(request.channelId)).toMatchObject({ expectation: { kind: 'claim' }, timeoutMs: 80_000 });
    expect(t.ari.calls('channels.ring')).toEqual([['caller-ch']]);
    expect(t.statuses()).toEqual(['started']);
  });

  it('uses `from` as caller id and the sip template with X- headers', async () => {
    const t = world();
    runEffect(dialEffect(t.deps), t.input(step({ endpoint: { type: 'sip', uri: 'sip:alice@example.com', headers: { Account: '42' } }, from: '447700900000' })));
    await settle();
    expect(t.originated()).toMatchObject({ endpoint: 'PJSIP/alice@example.com', callerId: '447700900000', variables: { 'PJSIP_HEADER(add,X-Account)': '42' } });
  });

  it('reports started, ringing, answered, completed with its own uuid and the caller’s conversation; bridges both legs; ends when the new leg hangs up', async () => {
    const t = world();
    const effect = runEffect(dialEffect(t.deps), t.input(step()));
    await settle();
    const { channelId } = t.originated();
    t.ari.emit(ringingState(channelId));
    t.ari.emit(dialEvent(channelId, 'RINGING'));
    t.ari.emit(dialEvent(channelId, 'ANSWER'));
    t.answer(channelId);
    await settle();
    const [created] = t.ari.calls('bridges.create') as [{ bridgeId: string; type: string }][];
    expect(created![0]).toMatchObject({ type: 'mixing' });
    expect(t.ari.calls('bridges.addChannel')).toEqual([[created![0].bridgeId, ['caller-ch', channelId]]]);
    expect(effect.received).toEqual([]);
    t.ari.emit(fakeEvents.stasisEnd('voice-api', channelId));
    t.ari.emit(destroyed(channelId, 16));
    await settle();
    expect(t.statuses()).toEqual(['started', 'ringing', 'answered', 'completed']);
    for (const p of t.posted) {
      expect(p.url).toBe('http://app.test/leg-events');
      expect(p.body).toMatchObject({ conversation_uuid: 'CON-1', direction: 'outbound', to: '447700900123', from: '447700900001' });
      expect(p.body.uuid).toBe(t.posted[0]!.body.uuid);
    }
    expect(t.posted[0]!.body.uuid).not.toBe('caller-uuid');
    expect(t.posted[3]!.body.duration).toMatch(/^\d+$/);
    // GET /v1/calls lists the new leg, over.
    expect(t.history.get(String(t.posted[0]!.body.uuid))).toMatchObject({ status: 'completed', direction: 'outbound', to: { type: 'phone', number: '447700900123' } });
    expect(t.history.get(String(t.posted[0]!.body.uuid))?.endTime).toBeDefined();
    expect(effect.received).toEqual([{ type: 'dial.over', status: 'completed', legUuid: expect.stringMatching(UUID) as unknown, durationSeconds: expect.any(Number) as unknown }]);
    expect(t.staged.size).toBe(0);
    expect(t.call.pending.size).toBe(0);
    effect.leave();
    await settle();
    expect(t.ari.calls('bridges.destroy')).toEqual([[created![0].bridgeId]]);
    expect(t.ari.calls('channels.hangup')).toEqual([]);
  });

  it('sends dtmfAnswer into the new leg before bridging it', async () => {
    const t = world();
    runEffect(dialEffect(t.deps), t.input(step({ endpoint: { type: 'phone', number: '447700900123', dtmfAnswer: '12p#' } })));
    await settle();
    const { channelId } = t.originated();
    t.answer(channelId);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(t.ari.calls('channels.sendDtmf').map((c) => c.slice(0, 2))).toEqual([[channelId, '12'], [channelId, '#']]);
    expect(t.ops().indexOf('bridges.addChannel')).toBeGreaterThan(t.ops().lastIndexOf('channels.sendDtmf'));
  });

  it.each([
    ['BUSY', 17, 'busy', undefined],
    ['', 19, 'timeout', undefined],
    ['CONGESTION', 34, 'failed', 'cannot_route'],
  ])('Dial %s, cause %i: reports %s and the step ends', async (dialstatus, cause, status, detail) => {
    const t = world();
    const effect = runEffect(dialEffect(t.deps), t.input(step()));
    await settle();
    const { channelId } = t.originated();
    if (dialstatus !== '') t.ari.emit(dialEvent(channelId, dialstatus));
    t.ari.emit(destroyed(channelId, cause));
    await settle();
    expect(t.statuses()).toEqual(['started', status]);
    expect(t.posted[1]!.body.detail).toBe(detail);
    expect(effect.received).toEqual([{ type: 'dial.over', status, legUuid: expect.stringMatching(UUID) as unknown, durationSeconds: 0 }]);
    expect(t.staged.size).toBe(0);
    expect(t.ari.calls('bridges.create')).toEqual([]);
  });

  it('a failed originate reports failed (cannot_route)', async () => {
    const t = world();
    t.ari.fail('channels.originate', 500, 'Allocation failed');
    const effect = runEffect(dialEffect(t.deps), t.input(step()));
    await settle();
    expect(t.statuses()).toEqual(['started', 'failed']);
    expect(t.posted[1]!.body).toMatchObject({ detail: 'cannot_route' });
    expect(effect.received).toEqual([{ type: 'dial.over', status: 'failed', legUuid: expect.stringMatching(UUID) as unknown, durationSeconds: 0 }]);
    expect(t.staged.size).toBe(0);
  });

  it('synchronous: the failure is asked, and an NCCO in the reply is the rest of the call', async () => {
    const t = world({ reply: [{ action: 'talk', text: 'Nobody answered.' }] });
    const effect = runEffect(dialEffect(t.deps), t.input(step({ synchronous: true })));
    await settle();
    t.ari.emit(destroyed(t.originated().channelId, 19));
    await settle();
    expect(t.posted.map((p) => [p.body.status, p.asked])).toEqual([['started', false], ['timeout', true]]);
    expect(effect.received).toMatchObject([{ type: 'dial.over', status: 'timeout', replace: { steps: [{ kind: 'say', speech: { text: 'Nobody answered.' } }] } }]);
    expect((effect.received[0] as { replace?: { steps: unknown[] } }).replace?.steps).toHaveLength(1);
  });

  it('synchronous with an empty reply: the step just ends', async () => {
    const t = world({ reply: undefined });
    const effect = runEffect(dialEffect(t.deps), t.input(step({ synchronous: true })));
    await settle();
    t.ari.emit(destroyed(t.originated().channelId, 17));
    await settle();
    expect(effect.received).toEqual([{ type: 'dial.over', status: 'busy', legUuid: expect.stringMatching(UUID) as unknown, durationSeconds: 0 }]);
  });

  it('loops the ringback tone on the caller until the answer, and stops it first', async () => {
    const t = world();
    runEffect(dialEffect(t.deps), t.input(step({ ringbackUrl: 'http://app.test/ring.mp3' })));
    await settle();
    expect(t.fetched).toEqual(['http://app.test/ring.mp3']);
    const [play] = t.ari.calls('channels.play') as [string, { playbackId: string; media: string[] }][];
    expect(play).toEqual(['caller-ch', expect.objectContaining({ media: ['sound:/data/media/ringback', 'sound:/data/media/ringback', 'sound:/data/media/ringback'] })]);
    expect(t.ari.calls('channels.ring')).toEqual([]);
    t.answer(t.originated().channelId);
    await settle();
    expect(t.ari.calls('playbacks.stop')).toEqual([[play![1].playbackId]]);
    expect(t.ops().indexOf('playbacks.stop')).toBeLessThan(t.ops().indexOf('bridges.addChannel'));
  });

  it('left while ringing (the caller hung up): hangs the new leg up, reports cancelled, and nothing goes back', async () => {
    const t = world();
    const effect = runEffect(dialEffect(t.deps), t.input(step()));
    await settle();
    const { channelId } = t.originated();
    t.ari.emit(dialEvent(channelId, 'RINGING'));
    expect(t.call.pending.size).toBe(1);
    effect.leave();
    await settle();
    expect(t.ari.calls('channels.hangup')).toEqual([[channelId, 'normal']]);
    t.ari.emit(dialEvent(channelId, 'NOANSWER'));
    t.ari.emit(destroyed(channelId, 16));
    await settle();
    expect(t.statuses()).toEqual(['started', 'ringing', 'cancelled']);
    expect(effect.received).toEqual([]);
    expect(t.staged.size).toBe(0);
    expect(t.call.pending.size).toBe(0);
  });

  it('left while connected: hangs the new leg up, destroys the bridge, reports completed', async () => {
    const t = world();
    const effect = runEffect(dialEffect(t.deps), t.input(step()));
    await settle();
    const { channelId } = t.originated();
    t.answer(channelId);
    await settle();
    const bridgeId = (t.ari.calls('bridges.create')[0]![0] as { bridgeId: string }).bridgeId;
    effect.leave();
    await settle();
    expect(t.ari.calls('channels.hangup')).toEqual([[channelId, 'normal']]);
    expect(t.ari.calls('bridges.destroy')).toEqual([[bridgeId]]);
    t.ari.emit(destroyed(channelId, 16));
    await settle();
    expect(t.statuses()).toEqual(['started', 'answered', 'completed']);
  });

  it('an answer after the step was left is hung up at once, never bridged', async () => {
    const t = world();
    const effect = runEffect(dialEffect(t.deps), t.input(step()));
    await settle();
    const { channelId } = t.originated();
    effect.leave();
    await settle();
    t.answer(channelId);
    await settle();
    expect(t.ari.calls('channels.hangup')).toEqual([[channelId, 'normal'], [channelId, 'normal']]);
    expect(t.ari.calls('bridges.create')).toEqual([]);
  });

  it('hangs the new leg up at its limit', async () => {
    const t = world();
    runEffect(dialEffect(t.deps), t.input(step({ limitSeconds: 1 })));
    await settle();
    const { channelId } = t.originated();
    t.answer(channelId);
    await settle();
    expect(t.ari.calls('channels.hangup')).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(t.ari.calls('channels.hangup')).toEqual([[channelId, 'normal']]);
  });

  it('Asterisk never saying the new leg is gone: reported over after a while, nothing left staged or routed', async () => {
    const t = world();
    const effect = runEffect(dialEffect(t.deps), t.input(step()));
    await settle();
    const { channelId } = t.originated();
    effect.leave();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(t.statuses()).toEqual(['started', 'cancelled']);
    expect(t.staged.size).toBe(0);
    expect(t.ari.events.has(`channel:${channelId}`)).toBe(false);
  });
});
