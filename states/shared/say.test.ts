import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SAY_SOUNDS, sayDigits, sayNumber } from './say.js';

const d = (...names: string[]) => names.map((n) => `sound:digits/${n}`);

describe('saying numbers with sound files', () => {
  it.each<[number, string[]]>([
    [0, d('0')],
    [7, d('7')],
    [13, d('13')],
    [20, d('20')],
    [42, d('40', '2')],
    [100, d('1', 'hundred')],
    [305, d('3', 'hundred', '5')],
    [1100, d('1', 'thousand', '1', 'hundred')],
    [21_000_013, d('20', '1', 'million', '13')],
    [-4, d('minus', '4')],
  ])('%i', (n, media) => {
    expect(sayNumber(n)).toEqual(media);
  });

  it('says digit strings one by one, with star and pound, skipping anything else', () => {
    expect(sayDigits('2001')).toEqual(d('2', '0', '0', '1'));
    expect(sayDigits('*9#')).toEqual(d('star', '9', 'pound'));
    expect(sayDigits('+1 (555)')).toEqual(d('1', '5', '5', '5'));
  });

  it.skipIf(!existsSync('/usr/share/asterisk/sounds/en/digits'))('uses only sounds Asterisk’s English prompts have', () => {
    for (const name of SAY_SOUNDS) expect(existsSync(`/usr/share/asterisk/sounds/en/${name}.wav`), name).toBe(true);
  });
});
