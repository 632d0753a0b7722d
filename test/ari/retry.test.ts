import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isTransientAriError, retryAri } from '../../src/ari/retry.js';
import { AriError } from '../../src/errors.js';

const failure = (status: number) => new AriError({ status, operation: 'recordings.deleteStored', message: status === 0 ? 'connect ECONNREFUSED' : 'failed' });

describe('retryAri', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('tries again while Asterisk does not answer or fails (a restart), and returns the answer', async () => {
    const answers = [failure(0), failure(500), failure(503)];
    const request = vi.fn(() => {
      const next = answers.shift();
      return next ? Promise.reject(next) : Promise.resolve('deleted');
    });
    const result = retryAri(request, [100, 100, 100, 100]);
    await vi.advanceTimersByTimeAsync(300);
    await expect(result).resolves.toBe('deleted');
    expect(request).toHaveBeenCalledTimes(4);
  });

  it('does not retry an answer that is the request’s own outcome (404, 409), and gives up after the last pause', async () => {
    const notFound = vi.fn(() => Promise.reject(failure(404)));
    await expect(retryAri(notFound, [100])).rejects.toMatchObject({ status: 404 });
    expect(notFound).toHaveBeenCalledTimes(1);
    const down = vi.fn(() => Promise.reject(failure(0)));
    const result = retryAri(down, [100, 100]);
    const settled = result.catch((err: unknown) => err);
    await vi.advanceTimersByTimeAsync(200);
    expect(await settled).toMatchObject({ status: 0 });
    expect(down).toHaveBeenCalledTimes(3);
    expect(isTransientAriError(new Error('not ARI'))).toBe(false);
  });
});
