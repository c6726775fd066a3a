import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AUDIT_OK, openAuditLog } from '../src/security/index.ts';
import { MACHINE } from './machine.ts';

/**
 * The audit trail on SQLite (issue 13): how long one record takes (awaited one after the other, as an
 * operator action's background write does: hash, IMMEDIATE transaction, commit) and how fast `verify` walks
 * the chain. An operator action costs one of these, after the action was answered, off the trading path.
 */
export async function auditBench(machine: string, o: { records?: number; log?: (line: string) => void } = {}): Promise<{ recordP50Us: number; recordP99Us: number; verifyPerSecond: number }> {
  const n = o.records ?? 5000;
  const dir = mkdtempSync(join(tmpdir(), 'keel-bench-audit-'));
  try {
    const audit = await openAuditLog({ journal: join(dir, 'journal.sqlite') });
    const us: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = process.hrtime.bigint();
      await audit.record({ actor: 'token', origin: 'ip:127.0.0.1', action: 'cancel', target: `sma-cross-${i}`, result: AUDIT_OK, details: { i } });
      us.push(Number(process.hrtime.bigint() - t) / 1000);
    }
    us.sort((a, b) => a - b);
    const t = process.hrtime.bigint();
    const verdict = await audit.verify();
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    await audit.close();
    if (!verdict.ok || verdict.records !== n) throw new Error('the benchmark chain does not verify');
    const r = { recordP50Us: us[Math.floor(n * 0.5)], recordP99Us: us[Math.floor(n * 0.99)], verifyPerSecond: Math.round(n / (ms / 1000)) };
    o.log?.(`audit record (sqlite, process durability): p50 ${r.recordP50Us.toFixed(0)} µs, p99 ${r.recordP99Us.toFixed(0)} µs over ${n} records; verify ${r.verifyPerSecond.toLocaleString('en-US')} records/s [${machine}]`);
    return r;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await auditBench(MACHINE, { log: console.log });
