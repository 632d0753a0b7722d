import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { validate as isUuid } from 'uuid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { openVoiceStore, type VoiceApp } from '../../src/storage/index.js';
import { Sink } from '../support/sink.js';

const SECRET = 'k9-QxW2vT7s-secret';
const ANSWER = 'http://127.0.0.1:3000/webhooks/answer';
const EVENT = 'http://127.0.0.1:3000/webhooks/events';

let dir: string;
let printed: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'stasis-flows-cli-voice-'));
  printed = '';
});

afterEach(() => {
  expect(printed).not.toContain(SECRET);
  expect(printed).not.toMatch(/\n\s+at /);
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]) {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runCli(args, { env: { STASIS_FLOWS_DATA_DIR: dir }, stdout, stderr });
  printed += stdout.text + stderr.text;
  return { code, stdout: stdout.text, stderr: stderr.text };
}

async function fails(args: string[], message: RegExp) {
  const r = await cli(args);
  expect(r).toMatchObject({ code: 1, stdout: '' });
  expect(r.stderr).toMatch(/^stasis-flows: [^\n]+\n$/);
  expect(r.stderr).toMatch(message);
}

async function misused(args: string[], problem: RegExp) {
  const r = await cli(args);
  expect(r).toMatchObject({ code: 2, stdout: '' });
  const [first, blank, usage] = r.stderr.split('\n');
  expect(first).toMatch(problem);
  expect(blank).toBe('');
  expect(usage).toMatch(/^Usage: stasis-flows voice-app /);
}

async function stored(name: string): Promise<VoiceApp | undefined> {
  const store = openVoiceStore(dir);
  try {
    return await store.getApp(name);
  } finally {
    await store.close();
  }
}

async function addIvr(...extra: string[]) {
  return cli(['voice-app', 'add', 'ivr', '--answer-url', ANSWER, '--event-url', EVENT, ...extra]);
}

