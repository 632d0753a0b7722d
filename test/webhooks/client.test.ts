import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { createLogger } from '../../src/logger.js';
import {
  ANSWER_TIMEOUTS,
  EVENT_TIMEOUTS,
  WebhookClient,
  WebhookError,
  verifyWebhookToken,
  type WebhookLog,
} from '../../src/webhooks/client.js';
import { captureLog, reply, sleep, startHttp10Server, startServer, type TestServer } from './servers.js';

const servers: TestServer[] = [];
const clients: WebhookClient[] = [];

async function server(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const s = await startServer(...args);
  servers.push(s);
  return s;
}

function client(options?: ConstructorParameters<typeof WebhookClient>[0]): WebhookClient {
  const c = new WebhookClient(options);
  clients.push(c);
  return c;
}

const fast = { connectMs: 500, socketMs: 300 };

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('timeouts', () => {
  it('are those NCCO.md §3 gives', () => {
    expect(ANSWER_TIMEOUTS).toEqual({ connectMs: 1000, socketMs: 5000 });
    expect(EVENT_TIMEOUTS).toEqual({ connectMs: 1000, socketMs: 10_000 });
  });
});

describe('WebhookClient.send', () => {
  it('GET puts every field in the query string, objects JSON-encoded, with no body', async () => {
    const s = await server((_req, res) => reply(res, 200, []));
    const log = captureLog();
    const res = await client().send(
      { url: `${s.base}/answer?app=seed`, method: 'GET' },
      { to: '442079460000', from: '447700900000', uuid: 'u-1', n: 3, flag: true, nested: { url: 'http://x/y', type: 'answer' }, gone: undefined },
      { kind: 'answer', log },
    );
    expect(res.status).toBe(200);
    expect(res.body).toBe('[]');
    expect(res.latencyMs).toBeGreaterThanOrEqual(0);
    const [req] = s.seen;
    expect(req?.method).toBe('GET');
    expect(req?.url.pathname).toBe('/answer');
    const q = Object.fromEntries(req?.url.searchParams ?? []);
    expect(q).toEqual({ app: 'seed', to: '442079460000', from: '447700900000', uuid: 'u-1', n: '3', flag: 'true', nested: '{"url":"http://x/y","type":"answer"}' });
    expect(req?.body).toBe('');
    expect(req?.headers['user-agent']).toBe('stasis-flows/0.1.0');
  });

  it('POST sends a JSON body with Content-Type and an exact Content-Length, never chunked', async () => {
    const s = await server((_req, res) => reply(res, 204));
    const data = { status: 'answered', from: '447700900000', text: 'Grüße, 日本', n: 1 };
    const res = await client({ userAgent: 'probe/1' }).send({ url: `${s.base}/event`, method: 'POST' }, data, { kind: 'event', log: captureLog() });
    expect(res).toMatchObject({ status: 204, body: '' });
    const [req] = s.seen;
    expect(req?.method).toBe('POST');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['content-length']).toBe(String(Buffer.byteLength(JSON.stringify(data))));
    expect(req?.headers['transfer-encoding']).toBeUndefined();
    expect(req?.headers['user-agent']).toBe('probe/1');
    expect(JSON.parse(req?.body ?? '')).toEqual(data);
  });

  it('reads an HTTP/1.0 reply without Content-Length to the end, twice in a row', async () => {
    const s = await startHttp10Server('[{"action":"talk","text":"hello"}]');
    servers.push(s);
    const c = client();
    for (const method of ['POST', 'GET'] as const) {
      const res = await c.send({ url: `${s.base}/webhooks/answer`, method }, { a: 1 }, { kind: 'answer', log: captureLog() });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual([{ action: 'talk', text: 'hello' }]);
    }
    expect(s.seen.map((r) => r.method)).toEqual(['POST', 'GET']);
    expect(s.seen[0]?.body).toBe('{"a":1}');
  });

  it('throws WEBHOOK_TIMEOUT when no answer comes within the read time-out', async () => {
    const s = await server(async (_req, res) => {
      await sleep(1000);
      reply(res, 200);
    });
    const started = Date.now();
    const err: unknown = await client({ timeouts: { answer: fast } })
      .send({ url: `${s.base}/slow`, method: 'GET' }, {}, { kind: 'answer', log: captureLog() })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookError);
    expect(err).toMatchObject({ code: 'WEBHOOK_TIMEOUT', message: `GET ${s.base}/slow timed out after 300 ms` });
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('throws WEBHOOK_UNREACHABLE when the connection is refused or reset; never for a status', async () => {
    const s = await server((req, res) => (req.url.pathname === '/reset' ? res.socket?.destroy() : reply(res, 500, 'oops')));
    const c = client();
    const down = await startServer(() => undefined);
    await down.close();
    await expect(c.send({ url: `${down.base}/x`, method: 'POST' }, {}, { kind: 'event', log: captureLog() })).rejects.toMatchObject({ code: 'WEBHOOK_UNREACHABLE', failure: 'refused' });
    await expect(c.send({ url: `${s.base}/reset`, method: 'POST' }, {}, { kind: 'event', log: captureLog() })).rejects.toMatchObject({ code: 'WEBHOOK_UNREACHABLE', failure: 'closed', fallbackReason: 'Connection closed.' });
    await expect(c.send({ url: `${s.base}/500`, method: 'POST' }, {}, { kind: 'event', log: captureLog() })).resolves.toMatchObject({ status: 500, body: 'oops' });
    await expect(c.send({ url: 'ftp://example.com/x', method: 'GET' }, {}, { kind: 'event', log: captureLog() })).rejects.toMatchObject({ code: 'WEBHOOK_UNREACHABLE' });
  });

  it('an AbortSignal cancels a request in flight (not as a webhook failure)', async () => {
    const s = await server(async (_req, res) => {
      await sleep(2000);
      reply(res, 200);
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('hung up')), 100);
    const started = Date.now();
    const err: unknown = await client()
      .send({ url: `${s.base}/slow`, method: 'POST' }, {}, { kind: 'event', signal: ac.signal, log: captureLog() })
      .catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(WebhookError);
    expect((err as Error).message).toBe('hung up');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a winston logger is a WebhookLog', async () => {
    const s = await server((_req, res) => reply(res, 200));
    const log: WebhookLog = createLogger({ level: 'debug', silent: true });
    await expect(client().send({ url: s.base, method: 'GET' }, {}, { kind: 'event', log })).resolves.toMatchObject({ status: 200 });
  });
});

