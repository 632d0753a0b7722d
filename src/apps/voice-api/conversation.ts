/**
 * Named conversations on Asterisk (NCCO `conversation`): the room kind of
 * long-lived named actors, keyed `<application id>:<name>`, and the effects
 * of its machine (states/conversation): `bridge` (the session's mixing
 * bridge, its recording and its beeps) and `seat` (one member's channel:
 * waiting and hold music, mute, in and out of the bridge).
 * `conversationMembership` is the document machine's `membership` effect:
 * a leg's line to its room.
 */
import { v7 as uuidv7 } from 'uuid';
import { fromCallback } from 'xstate';
import { isRoomIdle, roomMachine } from '../../../states/conversation/machine.js';
import type { BridgeCommand, BridgeInput, MembershipEvent, MembershipInput, Recorder, SeatCommand, SeatInput } from '../../../states/conversation/types.js';
import { routeKey, type Unroute } from '../../ari/router.js';
import { errorMessage, isAriStatus } from '../../errors.js';
import { NamedActors, type NamedActorKind, type NamedActorPool } from '../../runtime/named-actors.js';
import { track } from './calls.js';
import { recordBridge, type BridgeRecording } from './bridge-recording.js';
import { report, type VoiceDeps } from './effects.js';

/** NCCO.md: up to 50 legs per conversation. */
export const MAX_MEMBERS = 50;
/** An empty room holds nothing: it is stopped soon (the next join makes it again). */
const ROOM_IDLE_MS = 10_000;
/** A stopped hold-music playback stays routed to us this long, for its PlaybackFinished. */
const UNROUTE_AFTER_MS = 5000;

type RoomLogic = ReturnType<typeof roomLogic>;

/** The rooms of a service (one pool: the memberships and the REST API's conferences must share it). */
export type RoomPool = NamedActorPool<RoomLogic>;

/** The room machine with its effects. */
export function roomLogic(deps: VoiceDeps) {
  return roomMachine.provide({ actors: { bridge: bridgeEffect(deps), seat: seatEffect(deps) } });
}

/** The conversation kind of named actors: one room per `<application id>:<name>`, nothing persisted (a room does not outlive its calls). */
export function conversationKind(deps: VoiceDeps, options: { idleMs?: number } = {}): NamedActorKind<RoomLogic> {
  return {
    kind: 'conversation',
    logic: roomLogic(deps),
    idleMs: options.idleMs ?? ROOM_IDLE_MS,
    input: (name, log) => ({ name, settings: { maxMembers: MAX_MEMBERS }, log }),
    isIdle: (snapshot) => isRoomIdle(snapshot.context),
  };
}

/** The room key of a conversation name for a call: names are scoped to the application. */
export function roomKey(deps: Pick<VoiceDeps, 'calls'>, leg: string, name: string): string {
  const call = deps.calls.get(leg);
  return `${call.app?.id ?? call.appName}:${name}`;
}

/**
 * The document machine's `membership` effect (flow.ts provides it): joins
 * the leg's room on start, passes `conversation.left` back to the call, and
 * leaves in its cleanup (hang-up, call.end, a replaced document). Given the
 * service's NamedActors it makes its own pool of rooms; give it the pool the
 * conferences (REST API) use, so both see the same rooms.
 */
export function conversationMembership(actors: NamedActors | RoomPool, deps: VoiceDeps) {
  const rooms = actors instanceof NamedActors ? actors.pool(conversationKind(deps)) : actors;
  return fromCallback<MembershipEvent, MembershipInput>(({ input, self, sendBack, receive }) => {
    const { step } = input;
    const room = rooms.ref(roomKey(deps, input.leg, step.name));
    const id = uuidv7();
    receive((event) => {
      if (event.type === 'conversation.left') {
        input.log.info('left the conversation', { conversation: step.name, reason: event.reason });
        sendBack(event);
      }
    });
    input.log.info('joining the conversation', { conversation: step.name, startOnEnter: step.startOnEnter, endOnExit: step.endOnExit, record: step.record });
    room.send({
      type: 'conversation.join',
      member: {
        id,
        leg: input.leg,
        channelId: input.channelId,
        log: input.log,
        startOnEnter: step.startOnEnter,
        ...(step.startsAlone === undefined ? {} : { startsAlone: step.startsAlone }),
        endOnExit: step.endOnExit,
        record: step.record,
        muted: step.muted,
        deaf: step.deaf,
        ...(step.musicOnHoldUrl === undefined ? {} : { musicOnHoldUrl: step.musicOnHoldUrl }),
        report: step.report,
        ...(step.beep === undefined ? {} : { beep: step.beep }),
        ...(step.maxLegs === undefined ? {} : { maxLegs: step.maxLegs }),
        ...(step.events === undefined ? {} : { events: step.events }),
        ref: self,
      },
    });
    return () => room.send({ type: 'conversation.leave', id });
  });
}

