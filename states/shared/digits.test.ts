import { describe, expect, it } from 'vitest';
import { takeKeys } from './digits.js';

describe('takeKeys', () => {
  it('completes at maxDigits and keeps no key beyond it', () => {
    expect(takeKeys({ maxDigits: 2, submitKey: undefined }, '', '1234')).toEqual({ digits: '12', complete: true });
    expect(takeKeys({ maxDigits: 4, submitKey: undefined }, '1', '2')).toEqual({ digits: '12', complete: false });
  });

  it('submits on # without keeping it when it is the submit key, else # is a key', () => {
    expect(takeKeys({ maxDigits: 10, submitKey: '#' }, '4', '2#9')).toEqual({ digits: '42', complete: true });
    expect(takeKeys({ maxDigits: 10, submitKey: undefined }, '4', '2#')).toEqual({ digits: '42#', complete: false });
  });
});

describe('takeKeys with another submit key', () => {
  it('submits on that key (TwiML finishOnKey), and # is then a digit', () => {
    expect(takeKeys({ maxDigits: Infinity, submitKey: '*' }, '', '1#2*9')).toEqual({ digits: '1#2', complete: true });
  });
});
