import { describe, expect, it } from 'vitest';
import { takeKeys } from './digits.js';

describe('takeKeys', () => {
  it('completes at maxDigits and keeps no key beyond it', () => {
    expect(takeKeys({ maxDigits: 2, submitOnHash: false }, '', '1234')).toEqual({ digits: '12', complete: true });
    expect(takeKeys({ maxDigits: 4, submitOnHash: false }, '1', '2')).toEqual({ digits: '12', complete: false });
  });

  it('submits on # without keeping it when submitOnHash, else # is a key', () => {
    expect(takeKeys({ maxDigits: 10, submitOnHash: true }, '4', '2#9')).toEqual({ digits: '42', complete: true });
    expect(takeKeys({ maxDigits: 10, submitOnHash: false }, '4', '2#')).toEqual({ digits: '42#', complete: false });
  });
});
