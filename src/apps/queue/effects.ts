/**
 * The queue's effects on Asterisk: `connect`, one per pairing, owned by the
 * queue actor (it creates the mixing bridge, puts the caller and the agent in
 * it, and is the only one to tear it down), and `moh`, music on hold on a
 * channel while the state that invoked it is active.
 */
import { fromCallback, type EventObject } from 'xstate';
import type { ConnectCommand, ConnectInput, MohInput } from '../../../states/queue/machine.js';
import type { AriPort } from '../../ari/port.js';
import { routeKey } from '../../ari/router.js';
import { errorMessage, isAriStatus } from '../../errors.js';
import type { Logger } from '../../logger.js';

/**
 * Creates the `connect` effect. Staged: the bridge id is routed before the
 * bridge exists. It reports `queue.bridged` once both channels are in (an
 * addChannel answers after the channel joined, which waits for a playback
 * still running on it), or `queue.bridgeFailed`. On `connect.end` it takes the
 * channels that stay in Stasis out (so the next thing they hear is not mixed
 * with the bridge), destroys the bridge, and reports `queue.released`. Its
 * cleanup destroys a bridge nobody released (the queue actor stopped).
 */
export function createConnectEffect(ari: AriPort, log: Logger) {
  return fromCallback<ConnectCommand, ConnectInput>(({ input, sendBack, receive }) => {
    const { bridgeId } = input;
    const meta = { bridgeId, queue: input.queue, callerChannelId: input.callerChannelId, agentChannelId: input.agentChannelId };
    let ending = false;
    let stopped = false;
    const live = () => !ending && !stopped;

    const unroute = ari.events.route(routeKey.bridge(bridgeId), (event) => {
      if (event.type === 'ChannelEnteredBridge' || event.type === 'ChannelLeftBridge') log.debug(event.type, { ...meta, channelId: event.channel?.id });
    });

    const fail = (err: unknown) => {
      if (live()) sendBack({ type: 'queue.bridgeFailed', bridgeId, reason: errorMessage(err) });
    };
    const created = ari.bridges.create({ bridgeId, type: 'mixing', name: `queue-${input.queue}` }).then(
      () => true,
      (err: unknown) => {
        fail(err);
        return false;
      },
    );
    void created.then(async (ok) => {
      if (!ok || !live()) return;
      try {
        await ari.bridges.addChannel(bridgeId, [input.callerChannelId, input.agentChannelId]);
        if (live()) sendBack({ type: 'queue.bridged', bridgeId });
      } catch (err) {
        fail(err);
      }
    });

    const teardown = async (keep: readonly string[]) => {
      if (!(await created)) return;
      // One at a time: a channel already gone (hung up) must not keep the other in.
      for (const channelId of keep) {
        await ari.bridges.removeChannel(bridgeId, channelId).catch((err: unknown) => log.debug('channel not taken out of the bridge', { ...meta, channelId, err: errorMessage(err) }));
      }
      await ari.bridges.destroy(bridgeId).catch((err: unknown) => {
        if (!isAriStatus(err, 404)) log.warn('could not destroy the bridge', { ...meta, err: errorMessage(err) });
      });
    };

    receive((command) => {
      if (command.type !== 'connect.end' || ending) return;
      ending = true;
      void teardown(command.keep).finally(() => {
        unroute();
        if (!stopped) sendBack({ type: 'queue.released', bridgeId });
      });
    });

    return () => {
      stopped = true;
      if (ending) return; // released, or being released
      ending = true;
      void teardown([]).finally(unroute);
    };
  });
}

/** Creates the `moh` effect: music on hold on a channel; the cleanup stops it (MOH sends no events, fact 54). */
export function createMohEffect(ari: AriPort) {
  return fromCallback<EventObject, MohInput>(({ input }) => {
    const { channelId, log } = input;
    let over = false;
    const started = ari.channels.startMoh(channelId, input.mohClass).catch((err: unknown) => {
      // 404: the channel hung up meanwhile.
      if (!over && !isAriStatus(err, 404)) log.warn('could not start music on hold', { err: errorMessage(err) });
    });
    return () => {
      over = true;
      // After the start has settled: a stop that overtook it would leave the music playing.
      void started
        .then(() => ari.channels.stopMoh(channelId))
        .catch((err: unknown) => {
          if (!isAriStatus(err, 404, 409)) log.warn('could not stop music on hold', { err: errorMessage(err) });
        });
    };
  });
}
