import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { AUDIT_OK, auditDenied, formatHead, openAuditLog, recordHash } from '../../src/security/index.ts';
import { keel } from '../helpers/cli.ts';

/** `keel audit` over a SQLite journal, as an operator runs it (PostgreSQL: audit-cli.pg.test.ts). */

const T0 = Date.UTC(2025, 0, 2, 9, 0, 0);
const HOUR = 3_600_000;

/** A journal with five audit records an hour apart, from 2025-01-02T09:00Z. */
async function journalWithTrail(dir: string): Promise<string> {
  const journal = join(dir, 'journal.sqlite');
  let clock = T0;
  const audit = await openAuditLog({ journal, now: () => clock });
  const events = [
    { actor: 'system', origin: 'engine', action: 'config.load', target: 'keel.yaml', result: AUDIT_OK, details: { sha256: 'ab12' } },
    { actor: 'token', origin: 'ip:127.0.0.1', action: 'kill', result: AUDIT_OK, details: { flatten: true, reason: 'fat finger, "big" one\nsecond line' } },
    { actor: 'user:=HYPERLINK("x")', origin: 'ip:::1', action: 'login.failed', target: '-bob', result: auditDenied('wrong password') },
    { actor: 'cli:alice', origin: 'control-dir', action: 'rearm', result: AUDIT_OK, details: { reason: 'venue back' } },
    { actor: 'token', origin: 'ip:127.0.0.1', action: 'cancel', target: 'ORDER-MARKER-5', result: AUDIT_OK },
  ] as const;
  for (const e of events) {
    await audit.record(e);
    clock += HOUR;
  }
  await audit.close();
  return journal;
}

function inTemp(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-audit-cli-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function sql(journal: string, statements: string): void {
  const db = new DatabaseSync(journal);
  try {
    db.exec(statements);
  } finally {
    db.close();
  }
}

test('keel audit verify passes on an intact trail, then names the record after one byte of the file changed', inTemp(async (dir) => {
  const journal = await journalWithTrail(dir);
  const ok = keel(['audit', 'verify', '--journal', journal]);
  assert.equal(ok.code, 0, ok.stderr);
  const lines = ok.stdout.trimEnd().split('\n');
  assert.equal(lines[0], `audit trail of ${journal}: 5 records, hash chain intact`);
  assert.match(lines[1], /^head 5:[0-9a-f]{64}$/);
  const head = keel(['audit', 'head', '--journal', journal]);
  assert.equal(head.code, 0);
  assert.equal(head.stdout, `${lines[1].slice(5)}\n`);
  assert.match(head.stderr, /keep it outside this database/);

  const bytes = readFileSync(journal);
  const at = bytes.indexOf('ORDER-MARKER-5');
  assert.ok(at > 0);
  bytes[at] ^= 0x01; // 'O' -> 'N'
  writeFileSync(journal, bytes);
  const bad = keel(['audit', 'verify', '--journal', journal]);
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout, '');
  assert.equal(bad.stderr, `keel: the audit trail of ${journal} is broken at record 5: hash mismatch: its content was changed after it was written (4 records before it are intact)\n`);
}));

test('keel audit verify: a deleted record is named, and a cut-off tail is caught against the recorded head', inTemp(async (dir) => {
  const journal = await journalWithTrail(dir);
  const anchored = keel(['audit', 'head', '--journal', journal]).stdout.trim();
  sql(journal, 'DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 5;');
  const plain = keel(['audit', 'verify', '--journal', journal]);
  assert.equal(plain.code, 0, 'the chain 1..4 is intact: only the anchor shows the loss');
  const against = keel(['audit', 'verify', '--journal', journal, '--expect-head', anchored]);
  assert.equal(against.code, 1);
  assert.match(against.stderr, /^keel: the audit trail of .* is broken at record 5: missing: the chain ends at 4, before the anchored head \(records were deleted from the end\) \(4 records before it are intact\)\n$/);
  sql(journal, 'DELETE FROM audit WHERE seq = 2;');
  const gap = keel(['audit', 'verify', '--journal', journal]);
  assert.equal(gap.code, 1);
  assert.match(gap.stderr, /is broken at record 2: missing \(the chain jumps from 1 to 3: 1 record deleted\) \(1 record before it is intact\)/);
  const badHead = keel(['audit', 'verify', '--journal', journal, '--expect-head', '5:xyz']);
  assert.equal(badHead.code, 2);
  assert.match(badHead.stderr, /^keel: --expect-head = "5:xyz": is not an audit head \(give SEQ:HASH as keel audit head prints it\)\n$/);
}));