describe('against Python http.server', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill();
    child = undefined;
  });

  it('a server that reads exactly Content-Length bytes gets the whole body and its HTTP/1.0 reply is read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wh-py-'));
    const script = join(dir, 'server.py');
    await writeFile(
      script,
      [
        'import json, sys',
        'from http.server import BaseHTTPRequestHandler, HTTPServer',
        'class H(BaseHTTPRequestHandler):',
        '    def do_POST(self):',
        "        n = int(self.headers.get('Content-Length', 0))",
        '        data = json.loads(self.rfile.read(n))',
        '        self.send_response(200)',
        "        self.send_header('Content-Type', 'application/json')",
        '        self.end_headers()',
        "        self.wfile.write(json.dumps([{'action': 'talk', 'text': data['from']}]).encode())",
        '    def log_message(self, *a): pass',
        "s = HTTPServer(('127.0.0.1', 0), H)",
        'print(s.server_address[1], flush=True)',
        's.serve_forever()',
      ].join('\n'),
    );
    const py = spawn('python3', [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    child = py;
    const port = await new Promise<string>((resolve, reject) => {
      py.once('error', reject);
      py.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim()));
    });
    const reply = await client().fetchDocument({ url: `http://127.0.0.1:${port}/answer`, method: 'POST' }, undefined, { from: '447700900000', to: '1' }, { kind: 'answer', log: captureLog() });
    expect(reply).toEqual({ ok: true, status: 200, body: [{ action: 'talk', text: '447700900000' }], url: `http://127.0.0.1:${port}/answer` });
  });
});