/**
 * The `bridge` effect: creates the mixing bridge (staged: routed before it
 * exists; Asterisk sends no BridgeCreated, fact 48), says `room.ready` or
 * `room.failed`, records it on `bridge.record` (a bridge recording: a channel
 * recording fails while bridged, fact 47). Its cleanup (the session is over)
 * stops the recording, then destroys the bridge; the recording is kept and
 * reported to the member who asked for it.
 */
export function bridgeEffect(deps: VoiceDeps) {
  return fromCallback<BridgeCommand, BridgeInput>(({ input, sendBack, receive }) => {
    const { ari } = deps;
    const { bridgeId, log } = input;
    let over = false;
    const unroute = ari.events.route(routeKey.bridge(bridgeId), (event) => {
      if (event.type === 'ChannelEnteredBridge' || event.type === 'ChannelLeftBridge') log.debug(event.type, { bridgeId, channelId: event.channel?.id });
    });
    const created = ari.bridges.create({ bridgeId, type: 'mixing', name: input.name }).then(
      () => {
        if (!over) sendBack({ type: 'room.ready', bridgeId });
        return true;
      },
      (err: unknown) => {
        if (!over) sendBack({ type: 'room.failed', bridgeId, reason: errorMessage(err) });
        return false;
      },
    );
    let recording: BridgeRecording | undefined;
    receive((command) => {
      if (command.type === 'bridge.record' && recording === undefined && !over) recording = recordConversation(deps, bridgeId, command.recorder);
      if (command.type === 'bridge.beep' && !over) void created.then((ok) => ok && !over && beep(deps, bridgeId, log));
    });
    return () => {
      over = true;
      void (async () => {
        if (!(await created)) return;
        // Stopped before the bridge goes, so the file ends where the conversation did.
        await recording?.stop();
        await ari.bridges.destroy(bridgeId).catch((err: unknown) => {
          if (!isAriStatus(err, 404)) log.warn('could not destroy the conversation bridge', { bridgeId, err: errorMessage(err) });
        });
      })().finally(unroute);
    };
  });
}

/** A beep into the whole conversation (a member with `beep` entered or left); a failure is only logged. */
function beep(deps: VoiceDeps, bridgeId: string, log: BridgeInput['log']): void {
  const playbackId = uuidv7();
  // Ours until it finishes, so no member's call takes its events for its own.
  const unroute = deps.ari.events.route(routeKey.playback(playbackId), (event) => {
    if (event.type === 'PlaybackFinished') unroute();
  });
  setTimeout(unroute, UNROUTE_AFTER_MS).unref();
  deps.ari.bridges.play(bridgeId, { playbackId, media: 'sound:beep' }).catch((err: unknown) => {
    unroute();
    if (!isAriStatus(err, 404)) log.warn('could not beep into the conversation', { bridgeId, err: errorMessage(err) });
  });
}

/**
 * Records a conversation's bridge for `recorder`; once stopped, the file
 * (mp3, NCCO.md 2.5) is kept and its record event goes to the recorder's
 * report, before the recorder's `completed`.
 */
