/**
 * Fact 91: a snoop channel whispers what is written to it into the call, and only into
 * frames that flow anyway. Driven over ARI as in snoop.jsonl: calls S (sn-drv/sn-tgt) and B
 * (sb-drv/sb-tgt), the `;2` halves in a mixing bridge, tone "voices"; what S (B) hears is
 * recorded from a spy=in snoop on sn-drv (sb-drv), the "ears". Where ../shared is there, the
 * expected table is also held to the transcript's recorded segments.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecording, rms, sine, toneAmp, wavBytes, writeVoice } from './audio-helpers.js';
import { TestAri, haveTranscripts, transcript } from './helpers.js';
import type { EventLog } from './helpers.js';

/** The tones of the scenario: S talks 400 Hz, B 1000 Hz, the whispers 2000 and 3000 Hz. */
const TONES = [400, 1000, 2000, 3000] as const;

/** Which tones are heard (Goertzel amplitude above 2000, as a 4900 voice gives ~4900) in [fromMs, toMs). */
function heardTones(samples: Int16Array, fromMs: number, toMs: number): number[] {
  return TONES.filter((hz) => toneAmp(samples, hz, fromMs, toMs) > 2000);
}

/** A recorded `audio` line of snoop.jsonl. */
interface AudioLine {
  kind: 'audio';
  recording: string;
  segments: { label: string; tone_amp: Record<string, number | null> }[];
}