describe('WebhookClient.fetchDocument', () => {
  it('returns the parsed NCCO of a 2xx reply', async () => {
    const s = await server((_req, res) => reply(res, 200, [{ action: 'talk', text: 'hi' }]));
    const url = `${s.base}/answer`;
    await expect(client().fetchDocument({ url, method: 'GET' }, undefined, { uuid: 'u' }, { kind: 'answer', log: captureLog() })).resolves.toEqual({ ok: true, status: 200, body: [{ action: 'talk', text: 'hi' }], url });
  });

  it('retries once on 503, then gives up without a fallback', async () => {
    const s = await server((_req, res) => reply(res, 503));
    const result = await client().fetchDocument({ url: `${s.base}/answer`, method: 'GET' }, undefined, {}, { kind: 'answer', log: captureLog() });
    expect(result).toEqual({ ok: false, reason: `GET ${s.base}/answer answered 503`, status: 503 });
    expect(s.seen).toHaveLength(2);
  });

  it('a 503 then a 200 is a success on the second attempt', async () => {
    let n = 0;
    const s = await server((_req, res) => reply(res, ++n === 1 ? 503 : 200, [{ action: 'talk', text: 'second' }]));
    const result = await client().fetchDocument({ url: `${s.base}/answer`, method: 'GET' }, undefined, {}, { kind: 'answer', log: captureLog() });
    expect(result).toMatchObject({ ok: true, body: [{ action: 'talk', text: 'second' }] });
    expect(s.seen).toHaveLength(2);
  });

  it('retries once after a time-out', async () => {
    let n = 0;
    const s = await server(async (_req, res) => {
      if (++n === 1) await sleep(800);
      reply(res, 200, [{ action: 'talk', text: 'late' }]);
    });
    const result = await client({ timeouts: { answer: fast } }).fetchDocument({ url: `${s.base}/answer`, method: 'GET' }, undefined, {}, { kind: 'answer', log: captureLog() });
    expect(result).toMatchObject({ ok: true, body: [{ action: 'talk', text: 'late' }] });
    expect(s.seen).toHaveLength(2);
  });

  it.each([500, 404])('an answer URL answering %i goes to the fallback at once, with reason and original_request', async (status) => {
    const primary = await server((_req, res) => reply(res, status));
    const fallback = await server((_req, res) => reply(res, 200, [{ action: 'talk', text: 'fallback' }]));
    const answerUrl = `${primary.base}/answer`;
    const result = await client().fetchDocument(
      { url: answerUrl, method: 'GET' },
      { url: `${fallback.base}/fallback`, method: 'GET' },
      { uuid: 'u-1', conversation_uuid: 'CON-1', to: '1', from: '2' },
      { kind: 'answer', log: captureLog() },
    );
    expect(result).toEqual({ ok: true, status: 200, body: [{ action: 'talk', text: 'fallback' }], url: `${fallback.base}/fallback` });
    expect(primary.seen).toHaveLength(1);
    expect(fallback.seen).toHaveLength(1);
    const q = Object.fromEntries(fallback.seen[0]?.url.searchParams ?? []);
    expect(q).toMatchObject({ uuid: 'u-1', conversation_uuid: 'CON-1', to: '1', from: '2', reason: `HTTP ${status}` });
    expect(JSON.parse(q.original_request ?? '')).toEqual({ url: answerUrl, type: 'answer' });
  });

  it('a reset answer URL is tried twice, then the POST fallback gets "Connection closed."', async () => {
    const primary = await server((_req, res) => res.socket?.destroy());
    const fallback = await server((_req, res) => reply(res, 200, []));
    const result = await client().fetchDocument(
      { url: `${primary.base}/answer`, method: 'POST' },
      { url: `${fallback.base}/fallback`, method: 'POST' },
      { uuid: 'u-1' },
      { kind: 'answer', log: captureLog() },
    );
    expect(result).toMatchObject({ ok: true, body: [] });
    expect(primary.seen).toHaveLength(2);
    expect(JSON.parse(fallback.seen[0]?.body ?? '')).toEqual({ uuid: 'u-1', reason: 'Connection closed.', original_request: { url: `${primary.base}/answer`, type: 'answer' } });
  });

  it('a fallback that fails too is ok:false naming both', async () => {
    const primary = await server((_req, res) => reply(res, 500));
    const fallback = await server((_req, res) => reply(res, 503));
    const result = await client().fetchDocument({ url: `${primary.base}/answer`, method: 'GET' }, { url: `${fallback.base}/fb`, method: 'GET' }, {}, { kind: 'answer', log: captureLog() });
    expect(result).toEqual({ ok: false, reason: `GET ${primary.base}/answer answered 500; fallback GET ${fallback.base}/fb answered 503`, status: 500 });
    expect(fallback.seen).toHaveLength(2);
  });

  it('an event-kind request (input/notify) retries a 500, then tries the fallback twice with type "event"', async () => {
    const primary = await server((_req, res) => reply(res, 500));
    const fallback = await server((_req, res) => reply(res, 502));
    const result = await client().fetchDocument({ url: `${primary.base}/input`, method: 'POST' }, { url: `${fallback.base}/fb`, method: 'POST' }, { dtmf: '1' }, { kind: 'event', log: captureLog() });
    expect(result.ok).toBe(false);
    expect(primary.seen).toHaveLength(2);
    expect(fallback.seen).toHaveLength(2);
    expect(JSON.parse(fallback.seen[1]?.body ?? '')).toEqual({ dtmf: '1', reason: 'HTTP 500', original_request: { url: `${primary.base}/input`, type: 'event' } });
  });

  it('an empty 2xx is ok with no body; a non-JSON 2xx fails an answer but only warns for an event', async () => {
    const s = await server((req, res) => (req.url.pathname === '/empty' ? reply(res, 200) : reply(res, 200, '<html>hi</html>')));
    const c = client();
    await expect(c.fetchDocument({ url: `${s.base}/empty`, method: 'POST' }, undefined, {}, { kind: 'event', log: captureLog() })).resolves.toEqual({ ok: true, status: 200, body: undefined, url: `${s.base}/empty` });
    const answer = await c.fetchDocument({ url: `${s.base}/html`, method: 'GET' }, undefined, {}, { kind: 'answer', log: captureLog() });
    expect(answer.ok).toBe(false);
    expect(!answer.ok && answer.reason).toMatch(/^reply is not JSON: /);
    const log = captureLog();
    await expect(c.fetchDocument({ url: `${s.base}/html`, method: 'POST' }, undefined, {}, { kind: 'event', log })).resolves.toMatchObject({ ok: true, body: undefined });
    expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
  });
});

