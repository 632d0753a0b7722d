/**
 * Logging: one winston root logger writing JSON lines, and a child logger per
 * call that carries the call's identity (channel id, app, mailbox...).
 */
import winston from 'winston';
import type { LogLevel } from './config.js';

/** The logger type used across src/. */
export type Logger = winston.Logger;

// Keys whose values never reach a log line, wherever they appear in the metadata.
const SECRET_KEY = /pass(word)?|pin|secret|token|api_?key|authorization/i;

const redactSecrets = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (SECRET_KEY.test(key)) info[key] = '[redacted]';
  }
  return info;
});

/** Creates the root logger: JSON, timestamps, error stacks, secrets redacted. */
export function createLogger(options: { level: LogLevel; silent?: boolean; stream?: NodeJS.WritableStream }): Logger {
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console({ stderrLevels: ['error', 'warn'] });
  return winston.createLogger({
    level: options.level,
    silent: options.silent ?? false,
    format: winston.format.combine(
      winston.format.errors({ stack: true }),
      redactSecrets(),
      winston.format.timestamp(),
      winston.format.json(),
    ),
    transports: [transport],
  });
}
