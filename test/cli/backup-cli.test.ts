import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openSqliteJournal } from '../../src/store/index.ts';
import { openPostgresJournal } from '../../src/store/postgres/index.ts';
import { journalFingerprint } from '../../src/store/backup/index.ts';
import { keel } from '../helpers/cli.ts';
import { fillAudit } from '../helpers/backup-fixtures.ts';
import { formatHead, openAuditLog } from '../../src/security/index.ts';
import { tradeBatch } from '../helpers/journal-events.ts';

const PG_URL = process.env.KEEL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function sqliteJournal(path: string, batches: number): Promise<void> {
  const j = await openSqliteJournal({ path });
  for (let i = 0; i < batches; i++) await j.append(tradeBatch(i));
  await j.close();
}

async function auditHead(path: string): Promise<string> {
  const audit = await openAuditLog({ journal: path, readOnly: true });
  try {
    return formatHead(await audit.head());
  } finally {
    await audit.close();
  }
}

async function fingerprint(path: string): Promise<string> {
  const j = await openSqliteJournal({ path, readOnly: true });
  try {
    return await journalFingerprint(j);
  } finally {
    await j.close();
  }
}

/** One line on stderr, `keel: ` first, exit status 2 (a refusal, not a crash). */
function refusal(r: { code: number; stdout: string; stderr: string }, line: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^keel: [^\n]*\n$/);
  assert.match(r.stderr, line);
}

