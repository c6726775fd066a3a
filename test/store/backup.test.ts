import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { KeelError } from '../../src/model/index.ts';
import { decodePayload, openSqliteAuditTable, openSqliteJournal, SQLITE_SCHEMA_VERSION, type SnapshotRecord } from '../../src/store/index.ts';
import { backupSqliteJournal, restoreBackup, type BackupManifest, type BackupResult } from '../../src/store/backup/index.ts';
import { BATCH_EVENTS, tradeBatch } from '../helpers/journal-events.ts';
import { fingerprintOfSqlite, isCode, listing, sqliteJournalAt, tempDir } from '../helpers/backup-fixtures.ts';
import { ROOT } from '../helpers/cli.ts';

/** Backup and restore of SQLite journals (issue 4); PostgreSQL in backup.pg.test.ts. Each test in a temp directory. */

test('sqlite: backup then restore rebuilds an identical journal; the manifest describes the copy', async () => {
  const dir = tempDir();
  try {
    const source = join(dir, 'journal.sqlite');
    await sqliteJournalAt(source, 30);
    const b = await backupSqliteJournal({ path: source, to: join(dir, 'backups'), now: () => new Date('2025-01-02T03:04:05.678Z') });
    assert.equal(b.dataPath, join(dir, 'backups', 'journal-20250102T030405.678Z-seq120.sqlite'));
    assert.equal(b.manifestPath, join(dir, 'backups', 'journal-20250102T030405.678Z-seq120.json'));
    const m = JSON.parse(readFileSync(b.manifestPath, 'utf8')) as BackupManifest;
    assert.deepEqual({ ...m, sha256: 'x', bytes: 0 }, {
      manifestVersion: 1, format: 'sqlite', file: 'journal-20250102T030405.678Z-seq120.sqlite', source: resolve(source),
      createdAt: '2025-01-02T03:04:05.678Z', lastSeq: 120, events: 120, snapshots: 1, sha256: 'x', bytes: 0, keelSchemaVersion: SQLITE_SCHEMA_VERSION,
      audit: { chainId: await chainIdOf(source), records: 3, lastSeq: 3, lastHash: await lastAuditHashOf(source) },
    });
    assert.equal(m.bytes, readFileSync(b.dataPath).length);
    assert.match(m.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(readdirSync(join(dir, 'backups')).sort(), ['journal-20250102T030405.678Z-seq120.json', m.file]);

    const target = join(dir, 'restored', 'journal.sqlite');
    const r = await restoreBackup({ from: b.manifestPath, into: { kind: 'sqlite', path: target } });
    assert.equal(r.target, target);
    assert.deepEqual(readdirSync(join(dir, 'restored')), ['journal.sqlite'], 'no temporary or side files left');
    assert.equal(await fingerprintOfSqlite(target), await fingerprintOfSqlite(source));
    // The backup is unchanged by the restore (still verifies), and the restored journal is a working one.
    assert.equal(readFileSync(b.dataPath).length, m.bytes);
    const j = await openSqliteJournal({ path: target });
    assert.deepEqual(await j.append(tradeBatch(999)), [121, 122, 123, 124]);
    await j.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: an online backup while another process appends is consistent (whole transactions, every event up to lastSeq, no torn read models)', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const source = join(dir, 'journal.sqlite');
  const writer = spawn(process.execPath, [join(ROOT, 'test/helpers/journal-writer-process.ts'), source], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  writer.stdout.on('data', (d) => { out += d; });
  writer.stderr.on('data', (d) => { err += d; });
  const exited = new Promise<number | null>((res) => writer.on('exit', (code) => res(code)));
  try {
    await until(() => out.includes('ready'), () => `writer did not start: ${err}`);
    const taken: BackupResult[] = [];
    for (let k = 0; k < 3; k++) {
      await new Promise((r) => setTimeout(r, 150));
      taken.push(await backupSqliteJournal({ path: source, to: join(dir, 'backups'), keep: 10 }));
    }
    writer.kill('SIGTERM');
    assert.equal(await exited, 0, err);
    assert.match(out, /stopped \d+/);
    const total = await (async () => { const j = await openSqliteJournal({ path: source, readOnly: true }); try { return await j.lastSeq(); } finally { await j.close(); } })();

    let previous = 0;
    for (const [k, b] of taken.entries()) {
      const m = b.manifest;
      assert.ok(m.lastSeq > previous && m.lastSeq < total, `backup ${k} at seq ${m.lastSeq} was taken while the writer ran (total ${total})`);
      assert.equal(m.lastSeq % BATCH_EVENTS, 0, 'a copy ends on a transaction boundary');
      assert.equal(m.events, m.lastSeq, 'no gap');
      previous = m.lastSeq;
      const restored = join(dir, `restored-${k}.sqlite`);
      await restoreBackup({ from: b.manifestPath, into: { kind: 'sqlite', path: restored } });
      // The reference: the source's first lastSeq events replayed into a fresh journal, and the snapshot the copy has.
      const snapshot = await latestSnapshotOf(restored);
      assertSnapshotFromSource(source, snapshot, m.lastSeq);
      const reference = join(dir, `reference-${k}.sqlite`);
      await replayPrefix(source, reference, m.lastSeq, snapshot);
      assert.equal(await fingerprintOfSqlite(restored), await fingerprintOfSqlite(reference), `backup ${k} rebuilds the state as of seq ${m.lastSeq}`);
    }
    // And after the writer stopped, the round trip is identical to the source itself.
    const last = await backupSqliteJournal({ path: source, to: join(dir, 'backups'), keep: 10 });
    assert.equal(last.manifest.lastSeq, total);
    await restoreBackup({ from: last.manifestPath, into: { kind: 'sqlite', path: join(dir, 'final.sqlite') } });
    assert.equal(await fingerprintOfSqlite(join(dir, 'final.sqlite')), await fingerprintOfSqlite(source));
  } finally {
    writer.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});

async function until(ok: () => boolean, why: () => string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(why());
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function latestSnapshotOf(path: string): Promise<SnapshotRecord | undefined> {
  const j = await openSqliteJournal({ path, readOnly: true });
  try {
    return await j.latestSnapshot();
  } finally {
    await j.close();
  }
}

/**
 * The writer saves a snapshot right after the append it describes, so a copy taken in between lacks the
 * newest one: the copy's latest snapshot must be the source's newest before lastSeq, or the one at lastSeq.
 */
function assertSnapshotFromSource(source: string, snapshot: SnapshotRecord | undefined, lastSeq: number): void {
  const db = new DatabaseSync(source, { readOnly: true });
  try {
    const rows = (db.prepare('SELECT seq, ts, state FROM snapshots WHERE seq <= ? ORDER BY seq DESC LIMIT 2').all(lastSeq) as Array<{ seq: number; ts: number; state: string }>)
      .map((r) => ({ seq: r.seq, ts: r.ts, state: decodePayload(r.state) }));
    const allowed = rows.length === 0 ? [undefined] : rows[0].seq < lastSeq ? [rows[0]] : [rows[0], rows[1]];
    assert.ok(allowed.some((r) => r?.seq === snapshot?.seq), `snapshot at ${snapshot?.seq} in a copy up to ${lastSeq}`);
    if (snapshot) assert.deepEqual(snapshot, rows.find((r) => r.seq === snapshot.seq));
  } finally {
    db.close();
  }
}

async function chainIdOf(path: string): Promise<string> {
  const j = await openSqliteJournal({ path, readOnly: true });
  try {
    return await j.auditChainId();
  } finally {
    await j.close();
  }
}

async function lastAuditHashOf(path: string): Promise<string | undefined> {
  const j = await openSqliteJournal({ path, readOnly: true });
  try {
    return (await j.readAudit()).at(-1)?.hash;
  } finally {
    await j.close();
  }
}

async function replayPrefix(source: string, target: string, lastSeq: number, snapshot: SnapshotRecord | undefined): Promise<void> {
  const from = await openSqliteJournal({ path: source, readOnly: true });
  const to = await openSqliteJournal({ path: target });
  // The same (empty) audit trail as the source's: its chain id is part of the journal's state.
  const audit = await openSqliteAuditTable({ path: target });
  await audit.importRows(await from.auditChainId(), await from.readAudit());
  await audit.close();
  try {
    for (let seq = 1; seq <= lastSeq; seq += 1000) {
      const page = await from.read({ fromSeq: seq, limit: Math.min(1000, lastSeq - seq + 1) });
      await to.append(page.map(({ seq: _seq, ...e }) => e));
    }
    if (snapshot) await to.saveSnapshot(snapshot);
  } finally {
    await from.close();
    await to.close();
  }
}

test('sqlite: restore refuses an existing target, or a leftover -wal where the target would go, and leaves them byte-identical', async () => {
  const dir = tempDir();
  try {
    const source = join(dir, 'journal.sqlite');
    await sqliteJournalAt(source, 3);
    const b = await backupSqliteJournal({ path: source, to: join(dir, 'backups') });
    const existing = join(dir, 'live.sqlite');
    await sqliteJournalAt(existing, 5);
    const before = listing(dir);
    await assert.rejects(restoreBackup({ from: b.manifestPath, into: { kind: 'sqlite', path: existing } }), (e: KeelError) => {
      isCode('BACKUP_TARGET_EXISTS')(e);
      assert.match(e.message, /^--journal = ".*live\.sqlite": already exists; restore never overwrites a journal, nothing was written \(/);
      return true;
    });
    assert.deepEqual(listing(dir), before);
    writeFileSync(join(dir, 'gone.sqlite-wal'), 'a WAL of a journal that was deleted');
    const withWal = listing(dir);
    await assert.rejects(restoreBackup({ from: b.manifestPath, into: { kind: 'sqlite', path: join(dir, 'gone.sqlite') } }), (e: KeelError) => {
      isCode('BACKUP_TARGET_EXISTS')(e);
      assert.match(e.message, /gone\.sqlite-wal": is left from an earlier journal/);
      return true;
    });
    assert.deepEqual(listing(dir), withWal);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: a tampered, truncated, foreign or newer backup is refused before anything is written', async () => {
  const dir = tempDir();
  try {
    const source = join(dir, 'journal.sqlite');
    await sqliteJournalAt(source, 5);
    const b = await backupSqliteJournal({ path: source, to: join(dir, 'backups') });
    const target = join(dir, 'restored', 'journal.sqlite');
    const refused = async (from: string, code: string, message: RegExp) => {
      const before = listing(dir);
      await assert.rejects(restoreBackup({ from, into: { kind: 'sqlite', path: target } }), (e: KeelError) => {
        isCode(code)(e);
        assert.match(e.message, message);
        return true;
      });
      assert.deepEqual(listing(dir), before);
      assert.equal(existsSync(join(dir, 'restored')), false);
    };
    const data = readFileSync(b.dataPath);
    const manifest = readFileSync(b.manifestPath, 'utf8');

    const flipped = Buffer.from(data);
    flipped[flipped.length - 100] ^= 0xff;
    writeFileSync(b.dataPath, flipped);
    await refused(b.manifestPath, 'BACKUP_CORRUPT', /^backup = ".*\.sqlite": does not match its manifest \(sha256 [0-9a-f]{16}…, \d+ bytes; expected [0-9a-f]{16}…, \d+ bytes\); nothing was restored \(/);
    writeFileSync(b.dataPath, data.subarray(0, 4096));
    await refused(b.manifestPath, 'BACKUP_CORRUPT', /does not match its manifest/);
    rmSync(b.dataPath);
    await refused(b.manifestPath, 'BACKUP_NOT_FOUND', /is missing: the manifest names it/);
    writeFileSync(b.dataPath, data);

    const edit = (change: (m: Record<string, unknown>) => void) => {
      const m = JSON.parse(manifest);
      change(m);
      writeFileSync(b.manifestPath, JSON.stringify(m));
    };
    edit((m) => { m.sha256 = '0'.repeat(64); });
    await refused(b.manifestPath, 'BACKUP_CORRUPT', /does not match its manifest/);
    edit((m) => { m.keelSchemaVersion = 99; });
    await refused(b.manifestPath, 'JOURNAL_SCHEMA', new RegExp(`holds a journal of schema version 99, newer than this Keel understands \\(${SQLITE_SCHEMA_VERSION}\\); nothing was restored`));
    edit((m) => { m.file = '../journal.sqlite'; });
    await refused(b.manifestPath, 'BACKUP_CORRUPT', /is not a Keel backup manifest \(file is not a backup file name\)/);
    edit((m) => { m.manifestVersion = 7; });
    await refused(b.manifestPath, 'BACKUP_VERSION', /was written by a newer Keel \(manifest version 7/);
    writeFileSync(b.manifestPath, '{"manifestVersion": 1, "format": ');
    await refused(b.manifestPath, 'BACKUP_CORRUPT', /is not a Keel backup manifest \(not JSON\)/);
    await refused(join(dir, 'nope.json'), 'BACKUP_NOT_FOUND', /^--from = ".*nope\.json": does not exist/);

    // Intact again, given by its data file's name: restores.
    writeFileSync(b.manifestPath, manifest);
    await restoreBackup({ from: b.dataPath, into: { kind: 'sqlite', path: target } });
    assert.equal(await fingerprintOfSqlite(target), await fingerprintOfSqlite(source));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: a missing, foreign, corrupt or newer-schema source is refused with the journal\'s own errors, writing nothing', async () => {
  const dir = tempDir();
  try {
    const to = join(dir, 'backups');
    const refused = async (path: string, code: string, message: RegExp) => {
      const before = listing(dir);
      await assert.rejects(backupSqliteJournal({ path, to }), (e: KeelError) => {
        isCode(code)(e);
        assert.match(e.message, message);
        return true;
      });
      assert.deepEqual(listing(dir), before);
    };
    await refused(join(dir, 'missing.sqlite'), 'JOURNAL_PATH', /^journal = ".*missing\.sqlite": does not exist/);
    writeFileSync(join(dir, 'prices.csv'), 'Date,Open\n2024-01-02,1\n');
    await refused(join(dir, 'prices.csv'), 'JOURNAL_CORRUPT', /is not a SQLite journal \(wrong file header\); it was left untouched/);
    const other = new DatabaseSync(join(dir, 'crm.db'));
    other.exec('CREATE TABLE customers (id INTEGER)');
    other.close();
    await refused(join(dir, 'crm.db'), 'JOURNAL_SCHEMA', /is a SQLite database but not a Keel journal/);
    const newer = join(dir, 'newer.sqlite');
    await sqliteJournalAt(newer, 1);
    const db = new DatabaseSync(newer);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, ?, ?)').run('from the future', 'later');
    db.close();
    await refused(newer, 'JOURNAL_SCHEMA', new RegExp(`has schema version 99, newer than this Keel understands \\(${SQLITE_SCHEMA_VERSION}\\); it was left untouched`));
    const damaged = join(dir, 'damaged.sqlite');
    await sqliteJournalAt(damaged, 50);
    const bytes = readFileSync(damaged);
    bytes.fill(0x5a, 4096 * 3, bytes.length - 4096);
    writeFileSync(damaged, bytes);
    await assert.rejects(backupSqliteJournal({ path: damaged, to }), isCode('JOURNAL_CORRUPT'));
    assert.equal(existsSync(to) ? readdirSync(to).length : 0, 0, 'no backup of a damaged journal');
    await assert.rejects(backupSqliteJournal({ path: newer, to, keep: 0 }), isCode('BAD_ARGUMENT'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('retention keeps exactly the newest N backups of the journal and deletes nothing else', async () => {
  const dir = tempDir();
  try {
    const source = join(dir, 'journal.sqlite');
    const to = join(dir, 'backups');
    mkdirSync(to);
    // Things retention must never touch: notes, look-alike names, another journal's backup, an unreadable manifest, an unfinished copy.
    const foreign: Record<string, string> = {
      'README.txt': 'nightly backups of the paper engine',
      'journal.sqlite': 'not ours',
      'journal-20000101T000000.000Z-seq1.sqlite': 'data of another journal',
      'journal-20000101T000000.000Z-seq1.json': JSON.stringify({ source: '/elsewhere/journal.sqlite', file: 'journal-20000101T000000.000Z-seq1.sqlite', createdAt: '2000-01-01T00:00:00.000Z' }),
      'journal-20000101T000000.000Z-seq2.json': '{ not json',
      '.journal.sqlite.partial-1-2': 'an interrupted backup',
    };
    for (const [name, text] of Object.entries(foreign)) writeFileSync(join(to, name), text);

    const j = await openSqliteJournal({ path: source });
    const made: BackupResult[] = [];
    for (let k = 0; k < 6; k++) {
      await j.append(tradeBatch(k));
      made.push(await backupSqliteJournal({ path: source, to, keep: 3, now: () => new Date(Date.UTC(2025, 0, 1 + k)) }));
    }
    await j.close();
    assert.deepEqual(made.map((b) => b.pruned.length), [0, 0, 0, 2, 2, 2]);
    assert.deepEqual(made[3].pruned, ['journal-20250101T000000.000Z-seq4.sqlite', 'journal-20250101T000000.000Z-seq4.json']);
    const kept = made.slice(3).flatMap((b) => [b.dataPath, b.manifestPath].map((p) => p.slice(to.length + 1)));
    assert.deepEqual(readdirSync(to).sort(), [...kept, ...Object.keys(foreign)].sort());
    for (const [name, text] of Object.entries(foreign)) assert.equal(readFileSync(join(to, name), 'utf8'), text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a keel-dump of version 1 (made before the audit trail) still restores, with an empty trail of its own', async () => {
  const dir = tempDir();
  try {
    const stem = 'journal-20240102T030405.678Z-seq2';
    const dump = [
      '{"format":"keel-dump","version":1,"source":"postgres://127.0.0.1:5432/test schema old","keelSchemaVersion":1}',
      '["event",1,10,"A",null,null,"engine.started",null,{"cash":{"$n":"5"}}]',
      '["event",2,20,"A",null,null,"engine.stopped",null,{}]',
      '["end",2,0,2]',
      '',
    ].join('\n');
    writeFileSync(join(dir, `${stem}.dump`), dump);
    const manifest: BackupManifest = {
      manifestVersion: 1, format: 'keel-dump', file: `${stem}.dump`, source: 'postgres://127.0.0.1:5432/test schema old', createdAt: '2024-01-02T03:04:05.678Z',
      lastSeq: 2, events: 2, snapshots: 0, sha256: createHash('sha256').update(dump).digest('hex'), bytes: Buffer.byteLength(dump), keelSchemaVersion: 1,
    };
    writeFileSync(join(dir, `${stem}.json`), JSON.stringify(manifest));
    const target = join(dir, 'restored.sqlite');
    await restoreBackup({ from: join(dir, `${stem}.json`), into: { kind: 'sqlite', path: target } });
    const j = await openSqliteJournal({ path: target, readOnly: true });
    try {
      assert.deepEqual((await j.read()).map((r) => r.payload), [{ cash: 5n }, {}]);
      assert.deepEqual(await j.readAudit(), []);
      assert.match(await j.auditChainId(), /^[0-9a-f]{32}$/);
    } finally {
      await j.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