test('keel audit export: CSV escaped per RFC 4180 with spreadsheet formulas defused, JSON from which every hash can be recomputed', inTemp(async (dir) => {
  const journal = await journalWithTrail(dir);
  const csv = keel(['audit', 'export', '--journal', journal, '--from', '2025-01-02T10:00:00Z', '--to', '2025-01-02T12:00Z']);
  assert.equal(csv.code, 0, csv.stderr);
  const rows = csv.stdout.split('\r\n');
  assert.equal(rows[0], 'seq,time,ts,actor,origin,action,target,result,reason,details,prev_hash,hash');
  assert.match(rows[1], new RegExp(`^2,2025-01-02T10:00:00\\.000Z,${T0 + HOUR},token,ip:127\\.0\\.0\\.1,kill,,ok,,"\\{""flatten"":true,""reason"":""fat finger, \\\\""big\\\\"" one\\\\nsecond line""\\}",[0-9a-f]{64},[0-9a-f]{64}$`));
  assert.match(rows[2], /^3,2025-01-02T11:00:00\.000Z,\d+,"user:=HYPERLINK\(""x""\)",ip:::1,login\.failed,'-bob,denied,wrong password,\{\},/);
  assert.equal(rows.length, 4, 'two records and the final CRLF');

  const out = join(dir, 'exports', 'audit.json');
  const json = keel(['audit', 'export', '--journal', journal, '--format', 'json', '--out', out]);
  assert.equal(json.code, 0, json.stderr);
  assert.equal(json.stderr, `5 audit records written to ${out} (json)\n`);
  assert.equal(statSync(out).mode & 0o777, 0o600);
  const records = JSON.parse(readFileSync(out, 'utf8')) as Array<Record<string, unknown>>;
  assert.equal(records.length, 5);
  for (const r of records) {
    const row = { ...r, details: JSON.stringify(r.details) } as unknown as Parameters<typeof recordHash>[0];
    assert.equal(recordHash(row), r.hash, `record ${String(r.seq)} rehashes from the export`);
  }
  assert.equal(records[0].time, '2025-01-02T09:00:00.000Z');
  const day = keel(['audit', 'export', '--journal', journal, '--from', '2025-01-02', '--to', '2025-01-03', '--format', 'json']);
  assert.equal(JSON.parse(day.stdout).length, 5);
  const none = keel(['audit', 'export', '--journal', journal, '--from', '2025-01-03', '--format', 'json']);
  assert.equal(none.stdout, '[]\n');
}));

test('keel audit: bad input is one clear line, exit 2', inTemp(async (dir) => {
  const journal = await journalWithTrail(dir);
  const cases: Array<[string[], RegExp]> = [
    [['audit', 'export', '--journal', journal, '--from', '2025-02-30'], /^keel: --from = "2025-02-30": is not an ISO-8601 date or time \(e\.g\. 2025-01-02 or 2025-01-02T09:30:00Z\)\n$/],
    [['audit', 'export', '--journal', journal, '--from', '2025-01-03', '--to', '2025-01-02'], /^keel: --to = "2025-01-02": must be after --from \(2025-01-03T00:00:00\.000Z\)\n$/],
    [['audit', 'export', '--journal', journal, '--format', 'xml'], /^keel: --format = "xml": must be csv or json\n$/],
    [['audit', 'verify', '--journal', join(dir, 'missing.sqlite')], /^keel: --journal = ".*missing\.sqlite": does not exist\n$/],
    [['audit', 'verify'], /^keel: --journal: is required/],
    [['audit', 'rewrite', '--journal', journal], /^keel: keel audit = "rewrite": is not a keel audit command \(verify, head or export\)\n$/],
  ];
  for (const [args, line] of cases) {
    const r = keel(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, line);
  }
  const help = keel(['audit', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /keel audit verify --journal/);
  assert.equal(formatHead({ seq: 1, hash: 'a'.repeat(64) }), `1:${'a'.repeat(64)}`);
}));
