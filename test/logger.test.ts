import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';

function capture() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  return { stream, lines };
}

describe('logger', () => {
  it('writes JSON lines and carries a call child logger’s identity', async () => {
    const { stream, lines } = capture();
    const log = createLogger({ level: 'info', stream });
    log.child({ channelId: 'c1', app: 'vm-record', mailbox: '305' }).info('state', { state: 'greeting' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines[0]).toMatchObject({ level: 'info', message: 'state', channelId: 'c1', app: 'vm-record', mailbox: '305', state: 'greeting' });
    expect(lines[0]).toHaveProperty('timestamp');
  });

  it('never writes a password or a PIN', async () => {
    const { stream, lines } = capture();
    const log = createLogger({ level: 'info', stream });
    log.info('login', { pin: '1234', password: 'hunter2', ARI_PASSWORD: 'pw' });
    await new Promise((resolve) => setImmediate(resolve));
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/1234|hunter2|"pw"/);
    expect(lines[0]).toMatchObject({ pin: '[redacted]', password: '[redacted]' });
  });
});
