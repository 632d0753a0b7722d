import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseForm } from 'node:querystring';
import { request } from 'undici';
import twilio from 'twilio';
import { twimlWire } from '../../../src/documents/twiml/wire.js';
import { twimlDialect } from '../../../src/documents/twiml/dialect.js';
import type { EncodedRequest } from '../../../src/documents/dialect.js';
import type { VoiceApp } from '../../../src/storage/voice-types.js';

const token = 'f00dfeedf00dfeedf00dfeedf00dfeed';
const wire = twimlWire(token);
const ACCEPT = 'application/xml, text/xml, audio/*, text/plain';
const data = { CallSid: 'CA0190f4a27c1e7b3a9d2f6a5b4c3d2e1f', From: '447700900000', Digits: '1#', CallStatus: 'in-progress' };

/** The form a program's server reads, as express.urlencoded({ extended: false }) does. */
const formOf = (body: string | undefined): Record<string, string | string[]> => parseForm(body ?? '') as Record<string, string | string[]>;

describe('encode POST', () => {
  it('sends a form body with its length, the accept header and a signature over URL and form', async () => {
    const out = await wire.encode('POST', new URL('https://app.example/voice?app=1'), data);
    expect(out.url.href).toBe('https://app.example/voice?app=1');
    expect(out.body).toBe('CallSid=CA0190f4a27c1e7b3a9d2f6a5b4c3d2e1f&From=447700900000&Digits=1%23&CallStatus=in-progress');
    expect(out.headers).toEqual({
      accept: ACCEPT,
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(out.body!.length),
      'x-twilio-signature': expect.any(String) as string,
    });
    expect(twilio.validateRequest(token, out.headers['x-twilio-signature']!, out.url.href, formOf(out.body))).toBe(true);
    expect(twilio.validateRequest('another-token', out.headers['x-twilio-signature']!, out.url.href, formOf(out.body))).toBe(false);
  });

  it('repeats the name of an array, text for numbers and booleans, leaves null out; the signature still holds', async () => {
    const out = await wire.encode('POST', new URL('https://app.example/cb'), {
      StatusCallbackEvent: ['ringing', 'answered'],
      CallDuration: 12,
      Muted: false,
      Gone: null,
      Missing: undefined,
    });
    expect(out.body).toBe('StatusCallbackEvent=ringing&StatusCallbackEvent=answered&CallDuration=12&Muted=false');
    expect(formOf(out.body)).toEqual({ StatusCallbackEvent: ['ringing', 'answered'], CallDuration: '12', Muted: 'false' });
    expect(twilio.validateRequest(token, out.headers['x-twilio-signature']!, out.url.href, formOf(out.body))).toBe(true);
  });

  it('counts bytes, not characters, in content-length; unicode signs as twilio-node reads it', async () => {
    const out = await wire.encode('POST', new URL('https://app.example/g'), { SpeechResult: 'Grüße 日本' });
    expect(out.headers['content-length']).toBe(String(Buffer.byteLength(out.body!, 'utf8')));
    expect(formOf(out.body)).toEqual({ SpeechResult: 'Grüße 日本' });
    expect(twilio.validateRequest(token, out.headers['x-twilio-signature']!, out.url.href, formOf(out.body))).toBe(true);
  });

  it('drops the fragment, which is never sent, from the URL and the signature', async () => {
    const out = await wire.encode('POST', new URL('https://app.example/voice#top'), data);
    expect(out.url.href).toBe('https://app.example/voice');
    expect(twilio.validateRequest(token, out.headers['x-twilio-signature']!, 'https://app.example/voice', formOf(out.body))).toBe(true);
  });
});

