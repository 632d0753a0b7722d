/**
 * `stasis-flows mailbox ...`: voicemail mailboxes in the local store. These
 * commands need no Asterisk. PINs are taken, never shown: output says only
 * whether one is set.
 */
import { AppError } from '../errors.js';
import { MAX_MESSAGES_RANGE, type Mailbox, type MailboxChange } from '../storage/index.js';
import { checkMailboxId } from '../storage/rules.js';
import { UsageError, commandUsage, type Command, type CommandGroup } from './command.js';
import { plural, text, withStore } from './common.js';
import { formatTable } from './table.js';

/** Reads `--max-messages`, naming the option (not the store's field) when it is wrong. */
function maxMessagesOption(value: string | boolean | undefined): number | undefined {
  const raw = text(value);
  if (raw === undefined) return undefined;
  const { min, max } = MAX_MESSAGES_RANGE;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) throw new AppError('INVALID_INPUT', `--max-messages must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}

function pinText(mailbox: Mailbox): string {
  return mailbox.hasPin ? 'PIN set' : 'no PIN';
}

const MAX_MESSAGES_OPTION = {
  type: 'string',
  value: '<n>',
  help: `message limit, ${MAX_MESSAGES_RANGE.min}-${MAX_MESSAGES_RANGE.max}`,
} as const;

const add: Command = {
  summary: 'add a mailbox',
  synopsis: '<id> --name <name> [--pin <digits>] [--max-messages <n>]',
  description: [
    'Add a mailbox. <id> is 1-40 letters, digits, "-" or "_" (what the dialplan passes',
    'to the vm-record app). The PIN is stored hashed and never shown.',
  ].join('\n'),
  args: ['id'],
  options: {
    name: { type: 'string', value: '<name>', help: 'display name, 1-80 characters (required)' },
    pin: { type: 'string', value: '<digits>', help: 'PIN of 4-16 digits for listening to messages' },
    'max-messages': { ...MAX_MESSAGES_OPTION, help: `${MAX_MESSAGES_OPTION.help} (default: STASIS_FLOWS_VM_MAX_MESSAGES, or 100)` },
  },
  async run({ values, positionals: [id] }, ctx) {
    const name = text(values.name);
    if (name === undefined) throw new UsageError('missing option --name', commandUsage('mailbox', 'add', add));
    const maxMessages = maxMessagesOption(values['max-messages']);
    return withStore(ctx, async (store) => {
      const mailbox = await store.addMailbox({ id: id!, name, pin: text(values.pin), maxMessages });
      ctx.out(`Added mailbox ${mailbox.id} "${mailbox.name}": ${pinText(mailbox)}, up to ${plural(mailbox.maxMessages, 'message')}.`);
      return 0;
    });
  },
};

const list: Command = {
  summary: 'list mailboxes with their message counts',
  synopsis: '[--json]',
  args: [],
  options: {
    json: { type: 'boolean', help: 'print JSON instead of a table' },
  },
  async run({ values }, ctx) {
    return withStore(ctx, async (store) => {
      const rows = [];
      for (const mailbox of await store.listMailboxes()) rows.push({ ...mailbox, messages: await store.countMessages(mailbox.id) });
      if (values.json === true) {
        ctx.out(JSON.stringify(rows, null, 2));
      } else if (rows.length === 0) {
        ctx.out('No mailboxes yet. Add one with: stasis-flows mailbox add <id> --name <name>');
      } else {
        const cells = rows.map((m) => [m.id, m.name, m.hasPin ? 'yes' : 'no', String(m.messages.new), String(m.messages.old), String(m.maxMessages)]);
        ctx.out(formatTable(['ID', 'NAME', 'PIN', 'NEW', 'OLD', 'MAX'], cells, [3, 4, 5]));
      }
      return 0;
    });
  },
};

const remove: Command = {
  summary: 'remove a mailbox',
  synopsis: '<id> [--force]',
  description: [
    'Remove a mailbox. One that still has messages is kept unless --force is given;',
    'then its messages are deleted from the database too, while their recordings stay',
    'on Asterisk (the command lists them).',
  ].join('\n'),
  args: ['id'],
  options: {
    force: { type: 'boolean', help: 'remove the mailbox even if it has messages' },
  },
  async run({ values, positionals: [id] }, ctx) {
    checkMailboxId(id);
    return withStore(ctx, async (store) => {
      const mailbox = await store.getMailbox(id!);
      if (!mailbox) throw new AppError('NOT_FOUND', `mailbox "${id}" does not exist`);
      const counts = await store.countMessages(mailbox.id);
      const total = counts.new + counts.old;
      if (total > 0 && values.force !== true) {
        throw new AppError(
          'CONFLICT',
          `mailbox ${mailbox.id} has ${plural(total, 'message')} (${counts.new} new, ${counts.old} old); use --force to remove it and its messages`,
        );
      }
      // A message may arrive between the count and here: whatever was removed is reported below.
      const removed = await store.removeMailbox(mailbox.id);
      ctx.out(`Removed mailbox ${mailbox.id} "${mailbox.name}".`);
      if (removed.length > 0) {
        ctx.out(
          [
            `Its ${plural(removed.length, 'message')} left the database; the recordings remain on Asterisk`,
            'until deleted (stasis-flows messages delete) or exported:',
            ...removed.map((m) => `  ${m.recording}`),
          ].join('\n'),
        );
      }
      return 0;
    });
  },
};

const set: Command = {
  summary: "change a mailbox's name, PIN or message limit",
  synopsis: '<id> [--name <name>] [--pin <digits> | --no-pin] [--max-messages <n>]',
  args: ['id'],
  options: {
    name: { type: 'string', value: '<name>', help: 'new display name, 1-80 characters' },
    pin: { type: 'string', value: '<digits>', help: 'new PIN of 4-16 digits' },
    'no-pin': { type: 'boolean', help: 'remove the PIN' },
    'max-messages': MAX_MESSAGES_OPTION,
  },
  async run({ values, positionals: [id] }, ctx) {
    const usage = commandUsage('mailbox', 'set', set);
    const pin = text(values.pin);
    if (pin !== undefined && values['no-pin'] === true) throw new UsageError('--pin and --no-pin cannot be used together', usage);
    const change: MailboxChange = {};
    if (values.name !== undefined) change.name = text(values.name);
    if (pin !== undefined) change.pin = pin;
    if (values['no-pin'] === true) change.pin = null;
    if (values['max-messages'] !== undefined) change.maxMessages = maxMessagesOption(values['max-messages']);
    if (Object.keys(change).length === 0) throw new UsageError('nothing to change: give --name, --pin, --no-pin or --max-messages', usage);
    return withStore(ctx, async (store) => {
      const mailbox = await store.updateMailbox(id!, change);
      const said = [
        change.name !== undefined ? `name "${mailbox.name}"` : undefined,
        change.pin !== undefined ? (mailbox.hasPin ? 'PIN set' : 'PIN removed') : undefined,
        change.maxMessages !== undefined ? `up to ${plural(mailbox.maxMessages, 'message')}` : undefined,
      ].filter((part) => part !== undefined);
      ctx.out(`Updated mailbox ${mailbox.id}: ${said.join(', ')}.`);
      return 0;
    });
  },
};

/** The `mailbox` command group. */
export const mailboxGroup: CommandGroup = {
  summary: 'manage voicemail mailboxes (no Asterisk needed)',
  commands: { add, list, remove, set },
};
