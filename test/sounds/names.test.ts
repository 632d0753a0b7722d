import { describe, expect, it } from 'vitest';
import { checkLanguage, checkSoundName, soundNameFromFile } from '../../src/sounds/names.js';

describe('sound names and languages', () => {
  it('accepts names like Asterisk prompts', () => {
    for (const name of ['vm-intro', 'queue-thankyou', 'beep', 'ivr_main_1', 'A1']) expect(checkSoundName(name)).toBe(name);
  });

  it('refuses paths, with the reason', () => {
    for (const name of ['../vm-intro', 'en/vm-intro', 'a..b', '..', '/etc/passwd', 'a\\b']) {
      expect(() => checkSoundName(name)).toThrow(/must not contain "\/", "\\" or "\.\."/);
    }
  });

  it('refuses other shapes', () => {
    for (const name of ['', '-x', 'a b', 'x.wav', 'é', 'a'.repeat(81), 'a\nb']) {
      expect(() => checkSoundName(name)).toThrow(/must be 1-80 letters, digits/);
    }
  });

  it('a file gives its base name without extension', () => {
    expect(soundNameFromFile('/tmp/x/welcome.mp3')).toBe('welcome');
    expect(soundNameFromFile('queue-periodic-announce.wav')).toBe('queue-periodic-announce');
    expect(soundNameFromFile('noext')).toBe('noext');
    expect(() => soundNameFromFile('/tmp/My Greeting.wav')).toThrow('/tmp/My Greeting.wav: its base name "My Greeting" is not a valid sound name (letters, digits, "-" or "_"); give one with --name');
    expect(() => soundNameFromFile('a.b.wav')).toThrow(/give one with --name/);
  });

  it('languages are folder names such as en, fr, pt_BR', () => {
    for (const language of ['en', 'fr', 'pt_BR', 'en-GB', 'zz_t1234']) expect(checkLanguage(language)).toBe(language);
    for (const language of ['', 'e', '../en', 'en/fr', 'english1', 'en..']) expect(() => checkLanguage(language)).toThrow(/must be a code such as en/);
  });
});
