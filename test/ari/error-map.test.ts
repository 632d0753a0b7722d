import { describe, expect, it } from 'vitest';
import { statusOf, toAriError } from '../../src/ari/error-map.js';
import { AriError } from '../../src/errors.js';

// Every error Asterisk 22 answered in the recorded transcripts, with its status.
const recorded: [operation: string, message: string, status: number][] = [
  ['channels.originate', 'Application or extension must be specified', 400],
  ['bridges.addChannel', 'Channel not found', 400],
  ['channels.sendDTMF', 'DTMF is required', 400],
  ['channels.originate', 'Endpoint must be specified', 400],
  ['recordings.copyStored', 'Invalid destination recording name', 400],
  ['playbacks.control', 'Invalid operation bogus', 400],
  ['channels.hangup', 'Invalid reason for hangup reason provided', 400],
  ['playbacks.control', 'Missing operation', 400],
  ['bridges.addChannel', 'Missing parameter channel', 400],
  ['channels.getChannelVar', 'Variable name is required', 400],
  ['channels.record', 'ifExists invalid', 400],
  ['channels.record', 'max_duration_seconds cannot be negative', 400],
  ['channels.record', 'terminateOn invalid', 400],
  ['asterisk.getInfo', 'Authentication required', 401],
  ['recordings.copyStored', 'Destination file path is forbidden', 403],
  ['applications.get', 'Application not found', 404],
  ['bridges.addChannel', 'Bridge not found', 404],
  ['channels.sendDTMF', 'Channel not found', 404],
  ['asterisk.getModule', 'Module could not be found in running modules', 404],
  ['asterisk.reloadModule', 'Module not found in running modules', 404],
  ['sounds.list', 'No sounds found that matched the query', 404],
  ['playbacks.get', 'Playback not found', 404],
  ['channels.getChannelVar', 'Provided channel was not found', 404],
  ['channels.getChannelVar', 'Provided variable was not found', 404],
  ['recordings.getStored', 'Recording not found', 404],
  ['asterisk.getInfo', 'Resource not found', 404],
  ['sounds.get', 'Sound not found', 404],
  ['recordings.copyStored', 'A recording with the same name already exists on the system', 409],
  ['bridges.stopMoh', "Bridge isn't playing music", 409],
  ['bridges.createWithId', "Bridge with id 'br-q' already exists", 409],
  ['playbacks.control', 'Can only forward while media is playing', 409],
  ['playbacks.control', 'Can only pause while media is playing', 409],
  ['channels.originate', 'Channel with given unique ID already exists', 409],
  ['asterisk.reloadModule', 'Module does not support reloading', 409],
  // Asterisk's wording for these 409s (api-docs; not in the transcripts).
  ['channels.answer', 'Channel not in Stasis application', 409],
  ['recordings.stop', 'Recording not in session', 409],
  ['channels.dial', "Channel is not in the 'Down' state", 409],
  ['channels.record', "Recording 'voicemail/305/1' already exists and can not be overwritten", 409],
  ['bridges.removeChannel', 'Channel not in this bridge', 422],
  ['applications.subscribe', 'Event source does not exist', 422],
  ['applications.unsubscribe', 'Event source was not subscribed to', 422],
  ['channels.record', 'specified format is unknown on this system', 422],
  ['channels.originate', 'Allocation failed', 500],
  ['channels.record', 'Error parsing request', 500],
  ['channels.play', 'Failed to queue media for playback', 500],
  ['bridges.create', "Unable to create bridge. Possible duplicate bridge id 'br-x'", 500],
];

describe('ARI error mapping', () => {
  it.each(recorded)('%s "%s" → %i', (operation, message, status) => {
    expect(statusOf(operation, message)).toBe(status);
  });

  it('reads the message out of the body ari-client puts in its error', () => {
    const err = toAriError('channels.play', 'c1', new Error('{"message":"Channel not found"}'));
    expect(err).toBeInstanceOf(AriError);
    expect(err).toMatchObject({ status: 404, operation: 'channels.play', resourceId: 'c1', code: 'ARI_REQUEST_FAILED' });
    expect(err.message).toBe('channels.play(c1): 404 Channel not found');
  });

  it('reads the odd {"error": ...} body of a failed originate', () => {
    expect(toAriError('channels.originate', undefined, new Error('{"error":"Allocation failed"}')).status).toBe(500);
  });

  it('gives status 0 to a failure with no HTTP answer', () => {
    const err = toAriError('channels.answer', 'c1', new Error('connect ECONNREFUSED 127.0.0.1:8088'));
    expect(err.status).toBe(0);
    expect(err.code).toBe('ARI_REQUEST_TIMEOUT');
  });
});