describe('voice-app help', () => {
  it('is listed among the groups, and lists its commands', async () => {
    expect((await cli(['--help'])).stdout).toMatch(/^ {2}voice-app +manage voice API applications/m);
    const r = await cli(['voice-app', '--help']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    for (const command of ['add', 'list', 'remove', 'set']) expect(r.stdout).toMatch(new RegExp(`^ {2}${command} +\\S`, 'm'));
  });

  it.each([
    ['add', /^Usage: stasis-flows voice-app add <name> \[--dialect ncco\|twiml\] --answer-url <url> --event-url <url> \[--answer-method GET\|POST\] \[--event-method POST\|GET\] \[--fallback-answer-url <url>\] \[--signature-secret <s>\] \[--public-key <file>\]$/m],
    ['list', /^Usage: stasis-flows voice-app list \[--json\]$/m],
    ['set', /^Usage: stasis-flows voice-app set <name> \[--answer-url <url>\] \[--event-url <url>\] \[--answer-method GET\|POST\]/m],
    ['remove', /^Usage: stasis-flows voice-app remove <name>$/m],
  ])('%s --help prints its usage', async (command, usage) => {
    const r = await cli(['voice-app', command, '--help']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(usage);
    expect(r.stdout).toMatch(/^ {2}-h, --help +show this help$/m);
  });
});

describe('voice-app add', () => {
  it('prints the new application_id on its first line and stores the app with default methods', async () => {
    const r = await addIvr();
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const first = r.stdout.split('\n')[0]!;
    const id = /^added voice app "ivr": application_id (\S+)$/.exec(first)?.[1];
    expect(id !== undefined && isUuid(id)).toBe(true);
    expect(await stored('ivr')).toMatchObject({ id, dialect: 'ncco', answerUrl: ANSWER, answerMethod: 'GET', eventUrl: EVENT, eventMethod: 'POST' });
    expect(r.stdout).toMatch(/signed: no/);
    expect(r.stdout).not.toMatch(/account_sid|auth_token/);
  });

  it('takes methods in any case, stores them upper-case, and keeps the secret without printing it', async () => {
    const r = await addIvr('--answer-method', 'post', '--event-method', 'Get', '--fallback-answer-url', 'http://127.0.0.1:3001/answer', '--signature-secret', SECRET);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/signed: yes/);
    expect(await stored('ivr')).toMatchObject({ answerMethod: 'POST', eventMethod: 'GET', fallbackAnswerUrl: 'http://127.0.0.1:3001/answer', signatureSecret: SECRET });
  });

  it('refuses a duplicate name, a bad name, a bad URL or method, with one line', async () => {
    await addIvr();
    await fails(['voice-app', 'add', 'ivr', '--answer-url', ANSWER, '--event-url', EVENT], /voice app "ivr" already exists/);
    await fails(['voice-app', 'add', 'bad name', '--answer-url', ANSWER, '--event-url', EVENT], /name must be 1-64/);
    await fails(['voice-app', 'add', 'x', '--answer-url', 'ftp://h/a', '--event-url', EVENT], /answer URL must be an http\(s\) URL/);
    await fails(['voice-app', 'add', 'x', '--answer-url', ANSWER, '--event-url', EVENT, '--answer-method', 'PUT'], /--answer-method must be GET or POST, got "PUT"/);
    expect(await stored('x')).toBeUndefined();
  });

  it('needs both URLs', async () => {
    await misused(['voice-app', 'add', 'ivr', '--event-url', EVENT], /^stasis-flows: missing option --answer-url$/);
    await misused(['voice-app', 'add', 'ivr', '--answer-url', ANSWER], /^stasis-flows: missing option --event-url$/);
    await misused(['voice-app', 'add', '--answer-url', ANSWER, '--event-url', EVENT], /^stasis-flows: missing argument <name>$/);
  });
});

describe('voice-app list', () => {
  it('says there are none yet', async () => {
    const r = await cli(['voice-app', 'list']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^No voice apps yet/);
  });

  it('shows name, application_id, both webhooks with methods, fallback and whether signed, never the secret', async () => {
    await addIvr('--signature-secret', SECRET, '--fallback-answer-url', 'http://127.0.0.1:3001/fallback');
    await cli(['voice-app', 'add', 'greeting', '--answer-url', 'http://h/answer', '--event-url', 'http://h/events', '--event-method', 'get']);
    const ivr = (await stored('ivr'))!;
    const r = await cli(['voice-app', 'list']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const [header, first, second] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^NAME +DIALECT +APPLICATION_ID +ACCOUNT_SID +ANSWER +EVENT +FALLBACK +SIGNED +PUBLIC KEY$/);
    expect(first).toMatch(/^greeting +ncco +\S+ +- +GET http:\/\/h\/answer +GET http:\/\/h\/events +- +signed: no +public key: no$/);
    expect(second).toContain(ivr.id);
    expect(second).toMatch(new RegExp(`^ivr +ncco +${ivr.id} +- +GET ${ANSWER} +POST ${EVENT} +http://127.0.0.1:3001/fallback +signed: yes +public key: no$`));
  });

  it('--json gives the apps with `signed` instead of the secret', async () => {
    await addIvr('--signature-secret', SECRET);
    const r = await cli(['voice-app', 'list', '--json']);
    const apps = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(apps).toHaveLength(1);
    expect(apps[0]).toMatchObject({ name: 'ivr', answerUrl: ANSWER, signed: true });
    expect(apps[0]).not.toHaveProperty('signatureSecret');
  });
});

describe('voice-app set', () => {
  it('changes the fields given and keeps the rest', async () => {
    await addIvr('--signature-secret', SECRET);
    const before = (await stored('ivr'))!;
    const r = await cli(['voice-app', 'set', 'ivr', '--event-url', 'http://new/events', '--answer-method', 'post']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.split('\n')[0]).toBe(`updated voice app "ivr": application_id ${before.id}`);
    expect(await stored('ivr')).toEqual({ ...before, eventUrl: 'http://new/events', answerMethod: 'POST' });
  });

  it('removes the fallback and the secret with ""', async () => {
    await addIvr('--signature-secret', SECRET, '--fallback-answer-url', 'http://f/a');
    const r = await cli(['voice-app', 'set', 'ivr', '--signature-secret', '', '--fallback-answer-url', '']);
    expect(r.stdout).toMatch(/signed: no/);
    const app = (await stored('ivr'))!;
    expect(app.signatureSecret).toBeUndefined();
    expect(app.fallbackAnswerUrl).toBeUndefined();
  });

  it('fails with one line for an unknown app, and with usage when nothing is to change', async () => {
    await fails(['voice-app', 'set', 'nope', '--event-url', EVENT], /^stasis-flows: voice app "nope" does not exist\n$/);
    await addIvr();
    await misused(['voice-app', 'set', 'ivr'], /^stasis-flows: nothing to change/);
  });
});

describe('voice-app remove', () => {
  it('removes an app', async () => {
    await addIvr();
    const { id } = (await stored('ivr'))!;
    const r = await cli(['voice-app', 'remove', 'ivr']);
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: `removed voice app "ivr": application_id ${id}\n` });
    expect(await stored('ivr')).toBeUndefined();
  });

  it('fails with one line for an unknown app (or an application_id)', async () => {
    await fails(['voice-app', 'remove', 'nope'], /^stasis-flows: voice app "nope" does not exist\n$/);
    await addIvr();
    const { id } = (await stored('ivr'))!;
    await fails(['voice-app', 'remove', id], /does not exist/);
    expect(await stored('ivr')).toBeDefined();
  });
});

