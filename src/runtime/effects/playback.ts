/**
 * The `playback` effect: plays a list of media on a channel or bridge as one
 * Asterisk playback (`media=a,b,c`, facts 68-72: one request, PlaybackStarted
 * per item, PlaybackContinuing between items, one PlaybackFinished), and
 * reports each item as it starts and the end of the list. Staged as in
 * CyCoreSystems/ari: the playback id is generated and routed before the play
 * request, so no event can be missed.
 *
 * Every wait is bounded: Asterisk sends no PlaybackFinished at all for some
 * bad media (fact 21), so a watchdog asks whether the playback still exists,
 * but only once an item is overdue: items the effect has heard play through
 * before are expected to take that long again, and a caller may say how long
 * an item is (`expectedMs`); an item of unknown length is checked after
 * `firstCheckMs`.
 */
import { v7 as uuidv7 } from 'uuid';
import { fromCallback } from 'xstate';
import type { PlaybackCommand, PlaybackInput } from '../../../states/shared/effects.js';
import { isAriStatus, errorMessage } from '../../errors.js';
import type { AriPort } from '../../ari/port.js';
import { routeKey } from '../../ari/router.js';
import type { AriEvent } from '../../ari/types.js';

/** When the watchdog looks at a playback that has not reported its end. */
export interface PlaybackTiming {
  /** An item whose length is unknown is checked this long after it starts. */
  firstCheckMs: number;
  /** Later checks while it still exists (long or paused media). */
  checkEveryMs: number;
  /** How long to wait for an in-flight PlaybackFinished after the playback is already gone. */
  graceMs?: number;
}

/** Lengths learned from items that played through, by language and media URI (bounded). */
class LearnedLengths {
  private readonly lengths = new Map<string, number>();
  constructor(private readonly max = 2000) {}

  get(lang: string, media: string): number | undefined {
    return this.lengths.get(`${lang}|${media}`);
  }

  learn(lang: string, media: string, ms: number): void {
    // Only prompts repeat; a message recording is played a few times at most.
    if (!media.startsWith('sound:')) return;
    if (this.lengths.size >= this.max) this.lengths.clear();
    this.lengths.set(`${lang}|${media}`, ms);
  }
}

/** Overdue: the expected length, plus a fifth of it, plus a second. */
const overdueAfter = (expectedMs: number) => Math.round(expectedMs * 1.2) + 1000;

