import { KeelError } from '../../model/index.ts';
import { POSTGRES_SCHEMA_VERSION } from '../postgres/index.ts';
import { SQLITE_SCHEMA_VERSION } from '../sqlite/index.ts';
import { readManifest, verifyDataFile, type BackupManifest } from './manifest.ts';
import { checkPostgresTarget, restoreToPostgres, type PostgresTarget } from './restore-postgres.ts';
import { checkSqliteTarget, restoreToSqlite } from './restore-sqlite.ts';

/** Where a restore writes: a new SQLite file, or an absent or empty PostgreSQL schema. */
export type RestoreTarget =
  | { readonly kind: 'sqlite'; readonly path: string }
  | ({ readonly kind: 'postgres' } & PostgresTarget);

export interface RestoreResult {
  readonly manifest: BackupManifest;
  /** The restored journal's location (never with a password). */
  readonly target: string;
}

/**
 * Restore a backup: read its manifest, refuse a target that holds a journal, verify the data file's SHA-256,
 * then rebuild the journal (a `sqlite` backup into a SQLite target is a byte copy; anything else is replayed
 * event by event through the target journal), open the result and check its last seq and event count
 * against the manifest. Every refusal happens before the first write, and a failure after it removes what
 * was written; an existing journal is never touched. Either backup format restores into either database.
 *
 * @example
 * await restoreBackup({ from: 'backups/journal-20250102T030405.678Z-seq42.json', into: { kind: 'sqlite', path: 'run/journal.sqlite' } });
 */
export async function restoreBackup(o: { from: string; into: RestoreTarget }): Promise<RestoreResult> {
  const { manifest, dataPath } = readManifest(o.from);
  checkSchemaVersion(manifest, o.from);
  if (o.into.kind === 'sqlite') {
    const target = checkSqliteTarget(o.into.path);
    verifyDataFile(manifest, dataPath);
    await restoreToSqlite(manifest, dataPath, target);
    return { manifest, target };
  }
  const { existed, location } = await checkPostgresTarget(o.into);
  verifyDataFile(manifest, dataPath);
  await restoreToPostgres(manifest, dataPath, o.into, existed);
  return { manifest, target: location };
}

/** A backup of a journal written by a newer Keel is refused, like the journal itself would be. */
function checkSchemaVersion(m: BackupManifest, from: string): void {
  const understood = m.format === 'sqlite' ? SQLITE_SCHEMA_VERSION : POSTGRES_SCHEMA_VERSION;
  if (m.keelSchemaVersion > understood) {
    throw new KeelError('JOURNAL_SCHEMA', `holds a journal of schema version ${m.keelSchemaVersion}, newer than this Keel understands (${understood}); nothing was restored`, {
      field: '--from', value: from, hint: 'restore it with the Keel version that made it, or a newer one',
    });
  }
}
