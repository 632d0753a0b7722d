/**
 * Events the app emits for integrations (webhooks, metrics) to subscribe to.
 * A listener that throws is logged and does not disturb the call that emitted.
 */

/** Every app event, by name. */
export interface AppEventMap {
  /** A call's flow started on a channel (inbound from the dialplan, or outbound from runtime.originate). */
  'call.started': {
    channelId: string;
    app: string;
    args: readonly string[];
    caller: { name: string; number: string };
    direction: 'inbound' | 'outbound';
  };
  /**
   * A call's flow changed state (`greeting`, `{"recording":"capturing"}`), in
   * order. Computed only while someone listens: reading a state costs.
   */
  'call.state': { channelId: string; app: string; state: string; from: string | undefined };
  /** The service answered the call. */
  'call.answered': { channelId: string; app: string };
  /**
   * A call is over. `answered: false`: an outbound call that never entered
   * Stasis (busy, no answer). The cause is Asterisk's, from ChannelHangupRequest
   * or ChannelDestroyed, where it sent one (the app a dialplan call entered never
   * gets ChannelDestroyed, transcripts fact 58).
   */
  'call.ended': {
    channelId: string;
    app: string;
    answered: boolean;
    hungUpBy: 'caller' | 'service';
    cause: number | undefined;
    causeText: string | undefined;
    durationMs: number;
  };
  'voicemail.deposited': {
    mailbox: string;
    messageId: string;
    recording: string;
    durationSeconds: number;
    callerId: { name: string; number: string };
    receivedAt: string;
  };
}

export type AppEventName = keyof AppEventMap;
type Listener<K extends AppEventName> = (payload: AppEventMap[K]) => void;

/** A small typed event bus. */
export class AppEvents {
  private readonly listeners = new Map<AppEventName, Set<Listener<AppEventName>>>();

  constructor(private readonly onListenerError: (err: unknown, event: AppEventName) => void = () => undefined) {}

  /** Subscribes to one event; returns the unsubscribe function. */
  on<K extends AppEventName>(event: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<AppEventName>);
    return () => set.delete(listener as Listener<AppEventName>);
  }

  /** True when `event` has a listener (so a costly payload can be skipped). */
  listened(event: AppEventName): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  /** Delivers an event to every listener. */
  emit<K extends AppEventName>(event: K, payload: AppEventMap[K]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        listener(payload);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }
}
