/**
 * Who hears what in bridges, held to the recordings (facts 81-88): the scenarios are
 * replayed request by request at their recorded times, with the same tone "voices", and
 * each recording of a snoop on a party is cut into the recorded segments; every voice
 * heard (or not) in every segment must match. Covers mute in / out / both, a channel
 * playback on a bridged channel (it hears only the playback), bridge play, bridge MOH,
 * holding bridges with and without MOH, the move into a mixing bridge, channel MOH that
 * goes with the channel, and `addChannel` with `mute=true`.
 */
import { describe, expect, it } from 'vitest';
import { haveTranscripts, warnIfNoTranscripts } from '../helpers.js';
import { replayAudio, requestMismatches, transcriptPart } from '../replay.js';

warnIfNoTranscripts();

const scenarios: [string, string][] = [
  ['facts 81-85: mute directions, channel play while bridged, bridge play and MOH', 'bridge-audio.jsonl'],
  ['facts 86-88: holding to mixing, bridge and channel MOH, addChannel mute=true', 'holding-to-mixing.jsonl'],
];

describe.skipIf(!haveTranscripts)('ARI fidelity: audio in bridges replayed', () => {
  it.each(scenarios)('%s (%s)', async (_label, file) => {
    const result = await replayAudio(transcriptPart(file));
    expect(result.recorded.length).toBeGreaterThan(10);
    expect(requestMismatches(result.requests)).toEqual([]);
    expect(result.simulated).toEqual(result.recorded);
  }, 120_000);
});
