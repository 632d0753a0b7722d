/**
 * What `GET /v1/calls` lists: every voice-API call this process has seen,
 * live or over, newest kept, bounded. Kept in memory: a restart forgets the
 * calls that are over (the program was told of each by its events).
 */
import type { CallFilter, CallRecord, CallState } from './control-types.js';

/** Calls over that are kept for listing. */
const KEEP = 10_000;

/** Every call's record, by leg uuid. */
export class CallHistory {
  private readonly records = new Map<string, CallRecord>();

  /** Adds or replaces a call's record. */
  put(record: CallRecord): void {
    this.records.delete(record.uuid);
    this.records.set(record.uuid, record);
    if (this.records.size > KEEP) {
      // The oldest that is over goes first; live calls are never dropped.
      for (const [uuid, r] of this.records) {
        if (r.endTime !== undefined) {
          this.records.delete(uuid);
          break;
        }
      }
    }
  }

  /** Changes a call's record. */
  update(uuid: string, change: Partial<Omit<CallRecord, 'uuid'>>): void {
    const record = this.records.get(uuid);
    if (record) this.records.set(uuid, { ...record, ...change });
  }

  get(uuid: string): CallRecord | undefined {
    return this.records.get(uuid);
  }

  /** One application's calls matching `filter`, a page of them in `order` by start. */
  list(applicationId: string, filter: CallFilter): { calls: CallRecord[]; count: number } {
    const matching = [...this.records.values()].filter(
      (r) =>
        r.applicationId === applicationId &&
        (filter.status === undefined || r.status === filter.status) &&
        (filter.conversationUuid === undefined || r.conversationUuid === filter.conversationUuid) &&
        (filter.dateStart === undefined || (r.startTime ?? '') >= filter.dateStart) &&
        (filter.dateEnd === undefined || (r.startTime ?? '') <= filter.dateEnd),
    );
    matching.sort((a, b) => (a.startTime ?? '').localeCompare(b.startTime ?? ''));
    if (filter.order === 'desc') matching.reverse();
    return { calls: matching.slice(filter.recordIndex, filter.recordIndex + filter.pageSize), count: matching.length };
  }
}

/** The status a never-answered outbound call ended with, from Asterisk's Dial status and hang-up cause (MAPPING.md §2, facts 73, 76). */
export function unansweredStatus(dialStatus: string | undefined, cause: number | undefined, cancelled: boolean): { status: CallState; detail?: string } {
  if (cancelled) return { status: 'cancelled' };
  if (dialStatus === 'BUSY' || cause === 17) return { status: 'busy' };
  if (cause === 19 || dialStatus === 'NOANSWER') return { status: 'timeout' };
  if (cause === 21) return { status: 'rejected', detail: 'declined' };
  if (cause === 1) return { status: 'failed', detail: 'number_out_of_service' };
  if (dialStatus === 'CONGESTION' || cause === 34) return { status: 'failed', detail: 'cannot_route' };
  return { status: 'failed', detail: 'cannot_route' };
}
