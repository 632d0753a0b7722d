/**
 * `stasis-flows messages ...`: a mailbox's voicemail messages. `list` reads
 * the database only; `export` and `delete` reach Asterisk through ARI, where
 * the audio is (exports download each recording's file).
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { recordingPrefix } from '../../states/shared/voicemail.js';
import { publishMwi } from '../apps/voicemail/mwi.js';
import type { AriPort } from '../ari/port.js';
import { AppError, errorMessage, isAriStatus } from '../errors.js';
import { checkMailboxId } from '../storage/rules.js';
import type { Message, VoicemailStore } from '../storage/types.js';
import { UsageError, commandUsage, type Command, type CommandContext, type CommandGroup } from './command.js';
import { plural, withStore } from './common.js';
import { formatTable } from './table.js';

/** The mailbox's messages as the owner hears them: new ones first, each folder oldest first. */
async function messagesOf(store: VoicemailStore, mailbox: string): Promise<Message[]> {
  if (!(await store.getMailbox(mailbox))) throw new AppError('NOT_FOUND', `mailbox "${mailbox}" does not exist`);
  return [...(await store.listMessages(mailbox, 'new')), ...(await store.listMessages(mailbox, 'old'))];
}

function from(message: Message): string {
  if (message.callerName && message.callerNumber) return `${message.callerName} <${message.callerNumber}>`;
  return message.callerNumber || message.callerName || 'unknown';
}

const list: Command = {
  summary: "list a mailbox's messages",
  synopsis: '<mailbox> [--json]',
  description: "List a mailbox's messages from the database, numbered as the owner hears them (new first).",
  args: ['mailbox'],
  options: { json: { type: 'boolean', help: 'print JSON instead of a table' } },
  async run({ values, positionals: [mailbox] }, ctx) {
    checkMailboxId(mailbox);
    return withStore(ctx, async (store) => {
      const messages = await messagesOf(store, mailbox!);
      if (values.json === true) {
        ctx.out(JSON.stringify(messages, null, 2));
      } else if (messages.length === 0) {
        ctx.out(`Mailbox ${mailbox} has no messages.`);
      } else {
        const rows = messages.map((m, i) => [String(i + 1), m.folder, m.receivedAt, from(m), `${m.durationSeconds} s`, m.id]);
        ctx.out(formatTable(['#', 'FOLDER', 'RECEIVED', 'FROM', 'LENGTH', 'ID'], rows, [0, 4]));
      }
      return 0;
    });
  },
};

/** Writes a file atomically: a temporary name, then rename. */
async function writeAtomically(file: string, data: Buffer | string): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
  // A stale (or planted) temporary is removed, never written through: `wx` refuses to follow a symlink there.
  await rm(temporary, { force: true });
  await writeFile(temporary, data, { flag: 'wx' });
  await rename(temporary, file);
}

/** The export folder's problem in one line (an AppError): the folder is the user's input, not a bug. */
function exportProblem(dir: string, err: unknown): AppError {
  return new AppError('INVALID_INPUT', `cannot write the export to ${dir}: ${errorMessage(err)}`, { cause: err });
}

/** Checks `<dir>` before anything is asked of Asterisk. */
function checkExportDir(dir: string): string {
  if (dir === '') throw new AppError('INVALID_INPUT', '<dir> must not be empty');
  if (dir.includes('\0')) throw new AppError('INVALID_INPUT', '<dir> must not contain a NUL character');
  return dir;
}

const exportCommand: Command = {
  summary: "download a mailbox's messages into a folder",
  synopsis: '<mailbox> <dir>',
  description: [
    "Download each message's audio from Asterisk (ARI: recordings/stored/<name>/file) into <dir>",
    'as <n>-<id>.wav, with messages.json describing them (caller, time, length, folder).',
    'A message whose audio is missing on Asterisk is reported and skipped; the exit code is',
    '1 when any was.',
  ].join('\n'),
  args: ['mailbox', 'dir'],
  options: {},
  async run({ positionals: [mailbox, target] }, ctx) {
    checkMailboxId(mailbox);
    const dir = checkExportDir(target!);
    return withStore(ctx, async (store) => {
      const messages = await messagesOf(store, mailbox!);
      const ari = await ctx.ari();
      await mkdir(dir, { recursive: true }).catch((err: unknown) => {
        throw exportProblem(dir, err);
      });
      const write = (file: string, data: Buffer | string) =>
        writeAtomically(path.join(dir, file), data).catch((err: unknown) => {
          throw exportProblem(dir, err);
        });
      const exported: (Message & { file: string })[] = [];
      const missing: Message[] = [];
      for (const [i, message] of messages.entries()) {
        let audio: Buffer;
        try {
          audio = await ari.recordings.getStoredFile(message.recording);
        } catch (err) {
          if (!isAriStatus(err, 404)) throw err;
          missing.push(message);
          continue;
        }
        const file = `${String(i + 1).padStart(3, '0')}-${message.id}.wav`;
        await write(file, audio);
        exported.push({ ...message, file });
      }
      await write('messages.json', `${JSON.stringify(exported, null, 2)}\n`);
      if (exported.length > 0) {
        ctx.out(formatTable(['FILE', 'FROM', 'RECEIVED', 'LENGTH'], exported.map((m) => [m.file, from(m), m.receivedAt, `${m.durationSeconds} s`]), [3]));
      }
      ctx.out(`Exported ${plural(exported.length, 'message')} of mailbox ${mailbox} to ${path.resolve(dir)} (messages.json lists them).`);
      for (const m of missing) ctx.io.stderr.write(`stasis-flows: message ${m.id}: its audio ${m.recording} is missing on Asterisk; skipped\n`);
      return missing.length > 0 ? 1 : 0;
    });
  },
};

