/**
 * A second process appending to a journal's audit trail, for the tests that prove the chain never forks
 * across processes: waits for "go" on stdin (so that both processes start appending at once), records N
 * events tagged with its name, prints "done N" and exits.
 *
 *   node test/helpers/audit-appender-process.ts JOURNAL [SCHEMA|-] N NAME
 */
import { AUDIT_OK, openAuditLog } from '../../src/security/index.ts';

const [journal, schema, count, name] = process.argv.slice(2);
const audit = await openAuditLog({ journal, schema: schema === '-' ? undefined : schema });
process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
process.stdin.destroy(); // an open stdin would keep this process alive
const n = Number(count);
// Concurrent calls from this process too: appends must queue within it as well as across processes.
await Promise.all(Array.from({ length: n }, (_, i) => audit.record({
  actor: `cli:${name}`, origin: 'cli', action: 'user.add', target: `${name}-${i}`, result: AUDIT_OK, details: { i },
})));
await audit.close();
process.stdout.write(`done ${n}\n`);
