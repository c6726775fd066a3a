import type pg from 'pg';
import { KeelError } from '../../model/index.ts';
import type { AuditRow, AuditRowQuery, AuditSeal, AuditTable, AuditTableOptions } from '../audit-table.ts';
import { checkSchemaName, resolvePostgresConfig, type PostgresConnectionOptions } from './config.ts';
import { PgSession } from './connection.ts';
import { checkVersion, LOCK_CLASS_AUDIT, migrate } from './migrations.ts';

export interface PostgresAuditTableOptions extends AuditTableOptions {
  readonly connection?: PostgresConnectionOptions;
  /** The journal's schema (default "keel"), created and migrated like the journal's unless read-only. */
  readonly schema?: string;
}

const COLUMNS = 'seq, ts, actor, origin, action, target, result, reason, details, prev_hash AS "prevHash", hash';

/**
 * Open the audit table of the PostgreSQL journal in `schema`, on a connection of its own: an audit append
 * never queues behind the engine's journal commits (its connection runs one transaction at a time).
 *
 * @example
 * const table = await openPostgresAuditTable({ connection: { url: 'postgres://127.0.0.1:5432/test' }, schema: 'keel_live' });
 */
export async function openPostgresAuditTable(o: PostgresAuditTableOptions = {}): Promise<PostgresAuditTable> {
  const schema = checkSchemaName(o.schema ?? 'keel');
  const durability = o.durability ?? 'process';
  const session = await PgSession.connect(resolvePostgresConfig(o.connection));
  const location = `${session.server} schema ${schema}`;
  try {
    await session.exclusive(async (c) => {
      await c.query(`SET synchronous_commit = ${durability === 'machine' ? 'on' : 'off'}`);
      // An append holds the audit lock across round trips. A process paused inside one (SIGSTOP, a frozen VM)
      // would hold it until it woke, and the standby taking over, whose first audit record waits for that lock,
      // would never start trading: the server ends such a transaction after 2 s (less than the default 3 s
      // lease, so the lock is free by the time a takeover can happen), and the woken node's append fails.
      await c.query("SET idle_in_transaction_session_timeout = '2s'");
      if (o.readOnly) await checkVersion(c, schema, session.server, 'the audit trail');
      else await migrate(c, schema, session.server);
    });
    return new PostgresAuditTable(session, schema, location, o.readOnly === true);
  } catch (err) {
    await session.close();
    throw err;
  }
}

/**
 * The PostgreSQL `audit` table. An append is one transaction that first takes a transaction-level advisory
 * lock on the schema's audit key: appenders in every process wait there, each then reads the true last row,
 * and the lock goes with the commit (or with the connection, if the process dies mid-append).
 */
export class PostgresAuditTable implements AuditTable {
  readonly kind = 'postgres' as const;
  readonly location: string;
  readonly readOnly: boolean;
  private readonly session: PgSession;
  private readonly schema: string;

  constructor(session: PgSession, schema: string, location: string, readOnly: boolean) {
    this.session = session;
    this.schema = schema;
    this.location = location;
    this.readOnly = readOnly;
  }

  chainId(): Promise<string> {
    return this.session.exclusive((c) => readChainId(c, this.schema, this.location));
  }

  append(seal: AuditSeal): Promise<AuditRow> {
    this.checkWritable();
    return this.inLockedTransaction(async (c) => {
      const last = await lastRow(c, this.schema);
      const row = seal(last, await readChainId(c, this.schema, this.location));
      checkNext(row, last?.seq ?? 0, this.location);
      await insertRows(c, this.schema, [row]);
      return row;
    });
  }

  rows(query: AuditRowQuery = {}): Promise<AuditRow[]> {
    return this.session.exclusive((c) => readAuditRows(c, this.schema, query));
  }

  last(): Promise<AuditRow | undefined> {
    return this.session.exclusive((c) => lastRow(c, this.schema));
  }

