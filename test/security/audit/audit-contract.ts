import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { KeelError } from '../../../src/model/index.ts';
import {
  AUDIT_OK, auditDenied, genesisHash, recordHash, type AuditEvent, type AuditLog, type AuditRecord,
} from '../../../src/security/index.ts';
import type { AuditRow } from '../../../src/store/index.ts';

/**
 * The behaviour every AuditLog store must have (SQLite and PostgreSQL run the same suite). The factory makes
 * a fresh journal per test and gives a way to reach its `audit` table behind Keel's back, as an attacker or a
 * careless admin with write access to the database would: `tamper` runs SQL with the append-only triggers
 * switched off.
 */
export interface AuditUnderTest {
  /** The journal argument (`--journal`) and schema of this test's fresh journal. */
  readonly journal: string;
  readonly schema?: string;
  open(o?: { readOnly?: boolean; now?: () => number }): Promise<AuditLog>;
  /** Run SQL statements directly on the journal database, with the audit triggers disabled. */
  tamper(statements: readonly string[]): Promise<void>;
  /** Run one SQL statement as an ordinary client (triggers on); rejects with the database's error. */
  sql(statement: string): Promise<void>;
  cleanup(): Promise<void>;
}

export type FreshAudit = () => Promise<AuditUnderTest>;

const ev = (i: number, extra: Partial<AuditEvent> = {}): AuditEvent => ({
  actor: 'cli:alice', origin: 'cli', action: 'user.add', target: `user-${i}`, result: AUDIT_OK, details: { roles: ['viewer'], i }, ...extra,
});

const isCode = (code: string) => (e: unknown) => e instanceof KeelError && e.code === code && !e.message.includes('\n');

/** The stored row a record is (to recompute hashes as an attacker would). */
function rowOf(r: AuditRecord, details = JSON.stringify(r.details)): Omit<AuditRow, 'hash'> {
  return {
    seq: r.seq, ts: r.ts, actor: r.actor, origin: r.origin, action: r.action, target: r.target ?? null, result: r.result.status,
    reason: r.result.status === 'ok' ? null : r.result.reason, details, prevHash: r.prevHash,
  };
}

const q = (s: string) => `'${s.replaceAll("'", "''")}'`;

