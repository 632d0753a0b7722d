/**
 * Polly-style voice names (Vonage's legacy `voiceName`, Twilio's `Polly.<Name>`)
 * as the language and gender they speak: our engine has no such voices, so a
 * name only picks the nearest local voice through these two.
 */

/** What a named voice speaks. */
export interface VoiceTraits {
  /** BCP-47. */
  readonly language: string;
  readonly gender: 'female' | 'male';
}

type Gender = VoiceTraits['gender'];

// Amazon Polly's standard voices, the neural-only ones Twilio offers, and the
// Vonage legacy names that are not Polly's (Eric, Jennifer, Chipmunk, Agnieszka,
// Laila, Maged, Tarik, Damayanti, Sin-Ji, Tian-Tian).
const BY_LANGUAGE: Readonly<Record<string, Readonly<Record<Gender, readonly string[]>>>> = {
  'en-US': {
    female: ['Kimberly', 'Salli', 'Joanna', 'Kendra', 'Ivy', 'Jennifer', 'Ruth', 'Danielle'],
    male: ['Joey', 'Justin', 'Matthew', 'Eric', 'Chipmunk', 'Kevin', 'Stephen', 'Gregory'],
  },
  'en-GB': { female: ['Amy', 'Emma'], male: ['Brian', 'Arthur'] },
  'en-AU': { female: ['Nicole', 'Olivia'], male: ['Russell'] },
  'en-IN': { female: ['Raveena', 'Aditi', 'Kajal'], male: [] },
  'en-NZ': { female: ['Aria'], male: [] },
  'en-ZA': { female: ['Ayanda'], male: [] },
  'en-IE': { female: ['Niamh'], male: [] },
  'en-GB-WLS': { female: [], male: ['Geraint'] },
  'cy-GB': { female: ['Gwyneth'], male: [] },
  'de-DE': { female: ['Marlene', 'Vicki'], male: ['Hans', 'Daniel'] },
  'de-AT': { female: ['Hannah'], male: [] },
  'fr-FR': { female: ['Celine', 'Lea', 'Remi'], male: ['Mathieu'] },
  'fr-CA': { female: ['Chantal', 'Gabrielle'], male: ['Liam'] },
  'fr-BE': { female: ['Isabelle'], male: [] },
  'es-ES': { female: ['Conchita', 'Lucia'], male: ['Enrique', 'Sergio'] },
  'es-US': { female: ['Penelope', 'Lupe'], male: ['Miguel', 'Pedro'] },
  'es-MX': { female: ['Mia'], male: ['Andres'] },
  'it-IT': { female: ['Carla', 'Bianca'], male: ['Giorgio', 'Adriano'] },
  'ja-JP': { female: ['Mizuki', 'Kazuha', 'Tomoko'], male: ['Takumi'] },
  'ko-KR': { female: ['Seoyeon'], male: [] },
  'cmn-CN': { female: ['Zhiyu', 'Tian-Tian'], male: [] },
  'yue-CN': { female: ['Sin-Ji', 'Hiujin'], male: [] },
  'ru-RU': { female: ['Tatyana'], male: ['Maxim'] },
  'pt-PT': { female: ['Ines'], male: ['Cristiano'] },
  'pt-BR': { female: ['Vitoria', 'Camila'], male: ['Ricardo', 'Thiago'] },
  'nl-NL': { female: ['Lotte', 'Laura'], male: ['Ruben'] },
  'nl-BE': { female: ['Lisa'], male: [] },
  'da-DK': { female: ['Naja', 'Sofie'], male: ['Mads'] },
  'nb-NO': { female: ['Liv', 'Ida'], male: [] },
  'sv-SE': { female: ['Astrid', 'Elin'], male: [] },
  'fi-FI': { female: ['Suvi'], male: [] },
  'tr-TR': { female: ['Filiz'], male: [] },
  'pl-PL': { female: ['Ewa', 'Maja', 'Agnieszka', 'Ola'], male: ['Jacek', 'Jan'] },
  'is-IS': { female: ['Dora'], male: ['Karl'] },
  'ro-RO': { female: ['Carmen'], male: [] },
  ar: { female: ['Zeina', 'Laila'], male: ['Maged', 'Tarik'] },
  'id-ID': { female: ['Damayanti'], male: [] },
};

const VOICES: ReadonlyMap<string, VoiceTraits> = new Map(
  Object.entries(BY_LANGUAGE).flatMap(([language, genders]) =>
    (Object.entries(genders) as [Gender, readonly string[]][]).flatMap(([gender, names]) =>
      names.map((name) => [name.toLowerCase(), Object.freeze({ language, gender })] as const),
    ),
  ),
);

/**
 * The language and gender of a Polly-style voice name, without case; Twilio's
 * `Polly.Joanna` and `Polly.Joanna-Neural` forms are understood. Unknown: undefined.
 */
export function voiceTraits(name: string): VoiceTraits | undefined {
  const bare = name
    .trim()
    .replace(/^polly\./i, '')
    .replace(/-(neural|generative|standard|long-form)$/i, '');
  return VOICES.get(bare.toLowerCase());
}
