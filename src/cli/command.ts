/**
 * The CLI's building blocks: a command group is a table of subcommands, each
 * with its options, arguments and usage text. `runCommand` parses one
 * command's arguments with node:util parseArgs and runs it.
 */
import { parseArgs } from 'node:util';
import { connectAri, type AriConnection } from '../ari/connect.js';
import type { AriPort } from '../ari/port.js';
import { loadConfig, loadLocalConfig, type Config, type LocalConfig } from '../config.js';
import { createLogger } from '../logger.js';

/** The program's name, as users type it. */
export const PROGRAM = 'stasis-flows';

/** Where the CLI reads its environment and writes its output (the process's, or a test's). */
export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** One option of a command. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder shown in the usage text for a string option, e.g. `<digits>`. */
  value?: string;
  /** One line for the usage text. */
  help: string;
}

/** What a command's `run` receives. */
export interface CommandArgs {
  /** Option values by option name; absent options are undefined. */
  values: Record<string, string | boolean | undefined>;
  /** The positional arguments, already checked against `args`. */
  positionals: string[];
}

/** What a command may use besides its arguments. */
export interface CommandContext {
  /** The environment and output streams. */
  readonly io: CliIo;
  /** The configuration, parsed on first use (so `--help` works with a broken environment). */
  localConfig(): LocalConfig;
  /** The whole configuration, ARI included (ARI_URL, ARI_USERNAME, ARI_PASSWORD required). */
  config(): Config;
  /** A connection to Asterisk's ARI, opened on first use and closed when the command ends. */
  ari(): Promise<AriPort>;
  /** Writes one line (or several) to stdout. */
  out(text: string): void;
}

/** A subcommand: `stasis-flows <group> <name> ...`. */
export interface Command {
  /** One line for the group's command list. */
  summary: string;
  /** What follows `stasis-flows <group> <name>` in the usage line, e.g. `<id> --name <name> [--force]`. */
  synopsis: string;
  /** A few lines more than the summary, if needed. */
  description?: string;
  /** Positional arguments by name, all required. */
  args: readonly string[];
  /** The last of `args` takes one or more values (`<file...>`). */
  variadic?: boolean;
  /** Positional arguments after `args` that may be left out (`[name]`). */
  optional?: readonly string[];
  options: Readonly<Record<string, OptionSpec>>;
  /** Runs the command; resolves to the exit code. */
  run(args: CommandArgs, ctx: CommandContext): Promise<number>;
}

/** A command group: `stasis-flows <name> <command> ...`. */
export interface CommandGroup {
  summary: string;
  commands: Readonly<Record<string, Command>>;
}

/** Wrong command line: printed with the relevant usage text, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Looks a name up in a table without finding `constructor` and friends. */
export function lookup<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

function columns(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help' };

/** The usage text of one command. */
export function commandUsage(groupName: string, name: string, command: Command): string {
  const options = Object.entries({ ...command.options, help: HELP_OPTION }).map(([option, spec]): [string, string] => [
    `${spec.short ? `-${spec.short}, ` : ''}--${option}${spec.value ? ` ${spec.value}` : ''}`,
    spec.help,
  ]);
  return [
    `Usage: ${PROGRAM} ${groupName} ${name} ${command.synopsis}`.trimEnd(),
    '',
    command.description ?? `${command.summary[0]!.toUpperCase()}${command.summary.slice(1)}.`,
    '',
    'Options:',
    ...columns(options),
  ].join('\n');
}

/** The usage text of a group: its commands. */
export function groupUsage(groupName: string, group: CommandGroup): string {
  return [
    `Usage: ${PROGRAM} ${groupName} <command> [options]`,
    '',
    `${group.summary[0]!.toUpperCase()}${group.summary.slice(1)}.`,
    '',
    'Commands:',
    ...columns(Object.entries(group.commands).map(([name, command]) => [name, command.summary])),
    '',
    `Run "${PROGRAM} ${groupName} <command> --help" for a command's options.`,
  ].join('\n');
}

// parseArgs' messages run over several lines and talk about its own syntax; say it in one.
function usageProblem(err: Error & { code: string }): string {
  const option = /'(-{1,2}[^' ]+)/.exec(err.message)?.[1] ?? 'an option';
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option "${option}"`;
  if (err.message.includes('does not take an argument')) return `option ${option} takes no value`;
  if (err.message.includes('ambiguous')) return `option ${option} needs a value (write ${option}=<value> for one that starts with "-")`;
  return `option ${option} needs a value`;
}

function isParseArgsError(err: unknown): err is Error & { code: string } {
  const code: unknown = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/** Parses a command's arguments and runs it; `--help` prints its usage. */
export async function runCommand(groupName: string, name: string, command: Command, argv: string[], io: CliIo): Promise<number> {
  const usage = commandUsage(groupName, name, command);
  const options = Object.fromEntries(
    Object.entries({ ...command.options, help: HELP_OPTION }).map(([option, spec]) => [option, spec.short ? { type: spec.type, short: spec.short } : { type: spec.type }]),
  );
  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    if (isParseArgsError(err)) throw new UsageError(usageProblem(err), usage);
    throw err;
  }
  const out = (text: string) => io.stdout.write(`${text}\n`);
  if (parsed.values.help === true) {
    out(usage);
    return 0;
  }
  const { positionals } = parsed;
  if (positionals.length < command.args.length) throw new UsageError(`missing argument <${command.args[positionals.length]}>`, usage);
  const most = command.args.length + (command.optional?.length ?? 0);
  if (positionals.length > most && command.variadic !== true) {
    throw new UsageError(`unexpected argument "${positionals[most]}"`, usage);
  }
  let local: LocalConfig | undefined;
  let full: Config | undefined;
  let connection: Promise<AriConnection> | undefined;
  const config = () => (full ??= loadConfig(io.env));
  const ctx: CommandContext = {
    io,
    out,
    localConfig: () => (local ??= loadLocalConfig(io.env)),
    config,
    ari: () => (connection ??= connectAri({ ...config().ari, log: createLogger({ level: 'error', silent: true }) })),
  };
  try {
    // Without `multiple`, parseArgs never returns arrays.
    return await command.run({ values: parsed.values as CommandArgs['values'], positionals }, ctx);
  } finally {
    await connection?.then((ari) => ari.close()).catch(() => undefined);
  }
}
