// The small part of ari-client 2.2.0 the adapter uses (it ships no types).
declare module 'ari-client' {
  import type { EventEmitter } from 'node:events';

  /** One operation from the Swagger description, e.g. `client.channels.play`. */
  export type RawOperation = (params?: Record<string, unknown>) => Promise<unknown>;

  export interface RawClient extends EventEmitter {
    start(apps: string | string[], subscribeAll?: boolean): Promise<void>;
    stop(): void;
  }

  export function connect(url: string, user: string, pass: string): Promise<RawClient>;

  const ari: { connect: typeof connect };
  export default ari;
}
