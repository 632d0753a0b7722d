/**
 * Bad input at the CLI's edges (issue 14): every command gets malformed,
 * oversized and hostile arguments (paths for names, 41-character and unicode
 * mailboxes, NUL bytes, empty values, unknown options) and must answer with
 * one clear line and exit 1, or a usage error and exit 2, and write nothing:
 * the database, the data directory, the sounds directory, the export folders
 * and the recordings stored on Asterisk are the same afterwards.
 */
import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { openStore, openVoiceStore, type VoiceApp } from '../../src/storage/index.js';
import { makeTone } from '../sounds/media.js';
import { TestCaller } from '../support/caller.js';
import { Sink } from '../support/sink.js';
import { startWorld, type World } from '../support/world.js';

const PIN = '80516273';
const SECRET = 'edge-signing-secret-5f3a9c';
const TOKEN = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const LONG_ID = 'a'.repeat(41);
const UUID = '0190a6a4-7c1e-7000-8000-000000000001';

let world: World;
let caller: TestCaller;
let dataDir: string;
/** Where export targets and inputs live (not the data directory). */
let scratch: string;
let wav: string;
let notAudio: string;
let bigKey: string;
let privateKeyFile: string;
let ivr: VoiceApp;
let messageId: string;
let printed = '';

beforeAll(async () => {
  world = await startWorld({ writableSounds: true });
  caller = await TestCaller.connect(world);
  dataDir = path.join(world.tmpDir, 'data');
  scratch = path.join(world.tmpDir, 'scratch');
  await mkdir(scratch);
  wav = await makeTone(path.join(scratch, 'tone.wav'), { rate: 8000, channels: 1, seconds: 1 });
  notAudio = path.join(scratch, 'notes.wav');
  await writeFile(notAudio, 'these are not samples\n');
  bigKey = path.join(scratch, 'big.pem');
  await writeFile(bigKey, `-----BEGIN PUBLIC KEY-----\n${'A'.repeat(20_000)}\n-----END PUBLIC KEY-----\n`);
  privateKeyFile = path.join(scratch, 'private.pem');
  await writeFile(privateKeyFile, '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n');
  await writeFile(path.join(scratch, 'a-file'), 'x');

  const store = openStore(dataDir);
  const voice = openVoiceStore(dataDir);
  try {
    await store.addMailbox({ id: 'box', name: 'Front desk', pin: PIN });
    await store.addMailbox({ id: 'empty', name: 'Nobody calls' });
    messageId = uuidv7();
    const recording = `voicemail/box/${messageId}`;
    await caller.makeRecording(recording, 1);
    await store.addMessage({ id: messageId, mailbox: 'box', recording, callerNumber: '2001', callerName: 'Alice', receivedAt: new Date().toISOString(), durationSeconds: 1 });
    ivr = await voice.addApp({ name: 'ivr', answerUrl: 'http://127.0.0.1:1/a', eventUrl: 'http://127.0.0.1:1/e', signatureSecret: SECRET });
    await voice.addApp({ name: 'line', dialect: 'twiml', answerUrl: 'http://127.0.0.1:1/a', eventUrl: 'http://127.0.0.1:1/e', signatureSecret: TOKEN });
  } finally {
    await store.close();
    await voice.close();
  }
}, 30_000);

afterAll(async () => {
  await caller?.close();
  await world?.close();
});

afterEach(() => {
  // No secret, and no stack: an expected failure is one line.
  for (const secret of [PIN, SECRET, TOKEN]) expect(printed).not.toContain(secret);
  expect(printed).not.toMatch(/\n\s+at /);
  expect(printed).not.toContain('unexpected error');
  printed = '';
});

