import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupSqliteJournal, latestVerification, verifyBackup } from '../../src/store/backup/index.ts';
import { openSqliteJournal } from '../../src/store/index.ts';
import { startBackupSchedule, type BackupRound } from '../../src/runtime/index.ts';

const ev = (i: number) => ({ ts: i, stream: { account: 'A' }, type: 'note', payload: { i } });

async function withJournal(fn: (dir: string, path: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-verify-test-'));
  try {
    const path = join(dir, 'journal.sqlite');
    const j = await openSqliteJournal({ path });
    for (let i = 1; i <= 20; i++) await j.append([ev(i)]);
    await j.close();
    await fn(dir, path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a sound backup verifies: the sidecar says ok with the restored fingerprint; a damaged one says why, and nothing throws', () => withJournal(async (dir, path) => {
  const b = await backupSqliteJournal({ path, to: join(dir, 'backups') });
  const source = await openSqliteJournal({ path, readOnly: true });
  try {
    const v = await verifyBackup(b.manifestPath, { source });
    assert.equal(v.ok, true, v.error);
    assert.match(v.fingerprint, /^[0-9a-f]{64}$/);
    const sidecar = JSON.parse(readFileSync(`${b.dataPath}.verify.json`, 'utf8'));
    assert.deepEqual(sidecar, v);
    assert.equal(sidecar.backup, b.dataPath.replace(/^.*\//, ''));
    // One byte of the data file changed: the checksum refuses it.
    const bytes = readFileSync(b.dataPath);
    bytes[bytes.length - 100] ^= 0xff;
    writeFileSync(b.dataPath, bytes);
    const bad = await verifyBackup(b.manifestPath, { source, now: () => new Date(Date.now() + 1000) });
    assert.equal(bad.ok, false);
    assert.match(bad.error!, /checksum|SHA-256|sha256/i);
    assert.equal(bad.fingerprint, '');
    assert.equal(latestVerification(join(dir, 'backups'))?.ok, false, 'the newest verdict is the failed one');
  } finally {
    await source.close();
  }
}));

test('a backup whose events are not the source journal\'s does not verify', () => withJournal(async (dir, path) => {
  const b = await backupSqliteJournal({ path, to: join(dir, 'backups') });
  const other = await openSqliteJournal({ path: join(dir, 'other.sqlite') });
  try {
    for (let i = 1; i <= 20; i++) await other.append([ev(i + 100)]);
    const v = await verifyBackup(b.manifestPath, { source: other });
    assert.equal(v.ok, false);
    assert.match(v.error!, /the restored events 1\.\.20 differ from the source journal's/);
  } finally {
    await other.close();
  }
}));

test('the schedule backs up, verifies and prunes old sidecars with their backups; a failed backup is reported to onRound', () => withJournal(async (dir, path) => {
  const rounds: BackupRound[] = [];
  const to = join(dir, 'backups');
  const schedule = startBackupSchedule({ source: { kind: 'sqlite', path }, config: { every: 3_600_000, to, keep: 1, verify: true }, onRound: (r) => rounds.push(r) });
  try {
    const first = await schedule.runNow();
    assert.equal(first.error, undefined);
    assert.equal(first.verification?.ok, true);
    await new Promise((r) => setTimeout(r, 5)); // a later backup time
    const second = await schedule.runNow();
    assert.equal(second.verification?.ok, true);
    assert.equal(existsSync(`${first.result!.dataPath}.verify.json`), false, 'pruned with its backup');
    assert.deepEqual(readdirSync(to).filter((f) => f.endsWith('.verify.json')).length, 1);
  } finally {
    await schedule.stop();
  }
  const broken = startBackupSchedule({ source: { kind: 'sqlite', path: join(dir, 'missing.sqlite') }, config: { every: 3_600_000, to, keep: 1, verify: true }, onRound: (r) => rounds.push(r) });
  try {
    const r = await broken.runNow();
    assert.match(r.error!, /^backup of the journal failed: /);
  } finally {
    await broken.stop();
  }
  assert.equal(rounds.length, 3);
}));
