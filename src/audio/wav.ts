/**
 * RIFF/WAVE headers: where the samples are and how long they last. Shared by
 * the product (measuring a stored message) and the simulator.
 */

/** Where a WAVE file keeps its samples, read from the chunk headers. */
export interface WavFormat {
  audioFormat: number;
  channels: number;
  sampleRate: number;
  byteRate: number;
  bits: number;
  dataOffset: number;
  dataBytes: number;
}

/** Parses the RIFF chunks of a WAVE file; undefined when it is not one. */
export function wavFormat(buf: Buffer): WavFormat | undefined {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') return undefined;
  let offset = 12;
  let fmt: Omit<WavFormat, 'dataOffset' | 'dataBytes'> | undefined;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ' && body + 16 <= buf.length) {
      fmt = {
        audioFormat: buf.readUInt16LE(body),
        channels: Math.max(1, buf.readUInt16LE(body + 2)),
        sampleRate: buf.readUInt32LE(body + 4),
        byteRate: buf.readUInt32LE(body + 8),
        bits: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data' && fmt !== undefined) {
      // Asterisk writes the sizes only when the file is closed; trust the file length.
      const dataBytes = Math.min(size, buf.length - body);
      return { ...fmt, dataOffset: body, dataBytes: size === 0 ? buf.length - body : dataBytes };
    }
    offset = body + size + (size % 2);
  }
  return undefined;
}

/** Duration of a WAVE file in seconds (fractional); undefined when it is not one. */
export function wavDurationSeconds(buf: Buffer): number | undefined {
  const fmt = wavFormat(buf);
  if (!fmt || fmt.byteRate === 0) return undefined;
  return fmt.dataBytes / fmt.byteRate;
}
