/**
 * The PostgreSQL journal (production; DESIGN.md principle 6). Everything lives in one schema per journal,
 * created and migrated on open; one engine writes to a schema at a time.
 */
export { openPostgresJournal, PostgresJournal, type PostgresJournalOptions } from './journal.ts';
export { resolvePostgresConfig, describeServer, type PostgresConnectionOptions, type PostgresConfig } from './config.ts';
export { SCHEMA_VERSION as POSTGRES_SCHEMA_VERSION } from './migrations.ts';
export { openPostgresAuditTable, PostgresAuditTable, type PostgresAuditTableOptions } from './audit-table.ts';
export { LeaderLease, type LeaderLeaseOptions, type LeaseState, type HaNodeRow } from './lease.ts';
export { isFenced } from './fencing.ts';
