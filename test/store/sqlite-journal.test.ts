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
import { backupSqliteJournal } from '../../src/store/backup/index.ts';
import { tradeBatch } from '../helpers/journal-events.ts';

journalContract('sqlite', async ({ durability }) => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-journal-'));
  const path = join(dir, 'journal.sqlite');
  return {
    journal: await openSqliteJournal({ path, durability }),
    reopen: () => openSqliteJournal({ path, durability }),
    readOnly: () => openSqliteJournal({ path, readOnly: true }),
    // The read models commit on a later turn of the event loop: a writer killed in its append's callback dies before.
    crashWindow: { target: ['sqlite', path] },
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
      // Every migration once, in order, up to the current version.
      assert.deepEqual(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all().map((r) => r.version), Array.from({ length: SQLITE_SCHEMA_VERSION }, (_, i) => i + 1));
      assert.equal((db.prepare('PRAGMA application_id').get() as { application_id: number }).application_id, 0x4b45454c);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r) => r.name);
      assert.deepEqual(tables, ['audit', 'audit_chain', 'balances', 'events', 'fills', 'orders', 'positions', 'read_model_state', 'schema_migrations', 'snapshots', 'versions']);
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
    // The read models' own commits relax the fsync for their transaction only: the events' commits keep theirs.
    for (let i = 0; i < 3; i++) await j.append(tradeBatch(i));
    await j.settleReadModels();
    assert.ok(j.stats().readModelCommits > 0);
    assert.deepEqual(j.settings(), { journalMode: 'wal', synchronous }, 'after read-model commits');
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
    const commits = () => { const { commits: c, events } = j.stats(); return { commits: c, events }; };
    assert.deepEqual(commits(), { commits: 1, events: 1000 });
    for (let i = 0; i < 5; i++) await j.append([event(i)]);
    assert.deepEqual(commits(), { commits: 6, events: 1005 });
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
    // Past SQLite's own inline threshold (1,000 pages) but short of the background one: nothing is copied yet.
    // (Each checkpoint makes the next commit restart the WAL and fsync its header, so they are kept rare.)
    for (let i = 0; i < 1200; i++) await j.append([event(i)]);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(statSync(`${path}-wal`).size > 1000 * 4096, 'the WAL holds more than 1,000 pages');
    assert.equal(statSync(path).size, before, 'no checkpoint inside a commit, none in the background yet');
    // About 16 MB of WAL: the background checkpoint copies it.
    for (let i = 0; i < 60; i++) await j.append(Array.from({ length: 1000 }, (_, k) => event(i * 1000 + k)));
    const deadline = Date.now() + 5000;
    while (statSync(path).size === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(statSync(path).size > before + 500_000, 'the background checkpoint copied the events into the file');
    assert.equal(await j.lastSeq(), 61_200);
  } finally {
    await j.close();
  }
  assert.equal(existsSync(`${path}-wal`), false, 'close checkpoints the rest and removes the WAL');
}));

test('sqlite: the read models trail awaited appends by a few hundred events at most, one commit for many', () => inDir(async (dir) => {
  const j = await openSqliteJournal({ path: join(dir, 'journal.sqlite') });
  try {
    // Each append awaited, the next made at once: an event commit is always queued when the fold's turn comes.
    for (let i = 0; i < 300; i++) await j.append(tradeBatch(i));
    const { commits, readModelCommits, readModelSeq } = j.stats();
    assert.equal(commits, 300);
    assert.ok(readModelSeq >= 1200 - 256 - 4 && readModelSeq < 1200, `the read models trail by at most the coalescing window: at ${readModelSeq} of 1200`);
    assert.ok(readModelCommits <= 6, `${readModelCommits} read-model commits for 1,200 events`);
    // Idle: the fold catches up on its own, without a query.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(j.stats().readModelSeq, 1200);
  } finally {
    await j.close();
  }
}));

