/**
 * The recorded scenarios replayed request by request, at their recorded times, on a
 * clock that starts at the recording's own wall-clock time (../replay.ts): every
 * answer and every Playback / Recording event of app target, in order and within a
 * frame or so of its recorded time. This holds the timing-sensitive facts to the very
 * requests Asterisk answered: the beep's deaf window (98-103), the refused and the
 * half-done stops of number: and digits: (104-106), and media lists (24, 68-72).
 */
import { describe, expect, it } from 'vitest';
import { haveTranscripts, warnIfNoTranscripts } from '../helpers.js';
import { replay, requestMismatches, transcriptPart, withoutTimes, worstLag } from '../replay.js';

warnIfNoTranscripts();

/**
 * How far an event may be from its recorded time. Asterisk works in 20 ms frames: it
 * ends a recording by maxDurationSeconds on the frame after the whole second (the
 * simulator on the second itself) and a forward past the end of a file replays it
 * about one frame longer; both show up as 17-21 ms.
 */
const TOLERANCE_MS = 25;

const scenarios: [string, string, RegExp | undefined][] = [
  // Only parts A and B of record-beep are valid (the audio feed ran out later).
  ['facts 98-99: stops during and after the beep', 'record-beep.jsonl', /^RESULT B:/],
  ['facts 100-103: cancel, pause, mute, beep=false and terminateOn during the beep', 'record-beep-2.jsonl', undefined],
  ['facts 104-106: stops of number:, digits: and of lists', 'stop-number.jsonl', undefined],
  ['facts 24, 68-72: media lists', 'playback-list.jsonl', undefined],
];

describe.skipIf(!haveTranscripts)('ARI fidelity: recorded scenarios replayed', () => {
  it.each(scenarios)('%s (%s)', async (_label, file, until) => {
    const result = await replay(transcriptPart(file, until));
    expect(requestMismatches(result.requests)).toEqual([]);
    expect(withoutTimes(result.simulatedEvents)).toEqual(withoutTimes(result.recordedEvents));
    expect(worstLag(result.simulatedEvents, result.recordedEvents)).toBeLessThanOrEqual(TOLERANCE_MS);
  }, 60_000);
});
