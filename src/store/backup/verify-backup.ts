import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Journal } from '../journal.ts';
import { openSqliteJournal } from '../sqlite/index.ts';
import { journalFingerprint, canonical } from './fingerprint.ts';
import { readManifest } from './manifest.ts';
import { restoreBackup } from './restore.ts';

/**
 * The verdict on one backup, kept beside it as `<data file>.verify.json` (`keel preflight` reads the newest
 * one to check that backups verify). This shape is a contract with other tools: keep it.
 */
export interface BackupVerification {
  readonly ok: boolean;
  /** ISO time of the verification. */
  readonly verifiedAt: string;
  /** The backup's data file name (journal-<time>-seq<n>.sqlite or .dump). */
  readonly backup: string;
  /** `journalFingerprint` of the restored journal (empty when the restore itself failed). */
  readonly fingerprint: string;
  readonly error?: string;
}

export interface VerifyBackupOptions {
  /** The source journal, open (read-only is enough): the backup's events must be exactly its first `lastSeq`. */
  readonly source?: Journal;
  /** Where the scratch restore goes (default the OS temp folder); removed afterwards. */
  readonly scratch?: string;
  readonly now?: () => Date;
}

/**
 * Prove a backup restores: restore it into a scratch SQLite journal (checksum checked; a dump is replayed
 * event by event, rebuilding the read models), open what came out, take its fingerprint, and compare its
 * events with the source journal's first `lastSeq` events (those never change: the journal is append-only).
 * Writes the verdict to `<data file>.verify.json` (atomically) and returns it; never throws for a bad backup.
 *
 * @example
 * const v = await verifyBackup('backups/journal-20250102T030405.678Z-seq42.json', { source: journal });
 * if (!v.ok) alert(v.error);
 */
export async function verifyBackup(manifestPath: string, o: VerifyBackupOptions = {}): Promise<BackupVerification> {
  const now = o.now ?? (() => new Date());
  let backup = basename(manifestPath);
  let dataPath: string | undefined;
  const scratch = mkdtempSync(join(o.scratch ?? tmpdir(), 'keel-verify-'));
  let verdict: BackupVerification;
  try {
    const read = readManifest(manifestPath);
    dataPath = read.dataPath;
    backup = basename(read.dataPath);
    const m = read.manifest;
    const target = join(scratch, 'restored.sqlite');
    await restoreBackup({ from: manifestPath, into: { kind: 'sqlite', path: target } });
    const restored = await openSqliteJournal({ path: target, readOnly: true });
    try {
      const fingerprint = await journalFingerprint(restored);
      const problem = await compareEvents(restored, o.source, m.lastSeq);
      verdict = problem === undefined
        ? { ok: true, verifiedAt: now().toISOString(), backup, fingerprint }
        : { ok: false, verifiedAt: now().toISOString(), backup, fingerprint, error: problem };
    } finally {
      await restored.close();
    }
  } catch (err) {
    verdict = { ok: false, verifiedAt: now().toISOString(), backup, fingerprint: '', error: (err as Error).message.split('\n')[0] };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const sidecar = `${dataPath ?? manifestPath.replace(/\.json$/, '')}.verify.json`;
  writeFileSync(`${sidecar}.partial`, JSON.stringify(verdict, null, 2) + '\n');
  renameSync(`${sidecar}.partial`, sidecar);
  return verdict;
}

/** The newest `*.verify.json` in a backup folder (by its verifiedAt), or undefined. */
export function latestVerification(dir: string): BackupVerification | undefined {
  if (!existsSync(dir)) return undefined;
  let best: BackupVerification | undefined;
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.verify.json')) continue;
    try {
      const v = JSON.parse(readFileSync(join(dir, f), 'utf8')) as BackupVerification;
      if (best === undefined || v.verifiedAt > best.verifiedAt) best = v;
    } catch { /* an unreadable sidecar is not a verification */ }
  }
  return best;
}

/** Remove the sidecars of backups that retention deleted (`pruned`: their file names). */
export function pruneVerifications(dir: string, pruned: readonly string[]): void {
  for (const f of pruned) rmSync(join(dir, `${basename(f)}.verify.json`), { force: true });
}

/** A digest of events 1..throughSeq (the same encoding as the fingerprint's). */
export async function eventsDigest(journal: Journal, throughSeq: number): Promise<string> {
  const hash = createHash('sha256');
  for (let from = 1; from <= throughSeq;) {
    const page = await journal.read({ fromSeq: from, limit: Math.min(10_000, throughSeq - from + 1) });
    for (const r of page) {
      const s = r.stream;
      hash.update(`event ${canonical([r.seq, r.ts, s.account, s.strategy ?? null, s.instrument ?? null, r.type, r.version ?? null, r.payload])}\n`);
    }
    if (page.length === 0) break;
    from = page[page.length - 1].seq + 1;
  }
  return hash.digest('hex');
}

async function compareEvents(restored: Journal, source: Journal | undefined, lastSeq: number): Promise<string | undefined> {
  const last = await restored.lastSeq();
  if (last !== lastSeq) return `the restored journal ends at seq ${last}, the manifest says ${lastSeq}`;
  if (source === undefined) return undefined;
  const [a, b] = [await eventsDigest(restored, lastSeq), await eventsDigest(source, lastSeq)];
  return a === b ? undefined : `the restored events 1..${lastSeq} differ from the source journal's (digest ${a.slice(0, 12)} vs ${b.slice(0, 12)})`;
}

