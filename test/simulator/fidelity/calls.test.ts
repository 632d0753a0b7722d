/**
 * Outbound calls held to the recordings, request by request at the recorded times:
 * originate and create + dial outcomes with their causes (facts 73-78: answered,
 * ringing then answered, busy, congestion, no answer, nonexistent, DELETE of either half
 * while ringing, unknown technology, create without app), and ring / progress / hangup
 * reasons on an unanswered Stasis channel (79-80). Every answer's status and error body,
 * every channel body's state, caller id and dialplan app, and every call-progress event
 * of both apps, per channel, in order and within a few ms of its recorded time.
 */
import { describe, expect, it } from 'vitest';
import { haveTranscripts, warnIfNoTranscripts } from '../helpers.js';
import { channelBodyMismatches, replayCalls, requestMismatches, streamsWithoutTimes, transcriptPart, worstStreamLag } from '../replay.js';

warnIfNoTranscripts();

/** Asterisk's own threads take a few ms; the simulator acts at once (fact 73: "~5 ms", "~15 ms"). */
const TOLERANCE_MS = 25;

const scenarios: [string, string][] = [
  ['facts 73-78: originate and create + dial outcomes', 'originate-outcomes.jsonl'],
  ['facts 79-80: ring, progress and hangup reasons before answer', 'ring-progress.jsonl'],
  ['facts 81-85: calls in a mixing bridge, DTMF through it', 'bridge-audio.jsonl'],
  ['facts 86-88: moves between holding and mixing bridges', 'holding-to-mixing.jsonl'],
];

describe.skipIf(!haveTranscripts)('ARI fidelity: outbound calls replayed', () => {
  it.each(scenarios)('%s (%s)', async (_label, file) => {
    const result = await replayCalls(transcriptPart(file));
    expect(requestMismatches(result.requests)).toEqual([]);
    expect(channelBodyMismatches(result.requests)).toEqual([]);
    expect(streamsWithoutTimes(result.simulated)).toEqual(streamsWithoutTimes(result.recorded));
    expect(worstStreamLag(result.simulated, result.recorded)).toBeLessThanOrEqual(TOLERANCE_MS);
  }, 60_000);
});