function recordConversation(deps: VoiceDeps, bridgeId: string, recorder: Recorder): BridgeRecording {
  const recording = recordBridge(deps, bridgeId, { leg: recorder.leg, log: recorder.log, format: 'mp3', what: 'the conversation' });
  const call = deps.calls.find(recorder.leg);
  const reported = recording.kept.then(async (result) => {
    if (result) await report(deps, { leg: recorder.leg, channelId: recorder.channelId, log: recorder.log, report: recorder.report, result });
  });
  const logged = reported.catch((err: unknown) => recorder.log.warn('conversation recording not reported', { err: errorMessage(err) }));
  if (call) void track(call, logged);
  return recording;
}

/** The `mute` / `unmute` direction for these sides: `in` is what the leg says, `out` what it hears. */
function direction(hushIn: boolean, hushOut: boolean): 'in' | 'out' | 'both' | undefined {
  if (hushIn && hushOut) return 'both';
  if (hushIn) return 'in';
  return hushOut ? 'out' : undefined;
}

type Quiet = (what: string) => (err: unknown) => void;

/** Music playing on a seat's channel until `stop`. */
interface Music {
  readonly url: string | undefined;
  /** Stops it; resolves once the stop requests are answered. */
  stop(): Promise<void>;
}

/**
 * Hold music on a channel out of any bridge: `url` fetched and converted as
 * a stream is, looped, else (or when it cannot be fetched) the default MOH
 * class. Speech sent into the leg meanwhile is whispered over it (control.ts
 * reads `ownMedia`).
 */
function playMusic(deps: VoiceDeps, input: SeatInput, url: string | undefined, quiet: Quiet): Music {
  const { ari } = deps;
  const { channelId, log } = input;
  const fetching = new AbortController();
  let over = false;
  let playing: { playbackId: string; unroute: Unroute } | undefined;
  let moh: Promise<unknown> | undefined;
  const marked = () => deps.calls.onChannel(channelId)?.ownMedia;

  const playLoop = (media: string) => {
    if (over) return;
    marked()?.add('hold-music');
    const playbackId = uuidv7();
    const unroute = ari.events.route(routeKey.playback(playbackId), (event) => {
      if (event.type !== 'PlaybackFinished') return;
      unroute();
      if (playing?.playbackId === playbackId) playing = undefined;
      if (event.playback.state === 'failed') {
        // Nothing plays: speech sent in must not be whispered into silence (control.ts).
        marked()?.delete('hold-music');
        log.warn('hold music could not be played', { media });
        return;
      }
      playLoop(media);
    });
    playing = { playbackId, unroute };
    ari.channels.play(channelId, { playbackId, media }).catch((err: unknown) => {
      unroute();
      if (playing?.playbackId === playbackId) playing = undefined;
      marked()?.delete('hold-music');
      quiet('play the hold music')(err);
    });
  };

  const start = async () => {
    if (url !== undefined) {
      try {
        const media = await deps.audio.fetch({ url, level: 0 }, fetching.signal);
        playLoop(media);
        return;
      } catch (err) {
        if (over) return;
        log.warn('hold music could not be fetched; playing the default music on hold', { url, err: errorMessage(err) });
      }
    }
    if (over) return;
    marked()?.add('hold-music');
    moh = ari.channels.startMoh(channelId).then(
      () => true,
      (err: unknown) => {
        marked()?.delete('hold-music');
        quiet('start music on hold')(err);
        return false;
      },
    );
  };
  void start();

  return {
    url,
    stop: async () => {
      if (over) return;
      over = true;
      marked()?.delete('hold-music');
      fetching.abort();
      const current = playing;
      playing = undefined;
      if (current) {
        // Routed until its PlaybackFinished (which ends no loop now), so no other owner gets it; dropped anyway soon after.
        await ari.playbacks.stop(current.playbackId).catch(quiet('stop the hold music'));
        setTimeout(current.unroute, UNROUTE_AFTER_MS).unref();
      }
      // After the start has settled: a stop that overtook it would leave the music playing.
      if (moh && (await moh) === true) await ari.channels.stopMoh(channelId).catch(quiet('stop music on hold'));
    },
  };
}

