/** Disaster-recovery drills (`keel drill`): restore the latest backup, start from it, measure RTO and RPO. */
export * from './drill-report.ts';
export { latestBackup } from './latest-backup.ts';
