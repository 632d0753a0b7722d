/**
 * The flows the service runs, one per Stasis application.
 */
import type { FlowFactory } from '../app.js';
import { queueFlow } from './queue/flow.js';
import { vmPlaybackFlow } from './vm-playback.js';
import { vmRecordFlow } from './vm-record.js';
import { voiceApiFlow } from './voice-api/flow.js';

/** Every product flow, in the order their apps are registered. */
export const productFlows: readonly FlowFactory[] = [vmRecordFlow, vmPlaybackFlow, queueFlow, voiceApiFlow];