test('sqlite: killed at any moment while appending, the next open folds whatever is behind: the read models are the events\' fold', () => inDir(async (dir) => {
  const path = join(dir, 'journal.sqlite');
  const helpers = new URL('../helpers/journal-events.ts', import.meta.url).href;
  const store = new URL('../../src/store/index.ts', import.meta.url).href;
  // Appends of one to three trades, awaited or not; the parent kills it wherever it is (inside an event
  // commit, a read-model commit, or between them).
  const script = `
    const { openSqliteJournal } = await import(${JSON.stringify(store)});
    const { tradeBatch } = await import(${JSON.stringify(helpers)});
    const j = await openSqliteJournal({ path: ${JSON.stringify(path)} });
    const start = Number(process.argv[1]);
    for (let i = start; ; i += 3) {
      const calls = [j.append(tradeBatch(i)), j.append([...tradeBatch(i + 1), ...tradeBatch(i + 2)])];
      if (i % 2 === 0) await Promise.all(calls); else await new Promise((r) => setImmediate(r));
      if (i === start + 30) process.stdout.write('running\\n');
    }`;
  let behindSeen = 0;
  for (let round = 0; round < 4; round++) {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, String(round * 100_000)], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, 20 + round * 37));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const look = new DatabaseSync(path, { readOnly: true });
    const [w, last] = [look.prepare('SELECT seq FROM read_model_state').get()!.seq as number, look.prepare('SELECT max(seq) AS s FROM events').get()!.s as number];
    look.close();
    if (w < last) behindSeen++;
    const j = await openSqliteJournal({ path });
    const reference = await openSqliteJournal({ path: join(dir, `reference-${round}.sqlite`) });
    try {
      assert.equal(j.stats().readModelSeq, await j.lastSeq(), 'open folded what the kill left behind');
      await reference.append(await j.read());
      for (const q of [(x: typeof j) => x.orders(), (x: typeof j) => x.fills(), (x: typeof j) => x.positions(), (x: typeof j) => x.balances()]) {
        assert.deepEqual(await q(j), await q(reference), `round ${round}: the read models are the fold of the journal's events`);
      }
    } finally {
      await reference.close();
      await j.close();
    }
  }
  assert.ok(behindSeen > 0, 'some kill left the read models behind the events');
}));

test('sqlite: a journal of schema 1 (read models committed with the events) opens with its watermark at its last event', () => inDir(async (dir) => {
  const path = join(dir, 'journal.sqlite');
  const j = await openSqliteJournal({ path });
  for (let i = 0; i < 5; i++) await j.append(tradeBatch(i));
  const before = { orders: await j.orders(), fills: await j.fills(), positions: await j.positions(), balances: await j.balances() };
  await j.close();
  // What schema 1 looked like: no watermark, read models as of every event.
  const db = new DatabaseSync(path);
  db.exec('DROP TABLE read_model_state; DROP TABLE audit; DROP TABLE audit_chain; ALTER TABLE events DROP COLUMN epoch; DELETE FROM schema_migrations WHERE version >= 2');
  db.close();
  // Readers that never migrate (keel state, keel serve, keel backup) read it as it is.
  const reader = await openSqliteJournal({ path, readOnly: true });
  try {
    assert.deepEqual({ orders: await reader.orders(), fills: await reader.fills(), positions: await reader.positions(), balances: await reader.balances() }, before);
  } finally {
    await reader.close();
  }
  // A backup carries the audit trail (schema 3): it asks for the migration instead of copying an old schema.
  await assert.rejects(backupSqliteJournal({ path, to: join(dir, 'backups') }), (e: KeelError) => e.code === 'JOURNAL_SCHEMA'
    && e.message.includes(`has schema version 1, older than this Keel's ${SQLITE_SCHEMA_VERSION}: a backup (it carries the audit trail) needs the current schema`));
  const again = await openSqliteJournal({ path });
  try {
    assert.equal(again.stats().readModelSeq, 20);
    assert.equal(again.stats().readModelCommits, 0, 'nothing folded twice');
    assert.deepEqual({ orders: await again.orders(), fills: await again.fills(), positions: await again.positions(), balances: await again.balances() }, before);
  } finally {
    await again.close();
  }
}));
