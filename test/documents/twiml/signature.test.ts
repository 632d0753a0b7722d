import { describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { twilioSignature, validTwilioSignature } from '../../../src/documents/twiml/signature.js';

const token = '12345abcdef0123456789abcdef01234';
const url = 'https://mycompany.example/myapp.php?foo=1&bar=2';

describe('twilioSignature', () => {
  it('gives the signature of the vector Twilio’s helper libraries test with', () => {
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
    const signature = twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params);
    expect(signature).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it('is accepted by twilio-node for a POST with several params, in any order', () => {
    const params = { CallSid: 'CA0190f4a27c1e7b3a9d2f6a5b4c3d2e1f', CallStatus: 'in-progress', Digits: '1234', From: '447700900000', To: '442079460000' };
    const signature = twilioSignature(token, url, params);
    expect(twilio.validateRequest(token, signature, url, params)).toBe(true);
    // Names are sorted before they are appended, whatever their order in the form.
    const reversed = Object.fromEntries(Object.entries(params).reverse());
    expect(twilioSignature(token, url, reversed)).toBe(signature);
  });

  it('covers repeated names with their values sorted', () => {
    const params = { StatusCallbackEvent: ['ringing', 'answered', 'completed'], To: '+15005550006' };
    const signature = twilioSignature(token, 'https://h.example/cb', params);
    expect(twilio.validateRequest(token, signature, 'https://h.example/cb', params)).toBe(true);
    expect(twilioSignature(token, 'https://h.example/cb', { ...params, StatusCallbackEvent: ['completed', 'ringing', 'answered'] })).toBe(signature);
  });

  it('counts a repeated value once, as twilio-node’s validator does', () => {
    const params = { Event: ['b', 'a', 'b'] };
    const signature = twilioSignature(token, 'https://h.example/cb', params);
    expect(twilio.validateRequest(token, signature, 'https://h.example/cb', params)).toBe(true);
    expect(signature).toBe(twilioSignature(token, 'https://h.example/cb', { Event: ['a', 'b'] }));
  });

  it('signs a GET over its URL and query alone', () => {
    const get = 'https://h.example/answer?CallSid=CA0190&From=447700900000&To=442079460000&CallStatus=ringing';
    const signature = twilioSignature(token, get, {});
    expect(twilio.validateRequest(token, signature, get, {})).toBe(true);
    expect(twilio.validateRequest(token, signature, get.replace('ringing', 'queued'), {})).toBe(false);
  });

  it('signs unicode values as UTF-8', () => {
    const params = { SpeechResult: 'Grüße, 日本 🎉', From: 'client:zoë' };
    const signature = twilioSignature(token, 'https://h.example/g', params);
    expect(twilio.validateRequest(token, signature, 'https://h.example/g', params)).toBe(true);
  });

  it('is refused under another token, URL or value', () => {
    const params = { Digits: '42' };
    const signature = twilioSignature(token, url, params);
    expect(twilio.validateRequest('another-token', signature, url, params)).toBe(false);
    expect(twilio.validateRequest(token, signature, 'https://mycompany.example/other.php?foo=1&bar=2', params)).toBe(false);
    expect(twilio.validateRequest(token, signature, url, { Digits: '43' })).toBe(false);
  });
});

describe('validTwilioSignature', () => {
  const params = { Digits: '42', Event: ['a', 'b'] };

  it('accepts what twilio-node would accept', () => {
    const signature = twilioSignature(token, url, params);
    expect(validTwilioSignature(token, url, params, signature)).toBe(true);
  });

  it('refuses a wrong token, another body, a truncated or empty signature', () => {
    const signature = twilioSignature(token, url, params);
    expect(validTwilioSignature('another-token', url, params, signature)).toBe(false);
    expect(validTwilioSignature(token, url, { ...params, Digits: '4' }, signature)).toBe(false);
    expect(validTwilioSignature(token, url, params, signature.slice(0, -1))).toBe(false);
    expect(validTwilioSignature(token, url, params, '')).toBe(false);
  });
});