describe('snoop whisper (fact 91)', () => {
  let ari: TestAri;
  let events: EventLog;

  const req = async (method: string, path: string, status: number): Promise<void> => {
    const res = await ari.req(method, path);
    expect({ path, status: res.status }).toEqual({ path, status });
  };
  const record = (channel: string, name: string): Promise<void> => req('POST', `/channels/${channel}/record?name=${name}&format=wav&ifExists=overwrite`, 201);
  const stopAndRead = async (name: string): Promise<Int16Array> => {
    const from = events.mark();
    await req('POST', `/recordings/live/${name}/stop`, 204);
    await events.wait('RecordingFinished', undefined, name, from);
    return readRecording(join(ari.sim.recordingsDir, `${name}.wav`));
  };

  beforeAll(async () => {
    ari = await TestAri.start();
    for (const hz of TONES) writeVoice(join(ari.soundsDir, 'en', `zz-t${hz}.wav`), hz, 30);
    // A playback far below the silence threshold (mean |sample| ~64 < 256): frames, but no talk.
    writeFileSync(join(ari.soundsDir, 'en', 'zz-quiet.wav'), wavBytes(sine(8000, 500, 2, 100), 8000));
    events = await ari.connect();
  });
  afterAll(async () => {
    await ari.close();
  });

  it('in a 2-member bridge: out is heard by the far end only while the bridge sends frames, in by the peer only while the far end talks; a deleted snoop stops', async () => {
    await ari.call(events, 'sn');
    await ari.call(events, 'sb');
    await req('POST', '/bridges?type=mixing&bridgeId=br-sn', 200);
    await req('POST', '/bridges/br-sn/addChannel?channel=sn-tgt', 204);
    await req('POST', '/bridges/br-sn/addChannel?channel=sb-tgt', 204);
    await req('POST', '/channels/sn-drv/snoop?spy=in&app=target&snoopId=ear-S', 200);
    await req('POST', '/channels/sb-drv/snoop?spy=in&app=target&snoopId=ear-B', 200);
    await record('ear-S', 'wh-ear-S');
    await record('ear-B', 'wh-ear-B');

    // Times are relative to the start of the ears' recordings (the clock only moves by advance).
    const windows: [string, number, number][] = [];
    const segment = async (label: string, ms: number): Promise<void> => {
      const from = windows.reduce((t, [, , to]) => Math.max(t, to), 0);
      windows.push([label, from, from + ms]);
      await ari.advance(ms);
    };

    await req('POST', '/channels/sn-tgt/snoop?whisper=out&app=target&snoopId=snp-wout', 200);
    await req('POST', '/channels/snp-wout/play?media=sound:zz-t2000&playbackId=w-out', 201);
    await segment('whisper=out plays, nobody talks', 2000);
    await req('POST', '/channels/sb-drv/play?media=sound:zz-t1000&playbackId=b3', 201);
    await segment('whisper=out plays, B talks', 2500);
    await req('DELETE', '/playbacks/b3', 204);
    await req('DELETE', '/playbacks/w-out', 204);
    await req('DELETE', '/channels/snp-wout', 204);

    await req('POST', '/channels/sn-tgt/snoop?whisper=in&app=target&snoopId=snp-win', 200);
    await req('POST', '/channels/snp-win/play?media=sound:zz-t3000&playbackId=w-in', 201);
    await segment('whisper=in plays, nobody talks', 2000);
    await req('POST', '/channels/sn-drv/play?media=sound:zz-t400&playbackId=s4', 201);
    await segment('whisper=in plays, S talks', 2500);
    await req('DELETE', '/playbacks/s4', 204);
    await req('DELETE', '/playbacks/w-in', 204);

    await req('POST', '/channels/sn-tgt/snoop?spy=both&whisper=both&app=target&snoopId=snp-wboth', 200);
    // A recording on snp-wboth would hold its playback back (one command at a time): another spy listens.
    await req('POST', '/channels/sn-tgt/snoop?spy=both&app=target&snoopId=spy-both', 200);
    await record('spy-both', 'wh-spy-both');
    await req('POST', '/channels/snp-wboth/play?media=sound:zz-t2000&playbackId=w-both', 201);
    await req('POST', '/channels/sb-drv/play?media=sound:zz-t1000&playbackId=b4', 201);
    await segment('whisper=both plays, B talks', 2500);
    const spy = await stopAndRead('wh-spy-both');
    // The whispering snoop goes while its playback runs; B goes on talking.
    await req('DELETE', '/channels/snp-wboth', 204);
    await segment('whisper snoop deleted, B talks', 1500);
    await req('DELETE', '/playbacks/b4', 204);

    const ears = { 'snoop-S': await stopAndRead('wh-ear-S'), 'snoop-B': await stopAndRead('wh-ear-B') };
    const expected: Record<string, Record<keyof typeof ears, number[]>> = {
      'whisper=out plays, nobody talks': { 'snoop-S': [], 'snoop-B': [] },
      'whisper=out plays, B talks': { 'snoop-S': [1000, 2000], 'snoop-B': [] },
      'whisper=in plays, nobody talks': { 'snoop-S': [], 'snoop-B': [] },
      'whisper=in plays, S talks': { 'snoop-S': [], 'snoop-B': [400, 3000] },
      'whisper=both plays, B talks': { 'snoop-S': [1000, 2000], 'snoop-B': [] },
      'whisper snoop deleted, B talks': { 'snoop-S': [1000], 'snoop-B': [] },
    };
    for (const [label, from, to] of windows) {
      for (const [ear, samples] of Object.entries(ears)) {
        expect({ label, ear, heard: heardTones(samples, from + 200, to - 200) }).toEqual({ label, ear, heard: expected[label]?.[ear as keyof typeof ears] });
      }
    }
    // A spy sees a frame before the whispers are mixed in (audiohook.c: the spy list, then the
    // whisper list; not recorded): a spy=both on sn-tgt hears B, not the whisper into it.
    expect(heardTones(spy, 200, 2300)).toEqual([1000]);

    if (haveTranscripts) {
      // The table above is what Asterisk 22 recorded, segment by segment.
      const recorded = transcript('snoop.jsonl').filter((l) => l.kind === 'audio') as unknown as AudioLine[];
      for (const [label, byEar] of Object.entries(expected)) {
        for (const [ear, tones] of Object.entries(byEar)) {
          const seg = recorded.find((a) => a.recording === ear)?.segments.find((s) => s.label === label);
          if (seg === undefined) continue;
          expect({ label, ear, heard: TONES.filter((hz) => (seg.tone_amp[String(hz)] ?? 0) > 2000) }).toEqual({ label, ear, heard: tones });
        }
      }
    }
  });

  it('out on a channel with a playback of its own: the far end hears the whisper mixed into it, and no frames beyond it', async () => {
    await ari.call(events, 'pw');
    await req('POST', '/channels/pw-tgt/snoop?whisper=out&app=target&snoopId=snp-pw', 200);
    await req('POST', '/channels/snp-pw/play?media=sound:zz-t2000&playbackId=w-pw', 201);
    // pw-drv reads what is written to pw-tgt: nothing yet, so the recording gets no frames.
    await record('pw-drv', 'wh-pw-far');
    await ari.advance(500);
    const from = events.mark();
    await req('POST', '/channels/pw-tgt/play?media=sound:zz-quiet&playbackId=q-pw', 201);
    await ari.advance(2000);
    await events.wait('PlaybackFinished', 'target', 'q-pw', from);
    // The whisper plays on for another second, with nothing written to pw-tgt.
    await ari.advance(1000);
    const far = await stopAndRead('wh-pw-far');
    // Only the quiet playback's frames arrived (2 s), the whisper loud in them.
    expect(far.length / 8000).toBeCloseTo(2, 1);
    expect(toneAmp(far, 2000, 100, 1900)).toBeGreaterThan(4000);
    expect(toneAmp(far, 500, 100, 1900)).toBeGreaterThan(50);
    expect(rms(far, 100, 1900)).toBeGreaterThan(3000);
    await req('DELETE', '/channels/snp-pw', 204);
  });

  it('out into a 3-member bridge member: softmix sends a frame every 20 ms, so the far end hears the whisper with nobody talking', async () => {
    for (const tag of ['x1', 'x2', 'x3']) await ari.call(events, tag);
    await req('POST', '/bridges?type=mixing&bridgeId=br-x', 200);
    await req('POST', '/bridges/br-x/addChannel?channel=x1-tgt,x2-tgt,x3-tgt', 204);
    await req('POST', '/channels/x1-drv/snoop?spy=in&app=target&snoopId=ear-x1', 200);
    await req('POST', '/channels/x2-drv/snoop?spy=in&app=target&snoopId=ear-x2', 200);
    await record('ear-x1', 'wh-ear-x1');
    await record('ear-x2', 'wh-ear-x2');
    await req('POST', '/channels/x1-tgt/snoop?whisper=out&app=target&snoopId=snp-x1', 200);
    await req('POST', '/channels/snp-x1/play?media=sound:zz-t2000&playbackId=w-x1', 201);
    await ari.advance(1500);
    await req('DELETE', '/channels/snp-x1', 204);
    await ari.advance(1000);
    const x1 = await stopAndRead('wh-ear-x1');
    const x2 = await stopAndRead('wh-ear-x2');
    expect(heardTones(x1, 200, 1300)).toEqual([2000]);
    expect(heardTones(x2, 200, 1300)).toEqual([]);
    // Gone with its snoop channel.
    expect(heardTones(x1, 1700, 2300)).toEqual([]);
  });

  it('a whisper snoop in a bridge whispers what the bridge sends it (a coach talking to one side; from res_stasis_snoop, not recorded)', async () => {
    await ari.call(events, 'cs');
    await ari.call(events, 'cc');
    await req('POST', '/channels/cs-drv/snoop?spy=in&app=target&snoopId=ear-cs', 200);
    await record('ear-cs', 'wh-ear-cs');
    await req('POST', '/channels/cs-tgt/snoop?whisper=out&app=target&snoopId=snp-coach', 200);
    await req('POST', '/bridges?type=mixing&bridgeId=br-coach', 200);
    await req('POST', '/bridges/br-coach/addChannel?channel=snp-coach,cc-tgt', 204);
    // The coach talks (3000 Hz); cs-tgt carries a quiet playback, so frames flow to its far end.
    await req('POST', '/channels/cc-drv/play?media=sound:zz-t3000&playbackId=coach', 201);
    await req('POST', '/channels/cs-tgt/play?media=sound:zz-quiet&playbackId=q-cs', 201);
    await ari.advance(1500);
    const cs = await stopAndRead('wh-ear-cs');
    expect(heardTones(cs, 200, 1300)).toEqual([3000]);
    await req('DELETE', '/playbacks/coach', 204);
  });
});