export function auditContract(name: string, fresh: FreshAudit): void {
  const it = (title: string, fn: (t: AuditUnderTest, audit: AuditLog) => Promise<void>) => {
    test(`${name}: ${title}`, async () => {
      const t = await fresh();
      const audit = await t.open();
      try {
        await fn(t, audit);
      } finally {
        await audit.close();
        await t.cleanup();
      }
    });
  };

  it('records are numbered 1..n, each linked to the one before, the first to the journal\'s genesis', async (_t, audit) => {
    const empty = await audit.head();
    assert.equal(empty.seq, 0);
    assert.equal(empty.hash, genesisHash(empty.chainId));
    assert.match(empty.chainId, /^[0-9a-f]{32}$/);
    const a = await audit.record(ev(1));
    const b = await audit.record(ev(2, { action: 'kill', actor: 'token', origin: 'ip:127.0.0.1', target: undefined, details: { flatten: true, reason: 'drill' } }));
    const c = await audit.record(ev(3, { action: 'login.failed', actor: 'user:bob', origin: 'ip:::1', result: auditDenied('wrong password') }));
    assert.deepEqual([a.seq, b.seq, c.seq], [1, 2, 3]);
    assert.equal(a.prevHash, genesisHash(empty.chainId));
    assert.equal(b.prevHash, a.hash);
    assert.equal(c.prevHash, b.hash);
    for (const r of [a, b, c]) assert.equal(r.hash, recordHash(rowOf(r)));
    assert.deepEqual(await audit.read(), [a, b, c]);
    assert.equal(b.target, undefined);
    assert.deepEqual(c.result, { status: 'denied', reason: 'wrong password' });
    assert.deepEqual(await audit.head(), { chainId: empty.chainId, seq: 3, hash: c.hash });
    assert.deepEqual(await audit.verify(), { ok: true, records: 3, head: { chainId: empty.chainId, seq: 3, hash: c.hash } });
  });

  it('an empty trail verifies, and text of any script survives the database byte for byte', async (t, audit) => {
    assert.deepEqual((await audit.verify()).ok, true);
    const odd = 'Zoë — 東京 😀 "quoted", comma\nnew line\ttab \\ back';
    await audit.record(ev(1, { target: odd, result: auditDenied(odd), details: { note: odd, nested: { list: [1, -2, 0, true, null, 'x'] } } }));
    await audit.close();
    const again = await t.open({ readOnly: true });
    try {
      const [r] = await again.read();
      assert.equal(r.target, odd);
      assert.deepEqual(r.details, { note: odd, nested: { list: [1, -2, 0, true, null, 'x'] } });
      assert.equal((await again.verify()).ok, true);
    } finally {
      await again.close();
    }
  });

  it('concurrent records from two logs on one journal never fork the chain', async (t, audit) => {
    const other = await t.open();
    try {
      const made = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? other : audit).record(ev(i))));
      assert.deepEqual(made.map((r) => r.seq).sort((x, y) => x - y), Array.from({ length: 60 }, (_, i) => i + 1));
      const verdict = await audit.verify();
      assert.equal(verdict.ok, true);
      assert.equal(verdict.ok && verdict.records, 60);
    } finally {
      await other.close();
    }
  });

  it('two processes appending at once: one chain, no gaps, no fork', async (t, audit) => {
    const appenders = ['p1', 'p2'].map((tag) => spawn(process.execPath, ['test/helpers/audit-appender-process.ts', t.journal, t.schema ?? '-', '40', tag], { stdio: ['pipe', 'pipe', 'inherit'] }));
    const exited = appenders.map((p) => new Promise((r) => p.once('exit', r)));
    const lines = appenders.map((p) => createInterface({ input: p.stdout! })[Symbol.asyncIterator]());
    for (const l of lines) assert.equal((await l.next()).value, 'ready');
    for (const p of appenders) p.stdin!.write('go\n');
    for (const l of lines) assert.equal((await l.next()).value, 'done 40');
    assert.deepEqual(await Promise.all(exited), [0, 0]);
    const records = await audit.read();
    assert.deepEqual(records.map((r) => r.seq), Array.from({ length: 80 }, (_, i) => i + 1));
    assert.equal(new Set(records.map((r) => r.target)).size, 80);
    assert.deepEqual(new Set(records.map((r) => r.actor)), new Set(['cli:p1', 'cli:p2']));
    const verdict = await audit.verify();
    assert.equal(verdict.ok, true, JSON.stringify(verdict));
  });

  it('read(from, to) returns the records of [from, to) in chain order', async (t) => {
    let clock = Date.UTC(2025, 0, 1);
    const audit = await t.open({ now: () => clock });
    try {
      for (let i = 0; i < 5; i++) {
        await audit.record(ev(i));
        clock += 3_600_000;
      }
      const jan1 = Date.UTC(2025, 0, 1);
      assert.deepEqual((await audit.read(jan1 + 3_600_000, jan1 + 3 * 3_600_000)).map((r) => r.seq), [2, 3]);
      assert.deepEqual((await audit.read(new Date(jan1 + 4 * 3_600_000))).map((r) => r.seq), [5]);
      assert.deepEqual((await audit.read(undefined, jan1 + 1)).map((r) => r.seq), [1]);
      assert.equal((await audit.read())[0].ts, jan1);
    } finally {
      await audit.close();
    }
  });

  it('an event that cannot be recorded is refused in one line and nothing is written', async (_t, audit) => {
    const bad: Array<[Partial<AuditEvent>, RegExp]> = [
      [{ details: { price: 1.5 } }, /details\.price = 1\.5: must be a safe integer/],
      [{ details: { password: 'hunter2' } }, /details\.password: looks like a secret value/],
      [{ details: { nested: { apiSecret: 'x' } } }, /details\.nested\.apiSecret: looks like a secret value/],
      [{ action: 'launch-missiles' as AuditEvent['action'] }, /action = "launch-missiles": is not an audit action/],
      [{ actor: 'alice' as AuditEvent['actor'] }, /actor = "alice": must be system, token, anonymous, user:<name> or cli:<os user>/],
      [{ origin: 'moon' as AuditEvent['origin'] }, /origin = "moon": must be cli, control-dir, engine or ip:<address>/],
      [{ result: { status: 'denied', reason: ' ' } }, /result\.reason: must say why it was denied/],
      [{ target: 'a\u0000b' }, /target = .*: must not contain NUL/],
      [{ target: 'lone \uD800' }, /target = .*: must be well-formed Unicode/],
      [{ details: { big: 'x'.repeat(5000) } }, /details\.big = .*: must be at most 4096 characters/],
    ];
    for (const [extra, message] of bad) {
      await assert.rejects(audit.record(ev(1, extra)), (e: unknown) => isCode('BAD_AUDIT_EVENT')(e) && message.test((e as Error).message), JSON.stringify(extra));
    }
    assert.deepEqual(await audit.read(), []);
    assert.equal((await audit.record(ev(1))).seq, 1);
  });

  it('a read-only log verifies and exports but refuses to record', async (t, audit) => {
    await audit.record(ev(1));
    const ro = await t.open({ readOnly: true });
    try {
      await assert.rejects(ro.record(ev(2)), isCode('JOURNAL_READ_ONLY'));
      assert.equal((await ro.verify()).ok, true);
      assert.equal((await ro.read()).length, 1);
    } finally {
      await ro.close();
    }
  });

  it('UPDATE and DELETE through SQL are refused by the table itself', async (t, audit) => {
    await audit.record(ev(1));
    await assert.rejects(t.sql(`UPDATE ${t.schema ? `${t.schema}.` : ''}audit SET target = 'x' WHERE seq = 1`), /append-only/);
    await assert.rejects(t.sql(`DELETE FROM ${t.schema ? `${t.schema}.` : ''}audit WHERE seq = 1`), /append-only/);
    assert.equal((await audit.verify()).ok, true);
  });

  const tamperCase = (title: string, edit: (tbl: string, records: AuditRecord[]) => string[], expected: { seq: number; kind: string; message: RegExp }) => {
    it(`tampering is found: ${title}`, async (t, audit) => {
      for (let i = 1; i <= 6; i++) await audit.record(ev(i));
      const records = await audit.read();
      assert.equal((await audit.verify()).ok, true);
      await t.tamper(edit(t.schema ? `${t.schema}.audit` : 'audit', records));
      const verdict = await audit.verify();
      assert.equal(verdict.ok, false, `${title}: ${JSON.stringify(verdict)}`);
      if (verdict.ok) return;
      assert.equal(verdict.problem.seq, expected.seq);
      assert.equal(verdict.problem.kind, expected.kind);
      assert.match(verdict.problem.message, expected.message);
      assert.equal(verdict.records, expected.seq - 1);
    });
  };

  tamperCase('one field of a record edited', (tbl) => [`UPDATE ${tbl} SET target = 'user-X' WHERE seq = 3`],
    { seq: 3, kind: 'hash-mismatch', message: /^record 3: hash mismatch: its content was changed after it was written$/ });
  tamperCase('a record edited and its hash recomputed', (tbl, rs) => {
    const edited = { ...rowOf(rs[2]), result: 'denied', reason: 'nope' };
    return [`UPDATE ${tbl} SET result = 'denied', reason = 'nope', hash = ${q(recordHash(edited))} WHERE seq = 3`];
  }, { seq: 4, kind: 'broken-link', message: /^record 4: broken link: its previous-hash is not record 3's hash/ });
  tamperCase('a record deleted', (tbl) => [`DELETE FROM ${tbl} WHERE seq = 3`],
    { seq: 3, kind: 'seq-gap', message: /^record 3: missing \(the chain jumps from 2 to 4: 1 record deleted\)$/ });
  tamperCase('the first record deleted', (tbl) => [`DELETE FROM ${tbl} WHERE seq = 1`],
    { seq: 1, kind: 'seq-gap', message: /^record 1: missing/ });
  tamperCase('a record inserted (later ones renumbered)', (tbl, rs) => {
    const fake = { ...rowOf(rs[2]), target: 'mallory', prevHash: rs[1].hash };
    return [
      `UPDATE ${tbl} SET seq = seq + 1000 WHERE seq >= 3`, `UPDATE ${tbl} SET seq = seq - 999 WHERE seq >= 1003`,
      `INSERT INTO ${tbl} (seq, ts, actor, origin, action, target, result, reason, details, prev_hash, hash) VALUES (3, ${fake.ts}, ${q(fake.actor)}, ${q(fake.origin)}, ${q(fake.action)}, 'mallory', 'ok', NULL, ${q(fake.details)}, ${q(fake.prevHash)}, ${q(recordHash(fake))})`,
    ];
  }, { seq: 4, kind: 'broken-link', message: /^record 4: broken link/ });
  tamperCase('the chain id changed', (tbl) => [`UPDATE ${tbl.replace(/audit$/, 'audit_chain')} SET chain_id = '00000000000000000000000000000000'`],
    { seq: 1, kind: 'broken-link', message: /^record 1: broken link: its previous-hash is not this journal's genesis value/ });

  it('a cut-off tail passes a plain verify but not one against the recorded head', async (t, audit) => {
    for (let i = 1; i <= 5; i++) await audit.record(ev(i));
    const anchored = await audit.head();
    await t.tamper([`DELETE FROM ${t.schema ? `${t.schema}.` : ''}audit WHERE seq >= 4`]);
    assert.equal((await audit.verify()).ok, true, 'a hash chain alone cannot see a cut tail');
    const verdict = await audit.verify({ expectHead: anchored });
    assert.equal(verdict.ok, false);
    assert.deepEqual(!verdict.ok && [verdict.problem.seq, verdict.problem.kind], [5, 'truncated']);
    assert.match(!verdict.ok ? verdict.problem.message : '', /^record 5: missing: the chain ends at 3, before the anchored head/);
    // The chain grows past an anchor: an old head still checks.
    await audit.record(ev(9));
    const later = await audit.verify({ expectHead: { seq: 2, hash: (await audit.read())[1].hash } });
    assert.equal(later.ok, true);
  });

  it('a chain rewritten from scratch passes a plain verify but not one against the recorded head', async (t, audit) => {
    for (let i = 1; i <= 4; i++) await audit.record(ev(i));
    const anchored = await audit.head();
    const rs = await audit.read();
    // The attacker edits record 2 and recomputes every hash after it.
    const statements: string[] = [];
    let prev = rs[0].hash;
    for (const r of rs.slice(1)) {
      const row = { ...rowOf(r), prevHash: prev, ...(r.seq === 2 && { target: 'mallory' }) };
      const hash = recordHash(row);
      statements.push(`UPDATE ${t.schema ? `${t.schema}.` : ''}audit SET target = ${q(row.target!)}, prev_hash = ${q(prev)}, hash = ${q(hash)} WHERE seq = ${r.seq}`);
      prev = hash;
    }
    await t.tamper(statements);
    assert.equal((await audit.verify()).ok, true, 'a rewritten chain is a valid chain');
    const verdict = await audit.verify({ expectHead: anchored });
    assert.deepEqual(!verdict.ok && [verdict.problem.seq, verdict.problem.kind], [4, 'head-mismatch']);
  });
}
