/**
 * `stasis-flows messages ...` in-process through runCli, against the world's
 * ARI (simulator, or a real Asterisk with ARI_URL) and the app's database.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import { wavDurationSeconds } from '../../src/audio/wav.js';
import { runCli } from '../../src/cli/main.js';
import { openStore } from '../../src/storage/index.js';
import type { VoicemailStore } from '../../src/storage/types.js';
import { TestCaller } from '../support/caller.js';
import { startWorld, type World } from '../support/world.js';
import { Sink } from '../support/sink.js';

let world: World;
let store: VoicemailStore;
let caller: TestCaller;
let sample: string;

beforeAll(async () => {
  world = await startWorld();
  store = openStore(path.join(world.tmpDir, 'data'));
  caller = await TestCaller.connect(world);
  sample = `stasis-flows-test/${uuidv4()}`;
  await caller.makeRecording(sample, 2);
}, 30_000);

afterAll(async () => {
  await caller?.ari.recordings.deleteStored(sample).catch(() => undefined);
  await caller?.close();
  await store?.close();
  await world?.close();
});

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const env = {
    ARI_URL: world.ariUrl,
    ARI_USERNAME: world.username,
    ARI_PASSWORD: world.password,
    ARI_CONNECT_RETRIES: '0',
    STASIS_FLOWS_DATA_DIR: path.join(world.tmpDir, 'data'),
  };
  const code = await runCli(args, { env, stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A mailbox with `count` messages whose audio is a copy of the sample. */
async function seed(count: number): Promise<{ mailbox: string; ids: string[] }> {
  const mailbox = `m${uuidv4().slice(0, 8)}`;
  await store.addMailbox({ id: mailbox, name: 'CLI test' });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = uuidv7();
    await caller.ari.recordings.copyStored(sample, `voicemail/${mailbox}/${id}`);
    await store.addMessage({ id, mailbox, recording: `voicemail/${mailbox}/${id}`, callerNumber: '2001', callerName: 'Alice', receivedAt: new Date().toISOString(), durationSeconds: 2 });
    ids.push(id);
  }
  return { mailbox, ids };
}

async function stored(mailbox: string): Promise<string[]> {
  return (await caller.ari.recordings.listStored()).map((r) => r.name).filter((n) => n.startsWith(`voicemail/${mailbox}/`));
}

describe('stasis-flows messages', () => {
  it('lists a mailbox’s messages, new first', async () => {
    const { mailbox, ids } = await seed(2);
    await store.moveMessage(ids[0]!, 'old');
    const { code, stdout } = await cli('messages', 'list', mailbox);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^#\s+FOLDER\s+RECEIVED\s+FROM\s+LENGTH\s+ID$/);
    expect(lines[1]).toContain(ids[1]);
    expect(lines[1]).toContain('new');
    expect(lines[2]).toContain(ids[0]);
    expect(lines[2]).toContain('Alice <2001>');
    const json = JSON.parse((await cli('messages', 'list', mailbox, '--json')).stdout) as { id: string }[];
    expect(json.map((m) => m.id)).toEqual([ids[1], ids[0]]);
    await cli('messages', 'delete', mailbox, '--all');
  });

  it('exports each message’s audio, downloaded through ARI, with an index', async () => {
    const { mailbox, ids } = await seed(2);
    const dir = path.join(world.tmpDir, `export-${mailbox}`);
    const { code, stdout } = await cli('messages', 'export', mailbox, dir);
    expect(code).toBe(0);
    expect(stdout).toContain(`Exported 2 messages of mailbox ${mailbox}`);
    const files = (await readdir(dir)).sort();
    expect(files).toEqual([`001-${ids[0]}.wav`, `002-${ids[1]}.wav`, 'messages.json']);
    const seconds = wavDurationSeconds(await readFile(path.join(dir, files[0]!)));
    expect(seconds).toBeGreaterThan(1);
    expect(seconds).toBeLessThan(3);
    const index = JSON.parse(await readFile(path.join(dir, 'messages.json'), 'utf8')) as { id: string; file: string }[];
    expect(index.map((m) => m.file)).toEqual(files.slice(0, 2));
    await cli('messages', 'delete', mailbox, '--all');
  });

  it('reports a message whose audio is missing on Asterisk, exports the rest, exits 1', async () => {
    const { mailbox, ids } = await seed(2);
    await caller.ari.recordings.deleteStored(`voicemail/${mailbox}/${ids[0]!}`);
    const { code, stdout, stderr } = await cli('messages', 'export', mailbox, path.join(world.tmpDir, `export-${mailbox}`));
    expect(code).toBe(1);
    expect(stdout).toContain('Exported 1 message');
    expect(stderr).toContain(`message ${ids[0]!}: its audio voicemail/${mailbox}/${ids[0]!} is missing on Asterisk; skipped`);
    await cli('messages', 'delete', mailbox, '--all');
  });

  it('deletes one message: audio on Asterisk and database row', async () => {
    const { mailbox, ids } = await seed(2);
    const { code, stdout } = await cli('messages', 'delete', mailbox, ids[0]!);
    expect(code).toBe(0);
    expect(stdout).toContain('Deleted 1 message');
    expect(await stored(mailbox)).toEqual([`voicemail/${mailbox}/${ids[1]!}`]);
    expect((await store.listMessages(mailbox)).map((m) => m.id)).toEqual([ids[1]]);
    await cli('messages', 'delete', mailbox, '--all');
  });

  it('--all also deletes recordings a removed mailbox left on Asterisk', async () => {
    const { mailbox } = await seed(2);
    await store.removeMailbox(mailbox);
    expect(await stored(mailbox)).toHaveLength(2);
    const { code, stdout } = await cli('messages', 'delete', mailbox, '--all');
    expect(code).toBe(0);
    expect(stdout).toContain('and 2 recordings without a message');
    expect(await stored(mailbox)).toEqual([]);
  });

  it.each([
    [['messages', 'list', 'no-such-box'], 1, /mailbox "no-such-box" does not exist/],
    [['messages', 'list', '../etc'], 1, /mailbox id/],
    [['messages', 'delete', 'box1'], 2, /give message ids or --all/],
    [['messages', 'export', 'box1'], 2, /missing argument <dir>/],
  ])('bad input %j exits %i with a clear line', async (args, code, message) => {
    const result = await cli(...args);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