describe('voice-app --public-key', () => {
  async function pemFiles() {
    const rsa = await generateKeyPair('RS256', { extractable: true });
    const ec = await generateKeyPair('ES256', { extractable: true });
    const files = { rsa: path.join(dir, 'rsa.pub'), privateKey: path.join(dir, 'rsa.key'), ec: path.join(dir, 'ec.pub'), junk: path.join(dir, 'junk.pub') };
    const pem = await exportSPKI(rsa.publicKey);
    writeFileSync(files.rsa, pem);
    writeFileSync(files.privateKey, await exportPKCS8(rsa.privateKey));
    writeFileSync(files.ec, await exportSPKI(ec.publicKey));
    writeFileSync(files.junk, '-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n');
    return { files, pem };
  }

  it('add stores the PEM RSA public key from the file; list shows "public key: yes" (and --json publicKey: true, never the key)', async () => {
    const { files, pem } = await pemFiles();
    const r = await addIvr('--public-key', files.rsa);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^ {2}public key: yes$/m);
    expect((await stored('ivr'))!.publicKey).toBe(pem.trim());
    expect((await cli(['voice-app', 'list'])).stdout).toMatch(/public key: yes$/m);
    const json = JSON.parse((await cli(['voice-app', 'list', '--json'])).stdout) as Record<string, unknown>[];
    expect(json[0]).toMatchObject({ name: 'ivr', publicKey: true });
    expect(JSON.stringify(json)).not.toContain('BEGIN');
  });

  it('refuses, with one line and no change, a missing file, a private key, an EC key and a broken PEM', async () => {
    const { files } = await pemFiles();
    await fails(['voice-app', 'add', 'x', '--answer-url', ANSWER, '--event-url', EVENT, '--public-key', path.join(dir, 'none.pub')], /cannot read --public-key .*none\.pub/);
    await fails(['voice-app', 'add', 'x', '--answer-url', ANSWER, '--event-url', EVENT, '--public-key', files.privateKey], /this is a private key, give its public key/);
    await fails(['voice-app', 'add', 'x', '--answer-url', ANSWER, '--event-url', EVENT, '--public-key', files.ec], /public key must be a PEM RSA public key/);
    await fails(['voice-app', 'add', 'x', '--answer-url', ANSWER, '--event-url', EVENT, '--public-key', files.junk], /public key must be a PEM RSA public key/);
    expect(await stored('x')).toBeUndefined();
    await addIvr('--public-key', files.rsa);
    const before = await stored('ivr');
    await fails(['voice-app', 'set', 'ivr', '--public-key', files.ec, '--event-url', 'http://new/events'], /PEM RSA public key/);
    expect(await stored('ivr')).toEqual(before);
  });

  it('set adds, replaces and (with "") removes the key', async () => {
    const { files, pem } = await pemFiles();
    await addIvr();
    expect((await cli(['voice-app', 'set', 'ivr', '--public-key', files.rsa])).stdout).toMatch(/public key: yes/);
    expect((await stored('ivr'))!.publicKey).toBe(pem.trim());
    const r = await cli(['voice-app', 'set', 'ivr', '--public-key', '']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/public key: no/);
    expect((await stored('ivr'))!.publicKey).toBeUndefined();
  });
});

