/** What an ARI handler gets and gives back. */
import type { Core } from '../core.js';
import type { Params } from './params.js';

/** A handler's reply. */
export interface Reply {
  status: number;
  /** JSON body (absent for 204). */
  body?: unknown;
  /** A binary body instead of JSON (recording files). */
  raw?: { data: Buffer; contentType: string };
}

/** One request to a handler. */
export interface HandlerContext {
  core: Core;
  params: Params;
}

/** Handles one operation (`resource.nickname`). */
export type Handler = (ctx: HandlerContext) => Reply | Promise<Reply>;

/** Handlers by `resource.nickname`, e.g. `channels.play`. */
export type HandlerMap = Record<string, Handler>;

/** 200 with a JSON body. */
export const ok = (body: unknown): Reply => ({ status: 200, body });
/** 201 with a JSON body. */
export const created = (body: unknown): Reply => ({ status: 201, body });
/** 204, no body (fact 2). */
export const noContent = (): Reply => ({ status: 204 });