describe('encode GET', () => {
  it('appends the fields to the query the URL has, no body, signed over the full URL', async () => {
    const out = await wire.encode('GET', new URL('https://app.example/voice?app=a%20b&x=1'), data);
    expect(out.url.href).toBe(
      'https://app.example/voice?app=a%20b&x=1&CallSid=CA0190f4a27c1e7b3a9d2f6a5b4c3d2e1f&From=447700900000&Digits=1%23&CallStatus=in-progress',
    );
    expect(out.body).toBeUndefined();
    expect(out.headers).toEqual({ accept: ACCEPT, 'x-twilio-signature': expect.any(String) as string });
    expect(twilio.validateRequest(token, out.headers['x-twilio-signature']!, out.url.href, {})).toBe(true);
    // Signed over the query: the URL without it, or with the fields as a form, does not verify.
    expect(twilio.validateRequest(token, out.headers['x-twilio-signature']!, 'https://app.example/voice?app=a%20b&x=1', data)).toBe(false);
  });

  it('starts a query when the URL has none, and repeats array names', async () => {
    const out = await wire.encode('GET', new URL('https://app.example/voice'), { Event: ['a', 'b'], Digits: '' });
    expect(out.url.href).toBe('https://app.example/voice?Event=a&Event=b&Digits=');
    expect(twilio.validateRequest(token, out.headers['x-twilio-signature']!, out.url.href, {})).toBe(true);
  });

  it('leaves the URL as it is with no fields', async () => {
    const out = await wire.encode('GET', new URL('https://app.example/voice?x=%27'), {});
    expect(out.url.href).toBe('https://app.example/voice?x=%27');
  });

  it('does not change the URL object it was given', async () => {
    const url = new URL('https://app.example/voice');
    await wire.encode('GET', url, data);
    expect(url.href).toBe('https://app.example/voice');
  });
});

describe('encode without an auth token', () => {
  it('sends no signature', async () => {
    const out = await twimlWire('').encode('POST', new URL('https://app.example/voice'), data);
    expect(out.headers).not.toHaveProperty('x-twilio-signature');
  });
});

