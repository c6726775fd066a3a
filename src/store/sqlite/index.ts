/** The embedded SQLite journal (node:sqlite, WAL): the default for a run on one machine. */
export { openSqliteJournal, SqliteJournal, type SqliteJournalOptions, type SqliteJournalStats } from './journal.ts';
export { SQLITE_SCHEMA_VERSION, checkReadableVersion } from './migrations.ts';
export { openSqliteAuditTable, SqliteAuditTable, type SqliteAuditTableOptions } from './audit-table.ts';
