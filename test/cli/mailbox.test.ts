import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { openStore } from '../../src/storage/index.js';
import { Sink } from '../support/sink.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PIN = '80516273';
const OTHER_PIN = '4429';

let dir: string;
// Everything any command printed in a test, to check that no PIN ever shows.
let printed: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'stasis-flows-cli-'));
  printed = '';
});

afterEach(() => {
  expect(printed).not.toContain(PIN);
  expect(printed).not.toContain(OTHER_PIN);
  // Expected failures are one line, never a stack.
  expect(printed).not.toMatch(/\n\s+at /);
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string> = {}) {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runCli(args, { env: { STASIS_FLOWS_DATA_DIR: dir, ...env }, stdout, stderr });
  printed += stdout.text + stderr.text;
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Expects a failure: exit 1, one line on stderr, nothing on stdout. */
async function fails(args: string[], message: RegExp, env?: Record<string, string>) {
  const r = await cli(args, env);
  expect(r).toMatchObject({ code: 1, stdout: '' });
  expect(r.stderr).toMatch(/^stasis-flows: [^\n]+\n$/);
  expect(r.stderr).toMatch(message);
}

/** Expects a usage error: exit 2, the problem on the first line, then the usage text. */
async function misused(args: string[], problem: RegExp, usage: RegExp) {
  const r = await cli(args);
  expect(r).toMatchObject({ code: 2, stdout: '' });
  const [first, blank, ...rest] = r.stderr.split('\n');
  expect(first).toMatch(/^stasis-flows: /);
  expect(first).toMatch(problem);
  expect(blank).toBe('');
  expect(rest.join('\n')).toMatch(usage);
}

async function withStore<T>(fn: (store: ReturnType<typeof openStore>) => Promise<T>): Promise<T> {
  const store = openStore(dir);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function addMessages(mailbox: string, folders: ('new' | 'old')[]) {
  await withStore(async (store) => {
    for (const [i, folder] of folders.entries()) {
      await store.addMessage({
        mailbox,
        recording: `voicemail/${mailbox}/m${i}`,
        callerNumber: '5551234',
        callerName: 'Alice',
        receivedAt: new Date(Date.UTC(2024, 4, 1, 9, i)).toISOString(),
        durationSeconds: 5,
        folder,
      });
    }
  });
}

describe('help and usage', () => {
  it.each([['--help'], ['-h'], ['help']])('%s lists the groups', async (flag) => {
    const r = await cli([flag]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^Usage: stasis-flows <group> <command> \[options\]/);
    expect(r.stdout).toMatch(/^ {2}mailbox +manage voicemail mailboxes/m);
  });

  it('mailbox --help lists its commands', async () => {
    const r = await cli(['mailbox', '--help']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    for (const command of ['add', 'list', 'remove', 'set']) expect(r.stdout).toMatch(new RegExp(`^ {2}${command} +\\S`, 'm'));
  });

  it.each([
    ['add', /^Usage: stasis-flows mailbox add <id> --name <name> \[--pin <digits>\] \[--max-messages <n>\]$/m],
    ['list', /^Usage: stasis-flows mailbox list \[--json\]$/m],
    ['remove', /^Usage: stasis-flows mailbox remove <id> \[--force\]$/m],
    ['set', /^Usage: stasis-flows mailbox set <id> \[--name <name>\] \[--pin <digits> \| --no-pin\] \[--max-messages <n>\]$/m],
  ])('mailbox %s --help prints its usage, with no configuration needed', async (command, usage) => {
    const r = await cli(['mailbox', command, '--help'], { LOG_LEVEL: 'loud' });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(usage);
    expect(r.stdout).toMatch(/^ {2}-h, --help +show this help$/m);
  });

  it('without arguments, says a command is missing', async () => {
    await misused([], /^stasis-flows: missing command$/, /^Usage: stasis-flows <group>/);
  });

  it.each([
    [['frob'], /unknown command "frob"/, /^Usage: stasis-flows <group>/],
    [['--frob'], /unknown option "--frob"/, /^Usage: stasis-flows <group>/],
    [['mailbox'], /missing command after "mailbox"/, /^Usage: stasis-flows mailbox <command>/],
    [['mailbox', 'frob'], /unknown command "frob"/, /^Usage: stasis-flows mailbox <command>/],
    [['mailbox', 'constructor'], /unknown command "constructor"/, /^Usage: stasis-flows mailbox <command>/],
    [['mailbox', 'add'], /missing argument <id>$/, /^Usage: stasis-flows mailbox add/],
    [['mailbox', 'add', '305'], /missing option --name$/, /^Usage: stasis-flows mailbox add/],
    [['mailbox', 'add', '305', '--name'], /option --name needs a value$/, /^Usage: stasis-flows mailbox add/],
    [['mailbox', 'add', '305', '--name', 'A', '--frob'], /unknown option "--frob"$/, /^Usage: stasis-flows mailbox add/],
    [['mailbox', 'add', '305', '306', '--name', 'A'], /unexpected argument "306"$/, /^Usage: stasis-flows mailbox add/],
    [['mailbox', 'list', 'extra'], /unexpected argument "extra"$/, /^Usage: stasis-flows mailbox list/],
    [['mailbox', 'remove', '305', '--force=yes'], /option --force takes no value$/, /^Usage: stasis-flows mailbox remove/],
    [['mailbox', 'set', '305'], /nothing to change/, /^Usage: stasis-flows mailbox set/],
    [['mailbox', 'set', '305', '--pin', OTHER_PIN, '--no-pin'], /--pin and --no-pin cannot be used together$/, /^Usage: stasis-flows mailbox set/],
  ])('%j is a usage error (exit 2)', async (args, problem, usage) => {
    await misused(args, problem, usage);
  });
});

describe('mailbox add', () => {
  it('adds a mailbox and says what was added, not the PIN', async () => {
    const r = await cli(['mailbox', 'add', '305', '--name', 'Front desk', '--pin', PIN, '--max-messages', '50']);
    expect(r).toEqual({ code: 0, stdout: 'Added mailbox 305 "Front desk": PIN set, up to 50 messages.\n', stderr: '' });
    await withStore(async (store) => {
      expect(await store.getMailbox('305')).toMatchObject({ name: 'Front desk', hasPin: true, maxMessages: 50 });
      expect(await store.verifyPin('305', PIN)).toBe(true);
    });
  });

  it('takes the default limit from STASIS_FLOWS_VM_MAX_MESSAGES', async () => {
    const r = await cli(['mailbox', 'add', '30', '--name', 'Thirty'], { STASIS_FLOWS_VM_MAX_MESSAGES: '7' });
    expect(r.stdout).toBe('Added mailbox 30 "Thirty": no PIN, up to 7 messages.\n');
  });

  it.each([
    [['../x'], /^stasis-flows: mailbox id must be 1-40 letters, digits, "-" or "_", got "\.\.\/x"$/m],
    [['x'.repeat(41)], /^stasis-flows: mailbox id must be 1-40 letters/],
    [['305', '--pin', '12ab'], /^stasis-flows: mailbox pin must be 4-16 digits$/m],
    [['305', '--max-messages', '0'], /^stasis-flows: --max-messages must be a whole number from 1 to 100000, got "0"$/m],
    [['305', '--max-messages', 'many'], /--max-messages must be a whole number/],
  ])('refuses bad input %j (exit 1)', async (args, message) => {
    await fails(['mailbox', 'add', ...args, '--name', 'Front'], message);
    expect((await cli(['mailbox', 'list', '--json'])).stdout).toBe('[]\n');
  });

  it('refuses an empty name', async () => {
    await fails(['mailbox', 'add', '305', '--name', ' '], /^stasis-flows: mailbox name is required/);
  });

  it('never echoes a malformed PIN', async () => {
    await fails(['mailbox', 'add', '305', '--name', 'Front', '--pin', `${OTHER_PIN}x`], /pin must be 4-16 digits/);
  });

  it('refuses a duplicate', async () => {
    await cli(['mailbox', 'add', '305', '--name', 'Front']);
    await fails(['mailbox', 'add', '305', '--name', 'Again', '--pin', PIN], /^stasis-flows: mailbox "305" already exists$/m);
  });

  it('stops with the configuration error, in one line', async () => {
    await fails(['mailbox', 'add', '305', '--name', 'Front'], /^stasis-flows: config: STASIS_FLOWS_VM_MAX_MESSAGES must be a whole number/, {
      STASIS_FLOWS_VM_MAX_MESSAGES: 'lots',
    });
  });
});

describe('mailbox list', () => {
  it('says when there are none', async () => {
    const r = await cli(['mailbox', 'list']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^No mailboxes yet/);
  });

  it('prints a table with PIN yes/no, new and old counts, and the limit', async () => {
    await cli(['mailbox', 'add', '305', '--name', 'Front desk', '--pin', PIN, '--max-messages', '50']);
    await cli(['mailbox', 'add', '30', '--name', 'Thirty']);
    await addMessages('305', ['new', 'new', 'old']);
    const r = await cli(['mailbox', 'list']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      [
        'ID   NAME        PIN  NEW  OLD  MAX', //
        '30   Thirty      no     0    0  100',
        '305  Front desk  yes    2    1   50',
        '',
      ].join('\n'),
    );
  });

  it('prints JSON with --json, without any PIN field', async () => {
    await cli(['mailbox', 'add', '305', '--name', 'Front desk', '--pin', PIN]);
    await addMessages('305', ['old']);
    const r = await cli(['mailbox', 'list', '--json']);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout) as unknown[];
    expect(parsed).toEqual([
      { id: '305', name: 'Front desk', hasPin: true, maxMessages: 100, greeting: null, createdAt: expect.any(String) as string, messages: { new: 0, old: 1 } },
    ]);
  });
});

describe('mailbox remove', () => {
  it('removes an empty mailbox', async () => {
    await cli(['mailbox', 'add', '305', '--name', 'Front']);
    expect(await cli(['mailbox', 'remove', '305'])).toEqual({ code: 0, stdout: 'Removed mailbox 305 "Front".\n', stderr: '' });
    await withStore(async (store) => expect(await store.getMailbox('305')).toBeUndefined());
  });

  it('refuses a mailbox with messages unless --force, then says their recordings remain on Asterisk', async () => {
    await cli(['mailbox', 'add', '305', '--name', 'Front']);
    await cli(['mailbox', 'add', '30', '--name', 'Thirty']);
    await addMessages('305', ['new', 'old']);
    await addMessages('30', ['new']);
    await fails(['mailbox', 'remove', '305'], /^stasis-flows: mailbox 305 has 2 messages \(1 new, 1 old\); use --force to remove it and its messages$/m);
    await withStore(async (store) => expect(await store.countMessages('305')).toEqual({ new: 1, old: 1 }));

    const r = await cli(['mailbox', 'remove', '305', '--force']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^Removed mailbox 305 "Front"\.\n/);
    expect(r.stdout).toMatch(/Its 2 messages left the database; the recordings remain on Asterisk\nuntil deleted \(stasis-flows messages delete\) or exported:\n {2}voicemail\/305\/m0\n {2}voicemail\/305\/m1\n$/);
    await withStore(async (store) => {
      expect(await store.getMailbox('305')).toBeUndefined();
      expect(await store.listMessages('305')).toEqual([]);
      // Mailbox 30 is not 305.
      expect(await store.countMessages('30')).toEqual({ new: 1, old: 0 });
    });
  });

  it('refuses an unknown mailbox and a bad id', async () => {
    await fails(['mailbox', 'remove', '305'], /^stasis-flows: mailbox "305" does not exist$/m);
    await fails(['mailbox', 'remove', '../x'], /^stasis-flows: mailbox id must be/);
    await fails(['mailbox', 'remove', 'x'.repeat(41), '--force'], /^stasis-flows: mailbox id must be/);
  });
});

describe('mailbox set', () => {
  beforeEach(async () => {
    await cli(['mailbox', 'add', '305', '--name', 'Front', '--max-messages', '10']);
  });

  it('changes the name, the PIN and the limit, saying what changed', async () => {
    expect(await cli(['mailbox', 'set', '305', '--name', 'Reception', '--pin', PIN])).toEqual({
      code: 0,
      stdout: 'Updated mailbox 305: name "Reception", PIN set.\n',
      stderr: '',
    });
    expect((await cli(['mailbox', 'set', '305', '--max-messages', '20'])).stdout).toBe('Updated mailbox 305: up to 20 messages.\n');
    await withStore(async (store) => {
      expect(await store.getMailbox('305')).toMatchObject({ name: 'Reception', hasPin: true, maxMessages: 20 });
      expect(await store.verifyPin('305', PIN)).toBe(true);
    });
    expect((await cli(['mailbox', 'set', '305', '--pin', OTHER_PIN])).stdout).toBe('Updated mailbox 305: PIN set.\n');
    await withStore(async (store) => expect(await store.verifyPin('305', OTHER_PIN)).toBe(true));
    expect((await cli(['mailbox', 'set', '305', '--no-pin'])).stdout).toBe('Updated mailbox 305: PIN removed.\n');
    await withStore(async (store) => expect(await store.getMailbox('305')).toMatchObject({ hasPin: false }));
  });

  it('refuses bad values and unknown mailboxes', async () => {
    await fails(['mailbox', 'set', '305', '--pin', '12'], /^stasis-flows: mailbox pin must be 4-16 digits$/m);
    await fails(['mailbox', 'set', '305', '--name', ''], /^stasis-flows: mailbox name is required/);
    await fails(['mailbox', 'set', '305', '--max-messages', '100001'], /--max-messages must be a whole number from 1 to 100000/);
    await fails(['mailbox', 'set', '999', '--name', 'X'], /^stasis-flows: mailbox "999" does not exist$/m);
    await fails(['mailbox', 'set', '../x', '--name', 'X'], /^stasis-flows: mailbox id must be/);
    await withStore(async (store) => expect(await store.getMailbox('305')).toMatchObject({ name: 'Front', hasPin: false, maxMessages: 10 }));
  });
});

describe('the program', () => {
  it('runs as a child process and exits with the command’s code', async () => {
    await cli(['mailbox', 'add', '305', '--name', 'Front desk']);
    const run = (args: string[]) =>
      promisify(execFile)('npx', ['tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, env: { ...process.env, STASIS_FLOWS_DATA_DIR: dir } }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
      );
    const listed = await run(['mailbox', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^305 +Front desk +no +0 +0 +100$/m);
    const failed = await run(['mailbox', 'remove', 'nope']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^stasis-flows: mailbox "nope" does not exist$/m);
  });
});
