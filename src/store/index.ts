/** The durable journal: interface, SQLite (embedded default) and PostgreSQL implementations, the engine's writer. */
export * from './journal.ts';
export * from './projection.ts';
export * from './journal-writer.ts';
export { openSqliteJournal } from './sqlite/sqlite-journal.ts';
