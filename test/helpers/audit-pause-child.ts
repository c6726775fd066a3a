/**
 * A child for test/security/audit/audit-pause.pg.test.ts: opens the PostgreSQL audit table and stops itself
 * (SIGSTOP) inside an append, after the audit lock is taken and before the commit, as a paused node would be.
 * Woken up, it prints how its append ended. Args: URL SCHEMA.
 */
import { openPostgresAuditTable } from '../../src/store/postgres/index.ts';
import { AUDIT_OK, checkAuditEvent } from '../../src/security/audit/index.ts';
import { sealFor } from '../../src/security/audit/chain.ts';

const [url, schema] = process.argv.slice(2);
const table = await openPostgresAuditTable({ connection: { url }, schema });
const seal = sealFor(checkAuditEvent({ actor: 'user:paused', origin: 'engine', action: 'kill', result: AUDIT_OK, details: {} }), Date.now);
process.stdout.write('open\n');
try {
  await table.append((last, chainId) => {
    process.kill(process.pid, 'SIGSTOP');
    return seal(last, chainId);
  });
  process.stdout.write('appended\n');
} catch (err) {
  process.stdout.write(`failed: ${(err as Error).message}\n`);
}
await table.close().catch(() => {});