describe('signing', () => {
  const signing = { secret: 'sig-secret-do-not-log-0123456789abcdef', applicationId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' };

  it('POST carries a Vonage-style HS256 token whose payload_hash is the body', async () => {
    const s = await server((_req, res) => reply(res, 200));
    await client().send({ url: `${s.base}/event`, method: 'POST' }, { status: 'started' }, { kind: 'event', signing, log: captureLog() });
    const req = s.seen[0];
    const token = /^Bearer (.+)$/.exec(req?.headers.authorization ?? '')?.[1] ?? '';
    expect(await verifyWebhookToken(token, signing.secret, req?.body ?? '')).toBe(true);
    expect(await verifyWebhookToken(token, 'another-secret', req?.body ?? '')).toBe(false);
    expect(await verifyWebhookToken(token, signing.secret, `${req?.body ?? ''} `)).toBe(false);
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: 'Vonage', application_id: signing.applicationId, payload_hash: createHash('sha256').update(req?.body ?? '').digest('hex') });
    expect(claims.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Math.abs((claims.iat ?? 0) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('GET (no body) hashes the empty string; each attempt gets a fresh token', async () => {
    const s = await server((_req, res) => reply(res, 503));
    await client().fetchDocument({ url: `${s.base}/answer`, method: 'GET' }, undefined, { uuid: 'u' }, { kind: 'answer', signing, log: captureLog() });
    const tokens = s.seen.map((r) => /^Bearer (.+)$/.exec(r.headers.authorization ?? '')?.[1] ?? '');
    expect(tokens).toHaveLength(2);
    for (const t of tokens) expect(await verifyWebhookToken(t, signing.secret, '')).toBe(true);
    expect(decodeJwt(tokens[0] ?? '').jti).not.toBe(decodeJwt(tokens[1] ?? '').jti);
  });

  it('no signing, no Authorization header', async () => {
    const s = await server((_req, res) => reply(res, 200));
    await client().send({ url: s.base, method: 'POST' }, {}, { kind: 'event', log: captureLog() });
    expect(s.seen[0]?.headers.authorization).toBeUndefined();
  });

  it('logs each request at debug (method, origin+path, status, latency, attempt) and never the secret, token or query data', async () => {
    const s = await server((req, res) => reply(res, req.url.pathname === '/down' ? 503 : 200, []));
    const log = captureLog();
    const c = client();
    await c.fetchDocument({ url: `${s.base}/answer`, method: 'GET' }, undefined, { from: '447700900000' }, { kind: 'answer', signing, log });
    await c.fetchDocument({ url: `${s.base}/down`, method: 'POST' }, { url: `${s.base}/fb`, method: 'POST' }, { from: '447700900000' }, { kind: 'event', signing, log });
    expect(log.lines[0]).toEqual({ level: 'debug', message: 'webhook answered', meta: { kind: 'answer', method: 'GET', url: `${s.base}/answer`, status: 200, latencyMs: expect.any(Number) as number, attempt: 1 } });
    expect(log.lines.filter((l) => l.message === 'webhook answered').map((l) => l.meta?.attempt)).toEqual([1, 1, 2, 1]);
    const tokens = s.seen.map((r) => r.headers.authorization ?? '');
    const text = JSON.stringify(log.lines);
    expect(text).not.toContain(signing.secret);
    expect(text).not.toContain('447700900000');
    expect(text.toLowerCase()).not.toContain('bearer');
    for (const t of tokens) expect(text).not.toContain(t.slice(7));
  });
});