/**
 * The `seat` effect: one member's channel. Waiting, it hears hold music
 * (`musicOnHoldUrl`, else the default MOH class); out of any bridge it hears
 * nobody. On `seat.enter` the music stops (channel MOH would go into the
 * bridge with it, fact 87), the mute is set, and it joins the bridge. On
 * hold (`seat.hold`) it leaves the bridge and hears `holdUrl` (else the
 * default music) until it is taken off hold; `seat.mute` mutes or unmutes
 * what it says. The cleanup stops the music, lifts every mute it set and
 * takes the channel out (it may go on with its document); on a channel that
 * hung up these fail quietly. Every change runs after the one before, so
 * the channel's requests never overtake each other.
 */
export function seatEffect(deps: VoiceDeps) {
  return fromCallback<SeatCommand, SeatInput>(({ input, receive }) => {
    const { ari } = deps;
    const { channelId, bridgeId, log } = input;
    /** What the room asked: into the mix, on hold (with what music), heard or not; and whether the seat is over. */
    const wanted = { entered: false, held: false, holdUrl: undefined as string | undefined, muted: input.muted, over: false };
    /** What the channel has now. */
    const has = { inBridge: false, mutedIn: false, mutedOut: false, music: undefined as Music | undefined };

    const quiet: Quiet = (what) => (err) => {
      // 404/400/422: the channel hung up or is not there any more.
      if (!isAriStatus(err, 400, 404, 409, 422)) log.warn(`could not ${what}`, { bridgeId, err: errorMessage(err) });
      else log.debug(`did not ${what}`, { bridgeId, err: errorMessage(err) });
    };

    const stopMusic = async () => {
      const music = has.music;
      has.music = undefined;
      await music?.stop();
    };

    /** Sets the channel's mute to `hushIn` / `hushOut` (a failure counts as set: the cleanup lifts it anyway). */
    const setMute = async (hushIn: boolean, hushOut: boolean) => {
      const on = direction(hushIn && !has.mutedIn, hushOut && !has.mutedOut);
      const off = direction(!hushIn && has.mutedIn, !hushOut && has.mutedOut);
      has.mutedIn = hushIn;
      has.mutedOut = hushOut;
      if (on) await ari.channels.mute(channelId, on).catch(quiet('mute the member'));
      if (off) await ari.channels.unmute(channelId, off).catch(quiet('unmute the member'));
    };

    /** Brings the channel to what is wanted. */
    const bring = async () => {
      if (wanted.over) {
        await stopMusic();
        await setMute(false, false);
        if (has.inBridge) await ari.bridges.removeChannel(bridgeId, channelId).catch(quiet('take the member out of the conversation'));
        has.inBridge = false;
        return;
      }
      if (wanted.entered && !wanted.held) {
        await stopMusic();
        // Muted before it is in: none of its audio reaches the others.
        await setMute(wanted.muted, input.deaf);
        if (!has.inBridge) {
          try {
            await ari.bridges.addChannel(bridgeId, channelId);
            has.inBridge = true;
          } catch (err) {
            quiet('add the member to the conversation')(err);
          }
        }
        return;
      }
      // Held, or waiting for the start (a starting member waits in silence for the bridge).
      if (has.inBridge) {
        await ari.bridges.removeChannel(bridgeId, channelId).catch(quiet('take the member out of the conversation'));
        has.inBridge = false;
      }
      const musicWanted = wanted.held || input.waiting;
      const url = wanted.held ? wanted.holdUrl : input.musicOnHoldUrl;
      if (has.music && (!musicWanted || has.music.url !== url)) await stopMusic();
      // Taken off hold before the start: back to the waiting music; its mute waits for the bridge.
      if (musicWanted && !has.music) has.music = playMusic(deps, input, url, quiet);
    };

    let work: Promise<void> = Promise.resolve();
    const change = () => {
      work = work.then(bring).catch((err: unknown) => {
        log.warn('seat change failed', { bridgeId, err: errorMessage(err) });
      });
    };

    if (input.waiting) change();
    receive((command) => {
      if (command.type === 'seat.enter') {
        if (wanted.entered) return;
        wanted.entered = true;
      } else if (command.type === 'seat.hold') {
        wanted.held = command.hold;
        wanted.holdUrl = command.holdUrl;
      } else {
        wanted.muted = command.muted;
      }
      change();
    });

    return () => {
      wanted.over = true;
      change();
    };
  });
}
