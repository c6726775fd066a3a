import { KeelError } from '../../model/index.ts';
import { backupPostgresJournal, backupSqliteJournal, DEFAULT_KEEP, restoreBackup, type BackupManifest, type BackupResult, type RestoreTarget } from '../../store/backup/index.ts';
import { numberFlag, parseFlags, required } from '../args.ts';
import { formatHead, openAuditLog } from '../../security/index.ts';

export const BACKUP_HELP = `keel backup | restore: online, checksummed copies of a journal

  keel backup --journal FILE|postgres://HOST:PORT/DB [--schema S] --to DIR [--keep N]
      copy the journal while the engine runs (SQLite's backup API; for PostgreSQL one consistent
      snapshot of events and snapshots) to DIR/journal-<UTC time>-seq<last seq>.sqlite or .dump, with a
      .json manifest holding its SHA-256; then keep the newest N backups of that journal (default ${DEFAULT_KEEP})
  keel restore --from DIR/journal-….json --journal NEW_FILE|postgres://HOST:PORT/DB [--schema S]
      verify the backup's checksum and rebuild the journal: into a SQLite file that must not exist, or a
      PostgreSQL schema that must be absent or empty. Either kind of backup restores into either database.
      Then the restored audit trail's hash chain is verified and must end at the head the backup recorded.
  --schema S       the PostgreSQL schema of the journal (default keel); --journal-schema S also works
  Exit status: 0 done, 1 restored but its audit trail does not verify, 2 refused (bad arguments, corrupt
  backup, existing target, unreachable database).
`;

const BACKUP_OPTIONS = { journal: { type: 'string' }, schema: { type: 'string' }, 'journal-schema': { type: 'string' }, to: { type: 'string' }, keep: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;
const RESTORE_OPTIONS = { from: { type: 'string' }, journal: { type: 'string' }, schema: { type: 'string' }, 'journal-schema': { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

const JOURNAL_HINT = 'a SQLite file (run/journal.sqlite) or a PostgreSQL URL (postgres://127.0.0.1:5432/keel)';

/** `keel backup`: an online copy of a journal into a backup directory, then retention. */
export async function backupCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, BACKUP_OPTIONS, 'backup');
  if (v.help) { process.stdout.write(BACKUP_HELP); return 0; }
  const journal = journalFlag(required(v.journal, '--journal', JOURNAL_HINT), schemaFlag(v));
  const to = required(v.to, '--to', 'the backup directory, e.g. --to backups');
  const keep = numberFlag(v.keep, '--keep', { integer: true, min: 1 }) ?? DEFAULT_KEEP;
  const r = journal.kind === 'sqlite'
    ? await backupSqliteJournal({ path: journal.path, to, keep })
    : await backupPostgresJournal({ connection: journal.connection, schema: journal.schema, to, keep });
  process.stdout.write(describeBackup(r, keep));
  return 0;
}

/** `keel restore`: verify a backup and rebuild its journal at a new place. */
export async function restoreCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, RESTORE_OPTIONS, 'restore');
  if (v.help) { process.stdout.write(BACKUP_HELP); return 0; }
  const from = required(v.from, '--from', 'the .json manifest keel backup wrote, e.g. --from backups/journal-20250102T030405.678Z-seq42.json');
  const into = journalFlag(required(v.journal, '--journal', `where to restore: ${JOURNAL_HINT} that holds no journal yet`), schemaFlag(v));
  const { manifest: m, target } = await restoreBackup({ from, into });
  const snapshots = m.snapshots === 1 ? '1 snapshot' : `${m.snapshots} snapshots`;
  process.stdout.write([
    `restored ${m.events} events up to seq ${m.lastSeq} (${snapshots}) into ${target}`,
    `  from      ${m.file} (${m.format === 'sqlite' ? 'SQLite backup' : 'dump'} of ${m.source}, taken ${m.createdAt})`,
    `  sha256    ${m.sha256} verified`,
  ].join('\n') + '\n');
  return verifyRestoredAudit(into, m);
}

/**
 * Walk the restored journal's audit chain, and check it reaches the head the backup recorded: a backup of a
 * trail that had been tampered with restores (nothing is lost), but says so and exits 1.
 */
async function verifyRestoredAudit(into: RestoreTarget, m: BackupManifest): Promise<number> {
  const audit = await openAuditLog(into.kind === 'sqlite'
    ? { journal: into.path, readOnly: true }
    : { journal: into.connection!.url!, schema: into.schema, readOnly: true });
  try {
    const expectHead = m.audit && m.audit.lastHash !== null ? { seq: m.audit.lastSeq, hash: m.audit.lastHash } : undefined;
    const verdict = await audit.verify({ expectHead });
    if (!verdict.ok) {
      process.stderr.write(`keel: the restored journal's audit trail does not verify: ${verdict.problem.message} (the journal was restored; the trail was already broken in the backup)\n`);
      return 1;
    }
    process.stdout.write(`  audit     ${verdict.records} record${verdict.records === 1 ? '' : 's'}, chain verified, head ${formatHead(verdict.head)}\n`);
    return 0;
  } finally {
    await audit.close();
  }
}

/** `--schema`, or `--journal-schema` as `keel paper` and `keel state` spell it. */
function schemaFlag(v: { schema?: string; 'journal-schema'?: string }): string | undefined {
  const a = v.schema;
  const b = v['journal-schema'];
  if (a !== undefined && b !== undefined && a !== b) {
    throw new KeelError('BAD_ARGUMENT', `disagrees with --journal-schema ${JSON.stringify(b)}`, { field: '--schema', value: a, hint: 'give one of them' });
  }
  return a ?? b;
}

/** A file path, or a postgres:// URL plus --schema. The URL is passed through, never printed (it may hold a password). */
function journalFlag(value: string, schema: string | undefined): RestoreTarget {
  if (/^postgres(ql)?:\/\//i.test(value)) return { kind: 'postgres', connection: { url: value }, schema: schema ?? 'keel' };
  if (schema !== undefined) {
    throw new KeelError('BAD_ARGUMENT', 'applies to a PostgreSQL journal only', { field: '--schema', value: schema, hint: 'give --journal as postgres://HOST:PORT/DB, or drop --schema' });
  }
  return { kind: 'sqlite', path: value };
}

function describeBackup(r: BackupResult, keep: number): string {
  const m = r.manifest;
  const snapshots = m.snapshots === 1 ? '1 snapshot' : `${m.snapshots} snapshots`;
  return [
    `backup of ${m.source}: ${m.events} events up to seq ${m.lastSeq}, ${snapshots}`,
    `  data      ${r.dataPath} (${m.bytes} bytes)`,
    `  manifest  ${r.manifestPath}`,
    `  sha256    ${m.sha256}`,
    ...(m.audit ? [`  audit     ${m.audit.records} record${m.audit.records === 1 ? '' : 's'}${m.audit.lastHash ? `, head ${m.audit.lastSeq}:${m.audit.lastHash}` : ''}`] : []),
    `  retention newest ${keep} kept; ${r.pruned.length ? `deleted ${r.pruned.join(', ')}` : 'nothing deleted'}`,
  ].join('\n') + '\n';
}
