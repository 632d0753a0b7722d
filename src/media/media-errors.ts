/**
 * The error codes of prompt audio: a URL that cannot be fetched, a body that
 * is not audio, speech that cannot be rendered.
 */
import { AppError } from '../errors.js';

/** Codes only prompt audio raises. */
export type MediaErrorCode = 'MEDIA_FETCH_FAILED' | 'MEDIA_INVALID' | 'TTS_FAILED';

/** An AppError with one of the media codes. */
export function mediaError(code: MediaErrorCode, message: string, cause?: unknown): AppError {
  return new AppError(code, message, cause === undefined ? undefined : { cause });
}

/** True when `err` is an AppError with this media code. */
export function isMediaError(err: unknown, code: MediaErrorCode): err is AppError {
  return err instanceof AppError && err.code === code;
}

/** The reason an aborted signal carries, as something throwable. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}
