/**
 * The voicemail store's interface. Callers (flows, the CLI) see only this, so
 * a server database can replace the embedded SQLite one without touching them.
 */

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
