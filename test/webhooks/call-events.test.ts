import { afterEach, describe, expect, it } from 'vitest';
import { CallEventQueue } from '../../src/webhooks/call-events.js';
import { WebhookClient, verifyWebhookToken } from '../../src/webhooks/client.js';
import { captureLog, reply, sleep, startServer, type TestServer } from './servers.js';

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

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function statuses(s: TestServer): unknown[] {
  return s.seen.map((r) => (JSON.parse(r.body) as { status?: unknown }).status);
}

describe('CallEventQueue', () => {
  it('sends events one at a time in the order posted, even when the first is slow', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const s = await server(async (req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if ((JSON.parse(req.body) as { status: string }).status === 'a') await sleep(300);
      inFlight--;
      reply(res, 200);
    });
    const q = new CallEventQueue(client(), { log: captureLog() });
    const target = { url: `${s.base}/event`, method: 'POST' } as const;
    const before = Date.now();
    q.post(target, { status: 'a' });
    q.post(target, { status: 'b' });
    q.post(target, { status: 'c' });
    expect(Date.now() - before).toBeLessThan(50); // fire and forget
    await q.idle();
    expect(statuses(s)).toEqual(['a', 'b', 'c']);
    expect(maxInFlight).toBe(1);
  });

  it("a slow event URL for one call does not delay another call's events", async () => {
    const slow = await server(async (_req, res) => {
      await sleep(1500);
      reply(res, 200);
    });
    const quick = await server((_req, res) => reply(res, 200));
    const c = client();
    const call1 = new CallEventQueue(c, { log: captureLog() });
    const call2 = new CallEventQueue(c, { log: captureLog() });
    const started = Date.now();
    call1.post({ url: `${slow.base}/event`, method: 'POST' }, { status: 'started' });
    call2.post({ url: `${quick.base}/event`, method: 'POST' }, { status: 'started' });
    call2.post({ url: `${quick.base}/event`, method: 'POST' }, { status: 'completed' });
    await call2.idle();
    expect(Date.now() - started).toBeLessThan(700);
    expect(statuses(quick)).toEqual(['started', 'completed']);
    await call1.idle();
    expect(slow.seen).toHaveLength(1);
  });

  it('many calls posting to the same slow origin are not serialised by the shared pool', async () => {
    const s = await server(async (_req, res) => {
      await sleep(400);
      reply(res, 200);
    });
    const c = client();
    const queues = Array.from({ length: 12 }, () => new CallEventQueue(c, { log: captureLog() }));
    const started = Date.now();
    queues.forEach((q, i) => q.post({ url: `${s.base}/event`, method: 'POST' }, { status: String(i) }));
    await Promise.all(queues.map((q) => q.idle()));
    expect(s.seen).toHaveLength(12);
    expect(Date.now() - started).toBeLessThan(1200);
  });

  it('a 4xx is not retried and is logged at warn once per call', async () => {
    const s = await server((_req, res) => reply(res, 404));
    const target = { url: `${s.base}/event`, method: 'POST' } as const;
    const log = captureLog();
    const q = new CallEventQueue(client(), { log });
    for (const status of ['started', 'ringing', 'answered', 'completed']) q.post(target, { status });
    await q.idle();
    expect(statuses(s)).toEqual(['started', 'ringing', 'answered', 'completed']);
    const warns = log.lines.filter((l) => l.level === 'warn');
    expect(warns).toHaveLength(1);
    expect(warns[0]?.meta).toMatchObject({ url: `${s.base}/event`, status: 404 });

    const other = captureLog();
    const q2 = new CallEventQueue(client(), { log: other });
    q2.post(target, { status: 'started' });
    await q2.idle();
    expect(other.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
  });

  it('a 5xx or a time-out is retried once, then the queue goes on', async () => {
    const s = await server(async (req, res) => {
      const { status } = JSON.parse(req.body) as { status: string };
      if (status === 'slow') await sleep(600);
      reply(res, status === 'ok' ? 200 : 500);
    });
    const log = captureLog();
    const q = new CallEventQueue(client({ timeouts: { event: { connectMs: 500, socketMs: 200 } } }), { log });
    const target = { url: `${s.base}/event`, method: 'POST' } as const;
    q.post(target, { status: 'boom' });
    q.post(target, { status: 'slow' });
    q.post(target, { status: 'ok' });
    await q.idle();
    expect(statuses(s)).toEqual(['boom', 'boom', 'slow', 'slow', 'ok']);
    expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(log.lines.some((l) => l.level === 'error')).toBe(false);
  });

  it('an event URL that is down never throws and the queue goes on', async () => {
    const down = await startServer(() => undefined);
    await down.close();
    const up = await server((_req, res) => reply(res, 200));
    const q = new CallEventQueue(client(), { log: captureLog() });
    q.post({ url: `${down.base}/event`, method: 'POST' }, { status: 'started' });
    q.post({ url: 'not a url', method: 'POST' }, { status: 'ringing' });
    q.post({ url: `${up.base}/event`, method: 'POST' }, { status: 'completed' });
    await q.idle();
    expect(statuses(up)).toEqual(['completed']);
  });

  it('ask waits its turn and resolves to the reply, undefined for an empty or failed reply', async () => {
    const s = await server((req, res) => {
      if (req.url.pathname === '/input') reply(res, 200, [{ action: 'talk', text: 'next' }]);
      else if (req.url.pathname === '/notify') reply(res, 200);
      else if (req.url.pathname === '/bad') reply(res, 500);
      else reply(res, 200, [{ action: 'talk', text: 'fallback' }]);
    });
    const c = client();
    const q = new CallEventQueue(c, { log: captureLog() });
    q.post({ url: `${s.base}/event`, method: 'POST' }, { status: 'answered' });
    const input = q.ask({ url: `${s.base}/input`, method: 'POST' }, { dtmf: '1' });
    const notify = q.ask({ url: `${s.base}/notify`, method: 'POST' }, { foo: 'bar' });
    const bad = q.ask({ url: `${s.base}/bad`, method: 'POST' }, { dtmf: '2' });
    await expect(input).resolves.toEqual([{ action: 'talk', text: 'next' }]);
    await expect(notify).resolves.toBeUndefined();
    await expect(bad).resolves.toBeUndefined();
    expect(s.seen.map((r) => r.url.pathname)).toEqual(['/event', '/input', '/notify', '/bad', '/bad']);

    const withFallback = new CallEventQueue(c, { log: captureLog(), fallback: { url: `${s.base}/fallback`, method: 'POST' } });
    await expect(withFallback.ask({ url: `${s.base}/bad`, method: 'POST' }, { dtmf: '3' })).resolves.toEqual([{ action: 'talk', text: 'fallback' }]);
    const fb = s.seen.at(-1);
    expect(JSON.parse(fb?.body ?? '')).toEqual({ dtmf: '3', reason: 'HTTP 500', original_request: { url: `${s.base}/bad`, type: 'event' } });
  });

  it('signs every request when given a secret, and never logs it', async () => {
    const signing = { secret: 'queue-secret-9f8e7d6c5b4a', applicationId: '11111111-2222-4333-8444-555555555555' };
    const s = await server((_req, res) => reply(res, 503));
    const log = captureLog();
    const q = new CallEventQueue(client(), { log, signing });
    q.post({ url: `${s.base}/event`, method: 'POST' }, { status: 'started' });
    await q.ask({ url: `${s.base}/input`, method: 'POST' }, { dtmf: '1' });
    await q.idle();
    expect(s.seen).toHaveLength(4);
    for (const req of s.seen) {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      expect(await verifyWebhookToken(token, signing.secret, req.body)).toBe(true);
    }
    expect(JSON.stringify(log.lines)).not.toContain(signing.secret);
    expect(JSON.stringify(log.lines).toLowerCase()).not.toContain('bearer');
  });

  it('close drops what is still queued after the grace period; later posts are ignored', async () => {
    const s = await server(async (_req, res) => {
      await sleep(2000);
      reply(res, 200);
    });
    const q = new CallEventQueue(client(), { log: captureLog() });
    const target = { url: `${s.base}/event`, method: 'POST' } as const;
    q.post(target, { status: 'a' });
    q.post(target, { status: 'b' });
    const asked = q.ask(target, { status: 'c' });
    await sleep(50);
    const started = Date.now();
    await q.close(200);
    expect(Date.now() - started).toBeLessThan(800);
    await expect(asked).resolves.toBeUndefined();
    q.post(target, { status: 'd' });
    await expect(q.ask(target, { status: 'e' })).resolves.toBeUndefined();
    await q.idle();
    expect(statuses(s)).toEqual(['a']);
  });

  it('close waits for the queue when it drains within the grace period', async () => {
    const s = await server(async (_req, res) => {
      await sleep(100);
      reply(res, 200);
    });
    const q = new CallEventQueue(client(), { log: captureLog() });
    const target = { url: `${s.base}/event`, method: 'POST' } as const;
    q.post(target, { status: 'a' });
    q.post(target, { status: 'completed' });
    await q.close(5000);
    expect(statuses(s)).toEqual(['a', 'completed']);
  });
});
