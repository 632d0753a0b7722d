/**
 * A channel: its snapshot fields exactly as ARI shows them, its variables, its control
 * queue and what it writes (the audio sources played on it).
 */
import type { AudioChannel, AudioSource } from '../media/graph.js';
import type { Bridge } from '../bridges/bridge.js';
import { CommandQueue } from './queue.js';

/** Asterisk's channel states, as ARI spells them. */
export type ChannelState = 'Down' | 'Rsrvd' | 'OffHook' | 'Dialing' | 'Ring' | 'Ringing' | 'Up' | 'Busy' | 'Dialing Offhook' | 'Pre-ring' | 'Unknown';

/** The channel as ARI serializes it (Asterisk 22, as in the transcripts). */
export interface ChannelJson {
  id: string;
  name: string;
  state: ChannelState;
  protocol_id: string;
  caller: { name: string; number: string };
  connected: { name: string; number: string };
  accountcode: string;
  dialplan: { context: string; exten: string; priority: number; app_name: string; app_data: string };
  creationtime: string;
  language: string;
}

/** A channel being called (the `;1` half of an originate, or a created channel after `dial`). */
export interface DialState {
  dialstring: string;
  answered: boolean;
  timer?: unknown;
  /** What the called channel does once answered (originate): enter an app, or run the dialplan. */
  then?: { app: string; appData: string; args: string[] } | { context: string; exten: string; priority: number };
}

/** How a channel came to be, which decides what happens when it leaves Stasis. */
export type ChannelOrigin =
  /** `;1` of an originate: enters the app on answer; hangs up when it leaves Stasis. */
  | 'originate'
  /** Made by `POST /channels/create`: in Stasis at once; hangs up when it leaves Stasis. */
  | 'create'
  /** Runs the dialplan (the `;2` half of a Local channel). */
  | 'pbx'
  /** A snoop channel (`POST /channels/{id}/snoop`): in Stasis at once; hangs up when it leaves Stasis. */
  | 'snoop';

/** A snoop direction as ARI spells it. */
export type SnoopDirection = 'none' | 'in' | 'out' | 'both';

/** What a snoop channel listens to and whispers into. */
export interface SnoopSpec {
  target: Channel;
  spy: SnoopDirection;
  whisper: SnoopDirection;
}

/** One channel. */
export class Channel implements AudioChannel {
  state: ChannelState;
  caller = { name: '', number: '' };
  connected = { name: '', number: '' };
  accountcode = '';
  dialplan = { context: 'default', exten: 's', priority: 1, app_name: '', app_data: '' };
  language = 'en';
  readonly vars = new Map<string, string>();
  /** The other half of a Local channel. */
  peer: Channel | undefined;
  /** 1 or 2 for the halves of a Local channel. */
  half: 1 | 2 | undefined;
  /** The Stasis app the channel is in, and its arguments. */
  stasis: { app: string; args: string[] } | undefined;
  readonly queue = new CommandQueue();
  bridge: Bridge | undefined;
  /** Set when a hangup is under way; the channel is destroyed right after. */
  hangingUp = false;
  destroyed = false;
  hangupCause = 16;
  /** A cause the channel set itself (`Busy()`, `Congestion()`); a hangup from its Local peer keeps it. */
  ownCause: number | undefined;
  /** What is played on this channel (its far end hears these). */
  readonly outputs = new Set<AudioSource>();
  moh: AudioSource | undefined;
  silence: AudioSource | undefined;
  muteIn = false;
  muteOut = false;
  /** Added to its bridge with `mute=true` (fact 88); cleared when it leaves. */
  mutedInBridge = false;
  /** Being called: `;1` before the far end answers. */
  dial: DialState | undefined;
  /** The dialstring saved by `POST /channels/create`, for a later `dial`. */
  dialstring: string | undefined;
  /** Runs (or ran) the dialplan, so `continue` goes back to it; otherwise leaving Stasis hangs up. */
  runsDialplan = false;
  /** The app whose bridge subscription this channel holds while bridged. */
  bridgeApp: string | undefined;
  /** Channel recordings queued or running (addChannel answers 409 while there are any). */
  recordings = 0;
  /** Apps that asked for this channel's DTMF to end a recording (terminateOn). */
  readonly dtmfHooks = new Set<(digit: string) => void>();
  /** Set on a snoop channel: the channel it snoops on. */
  snoop: SnoopSpec | undefined;
  /** The snoop channels on this channel (they leave Stasis shortly after it goes, fact 92). */
  readonly snoops = new Set<Channel>();
  /** Announcer/recorder channels never show up in ARI. */
  readonly internal: boolean;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly creationtime: string,
    readonly origin: ChannelOrigin,
    state: ChannelState,
    internal = false,
  ) {
    this.state = state;
    this.internal = internal;
  }

  /** A playback or music on hold of its own is written to it (in a bridge, it then hears only that: facts 82, 87). */
  get playsOwnMedia(): boolean {
    for (const s of this.outputs) if (s !== this.silence) return true;
    return false;
  }

  /** Whether a Stasis app controls this channel (ARI's `find_control`). */
  get inStasis(): boolean {
    return this.stasis !== undefined && !this.destroyed;
  }

  /** For the audio model: a snoop reads what its target reads (`in`), what is written to it (`out`), or both. */
  get spied(): AudioChannel['spied'] {
    const spec = this.snoop;
    if (spec === undefined) return undefined;
    return { target: spec.target, in: spec.spy === 'in' || spec.spy === 'both', out: spec.spy === 'out' || spec.spy === 'both' };
  }

  /** For the audio model: the snoops whispering into what this channel reads (`in`) or what is written to it (`out`). */
  get whispers(): AudioChannel['whispers'] {
    const out: { snoop: Channel; in: boolean; out: boolean }[] = [];
    for (const snoop of this.snoops) {
      const w = snoop.snoop?.whisper ?? 'none';
      if (w !== 'none') out.push({ snoop, in: w === 'in' || w === 'both', out: w === 'out' || w === 'both' });
    }
    return out;
  }

  /** The ARI snapshot. */
  toJson(): ChannelJson {
    return {
      id: this.id,
      name: this.name,
      state: this.state,
      protocol_id: '',
      caller: { ...this.caller },
      connected: { ...this.connected },
      accountcode: this.accountcode,
      dialplan: { ...this.dialplan },
      creationtime: this.creationtime,
      language: this.language,
    };
  }
}
