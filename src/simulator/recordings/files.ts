/** Recording files in the formats a recording can be written in (see RECORDING_FORMATS). */
import { FRAME_SAMPLES, decodeG711, decodeSlin, decodeWav, encodeG711, encodeGsmSilence, encodeSlin, encodeWav } from '../media/audio.js';

/** The file bytes of 8 kHz samples in a recording format. */
export function encodeRecording(format: string, samples: Int16Array): Buffer {
  switch (format) {
    case 'wav16':
      return encodeWav(samples, 16000);
    case 'sln':
      return encodeSlin(samples, 8000);
    case 'sln16':
      return encodeSlin(samples, 16000);
    case 'ulaw':
    case 'alaw':
      return encodeG711(samples, format);
    case 'gsm':
      return encodeGsmSilence(samples.length);
    default:
      return encodeWav(samples, 8000);
  }
}

/** The samples of an existing recording file (for `ifExists=append`); GSM reads back as silence. */
export function decodeRecording(format: string, buf: Buffer): Int16Array {
  switch (format) {
    case 'wav':
    case 'wav16':
      return decodeWav(buf) ?? new Int16Array(0);
    case 'sln':
      return decodeSlin(buf, 8000);
    case 'sln16':
      return decodeSlin(buf, 16000);
    case 'ulaw':
    case 'alaw':
      return decodeG711(buf, format);
    default:
      return new Int16Array(Math.floor(buf.length / 33) * FRAME_SAMPLES);
  }
}
