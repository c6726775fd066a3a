import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openSqliteJournal } from '../../src/store/index.ts';
import { journalContract } from './journal-contract.ts';

journalContract('sqlite', {
  async fresh({ durability }) {
    const dir = mkdtempSync(join(tmpdir(), 'keel-journal-'));
    const path = join(dir, 'journal.sqlite');
    return {
      journal: await openSqliteJournal({ path, durability }),
      reopen: () => openSqliteJournal({ path, durability }),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});

test('sqlite: a file that is not a journal is refused in one line and left byte for byte as it was', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-journal-'));
  try {
    const path = join(dir, 'journal.sqlite');
    writeFileSync(path, 'Date,Open,High\n2024-01-02,1,2\n');
    const before = readFileSync(path);
    await assert.rejects(openSqliteJournal({ path }), (e: Error) => /^journal = ".*journal\.sqlite": is not a SQLite journal \(wrong file header\); it was left untouched/.test(e.message));
    assert.deepEqual(readFileSync(path), before);
    // A real SQLite database that is not a Keel journal is refused too.
    const other = join(dir, 'other.db');
    const db = new DatabaseSync(other);
    db.exec('CREATE TABLE customers (id INTEGER)');
    db.close();
    await assert.rejects(openSqliteJournal({ path: other }), /is a SQLite database but not a Keel journal/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: a journal written by a newer Keel (higher schema version) is refused and untouched', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-journal-'));
  try {
    const path = join(dir, 'journal.sqlite');
    const j = await openSqliteJournal({ path });
    await j.append([{ ts: 1, stream: { account: 'A' }, type: 'a', payload: 1 }]);
    await j.close();
    const db = new DatabaseSync(path);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (99, ?)').run('future');
    db.close();
    const before = readFileSync(path);
    await assert.rejects(openSqliteJournal({ path }), /has schema version 99, newer than this Keel understands \(1\); it was left untouched/);
    assert.deepEqual(readFileSync(path), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: WAL mode, and synchronous NORMAL (process) or FULL (machine)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-journal-'));
  try {
    for (const [durability, expected] of [['process', 1], ['machine', 2]] as const) {
      const path = join(dir, `${durability}.sqlite`);
      const j = await openSqliteJournal({ path, durability });
      const db = (j as unknown as { database: DatabaseSync }).database;
      assert.equal((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
      assert.equal((db.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous, expected);
      await j.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
