import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { KeelError } from '../model/index.ts';
import { openSqliteJournal, type Journal } from '../store/index.ts';
import { openPostgresJournal } from '../store/postgres/index.ts';

/**
 * `--journal`: a SQLite file (the embedded default) or a PostgreSQL URL (`postgres://user@host:5432/db`),
 * with `--journal-schema` naming the schema (default keel). `mustExist` for commands that only read one.
 */
export async function openJournalArg(arg: string, o: { schema?: string; mustExist?: boolean; readOnly?: boolean; fencing?: { epoch: number } } = {}): Promise<Journal> {
  if (/^postgres(ql)?:\/\//.test(arg)) {
    return openPostgresJournal({ connection: { url: arg }, schema: o.schema ?? 'keel', readOnly: o.readOnly, fencing: o.fencing });
  }
  if (o.schema !== undefined) throw new KeelError('BAD_ARGUMENT', 'only applies to a PostgreSQL journal', { field: '--journal-schema', value: o.schema });
  if (o.mustExist && !existsSync(arg)) throw new KeelError('JOURNAL_NOT_FOUND', 'does not exist', { field: '--journal', value: arg });
  // A new run's journal goes in a new run directory: create it, as --out does for results.
  if (!o.mustExist && !existsSync(dirname(arg))) mkdirSync(dirname(arg), { recursive: true });
  return openSqliteJournal({ path: arg, readOnly: o.readOnly });
}