/** Creates the `playback` effect for machines, bound to one ARI connection. */
export function createPlaybackEffect(ari: AriPort, timing: PlaybackTiming) {
  const learned = new LearnedLengths();
  return fromCallback<PlaybackCommand, PlaybackInput>(({ input, sendBack, receive }) => {
    const log = input.log;
    const media = input.media;
    const lang = input.lang ?? '';
    const id = uuidv7();
    /** The list is over (reported, or the state was left). */
    let over = false;
    /** The item now playing; -1 before the first PlaybackStarted. */
    let index = -1;
    /** When the current item started, and whether anything (a control, a stop) changed how long it plays. */
    let itemStartedAt = 0;
    let itemDisturbed = false;
    let watchdog: NodeJS.Timeout | undefined;

    const clearWatchdog = () => {
      clearTimeout(watchdog);
      watchdog = undefined;
    };

    const finish = (state: 'done' | 'failed', reason?: string) => {
      if (over) return;
      over = true;
      clearWatchdog();
      unroute();
      sendBack(reason === undefined ? { type: 'playback.finished', state } : { type: 'playback.finished', state, reason });
    };

    /** The item played to its end undisturbed: remember its length. */
    const itemEnded = () => {
      const item = media[index];
      if (item !== undefined && !itemDisturbed) learned.learn(lang, item, Date.now() - itemStartedAt);
    };

    const armWatchdog = (ms: number) => {
      clearWatchdog();
      watchdog = setTimeout(() => {
        // The answer may come after the effect is over (cleanup, PlaybackFinished): then it changes nothing.
        if (over) return;
        ari.playbacks.get(id).then(
          () => {
            if (!over) armWatchdog(timing.checkEveryMs);
          },
          (err: unknown) => {
            if (over) return;
            if (!isAriStatus(err, 404)) {
              armWatchdog(timing.checkEveryMs);
              return;
            }
            // Gone without a PlaybackFinished so far: it may still be on the wire.
            watchdog = setTimeout(() => {
              if (over) return;
              log.warn('playback ended without PlaybackFinished', { media: media[Math.max(0, index)], playbackId: id });
              finish('failed', `${media[Math.max(0, index)] ?? 'media'} could not be played`);
            }, timing.graceMs ?? 500);
          },
        );
      }, ms);
    };

    /** Arms the watchdog for the item now playing, from what is known of its length. */
    const watchItem = () => {
      const item = media[index];
      const single = media.length === 1 ? input.expectedMs : undefined;
      const expected = single ?? (item === undefined ? undefined : learned.get(lang, item));
      armWatchdog(expected === undefined ? timing.firstCheckMs : Math.max(timing.firstCheckMs, overdueAfter(expected)));
    };

    /** Moves on to the next item (PlaybackStarted after PlaybackContinuing, or the first). */
    let awaitingItem = true;
    const onEvent = (event: AriEvent) => {
      if (over) return;
      if (event.type === 'PlaybackStarted') {
        // Unpause sends PlaybackStarted again for the same item (fact 26): only a new item counts.
        if (!awaitingItem) {
          watchItem();
          return;
        }
        awaitingItem = false;
        index++;
        itemStartedAt = Date.now();
        itemDisturbed = false;
        watchItem();
        sendBack({ type: 'playback.started', playbackId: id, media: event.playback.media_uri, index });
      } else if (event.type === 'PlaybackContinuing') {
        itemEnded();
        awaitingItem = true;
      } else if (event.type === 'PlaybackFinished') {
        if (event.playback.state === 'failed') {
          log.warn('playback failed', { media: event.playback.media_uri, playbackId: id });
          finish('failed', `${event.playback.media_uri} could not be played`);
          return;
        }
        itemEnded();
        finish('done');
      }
    };
    const unroute = ari.events.route(routeKey.playback(id), onEvent);

    const options = {
      playbackId: id,
      media,
      ...(input.lang === undefined ? {} : { lang: input.lang }),
      ...(input.skipms === undefined ? {} : { skipms: input.skipms }),
      ...(input.offsetms === undefined ? {} : { offsetms: input.offsetms }),
    };
    // Bounded from the start: Asterisk may never send PlaybackStarted either (a bad request that is still 201).
    armWatchdog(timing.firstCheckMs);
    const request = media.length === 0 ? Promise.resolve() : 'channelId' in input.target ? ari.channels.play(input.target.channelId, options) : ari.bridges.play(input.target.bridgeId, options);
    /** Settles when Asterisk has answered the play request (either way). */
    const requested = request.then(
      () => undefined,
      () => undefined,
    );
    if (media.length === 0) finish('done');
    request.catch((err: unknown) => {
      if (over) return;
      log.warn('play request failed', { media: media.join(','), err: errorMessage(err) });
      finish('failed', errorMessage(err));
    });

    const stop = (why: string) =>
      // After the play request: a stop that overtook it would meet a 404 and the media would play in full.
      void requested
        .then(() => ari.playbacks.stop(id))
        .catch((err: unknown) => {
          // 404: it ended meanwhile. 500: Asterisk refuses to stop a number:/digits: item (facts 104-106); it plays out.
          if (isAriStatus(err, 404)) return;
          log.debug(why, { playbackId: id, err: errorMessage(err) });
        });

    // Controls go to Asterisk one at a time, in the order the keys came (unpause before restart).
    let controls: Promise<void> = requested;
    receive((command) => {
      if (over) return; // a key after the end does nothing
      itemDisturbed = true;
      if (command.type === 'playback.stop') {
        stop('stop playback');
        return;
      }
      controls = controls.then(() =>
        ari.playbacks.control(id, command.operation).catch((err: unknown) => {
          // 409 (not playing: queued, paused, finished) and 404 (already over) are harmless.
          if (isAriStatus(err, 404, 409)) log.debug('playback control ignored', { operation: command.operation, err: errorMessage(err) });
          else log.warn('playback control failed', { operation: command.operation, err: errorMessage(err) });
        }),
      );
    });

    return () => {
      if (over) return;
      over = true;
      clearWatchdog();
      unroute();
      stop('could not stop playback');
    };
  });
}
