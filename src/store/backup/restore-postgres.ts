import type pg from 'pg';
import { KeelError } from '../../model/index.ts';
import { checkSchemaName, resolvePostgresConfig, type PostgresConnectionOptions } from '../postgres/config.ts';
import { PgSession } from '../postgres/connection.ts';
import { openPostgresAuditTable, openPostgresJournal, type PostgresAuditTable } from '../postgres/index.ts';
import { readDump } from './dump-format.ts';
import type { BackupManifest } from './manifest.ts';
import { replay } from './replay.ts';
import { checkRestored } from './restore-check.ts';
import { readSqliteBackup } from './sqlite-backup-reader.ts';

export interface PostgresTarget {
  readonly connection?: PostgresConnectionOptions;
  /** Schema to restore into (default "keel"); it must be absent or hold no events and no snapshots. */
  readonly schema?: string;
}

const JOURNAL_TABLES = ['events', 'snapshots', 'orders', 'fills', 'positions', 'balances', 'audit'];

/**
 * Check that the target schema is absent or empty before anything is verified or written. Returns whether it
 * existed (a failed restore drops a schema it created, and empties one it found empty).
 */
export async function checkPostgresTarget(t: PostgresTarget): Promise<{ schema: string; existed: boolean; location: string }> {
  const schema = checkSchemaName(t.schema ?? 'keel');
  const session = await PgSession.connect(resolvePostgresConfig(t.connection));
  const location = `${session.server} schema ${schema}`;
  try {
    return await session.exclusive(async (c) => {
      const r = await c.query<{ found: boolean; journal: boolean; tables: number }>(
        `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS found,
                EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'events') AS journal,
                (SELECT count(*)::int FROM pg_tables WHERE schemaname = $1) AS tables`, [schema],
      );
      const { found, journal, tables } = r.rows[0];
      if (journal) {
        const audited = await c.query(`SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'audit'`, [schema]);
        const held = await c.query<{ last: number; snapshots: boolean; audit: boolean }>(
          `SELECT coalesce((SELECT max(seq) FROM ${schema}.events), 0)::bigint AS last, EXISTS (SELECT 1 FROM ${schema}.snapshots) AS snapshots,
                  ${audited.rowCount ? `EXISTS (SELECT 1 FROM ${schema}.audit)` : 'false'} AS audit`,
        );
        const { last, snapshots, audit } = held.rows[0];
        if (last > 0 || snapshots || audit) {
          throw new KeelError('BACKUP_TARGET_EXISTS', `already holds a journal (events up to seq ${last}); restore never writes into a journal that has data, nothing was written`, {
            field: '--schema', value: location, hint: 'restore into a new schema (--schema), or drop this one first if it is really unwanted',
          });
        }
      } else if (tables > 0) {
        throw new KeelError('JOURNAL_SCHEMA', 'holds tables but no Keel journal; restore writes only into an empty or new schema, nothing was written', {
          field: '--schema', value: location, hint: 'restore into a schema of its own (--schema)',
        });
      }
      return { schema, existed: found, location };
    });
  } finally {
    await session.close();
  }
}

/**
 * Replay a backup (either format) into the target schema through the PostgreSQL journal itself, so the read
 * models are rebuilt by the same code and transactions as when the engine wrote them. The journal's writer
 * lock keeps an engine out meanwhile. If anything fails, what was written is removed again: a half-restored
 * journal must never look like a real one to an engine starting on it.
 */
export async function restoreToPostgres(manifest: BackupManifest, dataPath: string, t: PostgresTarget, existed: boolean): Promise<void> {
  const schema = checkSchemaName(t.schema ?? 'keel');
  // Machine durability: when restore says done, the journal is on disk.
  const journal = await openPostgresJournal({ connection: t.connection, schema, durability: 'machine' });
  try {
    if ((await journal.lastSeq()) > 0 || (await journal.latestSnapshot()) !== undefined) {
      throw new KeelError('BACKUP_TARGET_EXISTS', 'was written to while the restore started; nothing was restored', { field: '--schema', value: journal.location });
    }
  } catch (err) {
    await journal.close();
    throw err;
  }
  let audit: PostgresAuditTable | undefined;
  try {
    audit = await openPostgresAuditTable({ connection: t.connection, schema, durability: 'machine' });
    await replay(manifest.format === 'sqlite' ? readSqliteBackup(dataPath) : readDump(dataPath), journal, dataPath, audit);
    await audit.close();
    await checkRestored(journal, manifest);
    await journal.close();
  } catch (err) {
    await audit?.close();
    await journal.close();
    await undo(t, schema, existed, journal.location, err);
    throw err;
  }
}

async function undo(t: PostgresTarget, schema: string, existed: boolean, location: string, cause: unknown): Promise<void> {
  try {
    const session = await PgSession.connect(resolvePostgresConfig(t.connection));
    try {
      // Emptied, the read models' watermark goes back to 0 with the events it counted.
      // TRUNCATE is not UPDATE or DELETE: the audit table's append-only trigger lets an empty restore target be emptied again.
      await session.exclusive((c: pg.Client) => c.query(existed
        ? `TRUNCATE ${JOURNAL_TABLES.map((n) => `${schema}.${n}`).join(', ')}; UPDATE ${schema}.read_model_state SET seq = 0`
        : `DROP SCHEMA IF EXISTS ${schema} CASCADE`));
    } finally {
      await session.close();
    }
  } catch {
    const msg = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new KeelError('RESTORE_INCOMPLETE', `restore stopped partway (${msg}) and the partial journal could not be removed`, {
      field: '--schema', value: location, hint: `drop it (DROP SCHEMA ${schema} CASCADE) before an engine starts on it, then restore again`,
    });
  }
}
