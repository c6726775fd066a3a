import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { AUDIT_OK, openAuditLog } from '../../../src/security/index.ts';
import { openPostgresJournal } from '../../../src/store/postgres/index.ts';
import { auditContract } from './audit-contract.ts';

/**
 * The audit contract against the real PostgreSQL server on this machine (127.0.0.1:5432, trust auth, database
 * `test`; KEEL_TEST_POSTGRES_URL overrides). Every test works in a schema of its own, dropped afterwards.
 */
const URL = process.env.KEEL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const schemaName = () => `keel_audit_${process.pid}_${randomBytes(4).toString('hex')}`;

auditContract('postgres audit', async () => {
  const schema = schemaName();
  return {
    journal: URL,
    schema,
    open: (o = {}) => openAuditLog({ journal: URL, schema, ...o }),
    // The owner of the table can switch its trigger off; so can an attacker with the owner's password.
    tamper: (statements) => admin(async (c) => {
      await c.query(`ALTER TABLE ${schema}.audit DISABLE TRIGGER audit_append_only`);
      for (const s of statements) await c.query(s);
      await c.query(`ALTER TABLE ${schema}.audit ENABLE TRIGGER audit_append_only`);
    }),
    sql: (statement) => admin(async (c) => { await c.query(statement); }),
    cleanup: () => admin(async (c) => { await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`); }),
  };
});

test('postgres audit: records while an engine holds the journal\'s writer lock, and the journal reads the same rows', async () => {
  const schema = schemaName();
  const journal = await openPostgresJournal({ connection: { url: URL }, schema });
  const audit = await openAuditLog({ journal: URL, schema });
  try {
    await journal.append([{ ts: 1, stream: { account: 'A' }, type: 'engine.started', payload: {} }]);
    const r = await audit.record({ actor: 'system', origin: 'engine', action: 'config.load', target: 'keel.yaml', result: AUDIT_OK, details: { sha256: 'ab' } });
    const rows = await journal.readAudit();
    assert.deepEqual(rows.map((x) => [x.seq, x.hash]), [[1, r.hash]]);
    assert.equal(await journal.auditChainId(), (await audit.head()).chainId);
  } finally {
    await audit.close();
    await journal.close();
    await admin((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
  }
});
