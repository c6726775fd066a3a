/**
 * Online backup and restore of journals (DESIGN.md "Persistence and recovery"): consistent, checksummed
 * copies taken while the engine runs, retention of the newest N, and restores that verify the checksum and
 * never overwrite a journal. `journalFingerprint` states what "identical state" means.
 */
export { backupSqliteJournal, type SqliteBackupOptions } from './sqlite-backup.ts';
export { backupPostgresJournal, type PostgresBackupOptions } from './postgres-backup.ts';
export type { BackupResult } from './publish-backup.ts';
export { restoreBackup, type RestoreTarget, type RestoreResult } from './restore.ts';
export { readManifest, verifyDataFile, type BackupManifest, type BackupFormat } from './manifest.ts';
export { pruneBackups, DEFAULT_KEEP } from './retention.ts';
export { journalFingerprint } from './fingerprint.ts';
export { verifyBackup, latestVerification, pruneVerifications, eventsDigest, type BackupVerification, type VerifyBackupOptions } from './verify-backup.ts';