test('keel backup and keel restore: a SQLite journal round trip with retention, and the restored journal equals the source', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-backup-cli-'));
  try {
    const journal = join(dir, 'journal.sqlite');
    const backups = join(dir, 'backups');
    await sqliteJournal(journal, 10);
    await fillAudit(journal, undefined, 2);
    const head = await auditHead(journal);
    let last = { code: 0, stdout: '', stderr: '' };
    for (let k = 0; k < 3; k++) {
      last = keel(['backup', '--journal', journal, '--to', backups, '--keep', '2']);
      assert.equal(last.code, 0, last.stderr);
    }
    const lines = last.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^backup of .*journal\.sqlite: 40 events up to seq 40, 0 snapshots$/);
    assert.match(lines[1], /^ {2}data {6}.*backups\/journal-\d{8}T\d{6}\.\d{3}Z-seq40\.sqlite \(\d+ bytes\)$/);
    assert.match(lines[2], /^ {2}manifest {2}.*backups\/journal-\d{8}T\d{6}\.\d{3}Z-seq40\.json$/);
    assert.match(lines[3], /^ {2}sha256 {4}[0-9a-f]{64}$/);
    assert.equal(lines[4], `  audit     2 records, head ${head}`);
    assert.match(lines[5], /^ {2}retention newest 2 kept; deleted journal-.*-seq40\.sqlite, journal-.*-seq40\.json$/);
    assert.equal(readdirSync(backups).length, 4);

    const manifest = lines[2].trim().split(/\s+/)[1];
    const target = join(dir, 'restored.sqlite');
    const r = keel(['restore', '--from', manifest, '--journal', target]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^restored 40 events up to seq 40 \\(0 snapshots\\) into .*restored\\.sqlite\\n {2}from {6}journal-.*-seq40\\.sqlite \\(SQLite backup of .*journal\\.sqlite, taken \\d{4}-.*Z\\)\\n {2}sha256 {4}${lines[3].trim().split(/\s+/)[1]} verified\\n {2}audit {5}2 records, chain verified, head ${head}\\n$`));
    assert.equal(await fingerprint(target), await fingerprint(journal));

    // Again onto the same target: refused, the restored journal untouched.
    const before = readFileSync(target);
    refusal(keel(['restore', '--from', manifest, '--journal', target]), /^keel: --journal = ".*restored\.sqlite": already exists; restore never overwrites a journal, nothing was written \(restore to a new path/);
    assert.deepEqual(readFileSync(target), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keel backup and keel restore against PostgreSQL: the URL\'s password is never printed', async () => {
  const schemas = [`keel_bkcli_${process.pid}_${randomBytes(3).toString('hex')}`, `keel_bkcli_${process.pid}_${randomBytes(3).toString('hex')}`];
  const dir = mkdtempSync(join(tmpdir(), 'keel-backup-cli-'));
  // Trust auth ignores the password, so one can be given here to prove it is never echoed.
  const url = PG_URL.replace('postgres://postgres@', 'postgres://postgres:hunter2@');
  try {
    const j = await openPostgresJournal({ connection: { url: PG_URL }, schema: schemas[0] });
    for (let i = 0; i < 5; i++) await j.append(tradeBatch(i));
    await j.close();
    const b = keel(['backup', '--journal', url, '--schema', schemas[0], '--to', dir]);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, new RegExp(`^backup of postgres://127\\.0\\.0\\.1:5432/test schema ${schemas[0]}: 20 events up to seq 20, 0 snapshots\\n`));
    const manifest = /manifest +(\S+)/.exec(b.stdout)![1];
    const r = keel(['restore', '--from', manifest, '--journal', url, '--schema', schemas[1]]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^restored 20 events up to seq 20 \\(0 snapshots\\) into postgres://127\\.0\\.0\\.1:5432/test schema ${schemas[1]}\\n`));
    for (const out of [b.stdout, r.stdout, b.stderr, r.stderr]) assert.doesNotMatch(out, /hunter2/);
    const again = keel(['restore', '--from', manifest, '--journal', url, '--schema', schemas[1]]);
    refusal(again, new RegExp(`^keel: --schema = "postgres://127\\.0\\.0\\.1:5432/test schema ${schemas[1]}": already holds a journal \\(events up to seq 20\\)`));
    assert.doesNotMatch(again.stderr, /hunter2/);
  } finally {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await c.end();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keel backup and keel restore: bad input is one clear line and nothing is written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-backup-cli-'));
  try {
    const to = join(dir, 'backups');
    refusal(keel(['backup', '--journal', join(dir, 'j.sqlite')]), /^keel: --to: is required \(the backup directory/);
    refusal(keel(['backup', '--to', to]), /^keel: --journal: is required/);
    refusal(keel(['backup', '--journal', join(dir, 'nope.sqlite'), '--to', to]), /^keel: journal = ".*nope\.sqlite": does not exist/);
    writeFileSync(join(dir, 'prices.csv'), 'Date,Close\n2024-01-02,1\n');
    refusal(keel(['backup', '--journal', join(dir, 'prices.csv'), '--to', to]), /^keel: journal = ".*prices\.csv": is not a SQLite journal \(wrong file header\); it was left untouched/);
    assert.equal(readFileSync(join(dir, 'prices.csv'), 'utf8'), 'Date,Close\n2024-01-02,1\n');
    refusal(keel(['backup', '--journal', join(dir, 'prices.csv'), '--schema', 'keel', '--to', to]), /^keel: --schema = "keel": applies to a PostgreSQL journal only/);
    refusal(keel(['backup', '--journal', join(dir, 'prices.csv'), '--to', to, '--keep', '0']), /^keel: --keep = "0": must be at least 1/);
    const unreachable = keel(['backup', '--journal', 'postgres://keel:s3cret@127.0.0.1:1/prod', '--to', to]);
    refusal(unreachable, /^keel: journal = "postgres:\/\/127\.0\.0\.1:1\/prod": cannot reach PostgreSQL at 127\.0\.0\.1:1 \(database "prod"\)/);
    assert.doesNotMatch(unreachable.stderr, /s3cret/);
    assert.equal(existsSync(to), false);

    // A tampered backup is refused and no journal appears.
    const journal = join(dir, 'journal.sqlite');
    await sqliteJournal(journal, 2);
    const b = keel(['backup', '--journal', journal, '--to', to]);
    assert.equal(b.code, 0, b.stderr);
    const data = /data +(\S+)/.exec(b.stdout)![1];
    const manifest = /manifest +(\S+)/.exec(b.stdout)![1];
    const bytes = readFileSync(data);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(data, bytes);
    refusal(keel(['restore', '--from', manifest, '--journal', join(dir, 'new.sqlite')]), /^keel: backup = ".*\.sqlite": does not match its manifest \(.*\); nothing was restored/);
    assert.equal(existsSync(join(dir, 'new.sqlite')), false);
    refusal(keel(['restore', '--from', join(dir, 'missing.json'), '--journal', join(dir, 'new.sqlite')]), /^keel: --from = ".*missing\.json": does not exist/);
    refusal(keel(['restore', '--journal', join(dir, 'new.sqlite')]), /^keel: --from: is required/);

    const help = keel(['backup', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^keel backup \| restore: online, checksummed copies of a journal\n/);
    assert.match(keel(['--help']).stdout, /keel backup --journal FILE\|postgres:\/\/\.\.\. --to DIR/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
