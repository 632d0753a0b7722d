import { describe, expect, it } from 'vitest';
import type { DocumentOrigin } from '../../../src/documents/dialect.js';
import { readTwimlReply, replyProgram } from '../../../src/documents/twiml/reply.js';

const EVENTS = { url: 'https://app.example.com/events', method: 'POST' } as const;
const ORIGIN: DocumentOrigin = { url: 'https://app.example.com/voice/next', events: EVENTS };
const INLINE: DocumentOrigin = { events: EVENTS };
const XML = '<?xml version="1.0"?><Response><Say>Hi</Say></Response>';
const plain = { loop: 1, level: 0, bargeIn: false };

describe('readTwimlReply', () => {
  it.each(['text/xml', 'application/xml', 'text/html', 'text/xml; charset=utf-8', 'Application/XML', 'application/xhtml+xml'])('%s is TwiML', (type) => {
    expect(readTwimlReply(XML, type)).toEqual({ kind: 'twiml', xml: XML });
  });

  it.each(['audio/mpeg', 'audio/wav', 'audio/x-wav', 'audio/basic'])('%s is audio to play', (type) => {
    expect(readTwimlReply('ID3\u0004binary', type)).toEqual({ kind: 'audio' });
  });

  it('text/plain is text to read aloud, trimmed', () => {
    expect(readTwimlReply('  Thank you for calling.\n', 'text/plain; charset=utf-8')).toEqual({ kind: 'text', text: 'Thank you for calling.' });
  });

  it('an empty body is empty, whatever the type', () => {
    expect(readTwimlReply('', 'text/xml')).toEqual({ kind: 'empty' });
    expect(readTwimlReply('  \n', undefined)).toEqual({ kind: 'empty' });
    expect(readTwimlReply('', 'application/json')).toEqual({ kind: 'empty' });
  });

  it('a body that looks like XML, with no content type, is TwiML', () => {
    expect(readTwimlReply(XML, undefined)).toEqual({ kind: 'twiml', xml: XML });
    expect(readTwimlReply('\n<Response><Hangup/></Response>', '')).toEqual({ kind: 'twiml', xml: '\n<Response><Hangup/></Response>' });
    expect(readTwimlReply('\uFEFF<Response/>', undefined)).toEqual({ kind: 'twiml', xml: '\uFEFF<Response/>' });
  });

  it('without a content type, anything else is refused', () => {
    expect(() => readTwimlReply('hello', undefined)).toThrow(new Error('reply is not TwiML: no content type'));
  });

  it.each(['application/json', 'application/octet-stream'])('%s is not TwiML', (type) => {
    expect(() => readTwimlReply('[{"action":"talk"}]', `${type}; charset=utf-8`)).toThrow(new Error(`reply is not TwiML: ${type}`));
  });
});

describe('replyProgram', () => {
  it('TwiML is parsed, against the URL it came from', () => {
    expect(replyProgram({ kind: 'twiml', xml: '<Response><Play>tune.mp3</Play></Response>' }, ORIGIN)).toEqual({
      ok: true,
      notes: [],
      program: { steps: [{ kind: 'play', url: 'https://app.example.com/voice/tune.mp3', prompt: plain }] },
    });
  });

  it("TwiML's refusal comes through", () => {
    expect(replyProgram({ kind: 'twiml', xml: '<Reply/>' }, ORIGIN)).toEqual({ ok: false, reason: 'root element must be <Response>, got <Reply>' });
  });

  it('audio: the URL it came from is played, then the call hangs up', () => {
    expect(replyProgram({ kind: 'audio' }, ORIGIN)).toEqual({
      ok: true,
      notes: [],
      program: { steps: [{ kind: 'play', url: ORIGIN.url, prompt: plain }, { kind: 'hangup' }] },
    });
  });

  it('audio without a URL to play it from is refused', () => {
    expect(replyProgram({ kind: 'audio' }, INLINE)).toEqual({ ok: false, reason: 'an audio reply has no URL to play it from' });
  });

  it('text: read aloud, then the call hangs up', () => {
    expect(replyProgram({ kind: 'text', text: 'Goodbye.' }, ORIGIN)).toEqual({
      ok: true,
      notes: [],
      program: { steps: [{ kind: 'say', speech: { text: 'Goodbye.', ssml: false, language: 'en-US' }, prompt: plain }, { kind: 'hangup' }] },
    });
  });

  it('empty: no steps (the call hangs up)', () => {
    expect(replyProgram({ kind: 'empty' }, ORIGIN)).toEqual({ ok: true, notes: [], program: { steps: [] } });
  });

  it('reads and runs a reply end to end', () => {
    const reply = readTwimlReply('<Response><Redirect method="GET">/menu</Redirect></Response>', 'text/xml');
    expect(replyProgram(reply, ORIGIN)).toMatchObject({ ok: true, program: { steps: [{ kind: 'notify', report: { url: 'https://app.example.com/menu', method: 'GET' } }] } });
  });
});