async function cli(args: string[], env: Record<string, string> = {}) {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runCli(args, {
    env: {
      ARI_URL: world.ariUrl,
      ARI_USERNAME: world.username,
      ARI_PASSWORD: world.password,
      ARI_CONNECT_RETRIES: '0',
      STASIS_FLOWS_DATA_DIR: dataDir,
      ASTERISK_SOUNDS_DIR: world.soundsDir!,
      ...env,
    },
    stdout,
    stderr,
  });
  printed += stdout.text + stderr.text;
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Names (and sizes of regular files) under `dir`, recursively; the database files aside (reads touch them). */
async function listing(dir: string, skip: (name: string) => boolean = () => false): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const entry of entries) {
    const full = path.join(entry.parentPath, entry.name);
    const rel = path.relative(dir, full);
    if (skip(rel)) continue;
    out.push(entry.isFile() ? `${rel} ${(await stat(full)).size}` : rel);
  }
  return out.sort();
}

/** Everything a command could write: rows, files, sounds, stored recordings. */
async function snapshot(): Promise<string> {
  const store = openStore(dataDir);
  const voice = openVoiceStore(dataDir);
  try {
    const mailboxes = [];
    for (const mailbox of await store.listMailboxes()) mailboxes.push({ ...mailbox, messages: await store.listMessages(mailbox.id) });
    const sounds = world.soundsDir!;
    return JSON.stringify({
      mailboxes,
      apps: await voice.listApps(),
      data: await listing(dataDir, (rel) => rel.startsWith('stasis-flows.db')),
      scratch: await listing(scratch),
      // Installed prompts are linked into en/: one level is enough to see a new file there.
      soundsEn: (await readdir(path.join(sounds, 'en'))).sort(),
      soundLanguages: await listing(sounds, (rel) => rel === 'en' || rel.startsWith(`en${path.sep}`)),
      stored: (await caller.ari.recordings.listStored()).map((r) => r.name).sort(),
    });
  } finally {
    await store.close();
    await voice.close();
  }
}

type Case = [label: string, argv: string[], code: 1 | 2, message: RegExp];

/** Runs one refused command: the exit code, one line (exit 1) or the problem then the usage (exit 2), and nothing changed. */
async function refused(argv: string[], code: 1 | 2, message: RegExp, env?: Record<string, string>): Promise<void> {
  const before = await snapshot();
  const r = await cli(argv, env);
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  if (code === 1) {
    expect(r.stderr).toMatch(/^stasis-flows: [^\n]+\n$/);
  } else {
    const [first, blank, usage] = r.stderr.split('\n');
    expect(first).toMatch(/^stasis-flows: /);
    expect(blank).toBe('');
    expect(usage).toMatch(/^Usage: stasis-flows /);
  }
  expect(r.stderr.split('\n')[0]).toMatch(message);
  expect(await snapshot()).toBe(before);
}

describe('the snapshot sees writes', () => {
  it('a valid command changes it (so an unchanged one means nothing was written)', async () => {
    const before = await snapshot();
    expect((await cli(['mailbox', 'add', 'fresh', '--name', 'Fresh'])).code).toBe(0);
    expect(await snapshot()).not.toBe(before);
    expect((await cli(['mailbox', 'remove', 'fresh'])).code).toBe(0);
    expect(await snapshot()).toBe(before);
  });
});

describe('the command line itself', () => {
  it.each<Case>([
    ['no arguments', [], 2, /missing command/],
    ['an unknown group', ['frob'], 2, /unknown command "frob"/],
    ['a group named like an Object member', ['__proto__', 'list'], 2, /unknown command "__proto__"/],
    ['a command named like an Object member', ['mailbox', 'constructor'], 2, /unknown command "constructor"/],
    ['an unknown option', ['mailbox', 'list', '--frob'], 2, /unknown option "--frob"/],
    ['a value for a flag', ['mailbox', 'list', '--json=yes'], 2, /--json takes no value/],
    ['an extra argument', ['mailbox', 'list', 'extra'], 2, /unexpected argument "extra"/],
  ])('%s', async (_label, argv, code, message) => {
    await refused(argv, code, message);
  });

  it('a data directory that is a file: one line, exit 1, nothing written', async () => {
    await refused(['mailbox', 'list'], 1, /cannot create the data directory/, { STASIS_FLOWS_DATA_DIR: path.join(scratch, 'a-file') });
  });
});

