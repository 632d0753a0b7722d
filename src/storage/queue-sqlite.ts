/**
 * The queue store in the same SQLite file as the voicemail store, through its
 * own connection (the service and the CLI each open one; WAL lets them read
 * and write side by side). better-sqlite3 is synchronous; the methods are
 * async only to honour the interface.
 */
/* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous; `async` keeps the interface and turns throws into rejections. */
import type Database from 'better-sqlite3';
import { AppError } from '../errors.js';
import { openDatabase } from './database.js';
import type { NewQueueLogEntry, QueueLogEvent, QueueLogLine, QueueMember, QueueStats, QueueStore } from './types.js';

const EVENTS: readonly QueueLogEvent[] = ['enter', 'connect', 'abandon', 'timeout', 'complete', 'recording', 'agentJoin', 'agentLeave'];
const STATUSES: readonly QueueMember['status'][] = ['waiting', 'connecting', 'onCall', 'idle', 'wrapUp'];

interface LogRow {
  id: number;
  at: string;
  queue: string;
  event: QueueLogEvent;
  channel_id: string;
  peer_channel_id: string | null;
  position: number | null;
  wait_seconds: number | null;
  talk_seconds: number | null;
  detail: string | null;
  recording: string | null;
  caller_number: string | null;
}

interface MemberRow {
  queue: string;
  channel_id: string;
  role: QueueMember['role'];
  status: QueueMember['status'];
  position: number | null;
  since: string;
  caller_number: string;
  caller_name: string;
  peer_channel_id: string | null;
  ord: number;
}

const LOG_COLUMNS = 'id, at, queue, event, channel_id, peer_channel_id, position, wait_seconds, talk_seconds, detail, recording, caller_number';
const MEMBER_COLUMNS = 'queue, channel_id, role, status, position, since, caller_number, caller_name, peer_channel_id, ord';

function invalid(message: string): AppError {
  return new AppError('INVALID_INPUT', message);
}

function toLine(row: LogRow): QueueLogLine {
  const line: QueueLogLine = { id: row.id, at: row.at, queue: row.queue, event: row.event, channelId: row.channel_id };
  if (row.peer_channel_id !== null) line.peerChannelId = row.peer_channel_id;
  if (row.position !== null) line.position = row.position;
  if (row.wait_seconds !== null) line.waitSeconds = row.wait_seconds;
  if (row.talk_seconds !== null) line.talkSeconds = row.talk_seconds;
  if (row.detail !== null) line.detail = row.detail;
  if (row.recording !== null) line.recording = row.recording;
  if (row.caller_number !== null) line.callerNumber = row.caller_number;
  return line;
}

function toMember(row: MemberRow): QueueMember {
  return {
    queue: row.queue,
    channelId: row.channel_id,
    role: row.role,
    status: row.status,
    position: row.position,
    since: row.since,
    callerNumber: row.caller_number,
    callerName: row.caller_name,
    peerChannelId: row.peer_channel_id,
  };
}

function checkEntry(entry: NewQueueLogEntry): void {
  if (typeof entry.queue !== 'string' || entry.queue === '') throw invalid('queue log entry needs a queue');
  if (!EVENTS.includes(entry.event)) throw invalid(`queue log event must be one of ${EVENTS.join(', ')}, got ${JSON.stringify(entry.event)}`);
  if (typeof entry.channelId !== 'string' || entry.channelId === '') throw invalid('queue log entry needs a channel id');
}

function prepareStatements(db: Database.Database) {
  return {
    insertLog: db.prepare(
      `INSERT INTO queue_log (at, queue, event, channel_id, peer_channel_id, position, wait_seconds, talk_seconds, detail, recording, caller_number)
       VALUES (@at, @queue, @event, @channelId, @peerChannelId, @position, @waitSeconds, @talkSeconds, @detail, @recording, @callerNumber)`,
    ),
    log: db.prepare<[], LogRow>(`SELECT ${LOG_COLUMNS} FROM queue_log ORDER BY at, id`),
    logOf: db.prepare<[string, string], LogRow>(`SELECT ${LOG_COLUMNS} FROM queue_log WHERE queue = ? AND at >= ? ORDER BY at, id`),
    logSince: db.prepare<[string], LogRow>(`SELECT ${LOG_COLUMNS} FROM queue_log WHERE at >= ? ORDER BY at, id`),
    recentWaits: db.prepare<[string, number], { wait_seconds: number }>(
      `SELECT wait_seconds FROM (SELECT id, at, wait_seconds FROM queue_log WHERE queue = ? AND event = 'connect' AND wait_seconds IS NOT NULL ORDER BY at DESC, id DESC LIMIT ?) ORDER BY at, id`,
    ),
    deleteMembersOf: db.prepare<[string]>('DELETE FROM queue_members WHERE queue = ?'),
    insertMember: db.prepare(
      `INSERT INTO queue_members (${MEMBER_COLUMNS})
       VALUES (@queue, @channelId, @role, @status, @position, @since, @callerNumber, @callerName, @peerChannelId, @ord)`,
    ),
    members: db.prepare<[], MemberRow>(`SELECT ${MEMBER_COLUMNS} FROM queue_members ORDER BY queue, role DESC, ord`),
    membersOf: db.prepare<[string], MemberRow>(`SELECT ${MEMBER_COLUMNS} FROM queue_members WHERE queue = ? ORDER BY role DESC, ord`),
    clearMembers: db.prepare('DELETE FROM queue_members'),
    stats: db.prepare<[string], { queue: string; answered: number; abandoned: number; timed_out: number; average_wait: number | null }>(
      `SELECT queue,
              sum(event = 'connect') AS answered,
              sum(event = 'abandon') AS abandoned,
              sum(event = 'timeout') AS timed_out,
              avg(CASE WHEN event = 'connect' THEN wait_seconds END) AS average_wait
       FROM queue_log WHERE at >= ? GROUP BY queue ORDER BY queue`,
    ),
  };
}

