/**
 * The file extension a fetched body gets so that sox knows how to read it:
 * from its first bytes, else its Content-Type, else the URL's extension.
 */

const BY_CONTENT_TYPE: Readonly<Record<string, string>> = {
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/mpeg3': 'mp3',
  'audio/x-mpeg': 'mp3',
  'audio/x-mp3': 'mp3',
  'audio/wav': 'wav',
  'audio/wave': 'wav',
  'audio/x-wav': 'wav',
  'audio/vnd.wave': 'wav',
  'audio/ogg': 'ogg',
  'application/ogg': 'ogg',
  'audio/vorbis': 'ogg',
  'audio/flac': 'flac',
  'audio/x-flac': 'flac',
};

const BY_URL = new Set(['mp3', 'wav', 'ogg', 'oga', 'flac']);

/** The type the first bytes show: RIFF/WAVE, Ogg, FLAC, an ID3 tag or an MPEG audio frame. */
export function sniffAudio(head: Buffer): string | undefined {
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WAVE') return 'wav';
  if (head.toString('latin1', 0, 4) === 'OggS') return 'ogg';
  if (head.toString('latin1', 0, 4) === 'fLaC') return 'flac';
  if (head.toString('latin1', 0, 3) === 'ID3') return 'mp3';
  // An MPEG audio frame: 11 sync bits, then a layer other than "reserved".
  if (head.length >= 2 && head[0] === 0xff && (head[1]! & 0xe0) === 0xe0 && (head[1]! & 0x06) !== 0) return 'mp3';
  return undefined;
}

/** The extension for a body, or undefined when nothing says it is audio sox reads. */
export function audioExtension(head: Buffer, contentType: string | undefined, url: string): string | undefined {
  const sniffed = sniffAudio(head);
  if (sniffed !== undefined) return sniffed;
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  const byType = type === undefined ? undefined : BY_CONTENT_TYPE[type];
  if (byType !== undefined) return byType;
  let pathname = '';
  try {
    pathname = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const ext = /\.([A-Za-z0-9]{1,5})$/.exec(pathname)?.[1]?.toLowerCase();
  return ext !== undefined && BY_URL.has(ext) ? ext : undefined;
}