describe('mailbox', () => {
  const mailboxId = /mailbox id must be 1-40 letters, digits, "-" or "_"/;
  it.each<Case>([
    ['a path as the id', ['mailbox', 'add', '../../etc/passwd', '--name', 'x'], 1, mailboxId],
    ['a percent-encoded path as the id', ['mailbox', 'add', '%2e%2e%2f', '--name', 'x'], 1, mailboxId],
    ['a 41-character id', ['mailbox', 'add', LONG_ID, '--name', 'x'], 1, mailboxId],
    ['a unicode id', ['mailbox', 'add', 'bøx', '--name', 'x'], 1, mailboxId],
    ['an emoji id', ['mailbox', 'add', '📞', '--name', 'x'], 1, mailboxId],
    ['an empty id', ['mailbox', 'add', '', '--name', 'x'], 1, mailboxId],
    ['a NUL in the id', ['mailbox', 'add', 'a\0b', '--name', 'x'], 1, mailboxId],
    ['an empty name', ['mailbox', 'add', 'ok', '--name', ''], 1, /mailbox name is required/],
    ['a name of two lines', ['mailbox', 'add', 'ok', '--name', 'a\nb'], 1, /mailbox name is required: 1-80 characters on one line/],
    ['an 81-character name', ['mailbox', 'add', 'ok', '--name', 'x'.repeat(81)], 1, /mailbox name .* got 81 characters/],
    ['a short PIN', ['mailbox', 'add', 'ok', '--name', 'x', '--pin', '12'], 1, /mailbox pin must be 4-16 digits/],
    ['a PIN of letters', ['mailbox', 'add', 'ok', '--name', 'x', '--pin', 'abcd'], 1, /mailbox pin must be 4-16 digits/],
    ['an empty PIN', ['mailbox', 'add', 'ok', '--name', 'x', '--pin', ''], 1, /mailbox pin must be 4-16 digits/],
    ['a zero message limit', ['mailbox', 'add', 'ok', '--name', 'x', '--max-messages', '0'], 1, /--max-messages must be a whole number from 1 to 100000, got "0"/],
    ['a message limit in exponent form', ['mailbox', 'add', 'ok', '--name', 'x', '--max-messages', '1e3'], 1, /--max-messages .* got "1e3"/],
    ['a negative message limit', ['mailbox', 'add', 'ok', '--name', 'x', '--max-messages=-1'], 1, /--max-messages .* got "-1"/],
    ['a message limit over the range', ['mailbox', 'add', 'ok', '--name', 'x', '--max-messages', '100001'], 1, /--max-messages/],
    ['no --name', ['mailbox', 'add', 'ok'], 2, /missing option --name/],
    ['--name without its value', ['mailbox', 'add', 'ok', '--name'], 2, /option --name needs a value/],
    ['an id that exists', ['mailbox', 'add', 'box', '--name', 'Other'], 1, /mailbox "box" already exists/],
    ['set: a path as the id', ['mailbox', 'set', '../x', '--name', 'y'], 1, mailboxId],
    ['set: an unknown mailbox', ['mailbox', 'set', 'nope', '--name', 'y'], 1, /mailbox "nope" does not exist/],
    ['set: nothing to change', ['mailbox', 'set', 'box'], 2, /nothing to change/],
    ['set: --pin with --no-pin', ['mailbox', 'set', 'box', '--pin', '1234', '--no-pin'], 2, /--pin and --no-pin cannot be used together/],
    ['set: an empty name', ['mailbox', 'set', 'box', '--name', ''], 1, /mailbox name is required/],
    ['set: a limit of letters', ['mailbox', 'set', 'box', '--max-messages', 'many'], 1, /--max-messages .* got "many"/],
    ['remove: a path as the id', ['mailbox', 'remove', '../x'], 1, mailboxId],
    ['remove: an unknown mailbox', ['mailbox', 'remove', 'nope'], 1, /mailbox "nope" does not exist/],
    ['remove: a mailbox with messages, without --force', ['mailbox', 'remove', 'box'], 1, /has 1 message .* use --force/],
  ])('%s', async (_label, argv, code, message) => {
    await refused(argv, code, message);
  });
});

