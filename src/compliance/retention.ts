import { readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { KeelError } from '../model/index.ts';

/** Five years and a leap day: MiFID II (RTS 6 art. 28, RTS 25) keeps order records at least five years. */
export const DEFAULT_RETENTION_DAYS = 1827;
const DAY_MS = 86_400_000;

/**
 * The `records:` section of the run config: how long order records are kept, and where `keel records
 * export --archive` puts them.
 *
 * @example
 * records: { retentionDays: 2192, archive: records/ }   # six years, e.g. for SEC 17a-4
 */
export const recordsConfigSchema = z.object({
  retentionDays: z.number({ error: 'must be a whole number of days, e.g. 1827 (five years)' })
    .int({ error: 'must be a whole number of days' }).min(1, { error: 'must be 1 day or more' }).default(DEFAULT_RETENTION_DAYS),
  archive: z.string({ error: 'must be a folder path' }).min(1, { error: 'must be a folder path' }).optional(),
}).strict();
export type RecordsConfig = z.output<typeof recordsConfigSchema>;

export interface PruneResult {
  /** Files whose every record is older than the retention (deleted unless dry run). */
  readonly deleted: readonly string[];
  /** Record files holding at least one record inside the retention. */
  readonly kept: readonly string[];
  /** Files that are not record exports, or whose newest record cannot be told: never deleted. */
  readonly skipped: readonly string[];
  /** Records newer than this are inside the retention (ISO). */
  readonly cutoff: string;
}

/**
 * Delete the record exports in `dir` whose newest record is older than the retention. A file is deleted only
 * when it is a Keel records export (by its header), every time in it can be read, and the newest of them and
 * the end of its period are before `now - retentionDays`: anything else is kept, so pruning can never delete a
 * record inside retention, a file it does not understand, or another tool's file.
 *
 * @example pruneRecordExports('records', { retentionDays: 1827, now: Date.now() }).deleted // ['orders-2019-01.csv']
 */
export function pruneRecordExports(dir: string, o: { retentionDays: number; now: number; dryRun?: boolean }): PruneResult {
  if (!Number.isInteger(o.retentionDays) || o.retentionDays < 1) throw new KeelError('BAD_RETENTION', 'must be a whole number of days ≥ 1', { field: 'retentionDays', value: o.retentionDays });
  const cutoff = o.now - o.retentionDays * DAY_MS;
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (err) {
    throw new KeelError('RECORDS_DIR', `cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { field: '--dir', value: dir });
  }
  const deleted: string[] = [];
  const kept: string[] = [];
  const skipped: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    const newest = newestRecordTime(readFileSync(path, 'utf8'), name);
    if (newest === undefined) { skipped.push(name); continue; }
    if (newest >= cutoff) { kept.push(name); continue; }
    if (!o.dryRun) unlinkSync(path);
    deleted.push(name);
  }
  return { deleted, kept, skipped, cutoff: new Date(cutoff).toISOString() };
}

/** The newest time a records export holds (its records and the end of its period), or undefined when it is not one. */
function newestRecordTime(text: string, name: string): number | undefined {
  const times: number[] = [];
  if (name.endsWith('.json')) {
    let doc: { format?: unknown; to?: unknown; orders?: Array<{ lifecycle?: Array<{ time?: unknown }> }>; killSwitches?: Array<{ time?: unknown }>; operatorActions?: Array<{ time?: unknown }> };
    try { doc = JSON.parse(text); } catch { return undefined; }
    if (doc.format !== 'keel-order-records' || typeof doc.to !== 'string') return undefined; // an open-ended export covers "now"
    times.push(Date.parse(doc.to));
    for (const o of doc.orders ?? []) for (const s of o.lifecycle ?? []) times.push(Date.parse(String(s.time)));
    for (const k of [...(doc.killSwitches ?? []), ...(doc.operatorActions ?? [])]) times.push(Date.parse(String(k.time)));
  } else if (name.endsWith('.csv')) {
    const [header, ...rows] = text.split(/\r?\n/).filter((l) => l !== '');
    if (header === undefined || !header.startsWith('record,seq,time_utc,')) return undefined;
    if (rows.length === 0) return undefined; // an empty export names no period: kept
    for (const row of rows) {
      const m = /^[a-z-]+,\d+,([0-9T:.\-Z]+),/.exec(row);
      if (!m) return undefined;
      times.push(Date.parse(m[1]));
    }
  } else {
    return undefined;
  }
  if (times.some((t) => !Number.isFinite(t))) return undefined;
  return Math.max(...times);
}
