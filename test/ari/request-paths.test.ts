/**
 * The lean request path and ari-client's answer alike: the same operations on
 * the same kind of call, through each, give the same results and the same
 * AriErrors (status, operation, message). Runs wherever test/support/world.ts
 * points ARI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v4 as uuidv4 } from 'uuid';
import { connectAri, type AriConnection } from '../../src/ari/connect.js';
import { routeKey } from '../../src/ari/router.js';
import type { AriEvent } from '../../src/ari/types.js';
import { AriError } from '../../src/errors.js';
import { startWorld, type World } from '../support/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

/** A connection on one path, with its own app, and a call whose both halves are in it. */
async function setup(path: 'lean' | 'ari-client') {
  const ari: AriConnection = await connectAri({
    url: world.ariUrl,
    username: world.username,
    password: world.password,
    connectTimeoutMs: 10_000,
    connectRetries: 0,
    requestTimeoutMs: 10_000,
    requestPath: path,
    log: world.log,
  });
  const app = `paths-${path}-${uuidv4().slice(0, 8)}`;
  const events: AriEvent[] = [];
  const tag = uuidv4();
  const phone = `${tag}-1`;
  const target = `${tag}-2`;
  const entered = new Promise<void>((resolve) => {
    ari.events.listen('StasisStart', (e) => {
      if (e.type === 'StasisStart' && e.channel.id === target) resolve();
    });
  });
  ari.events.route(routeKey.channel(target), (e) => events.push(e));
  await ari.listen([app]);
  await ari.channels.originate({ endpoint: `Local/${app}@stasis-flows-test-noargs/n`, app, channelId: phone, otherChannelId: target, variables: { CALLER_LANG: 'en' } });
  await entered;
  const until = async (check: () => boolean, what: string) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
    if (!check()) throw new Error(`timed out waiting for ${what}`);
  };
  return { ari, app, events, phone, target, until };
}

/** What a failed request looked like, for comparing the paths. */
async function failure(promise: Promise<unknown>): Promise<{ status: number; operation: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AriError) return { status: err.status, operation: err.operation, message: err.message.replace(/\([^)]*\)/, '(…)') };
    throw err;
  }
  throw new Error('expected a failure');
}

/** Runs the same script on one path and says what came back. */
async function script(path: 'lean' | 'ari-client') {
  const t = await setup(path);
  const out: Record<string, unknown> = {};
  try {
    await t.ari.channels.answer(t.target);
    const playbackId = uuidv4();
    const pb = await t.ari.channels.play(t.target, { playbackId, media: ['sound:tt-monkeys', 'sound:beep'], skipms: 3000 });
    out['play'] = { media_uri: pb.media_uri, next_media_uri: pb.next_media_uri, target_uri: pb.target_uri === `channel:${t.target}` };
    await t.until(() => t.events.some((e) => e.type === 'PlaybackStarted'), 'PlaybackStarted');
    await t.ari.playbacks.control(playbackId, 'pause');
    out['paused'] = (await t.ari.playbacks.get(playbackId)).state;
    await t.ari.playbacks.control(playbackId, 'unpause');
    out['badControl'] = await failure(t.ari.playbacks.control(playbackId, 'bogus' as 'pause'));
    await t.ari.playbacks.stop(playbackId);
    await t.until(() => t.events.some((e) => e.type === 'PlaybackFinished'), 'PlaybackFinished');
    out['stopAgain'] = await failure(t.ari.playbacks.stop(playbackId));
    await t.ari.channels.sendDtmf(t.phone, '1#', { between: 100, duration: 100 });
    await t.until(() => t.events.filter((e) => e.type === 'ChannelDtmfReceived').length === 2, 'the two digits');
    const name = `paths/${uuidv4()}`;
    const rec = await t.ari.channels.record(t.target, { name, format: 'wav', beep: false, ifExists: 'overwrite', terminateOn: 'none', maxDurationSeconds: 10, maxSilenceSeconds: 0 });
    out['record'] = { name: rec.name === name, format: rec.format };
    await t.until(() => t.events.some((e) => e.type === 'RecordingStarted'), 'RecordingStarted');
    await t.ari.recordings.pause(name);
    await t.ari.recordings.unpause(name);
    await t.ari.recordings.mute(name);
    await t.ari.recordings.unmute(name);
    await t.ari.recordings.stop(name);
    await t.until(() => t.events.some((e) => e.type === 'RecordingFinished'), 'RecordingFinished');
    out['stopRecordingAgain'] = await failure(t.ari.recordings.stop(name));
    await t.ari.recordings.deleteStored(name);
    await t.ari.channels.startMoh(t.target, 'default');
    await t.ari.channels.stopMoh(t.target);
    const bridgeId = uuidv4();
    await t.ari.bridges.create({ bridgeId, type: 'mixing' });
    await t.ari.bridges.addChannel(bridgeId, [t.target]);
    out['addUnknown'] = await failure(t.ari.bridges.addChannel(bridgeId, 'no-such-channel'));
    await t.ari.bridges.removeChannel(bridgeId, t.target);
    out['removeAgain'] = await failure(t.ari.bridges.removeChannel(bridgeId, t.target));
    await t.ari.bridges.destroy(bridgeId);
    out['playUnknown'] = await failure(t.ari.channels.play('no-such-channel', { playbackId: uuidv4(), media: 'sound:beep' }));
    out['dtmfUnknown'] = await failure(t.ari.channels.sendDtmf('no-such-channel', '1'));
    out['recordingUnknown'] = await failure(t.ari.recordings.pause('no-such-recording'));
    await t.ari.channels.hangup(t.target);
    out['hangupAgain'] = await failure(t.ari.channels.hangup(t.target));
    out['answerGone'] = await failure(t.ari.channels.answer(t.target));
  } finally {
    await t.ari.channels.hangup(t.phone).catch(() => undefined);
    await t.ari.close();
  }
  return out;
}

describe('request paths', () => {
  it('the lean path and ari-client give the same results and the same errors for every hot operation', async () => {
    const lean = await script('lean');
    const classic = await script('ari-client');
    expect(lean).toEqual(classic);
    // And they are what Asterisk answers (transcripts: facts 22, 26, 38, 49, 50, 60).
    expect(lean).toMatchObject({
      play: { media_uri: 'sound:tt-monkeys', next_media_uri: 'sound:beep', target_uri: true },
      paused: 'paused',
      badControl: { status: 400 },
      stopAgain: { status: 404, operation: 'playbacks.stop' },
      stopRecordingAgain: { status: 404 },
      addUnknown: { status: 400 },
      removeAgain: { status: 422 },
      playUnknown: { status: 404, operation: 'channels.playWithId' },
      dtmfUnknown: { status: 404, operation: 'channels.sendDTMF' },
      recordingUnknown: { status: 404 },
      hangupAgain: { status: 404 },
      answerGone: { status: 404 },
    });
    const message = (key: string) => (lean[key] as { message: string }).message;
    expect(message('badControl')).toMatch(/Invalid operation bogus$/);
    expect(message('stopRecordingAgain')).toMatch(/Recording not found$/);
    expect(message('addUnknown')).toMatch(/Channel not found$/);
  });
});
