/**
 * One call's webhook deliveries: status events and the requests whose reply may
 * replace the document (input, notify), sent one at a time in the order the call
 * made them, so `completed` always arrives last. The call never waits for an event;
 * each call has its own queue, and the shared client's pools do not serialise calls.
 */
import type { WebhookWire } from '../documents/dialect.js';
import { isRetryableStatus, isSuccess, logUrl, WebhookError, type Signing, type WebhookClient, type WebhookLog, type WebhookTarget } from './client.js';

/** A call's queue of webhook deliveries. */
export class CallEventQueue {
  private tail: Promise<void> = Promise.resolve();
  private readonly stop = new AbortController();
  private closed = false;
  // Once per call at warn, then debug: a program whose event URL is wrong or down
  // would otherwise fill the log with a line per event.
  private warnedRejected = false;
  private warnedFailed = false;

  constructor(
    private readonly client: WebhookClient,
    private readonly options: { wire?: WebhookWire; signing?: Signing; log: WebhookLog; fallback?: WebhookTarget },
  ) {}

  /** Queues an event (fire and forget): sent one at a time in the order queued; 4xx logged once per call at warn and not retried; 5xx/time-outs retried once; failures never throw. */
  post(target: WebhookTarget, data: Record<string, unknown>): void {
    if (this.closed) {
      this.options.log.debug('webhook dropped: the call is closed', { url: logUrl(target.url) });
      return;
    }
    this.enqueue(() => this.deliver(target, data));
  }

  /** Queues a request whose reply may replace the document (input, notify): sent in order after what was queued before it; resolves to the parsed reply body, or undefined (empty, failed after retries and fallback). Never rejects. */
  ask(target: WebhookTarget, data: Record<string, unknown>): Promise<unknown> {
    if (this.closed) return Promise.resolve(undefined);
    return new Promise<unknown>((resolve) => {
      this.enqueue(
        async () => {
          try {
            resolve(await this.fetch(target, data));
          } finally {
            resolve(undefined); // a no-op once resolved; covers an aborted request
          }
        },
        () => resolve(undefined),
      );
    });
  }

  /** Resolves when everything queued so far has been sent (or given up). */
  idle(): Promise<void> {
    return this.tail;
  }

  /** Stop sending: what is queued is dropped after `graceMs` (shutdown). */
  async close(graceMs: number): Promise<void> {
    this.closed = true;
    const drained = this.tail;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), Math.max(0, graceMs));
    });
    const outcome = await Promise.race([drained.then(() => 'drained' as const), late]);
    clearTimeout(timer);
    if (outcome === 'late') {
      this.options.log.debug('webhooks dropped at close', { graceMs });
      this.stop.abort(new Error('call event queue closed'));
      await drained;
    }
  }

  private enqueue(task: () => Promise<void>, dropped?: () => void): void {
    this.tail = this.tail.then(async () => {
      if (this.stop.signal.aborted) {
        dropped?.();
        return;
      }
      try {
        await task();
      } catch (err) {
        // Only an abort (close) lands here; a delivery never fails the call.
        if (!this.stop.signal.aborted) this.options.log.error('webhook delivery failed unexpectedly', { error: err instanceof Error ? err.message : String(err) });
      }
    });
  }

  /** An event: two attempts for time-outs, resets, 429 and 5xx; a 4xx is final. */
  private async deliver(target: WebhookTarget, data: Record<string, unknown>): Promise<void> {
    const url = logUrl(target.url);
    for (let attempt = 1; attempt <= 2; attempt++) {
      let reason: string;
      try {
        const res = await this.client.send(target, data, { kind: 'event', ...this.wire(), signal: this.stop.signal, log: this.options.log, attempt });
        if (isSuccess(res.status)) return;
        if (!isRetryableStatus('event', res.status)) {
          this.rejected(url, res.status);
          return;
        }
        reason = `${target.method} ${url} answered ${res.status}`;
      } catch (err) {
        if (!(err instanceof WebhookError)) throw err;
        reason = err.message;
      }
      if (attempt === 2) this.failed(url, reason);
    }
  }

  private async fetch(target: WebhookTarget, data: Record<string, unknown>): Promise<unknown> {
    const reply = await this.client.fetchDocument(target, this.options.fallback, data, { kind: 'event', ...this.wire(), signal: this.stop.signal, log: this.options.log });
    if (reply.ok) return reply.body;
    if (reply.status !== undefined && reply.status >= 400 && reply.status < 500 && reply.status !== 429) this.rejected(logUrl(target.url), reply.status);
    else this.failed(logUrl(target.url), reply.reason);
    return undefined;
  }

  /** The request options that say how to encode and sign. */
  private wire(): { wire?: WebhookWire; signing?: Signing } {
    return { ...(this.options.wire ? { wire: this.options.wire } : {}), ...(this.options.signing ? { signing: this.options.signing } : {}) };
  }

  private rejected(url: string, status: number): void {
    const level = this.warnedRejected ? 'debug' : 'warn';
    this.warnedRejected = true;
    this.options.log[level]('event webhook refused; not retried', { url, status });
  }

  private failed(url: string, reason: string): void {
    const level = this.warnedFailed ? 'debug' : 'warn';
    this.warnedFailed = true;
    this.options.log[level]('event webhook failed after retries', { url, reason });
  }
}
