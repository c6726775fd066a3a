import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { KeelError } from '../../model/index.ts';
import { STEM_PATTERN } from './manifest.ts';

/** Backups kept per journal when no `keep` is given: a week of nightly backups. */
export const DEFAULT_KEEP = 7;

/** `keep` must be a whole number >= 1: keeping zero would delete the backup just made. */
export function checkKeep(keep: number): number {
  if (!Number.isInteger(keep) || keep < 1) {
    throw new KeelError('BAD_ARGUMENT', 'must be a whole number of backups, at least 1', { field: '--keep', value: keep, hint: `the default keeps ${DEFAULT_KEEP}` });
  }
  return keep;
}

interface Candidate {
  readonly manifest: string;
  readonly file: string;
  readonly createdAt: string;
  readonly lastSeq: number;
}

/**
 * Keep the newest `keep` backups of `source` in `dir` and delete the older ones. Only complete pairs this code
 * wrote are candidates: a `journal-<time>-seq<n>.json` manifest that parses, names `source` and names its own
 * data file. Anything else in the directory (other journals' backups, unreadable manifests, unfinished
 * `.partial` files, the operator's notes) is never touched. Returns the names deleted.
 *
 * @example pruneBackups('backups', { keep: 7, source: '/srv/run/journal.sqlite' }) // ['journal-…-seq10.sqlite', 'journal-…-seq10.json']
 */
export function pruneBackups(dir: string, o: { keep: number; source: string }): string[] {
  const keep = checkKeep(o.keep);
  const mine: Candidate[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    const stem = name.slice(0, -'.json'.length);
    if (!STEM_PATTERN.test(stem)) continue;
    let m: { source?: unknown; file?: unknown; createdAt?: unknown; lastSeq?: unknown };
    try {
      m = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    } catch {
      continue; // a manifest we cannot read is evidence of something we do not understand: leave it
    }
    if (m === null || typeof m !== 'object' || m.source !== o.source) continue;
    if (m.file !== `${stem}.sqlite` && m.file !== `${stem}.dump`) continue;
    mine.push({ manifest: name, file: m.file, createdAt: String(m.createdAt), lastSeq: Number(m.lastSeq) || 0 });
  }
  mine.sort((a, b) => (a.createdAt === b.createdAt ? b.lastSeq - a.lastSeq : a.createdAt < b.createdAt ? 1 : -1));
  const deleted: string[] = [];
  for (const old of mine.slice(keep)) {
    // Data first, manifest last: if we are interrupted, the manifest still marks the pair as ours and the
    // next run finishes the job, instead of leaving a nameless data file nobody will ever delete.
    rmSync(join(dir, old.file), { force: true });
    rmSync(join(dir, old.manifest), { force: true });
    deleted.push(old.file, old.manifest);
  }
  return deleted;
}
