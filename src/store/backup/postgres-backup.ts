import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { KeelError } from '../../model/index.ts';
import { checkSchemaName, resolvePostgresConfig, type PostgresConnectionOptions } from '../postgres/config.ts';
import { PgSession } from '../postgres/connection.ts';
import { checkVersion, SCHEMA_VERSION } from '../postgres/migrations.ts';
import { readAuditRows, readChainId } from '../postgres/audit-table.ts';
import type { AuditRow } from '../audit-table.ts';
import { auditContents, type AuditContents, type BackupContents } from './manifest.ts';
import { DumpWriter } from './dump-format.ts';
import { temporaryName } from './no-overwrite.ts';
import { prepareBackupDir, publishBackup, type BackupResult } from './publish-backup.ts';
import { checkKeep, DEFAULT_KEEP } from './retention.ts';

const PAGE = 5000;

export interface PostgresBackupOptions {
  /** Server and credentials (missing fields from PG* variables / KEEL_POSTGRES_URL, as for the journal). */
  readonly connection?: PostgresConnectionOptions;
  /** The journal's schema (default "keel"). */
  readonly schema?: string;
  /** Directory of the backups (created if missing). */
  readonly to: string;
  /** Keep this many newest backups of this journal in `to` (default 7). */
  readonly keep?: number;
  readonly now?: () => Date;
}

/**
 * Online backup of a PostgreSQL journal: its events and snapshots, read inside one REPEATABLE READ READ ONLY
 * transaction (one snapshot of the database, so a batch the engine commits meanwhile is either wholly in or
 * wholly out), written as a `keel-dump` (dump-format.ts) to `<to>/journal-<UTC time>-seq<last seq>.dump` with
 * a `.json` manifest, then retention. It takes no lock: the engine keeps appending. A server that cannot be
 * reached, or a schema that is missing or newer, is refused in one line (host:port/database, never a
 * password) before anything is written.
 *
 * @example
 * await backupPostgresJournal({ connection: { url: 'postgres://127.0.0.1:5432/test' }, schema: 'keel_live', to: 'backups' });
 */
export async function backupPostgresJournal(o: PostgresBackupOptions): Promise<BackupResult> {
  const keep = checkKeep(o.keep ?? DEFAULT_KEEP);
  const schema = checkSchemaName(o.schema ?? 'keel');
  const session = await PgSession.connect(resolvePostgresConfig(o.connection));
  const source = `${session.server} schema ${schema}`;
  let tmp: string | undefined;
  try {
    const taken = await session.exclusive(async (c) => {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        await checkVersion(c, schema, session.server, 'a backup (it carries the audit trail)');
        const dir = prepareBackupDir(o.to);
        const createdAt = (o.now ?? (() => new Date()))();
        tmp = temporaryName(join(dir, 'journal.dump'));
        const auditChainId = await readChainId(c, schema, source);
        const contents = await dump(c, schema, new DumpWriter(tmp, { source, keelSchemaVersion: SCHEMA_VERSION, auditChainId }), auditChainId);
        await c.query('COMMIT');
        return { dir, createdAt, contents };
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {});
        throw err;
      }
    });
    return publishBackup({ ...taken, tmp: tmp!, format: 'keel-dump', source, keelSchemaVersion: SCHEMA_VERSION, keep });
  } catch (err) {
    if (tmp) rmSync(tmp, { force: true });
    if (err instanceof KeelError) throw err;
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new KeelError('BACKUP_FAILED', `could not be backed up (${msg}); no backup was written`, { field: 'journal', value: source });
  } finally {
    await session.close();
  }
}

/** Events by keyset pages (a cursor without holding every row in memory), then snapshots and the audit trail, all in the caller's transaction. */
async function dump(c: pg.Client, schema: string, out: DumpWriter, auditChainId: string): Promise<BackupContents> {
  let audit: AuditContents;
  try {
    let after = 0;
    for (;;) {
      // The session's type parsers give bigint columns as numbers and json as its stored text.
      const r = await c.query<{ seq: number; ts: number; account: string; strategy: string | null; instrument: string | null; type: string; version: string | null; payload: string }>(
        `SELECT seq, ts, account, strategy, instrument, type, version, payload FROM ${schema}.events WHERE seq > $1 ORDER BY seq LIMIT ${PAGE}`, [after],
      );
      for (const e of r.rows) out.event(e.seq, e.ts, e.account, e.strategy, e.instrument, e.type, e.version, e.payload);
      if (r.rows.length < PAGE) break;
      after = r.rows[r.rows.length - 1].seq;
    }
    let afterSnapshot = -1;
    for (;;) {
      const r = await c.query<{ seq: number; ts: number; state: string }>(
        `SELECT seq, ts, state FROM ${schema}.snapshots WHERE seq > $1 ORDER BY seq LIMIT 100`, [afterSnapshot],
      );
      for (const s of r.rows) out.snapshot(s.seq, s.ts, s.state);
      if (r.rows.length < 100) break;
      afterSnapshot = r.rows[r.rows.length - 1].seq;
    }
    let last: AuditRow | undefined;
    for (let fromSeq = 1; ;) {
      const rows = await readAuditRows(c, schema, { fromSeq, limit: PAGE });
      for (const row of rows) out.audit(row);
      if (rows.length > 0) last = rows[rows.length - 1];
      if (rows.length < PAGE) break;
      fromSeq = rows[rows.length - 1].seq + 1;
    }
    audit = auditContents(auditChainId, last);
  } catch (err) {
    out.abandon();
    throw err;
  }
  const { auditRecords, ...contents } = out.end();
  return { ...contents, audit: { ...audit, records: auditRecords } };
}
