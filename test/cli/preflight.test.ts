import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { openAuditLog, AUDIT_OK } from '../../src/security/index.ts';
import { openSqliteJournal } from '../../src/store/index.ts';
import { keelAsync } from '../helpers/cli.ts';
import { fakeChronyc } from '../helpers/fake-chronyc.ts';

test('keel preflight passes and fails for stated reasons; keel live requires it, journals an override, and never overrides the clock', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-preflight-'));
  const synced = fakeChronyc('chronyc-tracking-synced.txt');
  const drift = fakeChronyc('chronyc-tracking-drift.txt');
  const hook = createServer((s) => s.end()).listen(0, '127.0.0.1');
  await new Promise((r) => hook.once('listening', r));
  const hookPort = (hook.address() as { port: number }).port;
  try {
    const journal = join(dir, 'live.sqlite');
    const backups = join(dir, 'backups');
    mkdirSync(backups);
    const file = join(dir, 'keel.yaml');
    const write = (o: { risk?: string; channels?: string } = {}) => writeFileSync(file, [
      'account: live-1', 'strategy: { name: sma-cross, params: { fast: 3, slow: 8 } }', 'venue: { kind: sim, address: "127.0.0.1:1" }',
      `journal: ${journal}`, 'live: { account: ACC-1 }',
      o.risk ?? 'risk: { account: { maxOrderNotional: 5000 }, breakers: { drawdown: { maxDrawdownPct: 10, action: halt } } }',
      `alerts: { channels: [${o.channels ?? `{ type: webhook, name: ops, url: "http://127.0.0.1:${hookPort}/hook?token=s3cret-in-url" }`}] }`,
      'preflight: { killSwitchTestedWithinDays: 7, backupVerifiedWithinHours: 26 }', 'clock: { alertMs: 1, hardLimitMs: 100 }', '',
    ].join('\n'));
    const preflight = (env: NodeJS.ProcessEnv) => keelAsync(['preflight', '--config', file, '--backups', backups], { env });
    const line = (out: string, name: string) => out.split('\n').find((l) => l.includes(`  ${name}: `)) ?? `(no ${name} line in)\n${out}`;

    // Nothing done yet: four of five fail, each saying why.
    write({ risk: 'risk: { account: { maxOrderNotional: 5000 } }' });
    let r = await preflight(drift.env);
    assert.equal(r.code, 1, r.stderr);
    assert.match(line(r.stdout, 'limits set'), /^FAIL  limits set: missing a loss breaker \(breakers\.dailyLoss or breakers\.drawdown\); set: account\.maxOrderNotional$/);
    assert.match(line(r.stdout, 'kill switch tested'), /^FAIL  kill switch tested: no kill switch use in the audit trail of .*live\.sqlite/);
    assert.match(line(r.stdout, 'backups verified'), /^FAIL  backups verified: no backup verification \(\*\.verify\.json\) in /);
    assert.match(line(r.stdout, 'clock in sync'), /^FAIL  clock in sync: offset \+250\.413 ms \(chrony, reference time\.cloudflare\.com\) is past the hard limit of 100 ms$/);
    assert.match(line(r.stdout, 'alerts reachable'), new RegExp(`^PASS  alerts reachable: ops \\(webhook\\) 127\\.0\\.0\\.1:${hookPort}$`));
    assert.match(r.stdout, /preflight FAILED: 4 of 5 checks\n$/);
    assert.ok(!r.stdout.includes('s3cret-in-url'), 'the webhook URL (a secret) is never printed');

    // Fix each: limits, a kill-switch drill in the audit trail, a verified backup, the clock.
    write();
    const audit = await openAuditLog({ journal });
    await audit.record({ actor: 'user:ops', origin: 'ip:127.0.0.1', action: 'kill', result: AUDIT_OK, details: { flatten: true, reason: 'drill' } });
    await audit.close();
    writeFileSync(join(backups, 'journal-1.sqlite.verify.json'), JSON.stringify({ ok: false, verifiedAt: new Date(Date.now() - 60_000).toISOString(), backup: 'journal-1.sqlite', fingerprint: 'ab', error: 'sha256 mismatch' }));
    r = await preflight(synced.env);
    assert.match(line(r.stdout, 'backups verified'), /^FAIL  backups verified: the newest verification, of journal-1\.sqlite at .*, failed: sha256 mismatch$/);
    writeFileSync(join(backups, 'journal-2.sqlite.verify.json'), JSON.stringify({ ok: true, verifiedAt: new Date().toISOString(), backup: 'journal-2.sqlite', fingerprint: '3f9a0c1d2e4b5a6978' }));
    r = await preflight(synced.env);
    assert.equal(r.code, 0, r.stdout);
    assert.match(line(r.stdout, 'limits set'), /^PASS  limits set: account\.maxOrderNotional, breakers\.drawdown$/);
    assert.match(line(r.stdout, 'kill switch tested'), /^PASS  kill switch tested: last tested \d{4}-.* by user:ops \(within 7 days\)$/);
    assert.match(line(r.stdout, 'backups verified'), /^PASS  backups verified: journal-2\.sqlite verified .*, fingerprint 3f9a0c1d2e4b$/);
    assert.match(line(r.stdout, 'clock in sync'), /^PASS  clock in sync: offset -0\.007 ms \(chrony, reference foo\.example\.net\), within 1 ms$/);
    assert.match(r.stdout, /preflight passed\n$/);

    // keel live: past the clock's hard limit it refuses, override or not.
    const live = (env: NodeJS.ProcessEnv, ...extra: string[]) => keelAsync(['live', '--config', file, '--confirm-account', 'ACC-1', '--backups', backups, ...extra], { env });
    r = await live(drift.env, '--override-preflight', 'we know');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^keel: .*keel\.yaml: clock\.hardLimitMs = 100: refuses live trading: offset \+250\.413 ms .* is past the hard limit of 100 ms/);
    // A failed check refuses without a reason, and starts (journaled) with one.
    write({ channels: '{ type: webhook, name: ops, url: "http://127.0.0.1:1/hook" }' });
    r = await live(synced.env);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /FAIL  alerts reachable: ops \(webhook\) 127\.0\.0\.1:1 unreachable: ECONNREFUSED/);
    assert.match(r.stderr, /^keel: keel preflight: refuses live trading: alerts reachable failed \(above\)/);
    r = await live(synced.env, '--override-preflight', 'pager outage, ops on the phone');
    assert.match(r.stdout, /preflight overridden by .*: pager outage, ops on the phone \(journaled\)/);
    assert.equal(r.code, 2, 'it went on to connect the venue (nothing listens on port 1)');
    const j = await openSqliteJournal({ path: journal, readOnly: true });
    const events = await j.read({ types: ['preflight.overridden', 'preflight.passed'] });
    await j.close();
    assert.equal(events.length, 1);
    const p = events[0].payload as { reason: string; failed: string[]; by: string; checks: unknown[] };
    assert.equal(p.reason, 'pager outage, ops on the phone');
    assert.deepEqual(p.failed, ['alerts reachable']);
    assert.match(p.by, /^cli:/);
    assert.equal(p.checks.length, 5);
    for (const out of [r.stdout, r.stderr]) assert.doesNotMatch(out, /\n\s+at /, 'no stack trace');
  } finally {
    hook.close();
    synced.remove();
    drift.remove();
    rmSync(dir, { recursive: true, force: true });
  }
});