/** Deletes one message: its audio on Asterisk first (already gone is fine), then its row. */
async function deleteOne(ari: AriPort, store: VoicemailStore, message: Message): Promise<void> {
  try {
    await ari.recordings.deleteStored(message.recording);
  } catch (err) {
    if (!isAriStatus(err, 404)) throw new AppError('CONFLICT', `could not delete ${message.recording} on Asterisk (${errorMessage(err)}); message ${message.id} kept`);
  }
  await store.deleteMessage(message.id);
}

/** Publishes the mailbox's counts to phones; says so when Asterisk refuses. */
async function refreshMwi(ctx: CommandContext, ari: AriPort, store: VoicemailStore, mailbox: string): Promise<void> {
  const warn = (message: string) => ctx.io.stderr.write(`stasis-flows: ${message} (message waiting lights not updated)\n`);
  await publishMwi({ ari, store, log: { warn } }, mailbox, ctx.localConfig().voicemail.mwiContext);
}

const deleteCommand: Command = {
  summary: 'delete messages (audio on Asterisk and database row)',
  synopsis: '<mailbox> (<message-id> | --all)',
  description: [
    "Delete a message by id (see messages list), or every message with --all. The audio is",
    'deleted on Asterisk first; a message whose audio cannot be deleted is kept. --all also',
    'deletes recordings left under voicemail/<mailbox>/ without a database row (for example',
    'after mailbox remove --force), so it works for a removed mailbox too.',
  ].join('\n'),
  args: ['mailbox'],
  variadic: true,
  options: { all: { type: 'boolean', help: 'delete every message of the mailbox' } },
  async run({ values, positionals: [mailbox, ...ids] }, ctx) {
    checkMailboxId(mailbox);
    const usage = commandUsage('messages', 'delete', deleteCommand);
    if ((values.all === true) === ids.length > 0) throw new UsageError('give message ids or --all (not both)', usage);
    return withStore(ctx, async (store) => {
      const ari = await ctx.ari();
      const exists = (await store.getMailbox(mailbox!)) !== undefined;
      const all = exists ? await messagesOf(store, mailbox!) : [];
      let targets: Message[];
      if (values.all === true) {
        targets = all;
      } else {
        if (!exists) throw new AppError('NOT_FOUND', `mailbox "${mailbox}" does not exist`);
        targets = ids.map((id) => {
          const found = all.find((m) => m.id === id);
          if (!found) throw new AppError('NOT_FOUND', `mailbox ${mailbox} has no message ${id}`);
          return found;
        });
      }
      for (const message of targets) await deleteOne(ari, store, message);
      let orphans = 0;
      if (values.all === true) {
        const prefix = recordingPrefix(mailbox!);
        for (const { name } of await ari.recordings.listStored()) {
          if (!name.startsWith(prefix)) continue;
          await ari.recordings.deleteStored(name).catch((err: unknown) => {
            if (!isAriStatus(err, 404)) throw err;
          });
          orphans++;
        }
      }
      if (exists) await refreshMwi(ctx, ari, store, mailbox!);
      ctx.out(`Deleted ${plural(targets.length, 'message')} of mailbox ${mailbox}${orphans > 0 ? ` and ${plural(orphans, 'recording')} without a message` : ''}.`);
      return 0;
    });
  },
};

/** `stasis-flows messages ...` */
export const messagesGroup: CommandGroup = {
  summary: "a mailbox's voicemail messages: list, export, delete",
  commands: { list, export: exportCommand, delete: deleteCommand },
};

