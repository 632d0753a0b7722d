/**
 * The voicemail store's interface. Callers (flows, the CLI) see only this, so
 * a server database can replace the embedded SQLite one without touching them.
 */
import type { QueueLogEntry } from '../../states/queue/types.js';

/** A configured mailbox. The PIN itself never leaves the store: only whether one is set. */
export interface Mailbox {
  id: string;
  name: string;
  hasPin: boolean;
  maxMessages: number;
  /** Recording name of the owner's own greeting, or null for the standard one. */
  greeting: string | null;
  /** ISO 8601, UTC. */
  createdAt: string;
}

/** Where a message sits: unheard (`new`) or heard (`old`). */
export type Folder = 'new' | 'old';

/** One voicemail message: a row pointing at a recording stored on Asterisk. */
export interface Message {
  /** uuid v7, sortable by time. */
  id: string;
  mailbox: string;
  /** Stored recording name, e.g. voicemail/305/<id>. */
  recording: string;
  callerNumber: string;
  callerName: string;
  /** ISO 8601, UTC. */
  receivedAt: string;
  durationSeconds: number;
  folder: Folder;
}

/** What `addMessage` takes: a message without its folder (default `new`) and, optionally, without its id. */
export type NewMessage = Omit<Message, 'folder' | 'id'> & { id?: string; folder?: Folder };

/** What `updateMailbox` may change; `null` clears the PIN or the greeting. */
export interface MailboxChange {
  name?: string;
  pin?: string | null;
  maxMessages?: number;
  greeting?: string | null;
}

/**
 * Mailboxes and their messages. Errors are `AppError`s: `INVALID_INPUT`
 * (a field breaks a rule), `CONFLICT` (the mailbox or message exists),
 * `NOT_FOUND` (unknown mailbox or message). Reads of unknown things return
 * `undefined`, `[]` or zero counts instead.
 */
export interface VoicemailStore {
  /** Creates a mailbox; the PIN, if any, is stored hashed. */
  addMailbox(input: { id: string; name: string; pin?: string; maxMessages?: number }): Promise<Mailbox>;
  /** The mailbox, or undefined when there is none with that id. */
  getMailbox(id: string): Promise<Mailbox | undefined>;
  /** Every mailbox, by id. */
  listMailboxes(): Promise<Mailbox[]>;
  /** Changes some fields of a mailbox and returns it as it now is. */
  updateMailbox(id: string, change: MailboxChange): Promise<Mailbox>;
  /** Removes a mailbox and its message rows; returns those messages (the caller decides about the audio). */
  removeMailbox(id: string): Promise<Message[]>;
  /** True when the mailbox exists, has a PIN, and `pin` is it. */
  verifyPin(id: string, pin: string): Promise<boolean>;
  /** Records a message in an existing mailbox (folder `new` unless told). */
  addMessage(input: NewMessage): Promise<Message>;
  /** The message, or undefined. */
  getMessage(id: string): Promise<Message | undefined>;
  /** A mailbox's messages, oldest first (receivedAt, then id), optionally in one folder. */
  listMessages(mailbox: string, folder?: Folder): Promise<Message[]>;
  /** Moves a message to a folder. */
  moveMessage(id: string, folder: Folder): Promise<void>;
  /** Deletes a message row; false when there was none. */
  deleteMessage(id: string): Promise<boolean>;
  /** How many messages a mailbox has in each folder. */
  countMessages(mailbox: string): Promise<{ new: number; old: number }>;
  /** Closes the database; the store is unusable afterwards. */
  close(): Promise<void>;
}

/** Options of `openStore`. */
export interface StoreOptions {
  /** The limit of a mailbox created without `maxMessages` (the service passes `config.voicemail.maxMessages`). */
  defaultMaxMessages?: number;
}

/** What the queue log records (the queue machine decides what to log: states/queue/types.ts). */
export type QueueLogEvent = QueueLogEntry['event'];

/** One line to add to the queue log. */
export interface NewQueueLogEntry extends QueueLogEntry {
  /** ISO 8601, UTC; default now. */
  at?: string;
}

/** A line of the queue log. */
export interface QueueLogLine extends NewQueueLogEntry {
  id: number;
  at: string;
}

/** Someone in a queue right now, as the service last wrote it. */
export interface QueueMember {
  queue: string;
  channelId: string;
  role: 'caller' | 'agent';
  /** Callers: waiting, connecting, onCall. Agents: idle, connecting, onCall, wrapUp. */
  status: 'waiting' | 'connecting' | 'onCall' | 'idle' | 'wrapUp';
  /** A waiting caller's place (1 is next); null otherwise. */
  position: number | null;
  /** ISO 8601: when a caller joined, or when an agent entered its status. */
  since: string;
  callerNumber: string;
  callerName: string;
  /** The other party while paired. */
  peerChannelId: string | null;
}

/** A queue's figures over a period. */
export interface QueueStats {
  queue: string;
  /** Callers connected to an agent. */
  answered: number;
  /** Callers who hung up before being connected. */
  abandoned: number;
  /** Callers who reached the maximum wait. */
  timedOut: number;
  /** Average wait of the answered callers, in seconds; null when none. */
  averageWaitSeconds: number | null;
}

/**
 * The queue log and the queues' live members. The service writes both; the
 * CLI (another process) reads them for `queue status`. Errors are
 * `AppError`s (`INVALID_INPUT` for a malformed entry).
 */
export interface QueueStore {
  /** Adds a line to the queue log. */
  appendLog(entry: NewQueueLogEntry): Promise<void>;
  /** Log lines, oldest first, optionally of one queue and since a time (ISO 8601). */
  listLog(filter?: { queue?: string; since?: string }): Promise<QueueLogLine[]>;
  /** The waits (seconds) of the last `limit` answered callers of a queue, oldest first. */
  recentWaits(queue: string, limit: number): Promise<number[]>;
  /** Replaces a queue's live members with `members`. */
  setMembers(queue: string, members: readonly QueueMember[]): Promise<void>;
  /** Live members, by queue, callers (by place) before agents. */
  listMembers(queue?: string): Promise<QueueMember[]>;
  /** Forgets every live member (the service does this when it starts: a crash leaves no ghosts); returns how many. */
  clearMembers(): Promise<number>;
  /** Figures per queue since a time, for the queues with log lines then (or just `queue`). */
  stats(since: string, queue?: string): Promise<QueueStats[]>;
  /** Closes the database; the store is unusable afterwards. */
  close(): Promise<void>;
}
