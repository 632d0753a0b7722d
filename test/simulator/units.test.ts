/** Unit tests of the simulator's building blocks: clock, dialplan, media formats, audio. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock, formatTimestamp } from '../../src/simulator/clock.js';
import { Dialplan, compilePattern } from '../../src/simulator/dialplan/dialplan.js';
import { alawToLinear, decodeWav, encodeWav, linearToAlaw, linearToUlaw, ulawToLinear } from '../../src/simulator/media/audio.js';
import { loadMediaFile } from '../../src/simulator/media/formats.js';
import { characterFiles, digitFiles, numberFiles } from '../../src/simulator/media/resolve.js';
import { findSoundFile, getSound, listSounds } from '../../src/simulator/media/sounds.js';
import { Router } from '../../src/simulator/http/routing.js';
import { planPlaybackOperation } from '../../src/simulator/playbacks/operations.js';
import { planOperation } from '../../src/simulator/recordings/operations.js';
import { listOperations } from '../../src/simulator/api-docs/index.js';
import { repoRoot } from './helpers.js';

describe('ManualClock', () => {
  it('runs due timers in order and formats Asterisk timestamps', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 22, 9, 8, 4, 935));
    expect(formatTimestamp(clock.now())).toBe('2026-11-22T09:08:04.935+0000');
    const order: string[] = [];
    clock.setTimeout(() => order.push('b'), 20);
    clock.setTimeout(() => order.push('a'), 10);
    const c = clock.setTimeout(() => order.push('never'), 15);
    clock.clearTimeout(c);
    clock.setTimeout(() => clock.setTimeout(() => order.push('nested'), 5), 12);
    await clock.advance(30);
    expect(order).toEqual(['a', 'nested', 'b']);
    expect(formatTimestamp(clock.now())).toBe('2026-11-22T09:08:04.965+0000');
  });
});

describe('dialplan', () => {
  it('parses the repo dialplan and matches its patterns', () => {
    const plan = Dialplan.load(join(repoRoot, 'asterisk-config/extensions.conf'));
    expect(plan.step('stasis-flows-test', 'vm-record', 1)).toMatchObject({ app: 'NoOp' });
    expect(plan.step('stasis-flows-test', 'vm-record', 3)).toMatchObject({ app: 'Stasis', data: '${EXTEN},${STASIS_ARGS}' });
    expect(plan.step('stasis-flows', '305', 2)).toMatchObject({ app: 'Stasis', data: 'vm-record,${EXTEN}' });
    expect(plan.exists('stasis-flows', '3055')).toBe(false);
    expect(plan.exists('stasis-flows-test', '100')).toBe(false);
  });

  it('compiles Asterisk patterns (X Z N [..] . !)', () => {
    const cases: [string, string, boolean][] = [
      ['_X.', '100', true],
      ['_X.', '1', false],
      ['_NXX', '299', true],
      ['_NXX', '199', false],
      ['_Z!', '5', true],
      ['_[a-z].', 'queue', true],
      ['_[a-z].', 'Queue', false],
      ['_1[2-4]X', '135', true],
    ];
    for (const [pattern, exten, match] of cases) expect(compilePattern(pattern).regex.test(exten)).toBe(match);
  });

  it('prefers literal extensions, then the most specific pattern; follows includes and labels', () => {
    const plan = Dialplan.parse(`
[a]
include => b
exten => _X.,1,NoOp(any)
exten => _1XX,1,NoOp(hundreds)
exten => 100,1,NoOp(literal)
 same => n(next),Hangup()
[b]
exten => s,1,NoOp(from b)
`);
    expect(plan.step('a', '100', 1)?.data).toBe('literal');
    expect(plan.step('a', '123', 1)?.data).toBe('hundreds');
    expect(plan.step('a', '9', 1)).toBeUndefined();
    expect(plan.step('a', '99', 1)?.data).toBe('any');
    expect(plan.step('a', 's', 1)?.data).toBe('from b');
    expect(plan.findLabel('a', '100', 'next')).toBe(2);
  });
});

describe('media', () => {
  it('knows the files say number, digits and characters play', () => {
    expect(numberFiles(42)).toEqual(['digits/40', 'digits/2']);
    expect(numberFiles(305)).toEqual(['digits/3', 'digits/hundred', 'digits/5']);
    expect(numberFiles(1234)).toEqual(['digits/1', 'digits/thousand', 'digits/2', 'digits/hundred', 'digits/30', 'digits/4']);
    expect(numberFiles(-7)).toEqual(['digits/minus', 'digits/7']);
    expect(digitFiles('3#0*')).toEqual(['digits/3', 'digits/pound', 'digits/0', 'digits/star']);
    expect(characterFiles('aB1')).toEqual(['letters/a', 'letters/b', 'digits/1']);
  });

  it('reads durations per format: wav header, gsm 33 bytes per 20 ms, sln16, ulaw', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ari-sim-fmt-'));
    try {
      writeFileSync(join(dir, 'a.wav'), encodeWav(new Int16Array(8000)));
      writeFileSync(join(dir, 'a.gsm'), Buffer.alloc(33 * 50));
      writeFileSync(join(dir, 'a.sln16'), Buffer.alloc(32000));
      writeFileSync(join(dir, 'a.ulaw'), Buffer.alloc(4000, 0xff));
      expect(loadMediaFile(join(dir, 'a.wav'), 'wav')?.durationMs).toBe(1000);
      expect(loadMediaFile(join(dir, 'a.gsm'), 'gsm')?.durationMs).toBe(1000);
      expect(loadMediaFile(join(dir, 'a.sln16'), 'sln16')?.samples.length).toBe(8000);
      expect(loadMediaFile(join(dir, 'a.ulaw'), 'ulaw')?.durationMs).toBe(500);
      expect(loadMediaFile(join(dir, 'missing.wav'), 'wav')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('encodes and decodes audio', () => {
    const samples = Int16Array.from([0, 1000, -1000, 32000, -32000]);
    expect(Array.from(decodeWav(encodeWav(samples)) ?? [])).toEqual(Array.from(samples));
    for (const s of [0, 1000, -1000, 8000, -8000]) {
      expect(Math.abs(ulawToLinear(linearToUlaw(s)) - s)).toBeLessThan(Math.max(16, Math.abs(s) / 16));
      expect(Math.abs(alawToLinear(linearToAlaw(s)) - s)).toBeLessThan(Math.max(16, Math.abs(s) / 16));
    }
  });

  it('indexes sounds per language, with language fallback to en', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ari-sim-snd-'));
    try {
      for (const f of ['en/hello.wav', 'en/hello.gsm', 'en/digits/1.wav', 'fr/hello.wav']) {
        const path = join(dir, f);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, f.endsWith('.wav') ? encodeWav(new Int16Array(80)) : Buffer.alloc(33));
      }
      expect(listSounds(dir).map((s) => s.id)).toEqual(['digits/1', 'hello']);
      expect(getSound(dir, 'hello')?.formats).toEqual([
        { language: 'en', format: 'gsm' },
        { language: 'en', format: 'slin' },
        { language: 'fr', format: 'slin' },
      ]);
      expect(listSounds(dir, { lang: 'fr' }).map((s) => s.id)).toEqual(['hello']);
      expect(listSounds(dir, { format: 'gsm' }).map((s) => s.id)).toEqual(['hello']);
      expect(findSoundFile(dir, 'hello', 'fr_CA')?.path).toBe(join(dir, 'fr/hello.wav'));
      expect(findSoundFile(dir, 'digits/1', 'de')?.path).toBe(join(dir, 'en/digits/1.wav'));
      expect(listSounds(join(dir, 'nope'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('router', () => {
  const router = new Router(listOperations());
  it('derives routes from the API description; literals beat parameters; %2F decodes', () => {
    expect(router.match('POST', '/channels/create')).toMatchObject({ kind: 'found', op: { nickname: 'create' } });
    expect(router.match('POST', '/channels/abc')).toMatchObject({ kind: 'found', op: { nickname: 'originateWithId' }, pathParams: { channelId: 'abc' } });
    expect(router.match('GET', '/recordings/stored/a%2Fb')).toMatchObject({ kind: 'found', pathParams: { recordingName: 'a/b' } });
    expect(router.match('GET', '/recordings/stored/a/b')).toEqual({ kind: 'not-found' });
    expect(router.match('PATCH', '/channels')).toMatchObject({ kind: 'method-not-allowed' });
  });
});

describe('operation tables (res_stasis_recording.c, res_stasis_playback.c)', () => {
  it('recordings: a queued stop only changes the state; done and canceled refuse everything; mute frames only on a change', () => {
    expect(planOperation('queued', false, 'stop')).toEqual({ result: 'ok', state: 'canceled', muted: false });
    expect(planOperation('canceled', false, 'stop')).toMatchObject({ result: 'not-recording' });
    expect(planOperation('done', false, 'cancel')).toMatchObject({ result: 'not-recording' });
    expect(planOperation('queued', false, 'pause')).toMatchObject({ result: 'not-recording' });
    expect(planOperation('recording', false, 'cancel')).toEqual({ result: 'ok', state: 'canceled', muted: false, frame: 'cancel', deleteFile: true });
    expect(planOperation('paused', false, 'stop')).toMatchObject({ state: 'done', frame: 'stop' });
    expect(planOperation('recording', false, 'unpause')).toEqual({ result: 'ok', state: 'recording', muted: false });
    expect(planOperation('paused', false, 'unpause')).toMatchObject({ state: 'recording', frame: 'suspend' });
    expect(planOperation('recording', false, 'mute')).toMatchObject({ muted: true, frame: 'mute' });
    expect(planOperation('recording', true, 'mute')).not.toHaveProperty('frame');
    expect(planOperation('recording', true, 'unmute')).toMatchObject({ muted: false, frame: 'mute' });
  });

  it('playbacks: every frame needs the sticky controllable flag; a stopped playback takes stops as no-ops', () => {
    expect(planPlaybackOperation('playing', false, 'stop')).toMatchObject({ result: 'failed' });
    expect(planPlaybackOperation('playing', false, 'pause')).toMatchObject({ result: 'failed' });
    expect(planPlaybackOperation('playing', false, 'unpause')).toMatchObject({ result: 'ok' });
    expect(planPlaybackOperation('playing', true, 'stop')).toEqual({ result: 'ok', state: 'stopped', frame: 'stop' });
    expect(planPlaybackOperation('paused', true, 'unpause')).toEqual({ result: 'ok', state: 'playing', frame: 'suspend', started: true });
    expect(planPlaybackOperation('paused', true, 'forward')).toMatchObject({ result: 'not-playing' });
    expect(planPlaybackOperation('stopped', true, 'stop')).toEqual({ result: 'ok', state: 'stopped' });
    expect(planPlaybackOperation('stopped', true, 'pause')).toMatchObject({ result: 'not-playing' });
    expect(planPlaybackOperation('queued', false, 'stop')).toEqual({ result: 'ok', state: 'canceled' });
    expect(planPlaybackOperation('queued', false, 'restart')).toMatchObject({ result: 'ok' });
    expect(planPlaybackOperation('queued', false, 'pause')).toMatchObject({ result: 'not-playing' });
  });
});