/** Opens (creating and migrating if needed) the queue store in the SQLite database at `file`. */
export function openSqliteQueueStore(file: string): QueueStore {
  return new SqliteQueueStore(openDatabase(file, 'queue'));
}

class SqliteQueueStore implements QueueStore {
  private readonly sql: ReturnType<typeof prepareStatements>;
  private closed = false;

  constructor(private readonly db: Database.Database) {
    this.sql = prepareStatements(db);
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error('the queue store is closed');
  }

  async appendLog(entry: NewQueueLogEntry): Promise<void> {
    this.ensureOpen();
    checkEntry(entry);
    this.sql.insertLog.run({
      at: entry.at ?? new Date().toISOString(),
      queue: entry.queue,
      event: entry.event,
      channelId: entry.channelId,
      peerChannelId: entry.peerChannelId ?? null,
      position: entry.position ?? null,
      waitSeconds: entry.waitSeconds ?? null,
      talkSeconds: entry.talkSeconds ?? null,
      detail: entry.detail ?? null,
      recording: entry.recording ?? null,
      callerNumber: entry.callerNumber ?? null,
    });
  }

  async listLog(filter: { queue?: string; since?: string } = {}): Promise<QueueLogLine[]> {
    this.ensureOpen();
    const since = filter.since ?? '';
    const rows = filter.queue !== undefined ? this.sql.logOf.all(filter.queue, since) : since ? this.sql.logSince.all(since) : this.sql.log.all();
    return rows.map(toLine);
  }

  async recentWaits(queue: string, limit: number): Promise<number[]> {
    this.ensureOpen();
    return this.sql.recentWaits.all(queue, Math.max(0, Math.floor(limit))).map((r) => r.wait_seconds);
  }

  async setMembers(queue: string, members: readonly QueueMember[]): Promise<void> {
    this.ensureOpen();
    for (const m of members) {
      if (m.queue !== queue) throw invalid(`member ${m.channelId} is in queue ${m.queue}, not ${queue}`);
      if (!STATUSES.includes(m.status)) throw invalid(`member status must be one of ${STATUSES.join(', ')}, got ${JSON.stringify(m.status)}`);
    }
    // One transaction: a reader sees the old members or the new ones, never half.
    this.db.transaction(() => {
      this.sql.deleteMembersOf.run(queue);
      members.forEach((m, ord) =>
        this.sql.insertMember.run({
          queue,
          channelId: m.channelId,
          role: m.role,
          status: m.status,
          position: m.position,
          since: m.since,
          callerNumber: m.callerNumber,
          callerName: m.callerName,
          peerChannelId: m.peerChannelId,
          ord,
        }),
      );
    })();
  }

  async listMembers(queue?: string): Promise<QueueMember[]> {
    this.ensureOpen();
    return (queue === undefined ? this.sql.members.all() : this.sql.membersOf.all(queue)).map(toMember);
  }

  async clearMembers(): Promise<number> {
    this.ensureOpen();
    return this.sql.clearMembers.run().changes;
  }

  async stats(since: string, queue?: string): Promise<QueueStats[]> {
    this.ensureOpen();
    const rows = this.sql.stats.all(since).map((r) => ({
      queue: r.queue,
      answered: r.answered,
      abandoned: r.abandoned,
      timedOut: r.timed_out,
      averageWaitSeconds: r.average_wait === null ? null : Math.round(r.average_wait * 10) / 10,
    }));
    return queue === undefined ? rows : rows.filter((r) => r.queue === queue);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
