/**
 * Which espeak-ng voice speaks a BCP-47 language, read from what this
 * espeak-ng ships (`--voices`, `--voices=variant`) rather than assumed.
 */

/** The languages and variants an espeak-ng installation has. */
export interface EspeakVoices {
  /** Every name `-v` accepts for a language: the Language column and the "Other Languages" aliases, lower case. */
  readonly languages: ReadonlySet<string>;
  /** Variant names (`f3`, `m3`...) by gender, preferred first. */
  readonly variants: { readonly female: readonly string[]; readonly male: readonly string[] };
}

// "Pty Language Age/Gender VoiceName File Other Languages"
const VOICE_LINE = /^\s*\d+\s+(\S+)\s+\S+\s+\S+\s+\S+\s*(.*)$/;

/** The language names in `espeak-ng --voices` output. */
export function parseLanguages(stdout: string): Set<string> {
  const languages = new Set<string>();
  for (const line of stdout.split('\n')) {
    const match = VOICE_LINE.exec(line);
    if (match === null) continue;
    languages.add(match[1]!.toLowerCase());
    // "(en 2)(en-gb 3)": more languages this voice speaks, with a priority.
    for (const alias of (match[2] ?? '').matchAll(/\(([A-Za-z][\w-]*)\s+\d+\)/g)) languages.add(alias[1]!.toLowerCase());
  }
  return languages;
}

// "5  variant  --/F  female3  !v/f3"
const VARIANT_LINE = /^\s*\d+\s+variant\s+\S*\/([MF])\s+\S+\s+!v\/(\S+)/;

/** The variants in `espeak-ng --voices=variant` output, by gender: f3 / m3 first, then the other fN / mN. */
export function parseVariants(stdout: string): EspeakVoices['variants'] {
  const female: string[] = [];
  const male: string[] = [];
  for (const line of stdout.split('\n')) {
    const match = VARIANT_LINE.exec(line);
    if (match === null) continue;
    const file = match[2]!;
    // Only the plain numbered variants: the named ones (Demonic, whisper...) are characters, not genders.
    if (!/^[fm]\d$/.test(file)) continue;
    (match[1] === 'F' ? female : male).push(file);
  }
  const rank = (preferred: string) => (a: string, b: string) => (a === preferred ? -1 : b === preferred ? 1 : a.localeCompare(b));
  return { female: female.sort(rank('f3')), male: male.sort(rank('m3')) };
}

/** The languages to try for a BCP-47 tag: `en-US` → `en-us`, `en`; `zh-Hant-TW` → `zh-hant-tw`, `zh-hant`, `zh`. */
export function languageCandidates(language: string): string[] {
  const parts = language.trim().toLowerCase().replace(/_/g, '-').split('-').filter(Boolean);
  const candidates: string[] = [];
  for (let n = parts.length; n > 0; n--) candidates.push(parts.slice(0, n).join('-'));
  return candidates;
}

/** The `-v` argument for a language and gender: the closest language espeak-ng has (else `en`), plus a variant. */
export function chooseVoice(language: string, gender: 'female' | 'male' | undefined, voices: EspeakVoices): string {
  const base = languageCandidates(language).find((candidate) => voices.languages.has(candidate)) ?? 'en';
  const variant = gender === undefined ? undefined : voices.variants[gender][0];
  return variant === undefined ? base : `${base}+${variant}`;
}
