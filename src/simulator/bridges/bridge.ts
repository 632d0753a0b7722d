/**
 * A Stasis bridge: its snapshot, its members, and the hidden channels Asterisk adds
 * to it (an Announcer for bridge playbacks, an Announcer/ARI_MOH for its music, a
 * Recorder per bridge recording), which only show in `BRIDGEPEER` (facts 53, 55).
 */
import type { Channel } from '../channels/channel.js';
import { CommandQueue } from '../channels/queue.js';
import type { AudioBridge, AudioSource } from '../media/graph.js';

/** A hidden channel in a bridge. */
export interface HiddenMember {
  kind: 'announcer' | 'moh' | 'recorder';
  name: string;
  uniqueid: string;
}

/** The bridge as ARI serializes it (fact 48). */
export interface BridgeJson {
  id: string;
  technology: string;
  bridge_type: string;
  bridge_class: string;
  creator: string;
  name: string;
  channels: string[];
  creationtime: string;
  video_mode: string;
}

/** One bridge. */
export class Bridge implements AudioBridge {
  readonly members: Channel[] = [];
  readonly hidden: HiddenMember[] = [];
  /** Channel names in the order they joined (hidden ones included), for BRIDGEPEER. */
  readonly joinOrder: string[] = [];
  readonly outputs = new Set<AudioSource>();
  /** Bridge playbacks run one at a time on the announcer's queue. */
  readonly announcements = new CommandQueue();
  announcer: HiddenMember | undefined;
  moh: { member: HiddenMember; emitter: AudioSource | undefined } | undefined;
  destroyed = false;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly type: 'mixing' | 'holding',
    readonly creationtime: string,
  ) {}

  get mixing(): boolean {
    return this.type === 'mixing';
  }

  audioMembers(): readonly Channel[] {
    return this.members;
  }

  /** Channels in the bridge, hidden ones included. */
  get size(): number {
    return this.members.length + this.hidden.length;
  }

  continuousFrames(): boolean {
    return this.mixing && this.size >= 3;
  }

  /** Asterisk's smart bridging: two parties pass frames natively, three or more are mixed. */
  get technology(): string {
    if (!this.mixing) return 'holding_bridge';
    return this.size >= 3 ? 'softmix' : 'simple_bridge';
  }

  /** The snapshot; `extraChannels` are ids Asterisk leaks into it at times (fact 56). */
  toJson(extraChannels: string[] = []): BridgeJson {
    return {
      id: this.id,
      technology: this.technology,
      bridge_type: this.type,
      bridge_class: 'stasis',
      creator: 'Stasis',
      name: this.name,
      channels: [...this.members.map((m) => m.id), ...extraChannels],
      creationtime: this.creationtime,
      video_mode: 'talker',
    };
  }
}
