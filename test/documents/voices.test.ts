import { describe, expect, it } from 'vitest';
import { voiceTraits } from '../../src/documents/voices.js';

describe('voiceTraits', () => {
  it.each([
    ['Russell', 'en-AU', 'male'],
    ['Kimberly', 'en-US', 'female'],
    ['Amy', 'en-GB', 'female'],
    ['Brian', 'en-GB', 'male'],
    ['Joey', 'en-US', 'male'],
    ['Salli', 'en-US', 'female'],
    ['Nicole', 'en-AU', 'female'],
    ['Raveena', 'en-IN', 'female'],
    ['Geraint', 'en-GB-WLS', 'male'],
    ['Gwyneth', 'cy-GB', 'female'],
    ['Hans', 'de-DE', 'male'],
    ['Vicki', 'de-DE', 'female'],
    ['Mathieu', 'fr-FR', 'male'],
    ['Chantal', 'fr-CA', 'female'],
    ['Enrique', 'es-ES', 'male'],
    ['Penelope', 'es-US', 'female'],
    ['Giorgio', 'it-IT', 'male'],
    ['Takumi', 'ja-JP', 'male'],
    ['Seoyeon', 'ko-KR', 'female'],
    ['Zhiyu', 'cmn-CN', 'female'],
    ['Maxim', 'ru-RU', 'male'],
    ['Cristiano', 'pt-PT', 'male'],
    ['Camila', 'pt-BR', 'female'],
    ['Ruben', 'nl-NL', 'male'],
    ['Mads', 'da-DK', 'male'],
    ['Liv', 'nb-NO', 'female'],
    ['Astrid', 'sv-SE', 'female'],
    ['Filiz', 'tr-TR', 'female'],
    ['Jacek', 'pl-PL', 'male'],
    ['Karl', 'is-IS', 'male'],
    ['Carmen', 'ro-RO', 'female'],
  ])('%s speaks %s, %s', (name, language, gender) => {
    expect(voiceTraits(name)).toEqual({ language, gender });
  });

  it('ignores case and surrounding space', () => {
    expect(voiceTraits(' russell ')).toEqual({ language: 'en-AU', gender: 'male' });
    expect(voiceTraits('KIMBERLY')).toEqual({ language: 'en-US', gender: 'female' });
  });

  it("understands Twilio's Polly.<Name> and -Neural forms", () => {
    expect(voiceTraits('Polly.Joanna')).toEqual({ language: 'en-US', gender: 'female' });
    expect(voiceTraits('Polly.Matthew-Neural')).toEqual({ language: 'en-US', gender: 'male' });
  });

  it('knows nothing of other names', () => {
    expect(voiceTraits('Zorblax')).toBeUndefined();
    expect(voiceTraits('')).toBeUndefined();
    expect(voiceTraits('Polly.')).toBeUndefined();
  });
});
