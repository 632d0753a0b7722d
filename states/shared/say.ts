/**
 * Numbers and digit strings said with Asterisk's own `digits/` sound files,
 * as `sound:` media. Asterisk refuses to stop a `number:` or `digits:`
 * playback (transcripts, facts 104-106: `500 Could not stop playback`, it plays
 * to its end), so a prompt a key must be able to cut is built from these. The
 * words follow Asterisk's English rules (main/say.c, ast_say_number_full_en).
 */

const sound = (name: string) => `sound:digits/${name}`;

/** `n` as Asterisk says it in English: 42 → digits/40, digits/2; 305 → digits/3, digits/hundred, digits/5. */
export function sayNumber(n: number): string[] {
  if (!Number.isFinite(n)) return [];
  let num = Math.trunc(n);
  if (num === 0) return [sound('0')];
  const media: string[] = [];
  if (num < 0) {
    media.push(sound('minus'));
    num = -num;
  }
  const groups: [number, string][] = [
    [1_000_000_000, 'billion'],
    [1_000_000, 'million'],
    [1000, 'thousand'],
  ];
  for (const [size, word] of groups) {
    if (num >= size) {
      media.push(...sayNumber(Math.floor(num / size)), sound(word));
      num %= size;
    }
  }
  if (num >= 100) {
    media.push(sound(String(Math.floor(num / 100))), sound('hundred'));
    num %= 100;
  }
  if (num >= 20) {
    media.push(sound(String(num - (num % 10))));
    num %= 10;
  }
  if (num > 0) media.push(sound(String(num)));
  return media;
}

const DIGIT_SOUNDS: Readonly<Record<string, string>> = { '*': 'star', '#': 'pound' };

/** Each digit of `text` on its own (a phone number): 2001 → digits/2, digits/0, digits/0, digits/1; `*` star, `#` pound. */
export function sayDigits(text: string): string[] {
  const media: string[] = [];
  for (const ch of text) {
    if (/[0-9]/.test(ch)) media.push(sound(ch));
    else if (DIGIT_SOUNDS[ch] !== undefined) media.push(sound(DIGIT_SOUNDS[ch]));
  }
  return media;
}

/** Every sound `sayNumber` and `sayDigits` may use (for prompt checks). */
export const SAY_SOUNDS: readonly string[] = [
  ...Array.from({ length: 20 }, (_, i) => `digits/${i}`),
  ...[20, 30, 40, 50, 60, 70, 80, 90].map((n) => `digits/${n}`),
  'digits/hundred', 'digits/thousand', 'digits/million', 'digits/billion', 'digits/minus', 'digits/star', 'digits/pound',
];
