/**
 * The text-to-speech engine behind `talk` (and TwiML `<Say>` later): an
 * interface, so that a network TTS can be added without touching the machines.
 */

/** What to say and how. */
export interface SpeechRequest {
  text: string;
  /** True when `text` is SSML (a `<speak>` document). */
  ssml: boolean;
  /** BCP-47, e.g. `en-US`. */
  language: string;
  gender?: 'female' | 'male';
  /** Speed in % of normal (default 100). */
  rate?: number;
}

/** A text-to-speech engine. */
export interface SpeechEngine {
  /** Part of every cache key: audio of one engine is never taken for another's. */
  readonly name: string;
  /** Renders to a wav file (any rate) at `outFile`; returns the voice used. */
  render(request: SpeechRequest, outFile: string, signal: AbortSignal): Promise<{ voice: string }>;
}
