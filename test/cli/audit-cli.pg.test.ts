import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { AUDIT_OK, openAuditLog } from '../../src/security/index.ts';
import { keel } from '../helpers/cli.ts';

/**
 * `keel audit verify` against the real PostgreSQL server on this machine (127.0.0.1:5432, trust auth, database
 * `test`): the same verdicts as over SQLite, after an UPDATE and a DELETE made in SQL by someone who switched
 * the append-only trigger off. The URL carries a password (trust auth ignores it) that must never be printed.
 */
const URL = process.env.KEEL_TEST_POSTGRES_URL ?? 'postgres://postgres:s3cret-pw@127.0.0.1:5432/test';

async function admin(statements: string[]): Promise<void> {
  const c = new pg.Client({ connectionString: URL });
  await c.connect();
  try {
    for (const s of statements) await c.query(s);
  } finally {
    await c.end();
  }
}

test('keel audit verify on PostgreSQL: intact, then an edited row and a deleted row are named', async () => {
  const schema = `keel_auditcli_${process.pid}_${randomBytes(3).toString('hex')}`;
  try {
    const audit = await openAuditLog({ journal: URL, schema });
    for (let i = 1; i <= 4; i++) await audit.record({ actor: 'token', origin: 'ip:127.0.0.1', action: 'cancel', target: `order-${i}`, result: AUDIT_OK });
    await audit.close();
    const args = ['audit', 'verify', '--journal', URL, '--journal-schema', schema];
    const ok = keel(args);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`^audit trail of postgres://127\\.0\\.0\\.1:5432/test schema ${schema}: 4 records, hash chain intact\\nhead 4:[0-9a-f]{64}\\n$`));

    await assert.rejects(admin([`UPDATE ${schema}.audit SET target = 'order-X' WHERE seq = 2`]), /the audit table is append-only \(UPDATE refused\)/);
    await admin([`ALTER TABLE ${schema}.audit DISABLE TRIGGER audit_append_only`, `UPDATE ${schema}.audit SET target = 'order-X' WHERE seq = 2`]);
    const edited = keel(args);
    assert.equal(edited.code, 1);
    assert.match(edited.stderr, new RegExp(`^keel: the audit trail of postgres://127\\.0\\.0\\.1:5432/test schema ${schema} is broken at record 2: hash mismatch: its content was changed after it was written \\(1 record before it is intact\\)\\n$`));
    await admin([`UPDATE ${schema}.audit SET target = 'order-2' WHERE seq = 2`, `DELETE FROM ${schema}.audit WHERE seq = 3`]);
    const deleted = keel(args);
    assert.equal(deleted.code, 1);
    assert.match(deleted.stderr, /is broken at record 3: missing \(the chain jumps from 2 to 4: 1 record deleted\)/);
    for (const r of [edited, deleted]) assert.doesNotMatch(r.stdout + r.stderr, /s3cret-pw/);
  } finally {
    await admin([`DROP SCHEMA IF EXISTS ${schema} CASCADE`]);
  }
});