describe('voice-app --dialect twiml', () => {
  const TOKEN = /^auth_token ([0-9a-f]{32})$/m;

  async function addTwiml(...extra: string[]) {
    const r = await cli(['voice-app', 'add', 'tw', '--dialect', 'twiml', '--answer-url', ANSWER, '--event-url', EVENT, ...extra]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    return r;
  }

  /** The Account SID Twilio clients use: AC and the application_id's 32 hex digits. */
  const sidOf = (id: string) => `AC${id.replaceAll('-', '')}`;

  it('add prints the application_id, then the account_sid (AC + its hex), then a new auth token that is stored as the secret', async () => {
    const r = await addTwiml();
    const [first, second, third] = r.stdout.split('\n');
    const id = /^added voice app "tw": application_id (\S+)$/.exec(first!)?.[1];
    expect(id !== undefined && isUuid(id)).toBe(true);
    expect(second).toBe(`account_sid ${sidOf(id!)}`);
    expect(second).toMatch(/^account_sid AC[0-9a-f]{32}$/);
    const token = TOKEN.exec(third!)?.[1];
    expect(token).toBeDefined();
    expect(await stored('tw')).toMatchObject({ id, dialect: 'twiml', signatureSecret: token });
    expect(r.stdout).toMatch(/^ {2}dialect: {2}twiml$/m);
    // A second app gets a token of its own.
    const other = await cli(['voice-app', 'add', 'tw2', '--dialect', 'twiml', '--answer-url', ANSWER, '--event-url', EVENT]);
    expect(TOKEN.exec(other.stdout)?.[1]).not.toBe(token);
  });

  it('answers with POST by default (ncco stays GET); a method given is kept', async () => {
    await addTwiml();
    await addIvr();
    await cli(['voice-app', 'add', 'tw-get', '--dialect', 'twiml', '--answer-url', ANSWER, '--event-url', EVENT, '--answer-method', 'get']);
    expect(await stored('tw')).toMatchObject({ answerMethod: 'POST', eventMethod: 'POST' });
    expect(await stored('ivr')).toMatchObject({ answerMethod: 'GET' });
    expect(await stored('tw-get')).toMatchObject({ answerMethod: 'GET' });
  });

  it('add with --signature-secret keeps it as the auth token, and prints no token', async () => {
    const r = await addTwiml('--signature-secret', SECRET);
    expect(r.stdout).toMatch(/^account_sid AC[0-9a-f]{32}$/m);
    expect(r.stdout).not.toMatch(/auth_token/);
    expect((await stored('tw'))!.signatureSecret).toBe(SECRET);
  });

  it('list shows the dialect and the account SID (- for ncco), never the token, in the table and in --json', async () => {
    const token = TOKEN.exec((await addTwiml()).stdout)![1]!;
    await addIvr('--signature-secret', SECRET);
    const tw = (await stored('tw'))!;
    const table = await cli(['voice-app', 'list']);
    expect(table).toMatchObject({ code: 0, stderr: '' });
    const [, ivrRow, twRow] = table.stdout.trimEnd().split('\n');
    expect(ivrRow).toMatch(/^ivr +ncco +\S+ +- +GET /);
    expect(twRow).toMatch(new RegExp(`^tw +twiml +${tw.id} +${sidOf(tw.id)} +POST ${ANSWER} +POST ${EVENT} +- +signed: yes +public key: no$`));
    expect(table.stdout).not.toContain(token);
    const json = await cli(['voice-app', 'list', '--json']);
    expect(json.stdout).not.toContain(token);
    const apps = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(apps.map((a) => [a.name, a.dialect, a.accountSid])).toEqual([
      ['ivr', 'ncco', undefined],
      ['tw', 'twiml', sidOf(tw.id)],
    ]);
    expect(apps[1]).toMatchObject({ id: tw.id, signed: true });
    for (const app of apps) expect(app).not.toHaveProperty('signatureSecret');
  });

  it('refuses an unknown --dialect with one line, storing nothing; accepts any case', async () => {
    await fails(['voice-app', 'add', 'x', '--dialect', 'vxml', '--answer-url', ANSWER, '--event-url', EVENT], /^stasis-flows: --dialect must be ncco or twiml, got "vxml"\n$/);
    expect(await stored('x')).toBeUndefined();
    await cli(['voice-app', 'add', 'x', '--dialect', 'TwiML', '--answer-url', ANSWER, '--event-url', EVENT]);
    expect((await stored('x'))!.dialect).toBe('twiml');
  });

  it('set --signature-secret "" is refused on a twiml app (it is the auth token), changing nothing', async () => {
    await addTwiml();
    const before = await stored('tw');
    await fails(['voice-app', 'set', 'tw', '--signature-secret', '', '--event-url', 'http://new/events'], /"tw" speaks twiml: its signature secret is its auth token/);
    expect(await stored('tw')).toEqual(before);
  });

  it('set --new-auth-token prints a new token and stores it; refused on an ncco app and together with --signature-secret', async () => {
    const old = TOKEN.exec((await addTwiml()).stdout)![1]!;
    const r = await cli(['voice-app', 'set', 'tw', '--new-auth-token']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const [first, second, third] = r.stdout.split('\n');
    const tw = (await stored('tw'))!;
    expect(first).toBe(`updated voice app "tw": application_id ${tw.id}`);
    expect(second).toBe(`account_sid ${sidOf(tw.id)}`);
    const token = TOKEN.exec(third!)?.[1];
    expect(token).toBeDefined();
    expect(token).not.toBe(old);
    expect(tw.signatureSecret).toBe(token);
    await addIvr('--signature-secret', SECRET);
    await fails(['voice-app', 'set', 'ivr', '--new-auth-token'], /--new-auth-token is for twiml apps; voice app "ivr" speaks ncco/);
    expect((await stored('ivr'))!.signatureSecret).toBe(SECRET);
    await fails(['voice-app', 'set', 'nope', '--new-auth-token'], /^stasis-flows: voice app "nope" does not exist\n$/);
    await misused(['voice-app', 'set', 'tw', '--new-auth-token', '--signature-secret', 'x'], /^stasis-flows: give --new-auth-token or --signature-secret, not both$/);
    expect((await stored('tw'))!.signatureSecret).toBe(token);
  });

  it('set --dialect cannot change the dialect (remove and add instead)', async () => {
    await addIvr();
    const before = await stored('ivr');
    await fails(['voice-app', 'set', 'ivr', '--dialect', 'twiml', '--signature-secret', 'x'], /voice app "ivr" speaks ncco: its dialect cannot change \(remove it and add it again\)/);
    await fails(['voice-app', 'set', 'ivr', '--dialect', 'nope'], /--dialect must be ncco or twiml/);
    expect(await stored('ivr')).toEqual(before);
  });
});
