import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { AUDIT_OK, openAuditLog } from '../../../src/security/index.ts';
import { ROOT } from '../../helpers/cli.ts';
import { until } from '../../helpers/wait.ts';

const URL = process.env.KEEL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A node paused (SIGSTOP) inside an audit append holds the audit lock. The node taking over must still be able
 * to write its audit records, and so trade: the server ends the paused transaction (2 s), and the woken node's
 * append fails instead of committing late.
 */
test('a process paused inside an audit append does not hold the audit lock for ever: another appender goes on, the paused one fails on waking', { timeout: 60_000 }, async () => {
  const schema = `keel_audit_pause_${process.pid}_${randomBytes(3).toString('hex')}`;
  const prep = await openAuditLog({ journal: URL, schema });
  await prep.close();
  const child = spawn(process.execPath, [join(ROOT, 'test/helpers/audit-pause-child.ts'), URL, schema], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    await until('the child stopped inside its append', () => /^State:\s+T/m.test(readFileSync(`/proc/${child.pid}/status`, 'utf8')), 20_000);
    const audit = await openAuditLog({ journal: URL, schema });
    try {
      const started = Date.now();
      const row = await audit.record({ actor: 'user:b', origin: 'engine', action: 'kill', result: AUDIT_OK, details: {} });
      const waited = Date.now() - started;
      assert.equal(row.seq, 1, 'the paused append never committed');
      assert.ok(waited < 10_000, `waited ${waited} ms for the audit lock`);
    } finally {
      await audit.close();
    }
    child.kill('SIGCONT');
    assert.equal(await exited, 0, out);
    assert.match(out, /^open\nfailed: /, out);
    const c = new pg.Client({ connectionString: URL });
    await c.connect();
    try {
      const r = await c.query(`SELECT actor FROM ${schema}.audit ORDER BY seq`);
      assert.deepEqual(r.rows.map((x) => x.actor), ['user:b'], 'only the record of the node that went on');
    } finally {
      await c.end();
    }
  } finally {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    const c = new pg.Client({ connectionString: URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => c.end());
  }
});