  async count(): Promise<number> {
    const r = await this.session.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${this.schema}.audit`);
    return r[0].n;
  }

  importRows(chainId: string, rows: readonly AuditRow[]): Promise<void> {
    this.checkWritable();
    return this.inLockedTransaction(async (c) => {
      const last = await lastRow(c, this.schema);
      if (last === undefined) {
        await c.query(`UPDATE ${this.schema}.audit_chain SET chain_id = $1 WHERE id = 1`, [chainId]);
      } else if ((await readChainId(c, this.schema, this.location)) !== chainId) {
        throw new KeelError('AUDIT_IMPORT', 'already holds an audit chain of another journal; nothing was imported', { field: 'journal', value: this.location });
      }
      let seq = last?.seq ?? 0;
      for (const row of rows) {
        checkNext(row, seq, this.location);
        seq = row.seq;
      }
      for (let i = 0; i < rows.length; i += 1000) await insertRows(c, this.schema, rows.slice(i, i + 1000));
    });
  }

  close(): Promise<void> {
    return this.session.close();
  }

  private inLockedTransaction<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    return this.session.exclusive(async (c) => {
      await c.query('BEGIN');
      try {
        await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS_AUDIT, this.schema]);
        const result = await fn(c);
        await c.query('COMMIT');
        return result;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {});
        throw err;
      }
    });
  }

  private checkWritable(): void {
    if (this.readOnly) throw new KeelError('JOURNAL_READ_ONLY', 'was opened read-only', { field: 'journal', value: this.location, hint: 'open it without readOnly to append audit records' });
  }
}

/** Audit rows in sequence order (shared with PostgresJournal.readAudit). */
export async function readAuditRows(c: pg.Client, schema: string, q: AuditRowQuery = {}): Promise<AuditRow[]> {
  const values: unknown[] = [q.fromSeq ?? 1];
  const where = ['seq >= $1'];
  if (q.fromTs !== undefined) where.push(`ts >= $${values.push(q.fromTs)}`);
  if (q.toTs !== undefined) where.push(`ts < $${values.push(q.toTs)}`);
  const limit = q.limit !== undefined ? ` LIMIT $${values.push(q.limit)}` : '';
  const r = await c.query<AuditRow>(`SELECT ${COLUMNS} FROM ${schema}.audit WHERE ${where.join(' AND ')} ORDER BY seq${limit}`, values);
  return r.rows;
}

/** The chain id of a schema's audit table. */
export async function readChainId(c: pg.Client, schema: string, location: string): Promise<string> {
  const r = await c.query<{ id: string }>(`SELECT chain_id AS id FROM ${schema}.audit_chain WHERE id = 1`);
  if (r.rows.length === 0) {
    throw new KeelError('AUDIT_CORRUPT', 'has no audit chain id (the audit_chain row was removed)', { field: 'journal', value: location, hint: 'restore the journal from a backup' });
  }
  return r.rows[0].id;
}

async function lastRow(c: pg.Client, schema: string): Promise<AuditRow | undefined> {
  const r = await c.query<AuditRow>(`SELECT ${COLUMNS} FROM ${schema}.audit ORDER BY seq DESC LIMIT 1`);
  return r.rows[0];
}

async function insertRows(c: pg.Client, schema: string, rows: readonly AuditRow[]): Promise<void> {
  const col = <K extends keyof AuditRow>(k: K) => rows.map((r) => r[k]);
  await c.query(
    `INSERT INTO ${schema}.audit (seq, ts, actor, origin, action, target, result, reason, details, prev_hash, hash)
     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])`,
    [col('seq'), col('ts'), col('actor'), col('origin'), col('action'), col('target'), col('result'), col('reason'), col('details'), col('prevHash'), col('hash')],
  );
}

function checkNext(row: AuditRow, lastSeq: number, location: string): void {
  if (row.seq !== lastSeq + 1) {
    throw new KeelError('AUDIT_WRITE', `record ${row.seq} does not follow the last one (${lastSeq}); nothing was written`, { field: 'journal', value: location });
  }
}
