import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ColumnMapping } from '../columns.ts';
import type { ValidationReport } from '../issues.ts';
import type { DataKind, KindOption } from '../layouts.ts';
import { VALUE_FIELDS, type SeriesColumns } from '../series-columns.ts';
import type { DateFormat } from '../timestamps.ts';
import { readColumnFile, writeColumnFile } from './column-file.ts';

/**
 * The columnar cache of loaded market data: the first load of a CSV file stores its validated columns and
 * its validation report; later loads of the same file with the same options read those instead of parsing.
 *
 * A cache file is used only when everything it was made from is unchanged: the file's absolute path, size,
 * modification and change times (ns), inode and device, a hash of its first and last 64 KiB, the options
 * that change what it loads as, the cache format, and the loader's own source (so a Keel upgrade never reads
 * what an older loader wrote). Anything else, or a damaged cache file, means a fresh parse that rewrites it.
 */

/** Options that change what a file loads as. The instrument id does not: it only labels the events. */
export interface CacheKeyOptions {
  readonly kind: KindOption;
  readonly timeZone: string;
  readonly dateFormat: DateFormat | undefined;
  readonly columns: ColumnMapping;
  readonly useAdjustedClose: boolean;
  readonly expectedIntervalMs: number | undefined;
}

/** What a load produced besides the columns. */
export interface CachedMeta {
  readonly layout: string;
  readonly priceDecimals: number;
  readonly intervalMs: number;
  readonly report: ValidationReport;
}

export interface CachedSeries {
  readonly series: SeriesColumns;
  readonly meta: CachedMeta;
}

const SAMPLE_BYTES = 64 * 1024;
const EXTENSION = '.keelcols';

/**
 * Where the CLI keeps the cache: `$KEEL_CACHE_DIR`, else `$XDG_CACHE_HOME/keel/data`, else `~/.cache/keel/data`.
 *
 * @example
 * defaultCacheDir({ XDG_CACHE_HOME: '/var/cache/me' }); // '/var/cache/me/keel/data'
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KEEL_CACHE_DIR) return resolve(env.KEEL_CACHE_DIR);
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'keel', 'data');
}

/**
 * The cache entry of one data file under one set of options.
 *
 * @example
 * const entry = DataCache.entry(defaultCacheDir(), 'ORCL.csv', options);
 * const hit = entry?.read();            // the columns and the report, or undefined
 * if (!hit) entry?.write(series, meta); // after a successful parse
 */
export class DataCache {
  /** The cache file's path. */
  readonly file: string;
  readonly #source: string;
  readonly #key: string;

  private constructor(file: string, source: string, key: string) {
    this.file = file;
    this.#source = source;
    this.#key = key;
  }

  /** The entry for `path`, or undefined when the path is not a readable file (the parse then words the error). */
  static entry(dir: string, path: string, options: CacheKeyOptions): DataCache | undefined {
    const source = resolve(path);
    const identity = sourceIdentity(source);
    if (identity === undefined) return undefined;
    const name = createHash('sha256').update(JSON.stringify([source, normalised(options)])).digest('hex').slice(0, 32);
    const key = JSON.stringify({ source, identity, options: normalised(options), loader: loaderFingerprint() });
    return new DataCache(join(resolve(dir), name + EXTENSION), source, key);
  }

  /** The cached load, or undefined when there is none or it does not match. */
  read(): CachedSeries | undefined {
    const file = readColumnFile(this.file);
    if (file === undefined) return undefined;
    const stored = file.header.meta as { key?: unknown; kind?: unknown; meta?: unknown } | null;
    if (stored === null || typeof stored !== 'object' || stored.key !== this.#key) return undefined;
    const kind = stored.kind;
    if (kind !== 'bars' && kind !== 'trades' && kind !== 'quotes') return undefined;
    if (file.header.columns.join(',') !== ['ts', ...VALUE_FIELDS[kind]].join(',') || !isMeta(stored.meta)) return undefined;
    const [ts, ...values] = file.columns;
    return { series: { kind, length: file.header.length, ts, values }, meta: stored.meta };
  }

  /**
   * Store a load. Skipped when the source changed while it was parsed; a cache that cannot be written (a
   * read-only directory, a full disk) only costs the next run a parse, so failures are ignored.
   */
  write(series: SeriesColumns, meta: CachedMeta): boolean {
    try {
      const now = JSON.stringify({ source: this.#source, identity: sourceIdentity(this.#source) });
      const then = JSON.parse(this.#key) as { source: string; identity: unknown };
      if (now !== JSON.stringify({ source: then.source, identity: then.identity })) return false;
      mkdirSync(join(this.file, '..'), { recursive: true });
      writeColumnFile(this.file, {
        length: series.length, columns: ['ts', ...VALUE_FIELDS[series.kind as DataKind]],
        meta: { key: this.#key, kind: series.kind, meta },
      }, [series.ts, ...series.values]);
      return true;
    } catch {
      return false;
    }
  }
}

/** Stat identity plus a hash of the first and last 64 KiB; undefined when `path` is not a readable file. */
function sourceIdentity(path: string): Record<string, string> | undefined {
  let fd: number | undefined;
  try {
    const st = statSync(path, { bigint: true });
    if (!st.isFile()) return undefined;
    fd = openSync(path, 'r');
    const size = Number(st.size);
    const head = Buffer.alloc(Math.min(SAMPLE_BYTES, size));
    readSync(fd, head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(SAMPLE_BYTES, size));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    return {
      size: String(st.size), mtimeNs: String(st.mtimeNs), ctimeNs: String(st.ctimeNs), ino: String(st.ino), dev: String(st.dev),
      sample: createHash('sha256').update(head).update(tail).digest('hex'),
    };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function normalised(o: CacheKeyOptions): unknown {
  const columns = Object.fromEntries(Object.entries(o.columns).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    kind: o.kind, timeZone: o.timeZone, dateFormat: o.dateFormat ?? null, columns,
    useAdjustedClose: o.useAdjustedClose, expectedIntervalMs: o.expectedIntervalMs ?? null,
  };
}

let fingerprint: string | undefined;

/**
 * A hash of the loader's source files (`data/`, this folder, and the model's calendar and decimal helpers):
 * what is cached depends on how they parse and validate, so any change to them starts a fresh cache.
 */
function loaderFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const hash = createHash('sha256');
  for (const dir of ['..', '.']) {
    const path = fileURLToPath(new URL(dir, import.meta.url));
    for (const name of readdirSync(path).filter((f) => f.endsWith('.ts')).sort()) hash.update(name).update(readFileSync(join(path, name)));
  }
  // The model's calendar and decimal helpers turn timestamps and prices into what is stored.
  for (const file of ['../../model/time-zones.ts', '../../model/decimal.ts']) hash.update(file).update(readFileSync(new URL(file, import.meta.url)));
  fingerprint = hash.digest('hex');
  return fingerprint;
}

function isMeta(m: unknown): m is CachedMeta {
  if (typeof m !== 'object' || m === null) return false;
  const x = m as Record<string, unknown>;
  const r = x.report as Record<string, unknown> | undefined;
  return typeof x.layout === 'string' && Number.isInteger(x.priceDecimals) && typeof x.intervalMs === 'number'
    && typeof r === 'object' && r !== null && Array.isArray(r.errors) && Array.isArray(r.warnings) && typeof r.rows === 'number';
}
