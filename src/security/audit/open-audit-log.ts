import { existsSync } from 'node:fs';
import { KeelError } from '../../model/index.ts';
import { openSqliteAuditTable, type Durability } from '../../store/index.ts';
import { openPostgresAuditTable } from '../../store/postgres/index.ts';
import { ChainedAuditLog, type AuditLog } from './audit-log.ts';

export interface OpenAuditLogOptions {
  /** The journal, as `--journal` and `journal:` take it: a SQLite file or a postgres:// URL. */
  readonly journal: string;
  /** PostgreSQL only: the journal's schema (default keel). */
  readonly schema?: string;
  /** Verify and export only: never migrates the journal; `record` is refused. */
  readonly readOnly?: boolean;
  /** As the journal's (default `process`). */
  readonly durability?: Durability;
  /** Clock of record times (tests). */
  readonly now?: () => number;
}

/**
 * The audit trail of the journal at `journal`, on a connection of its own (no journal writer lock: a CLI
 * command may record while an engine runs, and appends never wait behind the engine's journal commits).
 * A read-only open needs an existing journal; a writing one creates it, like the journal does.
 *
 * @example
 * const audit = await openAuditLog({ journal: 'postgres://keel@db:5432/prod', schema: 'keel_live', readOnly: true });
 * const verdict = await audit.verify();
 */
export async function openAuditLog(o: OpenAuditLogOptions): Promise<AuditLog> {
  const now = o.now === undefined ? {} : { now: o.now };
  if (/^postgres(ql)?:\/\//.test(o.journal)) {
    const table = await openPostgresAuditTable({ connection: { url: o.journal }, schema: o.schema ?? 'keel', readOnly: o.readOnly, durability: o.durability });
    return new ChainedAuditLog(table, now);
  }
  if (o.schema !== undefined) throw new KeelError('BAD_ARGUMENT', 'only applies to a PostgreSQL journal', { field: '--journal-schema', value: o.schema });
  if (o.readOnly && !existsSync(o.journal)) throw new KeelError('JOURNAL_NOT_FOUND', 'does not exist', { field: '--journal', value: o.journal });
  const table = await openSqliteAuditTable({ path: o.journal, readOnly: o.readOnly, durability: o.durability });
  return new ChainedAuditLog(table, now);
}
