/**
 * The files a sound is installed as, and the file extensions Asterisk reads
 * as sounds (what `remove` deletes and what shadows a new recording).
 */

/** One file a sound is written as. */
export interface OutputFormat {
  /** File extension in the language folder. */
  readonly ext: string;
  /** The codec name `GET /sounds` reports for that extension (fact 30: `.wav` is "slin"). */
  readonly codec: string;
  readonly sampleRate: number;
}

/**
 * What `add` writes: signed linear audio, which Asterisk plays without
 * transcoding to narrowband (8 kHz `.wav`) and wideband (16 kHz `.sln16`) channels.
 */
export const OUTPUT_FORMATS: readonly OutputFormat[] = [
  { ext: 'wav', codec: 'slin', sampleRate: 8000 },
  { ext: 'sln16', codec: 'slin16', sampleRate: 16_000 },
];

/**
 * Extensions of Asterisk 22's format modules (format_wav, format_pcm, format_sln,
 * format_gsm, format_g7xx, format_ilbc, format_siren, format_vox, format_ogg_*,
 * format_wav_gsm, format_h26x): any of them in a language folder is that sound.
 */
export const ASTERISK_SOUND_EXTENSIONS: ReadonlySet<string> = new Set([
  'wav', 'wav16', 'WAV', 'wav49',
  'sln', 'slin', 'raw', 'sln12', 'sln16', 'sln24', 'sln32', 'sln44', 'sln48', 'sln96', 'sln192',
  'ulaw', 'ul', 'mu', 'alaw', 'al', 'alw', 'pcm', 'au',
  'gsm', 'g722', 'g723', 'g726-40', 'g726-32', 'g726-24', 'g726-16', 'g729', 'g719',
  'ilbc', 'siren7', 'siren14', 'vox', 'ogg', 'spx', 'h263', 'h264',
]);
