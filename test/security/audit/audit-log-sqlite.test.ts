import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { AUDIT_OK, openAuditLog } from '../../../src/security/index.ts';
import { openSqliteJournal } from '../../../src/store/index.ts';
import { auditContract } from './audit-contract.ts';

auditContract('sqlite audit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-audit-'));
  const journal = join(dir, 'journal.sqlite');
  const run = (statements: readonly string[], dropTriggers: boolean) => {
    const db = new DatabaseSync(journal, { timeout: 5000 });
    try {
      if (dropTriggers) db.exec('DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;');
      for (const s of statements) db.exec(s);
    } finally {
      db.close();
    }
  };
  return {
    journal,
    open: (o = {}) => openAuditLog({ journal, ...o }),
    tamper: async (statements) => run(statements, true),
    sql: async (statement) => run([statement], false),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

test('sqlite audit: one byte changed in the journal file is found, naming the record', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-audit-'));
  try {
    const journal = join(dir, 'journal.sqlite');
    const audit = await openAuditLog({ journal });
    for (let i = 1; i <= 5; i++) {
      await audit.record({ actor: 'token', origin: 'ip:127.0.0.1', action: 'cancel', target: `order-${i}-MARKER`, result: AUDIT_OK });
    }
    await audit.close(); // the last connection checkpoints the WAL into the file
    const bytes = readFileSync(journal);
    const at = bytes.indexOf('order-3-MARKER');
    assert.ok(at > 0 && bytes.indexOf('order-3-MARKER', at + 1) < 0, 'the target is in the file once');
    bytes[at + 'order-3-'.length] = 'N'.charCodeAt(0); // MARKER -> NARKER, one byte
    writeFileSync(journal, bytes);
    const again = await openAuditLog({ journal, readOnly: true });
    try {
      const verdict = await again.verify();
      assert.equal(verdict.ok, false);
      assert.deepEqual(!verdict.ok && verdict.problem, { seq: 3, kind: 'hash-mismatch', message: 'record 3: hash mismatch: its content was changed after it was written' });
      assert.equal((await again.read())[2].target, 'order-3-NARKER');
    } finally {
      await again.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite audit: records while an engine holds the journal\'s writer lock, and the journal reads the same rows', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-audit-'));
  try {
    const path = join(dir, 'journal.sqlite');
    const journal = await openSqliteJournal({ path });
    const audit = await openAuditLog({ journal: path });
    try {
      await journal.append([{ ts: 1, stream: { account: 'A' }, type: 'engine.started', payload: {} }]);
      const r = await audit.record({ actor: 'system', origin: 'engine', action: 'config.load', target: 'keel.yaml', result: AUDIT_OK, details: { sha256: 'ab' } });
      await journal.append([{ ts: 2, stream: { account: 'A' }, type: 'engine.stopped', payload: {} }]);
      const rows = await journal.readAudit();
      assert.equal(rows.length, 1);
      assert.equal(rows[0].hash, r.hash);
      assert.equal(await journal.auditChainId(), (await audit.head()).chainId);
      assert.equal(await journal.lastSeq(), 2);
    } finally {
      await audit.close();
      await journal.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite audit: a journal written before the audit trail existed (schema 2) is migrated on its next open, events kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-audit-'));
  try {
    const path = join(dir, 'journal.sqlite');
    const journal = await openSqliteJournal({ path });
    await journal.append([{ ts: 1, stream: { account: 'A' }, type: 'engine.started', payload: { cash: 5n } }]);
    await journal.close();
    // Back to what schema version 2 left: no audit tables, migration 3 not applied.
    const db = new DatabaseSync(path);
    db.exec('DROP TABLE audit; DROP TABLE audit_chain; ALTER TABLE events DROP COLUMN epoch; DELETE FROM schema_migrations WHERE version >= 3;');
    db.close();
    await assert.rejects(openAuditLog({ journal: path, readOnly: true }), /schema version 2, older than this Keel's 4: the audit trail needs the current schema/);
    const audit = await openAuditLog({ journal: path });
    try {
      assert.equal((await audit.record({ actor: 'system', origin: 'engine', action: 'config.load', result: AUDIT_OK })).seq, 1);
      assert.equal((await audit.verify()).ok, true);
    } finally {
      await audit.close();
    }
    const reopened = await openSqliteJournal({ path, readOnly: true });
    try {
      assert.deepEqual((await reopened.read()).map((r) => r.payload), [{ cash: 5n }]);
      assert.equal((await reopened.readAudit()).length, 1);
    } finally {
      await reopened.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