describe('over HTTP', () => {
  // What the program's server sees: the URL it was asked for, the raw body, the headers.
  let server: Server;
  let base: string;
  const seen: { url: string; body: string; headers: Record<string, string | string[] | undefined> }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        seen.push({ url: `${base}${req.url ?? ''}`, body, headers: req.headers });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const send = async (method: 'GET' | 'POST', out: EncodedRequest) => {
    const res = await request(out.url, { method, headers: out.headers, ...(out.body === undefined ? {} : { body: out.body }) });
    await res.body.text();
    return seen.at(-1)!;
  };

  it.each(['GET', 'POST'] as const)('a %s verifies with twilio.validateRequest over exactly what arrived', async (method) => {
    const fields = { ...data, From: 'client:zoë', Event: ['initiated', 'completed'], Note: "it's 100% +1 & more" };
    const got = await send(method, await wire.encode(method, new URL(`${base}/voice?app=1`), fields));
    const params = method === 'GET' ? {} : formOf(got.body);
    expect(twilio.validateRequest(token, got.headers['x-twilio-signature'] as string, got.url, params)).toBe(true);
    const arrived = method === 'GET' ? formOf(new URL(got.url).search.slice(1)) : params;
    expect(arrived).toMatchObject({ From: 'client:zoë', Event: ['initiated', 'completed'], Note: "it's 100% +1 & more" });
    if (method === 'POST') expect(got.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });
});

describe('decode', () => {
  it.each([
    ['text/xml', 'twiml'],
    ['application/xml; charset=utf-8', 'twiml'],
  ])('reads %s as TwiML', (contentType, kind) => {
    const xml = '<Response><Say>Hi</Say></Response>';
    expect(wire.decode(xml, contentType)).toEqual({ kind, xml });
  });

  it('reads audio, text and an empty body', () => {
    expect(wire.decode('ID3…', 'audio/mpeg')).toEqual({ kind: 'audio' });
    expect(wire.decode('Hello there', 'text/plain')).toEqual({ kind: 'text', text: 'Hello there' });
    expect(wire.decode('', undefined)).toEqual({ kind: 'empty' });
  });

  it('throws for a reply that is not TwiML', () => {
    expect(() => wire.decode('[{"action":"talk"}]', 'application/json')).toThrow(/not TwiML/);
  });
});

describe('fallbackData', () => {
  it('adds Twilio’s ErrorCode 11200 and the URL that failed', () => {
    expect(wire.fallbackData(data, 'Read timed out.', 'https://app.example/voice', 'answer')).toEqual({
      ...data,
      ErrorCode: '11200',
      ErrorUrl: 'https://app.example/voice',
    });
  });
});

describe('twimlDialect', () => {
  const app: VoiceApp = {
    id: '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
    name: 'twiml-app',
    dialect: 'twiml',
    answerUrl: 'https://app.example/voice',
    answerMethod: 'POST',
    eventUrl: 'https://app.example/status',
    eventMethod: 'POST',
    signatureSecret: token,
    createdAt: '2026-03-01T00:00:00.000Z',
  };
  const leg = { uuid: '0190f4a2-7c1e-7b3a-9d2f-6a5b4c3d2e1f', conversationUuid: 'CON-x', from: '447700900000', to: '442079460000', direction: 'inbound' } as const;
  const call = { leg, app, status: 'answered' } as const;
  const origin = { url: 'https://app.example/voice', events: { url: 'https://app.example/status', method: 'POST' } } as const;
  const at = new Date('2026-03-01T12:00:05.000Z');

  it('signs with the application’s auth token', async () => {
    const out = await twimlDialect.wire(app).encode('POST', new URL('https://app.example/voice'), data);
    expect(twilio.validateRequest(token, out.headers['x-twilio-signature']!, out.url.href, formOf(out.body))).toBe(true);
  });

  it('parses an inline string and a decoded reply alike', () => {
    const xml = '<Response><Hangup/></Response>';
    expect(twimlDialect.parse(xml, origin)).toMatchObject({ ok: true, program: { steps: [{ kind: 'hangup' }] } });
    expect(twimlDialect.parse(twimlDialect.wire(app).decode(xml, 'text/xml'), origin)).toMatchObject({ ok: true, program: { steps: [{ kind: 'hangup' }] } });
    expect(twimlDialect.parse({ kind: 'empty' }, origin)).toEqual({ ok: true, program: { steps: [] }, notes: [] });
    expect(twimlDialect.parse([{ action: 'talk' }], origin)).toEqual({ ok: false, reason: 'not a TwiML document' });
  });

  it('counts any reply as a document, an empty one too, but not an NCCO', () => {
    expect(twimlDialect.isDocument({ kind: 'empty' })).toBe(true);
    expect(twimlDialect.isDocument('<Response/>')).toBe(true);
    expect(twimlDialect.isDocument([{ action: 'talk' }])).toBe(false);
    expect(twimlDialect.isDocument(undefined)).toBe(false);
  });

  it('asks for the answer as ringing before the answer, in-progress after it', () => {
    expect(twimlDialect.answerData({ ...call, status: 'ringing' })).toMatchObject({ CallSid: 'CA0190f4a27c1e7b3a9d2f6a5b4c3d2e1f', CallStatus: 'ringing' });
    expect(twimlDialect.answerData(call)).toMatchObject({ CallStatus: 'in-progress' });
  });

  it('reports a step’s result in its shape', () => {
    const report = { url: 'https://app.example/g', method: 'POST', shape: 'twiml-gather' } as const;
    expect(twimlDialect.reportData(report, { kind: 'collect', digits: '7', timedOut: false }, call, { publicUrl: 'https://sf.example' }, at)).toMatchObject({ Digits: '7' });
    expect(twimlDialect.reportData(report, { kind: 'collect', digits: '', timedOut: true }, call, { publicUrl: 'https://sf.example' }, at)).toBeUndefined();
  });

  it('sends a status to its target only when asked for, and never to an empty URL', () => {
    const target = { url: 'https://app.example/status', method: 'GET', events: ['answered'] } as const;
    expect(twimlDialect.statusEvent(call, 'answered', at, {}, target)).toEqual({
      target: { url: 'https://app.example/status', method: 'GET' },
      data: expect.objectContaining({ CallStatus: 'in-progress', Timestamp: 'Sun, 01 Mar 2026 12:00:05 GMT' }) as unknown,
    });
    expect(twimlDialect.statusEvent(call, 'completed', at, {}, target)).toBeUndefined();
    expect(twimlDialect.statusEvent(call, 'completed', at, {}, { url: 'https://app.example/status', method: 'POST' })).toMatchObject({ data: { CallStatus: 'completed' } });
    expect(twimlDialect.statusEvent(call, 'completed', at, {}, { url: '', method: 'POST' })).toBeUndefined();
  });

  it('says Twilio’s application error, then hangs up', () => {
    expect(twimlDialect.errorProgram()).toEqual({
      steps: [
        { kind: 'say', speech: { text: 'An application error has occurred. Goodbye.', ssml: false, language: 'en-US' }, prompt: { loop: 1, level: 0, bargeIn: false } },
        { kind: 'hangup' },
      ],
    });
  });
});
