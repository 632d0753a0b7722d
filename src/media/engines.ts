/**
 * The text-to-speech engines the service can use, by the name
 * `STASIS_FLOWS_TTS` gives. One now; a network engine is one more entry.
 */
import { EspeakEngine } from './espeak-engine.js';
import type { SpeechEngine } from './speech-engine.js';

/** The engine named by the configuration. */
export function createSpeechEngine(name: 'espeak-ng'): SpeechEngine {
  switch (name) {
    case 'espeak-ng':
      return new EspeakEngine();
  }
}
