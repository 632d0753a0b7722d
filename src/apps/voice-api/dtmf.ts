/**
 * DTMF sent into a leg (REST `PUT /dtmf`, `connect`'s `dtmfAnswer`). Asterisk
 * has no pause in a DTMF string: each `p` is half a second between the runs
 * of keys around it.
 */
import type { AriPort } from '../../ari/port.js';

/** Sends `digits` (0-9, A-D, *, #, p) into a channel; stops early when `wanted` turns false. */
export async function sendDtmfWithPauses(ari: AriPort, channelId: string, digits: string, wanted: () => boolean = () => true): Promise<void> {
  for (const part of digits.split(/(p+)/).filter(Boolean)) {
    if (!wanted()) return;
    if (part.startsWith('p')) await new Promise((resolve) => setTimeout(resolve, 500 * part.length));
    else await ari.channels.sendDtmf(channelId, part, { between: 100, duration: 100 });
  }
}
