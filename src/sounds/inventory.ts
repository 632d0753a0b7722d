/**
 * Which prompts the flows need, and which of them Asterisk lists in each
 * language, through ARI's sounds resource (one request per language).
 */
import type { AriPort } from '../ari/port.js';

/** Codecs by sound id, for one language. */
export type LanguageListing = ReadonlyMap<string, readonly string[]>;

/** One prompt: the flows that play it and, per language, the codecs Asterisk lists ([] = missing). */
export interface PromptStatus {
  readonly prompt: string;
  readonly flows: readonly string[];
  readonly formats: Readonly<Record<string, readonly string[]>>;
}

/** A prompt missing in a language. */
export interface MissingPrompt {
  readonly sound: string;
  readonly language: string;
  readonly flows: readonly string[];
}

/** Every sound Asterisk lists in `language`, with its codecs there. */
export async function listLanguage(ari: AriPort, language: string): Promise<LanguageListing> {
  const listing = new Map<string, string[]>();
  for (const sound of await ari.sounds.list({ lang: language })) {
    // Only this language's formats: a sound may be listed with every language it exists in.
    const codecs = [...new Set(sound.formats.filter((f) => f.language === language).map((f) => f.format))].sort();
    if (codecs.length > 0) listing.set(sound.id, codecs);
  }
  return listing;
}

/** Prompts by name with the flows that need them, sorted by name. */
export function promptsByName(flowPrompts: Readonly<Record<string, readonly string[]>>): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const [flow, prompts] of Object.entries(flowPrompts)) {
    for (const prompt of prompts) byName.set(prompt, [...(byName.get(prompt) ?? []), flow]);
  }
  return new Map([...byName.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** The status of every declared prompt in each language. */
export async function promptStatus(ari: AriPort, flowPrompts: Readonly<Record<string, readonly string[]>>, languages: readonly string[]): Promise<PromptStatus[]> {
  const listings = new Map<string, LanguageListing>();
  for (const language of languages) listings.set(language, await listLanguage(ari, language));
  return [...promptsByName(flowPrompts).entries()].map(([prompt, flows]) => ({
    prompt,
    flows,
    formats: Object.fromEntries(languages.map((language) => [language, listings.get(language)?.get(prompt) ?? []])),
  }));
}

/** The prompts missing in some language, language by language. */
export function missingPrompts(status: readonly PromptStatus[], languages: readonly string[]): MissingPrompt[] {
  return languages.flatMap((language) =>
    status.filter((s) => (s.formats[language] ?? []).length === 0).map((s) => ({ sound: s.prompt, language, flows: s.flows })),
  );
}
