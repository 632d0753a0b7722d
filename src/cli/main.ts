#!/usr/bin/env node
/**
 * The stasis-flows command-line tool. `runCli` does the work and returns the
 * exit code, so tests run it in-process; run as a program, this module calls
 * it with the process's arguments, environment and streams.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.js';
import { PROGRAM, UsageError, groupUsage, lookup, runCommand, type CliIo, type CommandGroup } from './command.js';
import { mailboxGroup } from './mailbox.js';
import { messagesGroup } from './messages.js';
import { queueGroup } from './queue.js';
import { soundsGroup } from './sounds.js';
import { voiceAppGroup } from './voice-app.js';

export type { CliIo } from './command.js';

/** The command groups; a new group is one more entry. */
const GROUPS: Readonly<Record<string, CommandGroup>> = {
  mailbox: mailboxGroup,
  messages: messagesGroup,
  queue: queueGroup,
  sounds: soundsGroup,
  'voice-app': voiceAppGroup,
};

function programUsage(): string {
  const names = Object.keys(GROUPS);
  const width = Math.max(...names.map((n) => n.length));
  return [
    `Usage: ${PROGRAM} <group> <command> [options]`,
    '',
    'Administers stasis-flows. Configuration comes from the same environment',
    'variables as the service (STASIS_FLOWS_DATA_DIR for the voicemail database...).',
    '',
    'Groups:',
    ...names.map((name) => `  ${name.padEnd(width)}  ${GROUPS[name]!.summary}`),
    '',
    `Run "${PROGRAM} <group> --help" for a group's commands.`,
  ].join('\n');
}

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h';

function unknown(what: string, usage: string): UsageError {
  return new UsageError(what.startsWith('-') ? `unknown option "${what}"` : `unknown command "${what}"`, usage);
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const [groupName, commandName, ...rest] = argv;
  const usage = programUsage();
  if (groupName === undefined) throw new UsageError('missing command', usage);
  if (isHelp(groupName) || groupName === 'help') {
    io.stdout.write(`${usage}\n`);
    return 0;
  }
  const group = lookup(GROUPS, groupName);
  if (!group) throw unknown(groupName, usage);

  const inGroup = groupUsage(groupName, group);
  if (commandName === undefined) throw new UsageError(`missing command after "${groupName}"`, inGroup);
  if (isHelp(commandName)) {
    io.stdout.write(`${inGroup}\n`);
    return 0;
  }
  const command = lookup(group.commands, commandName);
  if (!command) throw unknown(commandName, inGroup);
  return runCommand(groupName, commandName, command, rest, io);
}

/** Runs one command line (without `node` and the script); resolves to the exit code: 0, 1 (failed) or 2 (usage). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`${PROGRAM}: ${err.message}\n\n${err.usage}\n`);
      return 2;
    }
    // Expected failures (bad input, unknown mailbox, config) are one line.
    if (err instanceof AppError) {
      io.stderr.write(`${PROGRAM}: ${err.message}\n`);
      return 1;
    }
    // Anything else is a bug or a broken machine: the stack helps whoever reports it.
    io.stderr.write(`${PROGRAM}: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

/** True when this module is the program being run (`node dist/src/cli/main.js`, the npm bin link, or tsx). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    // The npm bin is a symlink to this file.
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr });
}
