import { backupPostgresJournal, backupSqliteJournal, pruneVerifications, verifyBackup, type BackupResult, type BackupVerification } from '../store/backup/index.ts';
import type { Journal } from '../store/index.ts';
import type { BackupConfig } from './run-config-ops.ts';

/** The journal a schedule backs up: a SQLite file or a PostgreSQL schema. */
export type BackupSource =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema: string };

/** One scheduled round: the backup (or why there is none) and its verification. */
export interface BackupRound {
  readonly result?: BackupResult;
  readonly verification?: BackupVerification;
  /** Set when the backup itself failed, or its verification did not come out ok. */
  readonly error?: string;
}

export interface BackupScheduleOptions {
  readonly source: BackupSource;
  /** `backup:` of the run config, with `to` resolved. */
  readonly config: BackupConfig;
  /** The engine's own journal, for comparing a backup's events with the source's. */
  readonly journal?: Journal;
  readonly onRound: (round: BackupRound) => void;
}

/**
 * Scheduled backups while trading (`backup: {every, to, keep}`): every `every` ms an online backup of the
 * journal (the engine keeps appending; see store/backup), retention of the newest `keep`, then the backup
 * restored into a scratch place, its fingerprint taken and its events compared with the journal's
 * (`<data file>.verify.json`). Rounds never overlap; a failed one is reported through `onRound` (the engine
 * raises the `backup` alert) and the next is tried on schedule.
 *
 * @example
 * const schedule = startBackupSchedule({ source: { kind: 'sqlite', path }, config, journal, onRound: (r) => r.error && alert(r.error) });
 * … await schedule.stop();
 */
export function startBackupSchedule(o: BackupScheduleOptions): { stop(): Promise<void>; runNow(): Promise<BackupRound> } {
  let running: Promise<BackupRound> | undefined;
  let stopped = false;
  const round = async (): Promise<BackupRound> => {
    let result: BackupResult;
    try {
      result = o.source.kind === 'sqlite'
        ? await backupSqliteJournal({ path: o.source.path, to: o.config.to, keep: o.config.keep })
        : await backupPostgresJournal({ connection: { url: o.source.url }, schema: o.source.schema, to: o.config.to, keep: o.config.keep });
    } catch (err) {
      return { error: `backup of the journal failed: ${(err as Error).message.split('\n')[0]}` };
    }
    pruneVerifications(o.config.to, result.pruned);
    if (!o.config.verify) return { result };
    const verification = await verifyBackup(result.manifestPath, { source: o.journal });
    return verification.ok ? { result, verification } : { result, verification, error: `backup ${verification.backup} did not verify: ${verification.error}` };
  };
  const runNow = (): Promise<BackupRound> => {
    running ??= round().then((r) => { o.onRound(r); return r; }).finally(() => { running = undefined; });
    return running;
  };
  const timer = setInterval(() => { if (!stopped && running === undefined) void runNow(); }, o.config.every);
  timer.unref();
  return {
    runNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}

