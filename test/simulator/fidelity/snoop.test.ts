/**
 * Facts 89, 90 and 92: snoop channels. Held to snoop.jsonl: the same calls (S = sn-drv/sn-tgt,
 * B = sb-drv/sb-tgt, the ;2 halves in mixing bridge br-sn), the same requests, the recorded
 * answers, who is heard in each recording of a snoop, and the hang-up order.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecording, toneAmp, writeVoice } from '../audio-helpers.js';
import { TestAri, eventTime, haveTranscripts, recordedResponse, subject, transcript, transcriptsDir, warnIfNoTranscripts } from '../helpers.js';
import type { AriEvent, EventLog } from '../helpers.js';
import { readFileSync } from 'node:fs';

warnIfNoTranscripts();

interface ChannelJson {
  id: string;
  name: string;
  state: string;
  dialplan: { context: string; exten: string; priority: number; app_name: string; app_data: string };
  creationtime: string;
}
const channelOf = (e: AriEvent): ChannelJson => e['channel'] as ChannelJson;

/** A recorded `audio` line: per labelled segment, the tone amplitudes heard. */
interface AudioLine {
  kind: 'audio';
  recording: string;
  segments: { label: string; tone_amp: Record<string, number | null> }[];
}

describe.skipIf(!haveTranscripts)('ARI fidelity: snoop (facts 89, 90, 92)', () => {
  let ari: TestAri;
  let events: EventLog;

  beforeAll(async () => {
    ari = await TestAri.start();
    // The scenario's "voices": 8 kHz sine tones in the sounds directory.
    writeVoice(join(ari.soundsDir, 'en', 'zz-t400.wav'), 400, 30);
    writeVoice(join(ari.soundsDir, 'en', 'zz-t1000.wav'), 1000, 30);
    events = await ari.connect();
    await ari.call(events, 'sn');
    await ari.call(events, 'sb');
    await ari.req('POST', '/bridges?type=mixing&bridgeId=br-sn');
    await ari.req('POST', '/bridges/br-sn/addChannel?channel=sn-tgt');
    await ari.req('POST', '/bridges/br-sn/addChannel?channel=sb-tgt');
  });
  afterAll(async () => {
    await ari.close();
  });

  it('fact 89: the errors, request for request as recorded', async () => {
    const lines = transcript('snoop.jsonl');
    const requests = lines.filter((l) => l.kind === 'req' && /\/snoop/.test(l.path ?? '') && lines.some((r) => r.kind === 'res' && r.seq === l.seq && (r.status ?? 0) >= 400));
    expect(requests.length).toBeGreaterThanOrEqual(5);
    for (const req of requests) {
      const recorded = lines.find((r) => r.kind === 'res' && r.seq === req.seq);
      const got = await ari.req(req.method ?? 'POST', (req.path ?? '').replace(/^\/ari/, ''));
      expect({ path: req.path, status: got.status, body: got.body }).toEqual({ path: req.path, status: recorded?.status, body: recorded?.body });
    }
  });

  it('fact 89: 200 with the new channel (Up, default,s,1, no app yet) and StasisStart {args} in the same ms; GET shows Stasis', async () => {
    const recorded = recordedResponse('snoop.jsonl', 'POST', /snoopId=snp-in/).body as ChannelJson;
    const from = events.mark();
    const res = await ari.req('POST', '/channels/sn-tgt/snoop?spy=in&app=target&appArgs=spy,in&snoopId=snp-in');
    expect(res.status).toBe(200);
    const body = res.body as ChannelJson;
    expect(Object.keys(body)).toEqual(Object.keys(recorded));
    const { creationtime: _a, name, ...mine } = body;
    const { creationtime: _b, name: _n, ...theirs } = recorded;
    expect(mine).toEqual(theirs);
    expect(name).toMatch(/^Snoop\/sn-tgt-[0-9a-f]{8}$/);
    const start = await events.wait('StasisStart', 'target', 'snp-in', from);
    expect(start['args']).toEqual(['spy', 'in']);
    expect(channelOf(start).dialplan).toEqual({ context: 'default', exten: 's', priority: 1, app_name: 'Stasis', app_data: 'target,spy,in' });
    expect(eventTime(start)).toBe(Date.parse(body.creationtime.replace('+0000', 'Z')));
    expect(((await ari.req('GET', '/channels/snp-in')).body as ChannelJson).dialplan).toMatchObject({ app_name: 'Stasis', app_data: 'target,spy,in' });
    // The driver app hears nothing of it (not subscribed), as recorded.
    await events.settle();
    expect(events.since(from).filter((e) => subject(e) === 'snp-in').map((e) => `${e.application}:${e.type}`)).toEqual(['target:StasisStart']);

    for (const spy of ['out', 'both']) {
      const r = await ari.req('POST', `/channels/sn-tgt/snoop?spy=${spy}&app=target&appArgs=spy,${spy}&snoopId=snp-${spy}`);
      expect(r.status).toBe(200);
    }
    // app_snoop numbers its channels in sequence.
    const seq = (id: string) => Promise.resolve(ari.req('GET', `/channels/${id}`)).then((r) => Number.parseInt(((r.body as ChannelJson).name.split('-').pop() ?? ''), 16));
    expect(await seq('snp-out')).toBe((await seq('snp-in')) + 1);
    expect(await seq('snp-both')).toBe((await seq('snp-in')) + 2);
  });

  it('fact 89: the /snoop/{snoopId} form; fact 92: DELETE of a snoop is ChannelHangupRequest(32, soft) and StasisEnd, and the call goes on', async () => {
    const from = events.mark();
    const res = await ari.req('POST', '/channels/sn-tgt/snoop/snp-path?spy=in&app=target');
    expect(res).toMatchObject({ status: 200, body: { id: 'snp-path', state: 'Up' } });
    expect((await events.wait('StasisStart', 'target', 'snp-path', from))['args']).toEqual([]);
    const del = events.mark();
    expect((await ari.req('DELETE', '/channels/snp-path')).status).toBe(204);
    await events.wait('StasisEnd', 'target', 'snp-path', del);
    await events.settle();
    const seen = events.since(del).map((e) => [e.application, e.type, subject(e), e['cause'], e['soft']]);
    expect(seen).toEqual([
      ['target', 'ChannelHangupRequest', 'snp-path', 32, true],
      ['target', 'StasisEnd', 'snp-path', undefined, undefined],
    ]);
    expect((await ari.req('GET', '/channels/sn-tgt')).status).toBe(200);
    expect((await ari.req('GET', '/channels/snp-path')).status).toBe(404);
  });

  it('fact 90: a recording of the snoop holds what the channel reads (in), what is written to it (out), or both; silence while nothing flows', async () => {
    const names = { in: 'snoop-spy-in', out: 'snoop-spy-out', both: 'snoop-spy-both' } as const;
    for (const [spy, name] of Object.entries(names)) {
      expect((await ari.req('POST', `/channels/snp-${spy}/record?name=${name}&format=wav&ifExists=overwrite`)).status).toBe(201);
    }
    const from = events.mark();
    // nobody talks 1.5 s; S talks 2.5 s; B talks 2.5 s; both talk 2.5 s (as recorded).
    await ari.advance(1500);
    await ari.req('POST', '/channels/sn-drv/play?media=sound:zz-t400&playbackId=s1');
    await ari.advance(2500);
    await ari.req('DELETE', '/playbacks/s1');
    await ari.req('POST', '/channels/sb-drv/play?media=sound:zz-t1000&playbackId=b1');
    await ari.advance(2500);
    await ari.req('POST', '/channels/sn-drv/play?media=sound:zz-t400&playbackId=s2');
    await ari.advance(2500);
    await ari.req('DELETE', '/playbacks/s2');
    await ari.req('DELETE', '/playbacks/b1');
    for (const name of Object.values(names)) expect((await ari.req('POST', `/recordings/live/${name}/stop`)).status).toBe(204);
    for (const name of Object.values(names)) {
      expect((await events.wait('RecordingFinished', 'target', name, from))['recording']).toMatchObject({ state: 'done', duration: 9 });
    }

    const recordedAudio = transcript('snoop.jsonl').filter((l) => l.kind === 'audio') as unknown as AudioLine[];
    const windows: [string, number, number][] = [['nobody talks', 0, 1500], ['S talks', 1500, 4000], ['B talks', 4000, 6500], ['both talk', 6500, 9000]];
    const heard = (amp: number | null | undefined): boolean => (amp ?? 0) > 2000;
    for (const name of Object.values(names)) {
      const samples = readRecording(join(ari.sim.recordingsDir, `${name}.wav`));
      expect(samples.length / 8000).toBeCloseTo(9, 1);
      const recorded = recordedAudio.find((a) => a.recording === name);
      expect(recorded, name).toBeDefined();
      for (const [label, fromMs, toMs] of windows) {
        const segment = recorded?.segments.find((s) => s.label === label);
        const got = { s: heard(toneAmp(samples, 400, fromMs + 200, toMs - 200)), b: heard(toneAmp(samples, 1000, fromMs + 200, toMs - 200)) };
        expect({ name, label, ...got }).toEqual({ name, label, s: heard(segment?.tone_amp['400']), b: heard(segment?.tone_amp['1000']) });
      }
      // Silence, not missing frames: the quiet start is in the file, at zero.
      expect(toneAmp(samples, 400, 200, 1300) + toneAmp(samples, 1000, 200, 1300)).toBeLessThan(50);
    }
  });

  it('fact 92: when the snooped channel ends, each snoop gets only StasisEnd, 10-20 ms after its StasisEnd; a live recording on it is kept', async () => {
    // What the transcript shows for the snoops on sn-tgt.
    const lines = transcript('snoop.jsonl');
    const hangupAt = lines.findIndex((l) => l.kind === 'note' && /hang-up order/.test(String((l as { text?: string }).text)));
    const after = lines.slice(hangupAt).filter((l) => l.kind === 'event');
    const tgtEnd = after.find((l) => l.type === 'StasisEnd' && (l.event?.['channel'] as ChannelJson).id === 'sn-tgt');
    const snoopLines = after.filter((l) => String((l.event?.['channel'] as ChannelJson | undefined)?.name ?? '').startsWith('Snoop/sn-tgt-'));
    expect(new Set(snoopLines.map((l) => l.type))).toEqual(new Set(['StasisEnd']));
    for (const l of snoopLines) expect(l.t - (tgtEnd?.t ?? 0)).toBeGreaterThanOrEqual(10);
    for (const l of snoopLines) expect(l.t - (tgtEnd?.t ?? 0)).toBeLessThanOrEqual(20);

    expect((await ari.req('POST', '/channels/sn-drv/snoop?spy=in&app=target&snoopId=ear-S')).status).toBe(200);
    expect((await ari.req('POST', '/channels/snp-in/record?name=snoop-at-hangup&format=wav&ifExists=overwrite')).status).toBe(201);
    await ari.advance(1000);
    const from = events.mark();
    expect((await ari.req('DELETE', '/channels/sn-drv')).status).toBe(204);
    const end = await events.wait('StasisEnd', 'target', 'sn-tgt', from);
    await ari.advance(9);
    const snoops = ['snp-in', 'snp-out', 'snp-both', 'ear-S'];
    expect(events.since(from).filter((e) => snoops.includes(subject(e) ?? ''))).toEqual([]);
    await ari.advance(11);
    await events.settle();
    for (const id of snoops) {
      const e = await events.wait('StasisEnd', 'target', id, from);
      expect(eventTime(e) - eventTime(end)).toBeGreaterThanOrEqual(10);
      expect(eventTime(e) - eventTime(end)).toBeLessThanOrEqual(20);
    }
    const aboutSnoops = events.since(from).filter((e) => snoops.includes(subject(e) ?? ''));
    expect(aboutSnoops.map((e) => e.type).sort()).toEqual(['StasisEnd', 'StasisEnd', 'StasisEnd', 'StasisEnd']);
    // The recording ended with the snoop channel, before its StasisEnd, and is stored.
    const types = events.since(from).map((e) => `${e.type}:${subject(e)}`);
    expect(types.indexOf('RecordingFinished:snoop-at-hangup')).toBeGreaterThan(-1);
    expect(types.indexOf('RecordingFinished:snoop-at-hangup')).toBeLessThan(types.indexOf('StasisEnd:snp-in'));
    expect((await ari.req('GET', '/recordings/stored/snoop-at-hangup')).status).toBe(200);
    const ids = ((await ari.req('GET', '/channels')).body as ChannelJson[]).map((c) => c.id);
    expect(ids.filter((id) => snoops.includes(id))).toEqual([]);
    expect(ids).toContain('sb-drv');
  });

  it('the snoop operations are described as in channels.json', () => {
    type Api = { path: string; operations: { nickname: string; httpMethod: string; responseClass: string; parameters: Record<string, unknown>[] }[] };
    const pick = (apis: Api[]) =>
      apis.filter((a) => a.path.includes('/snoop')).map((a) => ({
        path: a.path,
        operations: a.operations.map((o) => ({
          nickname: o.nickname,
          httpMethod: o.httpMethod,
          responseClass: o.responseClass,
          parameters: o.parameters.map((p) => [p['name'], p['paramType'], p['required'], p['allowMultiple'], p['dataType'], p['defaultValue'], JSON.stringify(p['allowableValues'])]),
        })),
      }));
    const real = JSON.parse(readFileSync(join(transcriptsDir, 'api-docs/channels.json'), 'utf8')) as { apis: Api[] };
    return ari.req('GET', '/api-docs/channels.json').then((res) => {
      expect(pick((res.body as { apis: Api[] }).apis)).toEqual(pick(real.apis));
    });
  });
});
