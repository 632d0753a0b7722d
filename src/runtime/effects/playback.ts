/**
 * The `playback` effect: plays a list of media on a channel or bridge, one
 * playback at a time, and reports when the list is over. Staged as in
 * CyCoreSystems/ari: the playback id is generated and routed before the play
 * request, so no event can be missed. Every wait is bounded: Asterisk sends no
 * PlaybackFinished at all for some bad media (transcripts, fact 21), so a
 * watchdog asks whether the playback still exists and ends the wait when it
 * does not.
 */
import { v7 as uuidv7 } from 'uuid';
import { fromCallback } from 'xstate';
import type { PlaybackCommand, PlaybackEmitted, PlaybackInput } from '../../../states/shared/effects.js';
import { isAriStatus, errorMessage } from '../../errors.js';
import type { AriPort } from '../../ari/port.js';
import { routeKey, type Unroute } from '../../ari/router.js';
import type { AriEvent } from '../../ari/types.js';

/** When the watchdog looks at a playback that has not reported its end. */
export interface PlaybackTiming {
  firstCheckMs: number;
  checkEveryMs: number;
  /** How long to wait for an in-flight PlaybackFinished after the playback is already gone. */
  graceMs?: number;
}

interface Current {
  id: string;
  media: string;
  unroute: Unroute;
  started: boolean;
  finished: boolean;
  /** Settles when Asterisk has answered the play request (either way). */
  requested: Promise<unknown>;
}

/** Creates the `playback` effect for machines, bound to one ARI connection. */
export function createPlaybackEffect(ari: AriPort, timing: PlaybackTiming) {
  return fromCallback<PlaybackCommand, PlaybackInput>(({ input, sendBack, receive }) => {
    const emit = (event: PlaybackEmitted) => sendBack(event);
    const log = input.log;
    let index = 0;
    let current: Current | undefined;
    let over = false;
    let stopping = false;
    let watchdog: NodeJS.Timeout | undefined;

    const clearWatchdog = () => {
      clearTimeout(watchdog);
      watchdog = undefined;
    };

    const finish = (state: 'done' | 'failed', reason?: string) => {
      if (over) return;
      over = true;
      clearWatchdog();
      current?.unroute();
      emit(reason === undefined ? { type: 'playback.finished', state } : { type: 'playback.finished', state, reason });
    };

    const onItemFinished = (item: Current, state: string) => {
      if (item !== current || item.finished) return;
      item.finished = true;
      item.unroute();
      clearWatchdog();
      if (state === 'failed') {
        log.warn('playback failed', { media: item.media, playbackId: item.id });
        finish('failed', `${item.media} could not be played`);
      } else if (stopping || index + 1 >= input.media.length) {
        finish('done');
      } else {
        index++;
        playItem();
      }
    };

    const onEvent = (item: Current, event: AriEvent) => {
      if (event.type === 'PlaybackStarted' && item === current) {
        // Unpause sends PlaybackStarted again (fact 26); report only the first.
        if (!item.started) {
          item.started = true;
          emit({ type: 'playback.started', playbackId: item.id, media: item.media, index });
        }
      } else if (event.type === 'PlaybackFinished') {
        onItemFinished(item, event.playback.state);
      }
    };

    const armWatchdog = (item: Current, ms: number) => {
      clearWatchdog();
      watchdog = setTimeout(() => {
        if (item !== current || item.finished || over) return;
        // The answer may come after the effect is over (cleanup, PlaybackFinished): then it changes nothing.
        const stale = () => over || item !== current || item.finished;
        ari.playbacks.get(item.id).then(
          () => {
            if (!stale()) armWatchdog(item, timing.checkEveryMs);
          },
          (err: unknown) => {
            if (stale()) return;
            if (!isAriStatus(err, 404)) {
              armWatchdog(item, timing.checkEveryMs);
              return;
            }
            // Gone without a PlaybackFinished so far: it may still be on the wire.
            watchdog = setTimeout(() => {
              if (stale()) return;
              log.warn('playback ended without PlaybackFinished', { media: item.media, playbackId: item.id });
              onItemFinished(item, 'failed');
            }, timing.graceMs ?? 500);
          },
        );
      }, ms);
    };

    const playItem = () => {
      const media = input.media[index];
      if (media === undefined) {
        finish('done');
        return;
      }
      const id = uuidv7();
      const item: Current = { id, media, unroute: () => undefined, started: false, finished: false, requested: Promise.resolve() };
      item.unroute = ari.events.route(routeKey.playback(id), (event) => onEvent(item, event));
      current = item;
      armWatchdog(item, timing.firstCheckMs);
      const options = {
        playbackId: id,
        media,
        ...(input.lang === undefined ? {} : { lang: input.lang }),
        ...(input.skipms === undefined ? {} : { skipms: input.skipms }),
        ...(input.offsetms === undefined ? {} : { offsetms: input.offsetms }),
      };
      const request = 'channelId' in input.target ? ari.channels.play(input.target.channelId, options) : ari.bridges.play(input.target.bridgeId, options);
      item.requested = request.catch(() => undefined);
      request.catch((err: unknown) => {
        if (item !== current || item.finished) return;
        log.warn('play request failed', { media, err: errorMessage(err) });
        item.finished = true;
        item.unroute();
        finish('failed', errorMessage(err));
      });
    };

    // Controls go to Asterisk one at a time, in the order the keys came (unpause before restart).
    let controls: Promise<void> = Promise.resolve();
    receive((command) => {
      const item = current;
      if (over || !item || item.finished) return; // a key after the end does nothing
      if (command.type === 'playback.stop') {
        stopping = true;
        // After the play request (a stop that overtook it would meet 404). Asterisk refuses to stop
        // number: and digits: items (500, facts 104-106): they play to their end, and PlaybackFinished ends the wait.
        void item.requested
          .then(() => ari.playbacks.stop(item.id))
          .catch((err: unknown) => log.debug('stop playback', { playbackId: item.id, err: errorMessage(err) }));
        return;
      }
      controls = controls.then(() =>
        ari.playbacks.control(item.id, command.operation).catch((err: unknown) => {
          // 409 (not playing: queued, paused, finished) and 404 (already over) are harmless.
          if (isAriStatus(err, 404, 409)) log.debug('playback control ignored', { operation: command.operation, err: errorMessage(err) });
          else log.warn('playback control failed', { operation: command.operation, err: errorMessage(err) });
        }),
      );
    });

    playItem();

    return () => {
      const item = current;
      over = true;
      clearWatchdog();
      if (item && !item.finished) {
        item.unroute();
        // A stop that overtook its play request would meet a 404 and the media would then play in full.
        void item.requested
          .then(() => ari.playbacks.stop(item.id))
          .catch((err: unknown) => {
            if (!isAriStatus(err, 404)) log.warn('could not stop playback', { playbackId: item.id, err: errorMessage(err) });
          });
      }
    };
  });
}
