import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { KeelError } from '../../src/model/index.ts';
import { openSqliteJournal, SQLITE_SCHEMA_VERSION } from '../../src/store/index.ts';
import { journalContract } from './journal-contract.ts';

journalContract('sqlite', async ({ durability }) => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-journal-'));
  const path = join(dir, 'journal.sqlite');
  return {
    journal: await openSqliteJournal({ path, durability }),
    reopen: () => openSqliteJournal({ path, durability }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

/** A temp run directory, removed after `fn`. */
async function inDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-journal-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const event = (i: number) => ({ ts: i, stream: { account: 'A' }, type: 'x', payload: { i, fee: BigInt(i) * 1_000_000n } });

/** Open must fail with this code, in one line naming the file, and leave the file byte for byte as it was. */
async function assertRefusedUntouched(path: string, code: string, message: RegExp, options: { durability?: 'process' | 'machine' } = {}): Promise<void> {
  const before = readFileSync(path);
  await assert.rejects(openSqliteJournal({ path, ...options }), (e: unknown) => {
    assert.ok(e instanceof KeelError, `a KeelError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, message);
    assert.ok(e.message.includes(path), 'names the file');
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
  assert.ok(readFileSync(path).equals(before), 'bytes unchanged');
  assert.equal(existsSync(`${path}-wal`), false, 'no WAL file created');
}

test('sqlite: a file that is not a SQLite database is refused (JOURNAL_CORRUPT) and left untouched', () => inDir(async (dir) => {
  const csv = join(dir, 'journal.sqlite');
  writeFileSync(csv, 'Date,Open,High\n2024-01-02,1,2\n');
  await assertRefusedUntouched(csv, 'JOURNAL_CORRUPT', /is not a SQLite journal \(wrong file header\); it was left untouched/);
  // The right header, garbage after it (a truncated or overwritten file).
  const garbage = join(dir, 'garbage.sqlite');
  writeFileSync(garbage, Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(5000, 0xa7)]));
  await assertRefusedUntouched(garbage, 'JOURNAL_CORRUPT', /cannot be read as a SQLite journal/);
}));

test('sqlite: a journal with damaged pages is refused (JOURNAL_CORRUPT) and left untouched, never repaired', () => inDir(async (dir) => {
  const path = join(dir, 'journal.sqlite');
  const j = await openSqliteJournal({ path });
  await j.append(Array.from({ length: 2000 }, (_, i) => event(i)));
  await j.close();
  const bytes = readFileSync(path);
  for (const at of [100, 4096, bytes.length - 4096]) {
    const damaged = Buffer.from(bytes);
    for (let i = at; i < at + 4096; i++) damaged[i] = (i * 7) & 0xff;
    writeFileSync(path, damaged);
    await assertRefusedUntouched(path, 'JOURNAL_CORRUPT', /cannot be read as a SQLite journal \(database disk image is malformed\)/);
  }
}));

test('sqlite: a SQLite database of something else is refused (JOURNAL_SCHEMA) and left untouched', () => inDir(async (dir) => {
  const path = join(dir, 'customers.db');
  const db = new DatabaseSync(path);
  db.exec('CREATE TABLE customers (id INTEGER)');
  db.close();
  await assertRefusedUntouched(path, 'JOURNAL_SCHEMA', /is a SQLite database but not a Keel journal; it was left untouched/);
}));

test('sqlite: a journal written by a newer Keel (higher schema version) is refused and left untouched', () => inDir(async (dir) => {
  const path = join(dir, 'journal.sqlite');
  const j = await openSqliteJournal({ path });
  await j.append([event(1)]);
  await j.close();
  const db = new DatabaseSync(path);
  db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(SQLITE_SCHEMA_VERSION + 1, 'from the future', 'later');
  db.close();
  for (const durability of ['process', 'machine'] as const) {
    await assertRefusedUntouched(path, 'JOURNAL_SCHEMA', new RegExp(`has schema version ${SQLITE_SCHEMA_VERSION + 1}, newer than this Keel understands \\(${SQLITE_SCHEMA_VERSION}\\); it was left untouched`), { durability });
  }
}));

test('sqlite: an empty file or a new path is migrated to the current schema, once', () => inDir(async (dir) => {
  for (const path of [join(dir, 'empty.sqlite'), join(dir, 'new.sqlite')]) {
    if (path.endsWith('empty.sqlite')) writeFileSync(path, '');
    const j = await openSqliteJournal({ path });
    assert.deepEqual(await j.append([event(1)]), [1]);
    await j.close();
    await (await openSqliteJournal({ path })).close();
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      assert.deepEqual(db.prepare('SELECT version FROM schema_migrations').all().map((r) => r.version), [SQLITE_SCHEMA_VERSION]);
      assert.equal((db.prepare('PRAGMA application_id').get() as { application_id: number }).application_id, 0x4b45454c);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r) => r.name);
      assert.deepEqual(tables, ['balances', 'events', 'fills', 'orders', 'positions', 'schema_migrations', 'snapshots', 'versions']);
    } finally {
      db.close();
    }
  }
}));

test('sqlite: a journal path in a missing directory, or a directory, is refused and nothing is created', () => inDir(async (dir) => {
  const missing = join(dir, 'no-such-run', 'journal.sqlite');
  await assert.rejects(openSqliteJournal({ path: missing }), (e: unknown) => e instanceof KeelError && e.code === 'JOURNAL_PATH' && /directory that does not exist/.test(e.message));
  assert.equal(existsSync(join(dir, 'no-such-run')), false);
  await assert.rejects(openSqliteJournal({ path: dir }), (e: unknown) => e instanceof KeelError && e.code === 'JOURNAL_PATH' && /is not a file/.test(e.message));
}));

test('sqlite: WAL mode, and synchronous NORMAL (process) or FULL (machine) on the connection', () => inDir(async (dir) => {
  for (const [durability, synchronous] of [['process', 'NORMAL'], ['machine', 'FULL']] as const) {
    const path = join(dir, `${durability}.sqlite`);
    const j = await openSqliteJournal({ path, durability });
    assert.deepEqual(j.settings(), { journalMode: 'wal', synchronous });
    await j.close();
    const db = new DatabaseSync(path, { readOnly: true });
    assert.equal((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal', 'WAL is persistent in the file');
    db.close();
  }
}));

test('sqlite: appends made in one turn of the event loop share one commit; awaited appends commit one by one', () => inDir(async (dir) => {
  const j = await openSqliteJournal({ path: join(dir, 'journal.sqlite') });
  try {
    const seqs = await Promise.all(Array.from({ length: 1000 }, (_, i) => j.append([event(i)])));
    assert.deepEqual(seqs.flat(), Array.from({ length: 1000 }, (_, i) => i + 1));
    assert.deepEqual(j.stats(), { commits: 1, events: 1000 });
    for (let i = 0; i < 5; i++) await j.append([event(i)]);
    assert.deepEqual(j.stats(), { commits: 6, events: 1005 });
  } finally {
    await j.close();
  }
}));

test('sqlite: a read-only journal sees what the engine appends, and refuses to write', () => inDir(async (dir) => {
  const path = join(dir, 'journal.sqlite');
  await assert.rejects(openSqliteJournal({ path, readOnly: true }), (e: unknown) => e instanceof KeelError && e.code === 'JOURNAL_PATH');
  const writer = await openSqliteJournal({ path });
  const reader = await openSqliteJournal({ path, readOnly: true });
  try {
    await writer.append([event(1), event(2)]);
    assert.equal(await reader.lastSeq(), 2);
    assert.deepEqual((await reader.read()).map((r) => r.payload), [{ i: 1, fee: 1_000_000n }, { i: 2, fee: 2_000_000n }]);
    await assert.rejects(reader.append([event(3)]), (e: unknown) => e instanceof KeelError && e.code === 'JOURNAL_READ_ONLY');
    await assert.rejects(reader.saveSnapshot({ seq: 1, ts: 1, state: {} }), (e: unknown) => e instanceof KeelError && e.code === 'JOURNAL_READ_ONLY');
  } finally {
    await reader.close();
    await writer.close();
  }
}));

test('sqlite: every append acknowledged before the process is killed (SIGKILL) is there after a restart', () => inDir(async (dir) => {
  const path = join(dir, 'journal.sqlite');
  const store = new URL('../../src/store/index.ts', import.meta.url).href;
  // The child appends in a loop and prints each acknowledged sequence; the parent kills it mid-stream.
  const script = `
    const { openSqliteJournal } = await import(${JSON.stringify(store)});
    const j = await openSqliteJournal({ path: ${JSON.stringify(path)} });
    for (let i = 0; ; i++) {
      const seqs = await j.append(Array.from({ length: 1 + (i % 50) }, (_, k) => ({ ts: i, stream: { account: 'A' }, type: 'x', payload: { i, k } })));
      process.stdout.write(seqs.at(-1) + '\\n');
    }`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let acknowledged = 0;
  let buffered = '';
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      if (lines.length) acknowledged = Number(lines.at(-1));
      if (acknowledged >= 20_000 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.on('exit', () => resolve());
  });
  assert.ok(acknowledged >= 20_000, `the child appended (${acknowledged})`);
  const j = await openSqliteJournal({ path });
  try {
    const last = await j.lastSeq();
    assert.ok(last >= acknowledged, `lost acknowledged events: journal ends at ${last}, ${acknowledged} were acknowledged`);
    const records = await j.read();
    assert.equal(records.length, last);
    records.forEach((r, i) => assert.equal(r.seq, i + 1));
    assert.deepEqual(await j.append([event(0)]), [last + 1]);
  } finally {
    await j.close();
  }
}));

test('sqlite: the WAL is checkpointed into the database file in the background, not by the appends', () => inDir(async (dir) => {
  const path = join(dir, 'journal.sqlite');
  const j = await openSqliteJournal({ path });
  try {
    const before = statSync(path).size;
    for (let i = 0; i < 10; i++) await j.append(Array.from({ length: 1000 }, (_, k) => event(i * 1000 + k)));
    assert.equal(statSync(path).size, before, 'no checkpoint inside a commit');
    const deadline = Date.now() + 5000;
    while (statSync(path).size === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(statSync(path).size > before + 500_000, 'the background checkpoint copied the events into the file');
    assert.equal(await j.lastSeq(), 10_000);
  } finally {
    await j.close();
  }
  assert.equal(existsSync(`${path}-wal`), false, 'close checkpoints the rest and removes the WAL');
}));
