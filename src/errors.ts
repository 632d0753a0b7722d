/**
 * Errors with stable codes. Callers branch on `code` (and `status` for ARI),
 * never on message text.
 */

/** Stable error codes used across the project. */
export type AppErrorCode =
  | 'CONFIG_INVALID'
  | 'ARI_UNREACHABLE'
  | 'ARI_AUTH_FAILED'
  | 'ARI_CONNECT_TIMEOUT'
  | 'ARI_REQUEST_FAILED'
  | 'ARI_REQUEST_TIMEOUT'
  | 'FLOW_FAILED'
  | 'SOUND_MISSING'
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'DEPENDENCY_MISSING'
  | 'APP_EXISTS'
  | 'WEBHOOK_UNREACHABLE'
  | 'WEBHOOK_TIMEOUT'
  | 'MEDIA_FETCH_FAILED'
  | 'MEDIA_INVALID'
  | 'TTS_FAILED';

/** An error the project raises on purpose, with a stable `code`. */
export class AppError extends Error {
  readonly code: AppErrorCode;

  constructor(code: AppErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }
}

/** An ARI request that failed: the HTTP status Asterisk answered, the operation and the resource it named. */
export class AriError extends AppError {
  /** HTTP status (404, 409...); 0 when no answer came (time-out, connection lost). */
  readonly status: number;
  /** `resource.operation`, e.g. `channels.play`. */
  readonly operation: string;
  /** The channel, playback, recording, bridge or sound id the request named, if any. */
  readonly resourceId: string | undefined;

  constructor(args: { status: number; operation: string; resourceId?: string; message: string; cause?: unknown }) {
    const where = args.resourceId === undefined ? args.operation : `${args.operation}(${args.resourceId})`;
    const problem = args.status === 0 ? args.message : `${args.status} ${args.message}`;
    super(args.status === 0 ? 'ARI_REQUEST_TIMEOUT' : 'ARI_REQUEST_FAILED', `${where}: ${problem}`, {
      cause: args.cause,
    });
    this.name = 'AriError';
    this.status = args.status;
    this.operation = args.operation;
    this.resourceId = args.resourceId;
  }
}

/** True when `err` is an ARI error with one of the given HTTP statuses. */
export function isAriStatus(err: unknown, ...statuses: number[]): err is AriError {
  return err instanceof AriError && statuses.includes(err.status);
}

/** The message of anything thrown, for logs. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