describe('messages', () => {
  const mailboxId = /mailbox id must be 1-40 letters, digits, "-" or "_"/;
  const target = () => path.join(scratch, 'export-here');
  it.each<[string, () => string[], 1 | 2, RegExp]>([
    ['list: a path as the mailbox', () => ['messages', 'list', '../../etc'], 1, mailboxId],
    ['list: a 41-character mailbox', () => ['messages', 'list', LONG_ID], 1, mailboxId],
    ['list: a unicode mailbox', () => ['messages', 'list', 'bøx'], 1, mailboxId],
    ['list: an unknown mailbox', () => ['messages', 'list', 'nope'], 1, /mailbox "nope" does not exist/],
    ['export: a path as the mailbox', () => ['messages', 'export', '../x', target()], 1, mailboxId],
    ['export: an unknown mailbox (the folder is not made)', () => ['messages', 'export', 'nope', target()], 1, /mailbox "nope" does not exist/],
    ['export: an empty folder name', () => ['messages', 'export', 'box', ''], 1, /<dir> must not be empty/],
    ['export: a NUL in the folder name', () => ['messages', 'export', 'box', `${scratch}/a\0b`], 1, /<dir> must not contain a NUL character/],
    ['export: a folder that is a file', () => ['messages', 'export', 'box', path.join(scratch, 'a-file')], 1, /cannot write the export to .*a-file: EEXIST/],
    ['export: a folder under a file', () => ['messages', 'export', 'box', path.join(scratch, 'a-file', 'sub')], 1, /cannot write the export to .*: ENOTDIR/],
    ['export: no folder', () => ['messages', 'export', 'box'], 2, /missing argument <dir>/],
    ['delete: a path as the mailbox', () => ['messages', 'delete', '../x', '--all'], 1, mailboxId],
    ['delete: a path as the message id', () => ['messages', 'delete', 'box', '../../etc/passwd'], 1, /mailbox box has no message \.\.\/\.\.\/etc\/passwd/],
    ['delete: a NUL in the message id', () => ['messages', 'delete', 'box', 'a\0b'], 1, /mailbox box has no message/],
    ['delete: a message of another mailbox', () => ['messages', 'delete', 'empty', messageId], 1, /mailbox empty has no message/],
    ['delete: an unknown mailbox', () => ['messages', 'delete', 'nope', UUID], 1, /mailbox "nope" does not exist/],
    ['delete: neither ids nor --all', () => ['messages', 'delete', 'box'], 2, /give message ids or --all/],
    ['delete: ids and --all', () => ['messages', 'delete', 'box', messageId, '--all'], 2, /give message ids or --all \(not both\)/],
  ])('%s', async (_label, argv, code, message) => {
    await refused(argv(), code, message);
  });

  it('export never writes through a symlink planted at its temporary name', async () => {
    const dir = path.join(scratch, 'planted');
    await mkdir(dir);
    const outside = path.join(world.tmpDir, 'outside.txt');
    await writeFile(outside, 'untouched');
    await symlink(outside, path.join(dir, `.messages.json.tmp-${process.pid}`));
    const r = await cli(['messages', 'export', 'empty', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(outside, 'utf8')).toBe('untouched');
    expect(JSON.parse(await readFile(path.join(dir, 'messages.json'), 'utf8'))).toEqual([]);
    expect(await readdir(dir)).toEqual(['messages.json']);
  });
});

describe('queue', () => {
  const queueName = /queue name must be 1-40 letters, digits, "-" or "_"/;
  it.each<Case>([
    ['a path as the name', ['queue', 'status', '../../etc'], 1, queueName],
    ['a 41-character name', ['queue', 'status', LONG_ID], 1, queueName],
    ['a unicode name', ['queue', 'status', 'fïle'], 1, queueName],
    ['a NUL in the name', ['queue', 'status', 'a\0b'], 1, queueName],
    ['zero hours', ['queue', 'status', '--hours', '0'], 1, /--hours must be a whole number from 1 to 8784, got "0"/],
    ['negative hours', ['queue', 'status', '--hours=-1'], 1, /--hours .* got "-1"/],
    ['hours of letters', ['queue', 'status', '--hours', 'day'], 1, /--hours .* got "day"/],
    ['a value that looks like an option', ['queue', 'status', '--hours', '-1'], 2, /option --hours needs a value/],
    ['two names', ['queue', 'status', 'a', 'b'], 2, /unexpected argument "b"/],
  ])('%s', async (_label, argv, code, message) => {
    await refused(argv, code, message);
  });
});

describe('sounds', () => {
  const soundPath = /sound name "\.\.\/x" must not contain "\/", "\\" or "\.\."/;
  const language = /language ".*" must be a code such as en, fr or pt_BR/;
  it.each<[string, () => string[], 1 | 2, RegExp]>([
    ['add: a path as the name', () => ['sounds', 'add', wav, '--name', '../x'], 1, soundPath],
    ['add: an 81-character name', () => ['sounds', 'add', wav, '--name', 'n'.repeat(81)], 1, /sound name .* must be 1-80 letters/],
    ['add: a unicode name', () => ['sounds', 'add', wav, '--name', 'bøx'], 1, /sound name "bøx" must be 1-80 letters/],
    ['add: a path as the language', () => ['sounds', 'add', wav, '--lang', '../..'], 1, language],
    ['add: a file that is not audio', () => ['sounds', 'add', '/etc/passwd', '--name', 'passwd'], 1, /\/etc\/passwd: unknown audio type; .* nothing was written/],
    ['add: a .wav that is not audio', () => ['sounds', 'add', notAudio], 1, /notes\.wav.*nothing was written/],
    ['add: a missing file', () => ['sounds', 'add', path.join(scratch, 'nope.wav')], 1, /nope\.wav: no such file; nothing was written/],
    ['add: a directory', () => ['sounds', 'add', scratch, '--name', 'dir'], 1, /is not a regular file; nothing was written/],
    ['add: a device', () => ['sounds', 'add', '/dev/zero', '--name', 'zero'], 1, /\/dev\/zero is not a regular file/],
    ['add: a file name that is no sound name', () => ['sounds', 'add', `${scratch}/a\0b.wav`], 1, /is not a valid sound name/],
    ['add: --name with two files', () => ['sounds', 'add', wav, wav, '--name', 'two'], 2, /--name names one sound/],
    ['say: a path as the name', () => ['sounds', 'say', 'hello', '--name', '../x'], 1, soundPath],
    ['say: empty text', () => ['sounds', 'say', '', '--name', 'hush'], 1, /the text to say is empty/],
    ['say: oversized text', () => ['sounds', 'say', 'x'.repeat(100_000), '--name', 'long'], 1, /100000 characters long; the limit is 4000/],
    ['say: a NUL in the text', () => ['sounds', 'say', 'hi\0there', '--name', 'nul'], 1, /contains a NUL character/],
    ['say: a path as the voice', () => ['sounds', 'say', 'hello', '--name', 'hello', '--voice', '../../x'], 1, /voice "\.\.\/\.\.\/x" is not an espeak-ng voice name/],
    ['say: no --name', () => ['sounds', 'say', 'hello'], 2, /missing option --name/],
    ['remove: a path as the name', () => ['sounds', 'remove', '../x'], 1, soundPath],
    ['remove: a path as the language', () => ['sounds', 'remove', 'x', '--lang', '../..'], 1, language],
    ['remove: an unknown sound', () => ['sounds', 'remove', 'nope'], 1, /nope is not in en/],
    ["remove: a flow's prompt without --force", () => ['sounds', 'remove', 'vm-intro'], 1, /vm-intro is a prompt of .*use --force/],
    ['list: a path among the languages', () => ['sounds', 'list', '--lang', 'en,../x'], 1, language],
    ['list: no language at all', () => ['sounds', 'list', '--lang', ','], 1, /--lang needs at least one language/],
    ['check: a path as the language', () => ['sounds', 'check', '--lang', '../..'], 1, language],
  ])('%s', async (_label, argv, code, message) => {
    await refused(argv(), code, message);
  });
});

describe('voice-app', () => {
  const URLS = ['--answer-url', 'http://127.0.0.1:1/a', '--event-url', 'http://127.0.0.1:1/e'];
  const appName = /voice app name must be 1-64 letters, digits, "-", "_" or "."/;
  it.each<[string, () => string[], 1 | 2, RegExp]>([
    ['add: a path as the name', () => ['voice-app', 'add', '../x', ...URLS], 1, appName],
    ['add: a 65-character name', () => ['voice-app', 'add', 'n'.repeat(65), ...URLS], 1, appName],
    ['add: a unicode name', () => ['voice-app', 'add', 'bøx', ...URLS], 1, appName],
    ['add: an empty name', () => ['voice-app', 'add', '', ...URLS], 1, appName],
    ['add: a NUL in the name', () => ['voice-app', 'add', 'a\0b', ...URLS], 1, appName],
    ['add: a uuid as the name', () => ['voice-app', 'add', UUID, ...URLS], 1, /must not be a uuid/],
    ['add: a name that exists', () => ['voice-app', 'add', 'ivr', ...URLS], 1, /voice app "ivr" already exists/],
    ['add: a file: answer URL', () => ['voice-app', 'add', 'x', '--answer-url', 'file:///etc/passwd', '--event-url', 'http://h/e'], 1, /answer URL must be an http\(s\) URL/],
    ['add: a javascript: event URL', () => ['voice-app', 'add', 'x', '--answer-url', 'http://h/a', '--event-url', 'javascript:alert(1)'], 1, /event URL must be an http\(s\) URL/],
    ['add: an empty answer URL', () => ['voice-app', 'add', 'x', '--answer-url', '', '--event-url', 'http://h/e'], 1, /answer URL must be an http\(s\) URL, got ""/],
    ['add: an answer URL of two lines', () => ['voice-app', 'add', 'x', '--answer-url', 'http://h/a\nX: y', '--event-url', 'http://h/e'], 1, /answer URL must be an http\(s\) URL/],
    ['add: an oversized answer URL', () => ['voice-app', 'add', 'x', '--answer-url', `http://h/${'a'.repeat(3000)}`, '--event-url', 'http://h/e'], 1, /answer URL must be an http\(s\) URL, got 3009 characters/],
    ['add: an ftp: fallback URL', () => ['voice-app', 'add', 'x', ...URLS, '--fallback-answer-url', 'ftp://h/a'], 1, /fallback answer URL must be an http\(s\) URL/],
    ['add: an unknown dialect', () => ['voice-app', 'add', 'x', ...URLS, '--dialect', 'vxml'], 1, /--dialect must be ncco or twiml, got "vxml"/],
    ['add: an unknown method', () => ['voice-app', 'add', 'x', ...URLS, '--answer-method', 'PUT'], 1, /--answer-method must be GET or POST, got "PUT"/],
    ['add: a secret of two lines', () => ['voice-app', 'add', 'x', ...URLS, '--signature-secret', 'a\nb'], 1, /signature secret must be 1-256 characters on one line/],
    ['add: an oversized secret', () => ['voice-app', 'add', 'x', ...URLS, '--signature-secret', 's'.repeat(300)], 1, /signature secret must be 1-256 characters/],
    ['add: a twiml app with an empty auth token', () => ['voice-app', 'add', 'x', ...URLS, '--dialect', 'twiml', '--signature-secret', ''], 1, /its signature secret is its auth token and cannot be empty/],
    ['add: a public key that is not PEM', () => ['voice-app', 'add', 'x', ...URLS, '--public-key', '/etc/passwd'], 1, /public key must be a PEM RSA public key/],
    ['add: a private key as the public key', () => ['voice-app', 'add', 'x', ...URLS, '--public-key', privateKeyFile], 1, /this is a private key, give its public key/],
    ['add: a missing public key file', () => ['voice-app', 'add', 'x', ...URLS, '--public-key', path.join(scratch, 'nope.pem')], 1, /cannot read --public-key .*nope\.pem: ENOENT/],
    ['add: a directory as the public key', () => ['voice-app', 'add', 'x', ...URLS, '--public-key', scratch], 1, /cannot read --public-key .*: not a regular file/],
    // Read whole before the fix: a device is read for ever.
    ['add: a device as the public key', () => ['voice-app', 'add', 'x', ...URLS, '--public-key', '/dev/zero'], 1, /cannot read --public-key \/dev\/zero: not a regular file/],
    ['add: an oversized public key file', () => ['voice-app', 'add', 'x', ...URLS, '--public-key', bigKey], 1, /cannot read --public-key .*big\.pem: \d+ bytes is too large for a PEM public key/],
    ['add: a NUL in the public key path', () => ['voice-app', 'add', 'x', ...URLS, '--public-key', 'a\0b'], 1, /cannot read --public-key/],
    ['add: no --answer-url', () => ['voice-app', 'add', 'x', '--event-url', 'http://h/e'], 2, /missing option --answer-url/],
    ['set: a path as the name', () => ['voice-app', 'set', '../x', '--answer-url', 'http://h/a'], 1, /voice app "\.\.\/x" does not exist/],
    ['set: an unknown app', () => ['voice-app', 'set', 'nope', '--answer-url', 'http://h/a'], 1, /voice app "nope" does not exist/],
    ['set: an application_id for the name', () => ['voice-app', 'set', ivr.id, '--answer-url', 'http://h/a'], 1, /does not exist/],
    ['set: nothing to change', () => ['voice-app', 'set', 'ivr'], 2, /nothing to change/],
    ['set: a new dialect', () => ['voice-app', 'set', 'ivr', '--dialect', 'twiml'], 1, /its dialect cannot change/],
    ['set: a bad answer URL', () => ['voice-app', 'set', 'ivr', '--answer-url', 'gopher://h/a'], 1, /answer URL must be an http\(s\) URL/],
    ["set: removing a twiml app's auth token", () => ['voice-app', 'set', 'line', '--signature-secret', ''], 1, /cannot be empty/],
    ['set: a new auth token for an ncco app', () => ['voice-app', 'set', 'ivr', '--new-auth-token'], 1, /--new-auth-token is for twiml apps/],
    ['set: --new-auth-token with a secret', () => ['voice-app', 'set', 'line', '--new-auth-token', '--signature-secret', 'abc'], 2, /not both/],
    ['remove: a path as the name', () => ['voice-app', 'remove', '../x'], 1, /voice app "\.\.\/x" does not exist/],
    ['remove: an empty name', () => ['voice-app', 'remove', ''], 1, /voice app "" does not exist/],
    ['remove: an application_id for the name', () => ['voice-app', 'remove', ivr.id], 1, /does not exist/],
  ])('%s', async (_label, argv, code, message) => {
    await refused(argv(), code, message);
  });

  it('a refused --public-key answers at once (not after reading the file)', async () => {
    const started = Date.now();
    await refused(['voice-app', 'set', 'ivr', '--public-key', '/dev/urandom'], 1, /not a regular file/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('an unreachable Asterisk', () => {
  // Valid commands that need ARI: they fail before writing or deleting anything.
  const away = { ARI_URL: 'http://127.0.0.1:1' };
  it.each<[string, () => string[], RegExp]>([
    ['sounds add', () => ['sounds', 'add', wav, '--name', 'tone'], /unreachable.*; nothing was written/],
    ['sounds say (nothing spoken nor cached)', () => ['sounds', 'say', 'hello', '--name', 'edge-greeting'], /unreachable.*; nothing was written/],
    ['sounds remove --force', () => ['sounds', 'remove', 'vm-intro', '--force'], /unreachable.*nothing was removed/],
    ['messages delete', () => ['messages', 'delete', 'box', messageId], /unreachable/],
    ['messages delete --all', () => ['messages', 'delete', 'box', '--all'], /unreachable/],
    ['messages export', () => ['messages', 'export', 'box', path.join(scratch, 'not-made')], /unreachable/],
  ])('%s: one line, exit 1, nothing written', async (_label, argv, message) => {
    await refused(argv(), 1, message, away);
  });
});
