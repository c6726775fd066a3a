import { createHash } from 'node:crypto';

/**
 * Ids in Alpaca's formats. Order and execution ids are UUID-shaped but come from a counter under a prefix
 * derived from the seed, so two runs with the same seed hand out the same ids (reproducible logs and tests),
 * and a restored server continues the counter instead of reusing an id.
 */
export class IdSource {
  private readonly prefix: string;
  private n: number;

  constructor(seed: number, start = 0) {
    this.prefix = (seed >>> 0).toString(16).padStart(8, '0');
    this.n = start;
  }

  /** How many ids were handed out (saved with the state so a restart continues the sequence). */
  get count(): number {
    return this.n;
  }

  /** @example new IdSource(7).next() // "00000007-0000-4000-8000-000000000001" */
  next(): string {
    const hex = (++this.n).toString(16).padStart(20, '0');
    return `${this.prefix}-${hex.slice(0, 4)}-4${hex.slice(4, 7)}-8${hex.slice(7, 10)}-${hex.slice(10, 20).padStart(12, '0')}`;
  }
}

/**
 * A UUID-shaped id that is a pure function of `text` (account and asset ids: stable across restarts).
 *
 * @example stableUuid('asset:ORCL') // same value on every run
 */
export function stableUuid(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** RFC 3339 in UTC, as Alpaca writes times. @example rfc3339(0) // "1970-01-01T00:00:00.000Z" */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * An account activity id, `<YYYYMMDDhhmmssSSS>::<uuid>`: the execution time then the execution id.
 *
 * @example activityId(Date.UTC(2024, 0, 2, 9, 30), 'u') // "20240102093000000::u"
 */
export function activityId(ms: number, executionId: string): string {
  return `${new Date(ms).toISOString().replace(/[-:TZ.]/g, '')}::${executionId}`;
}

/**
 * Parse an RFC 3339 time or a date (`2024-01-02`) given in a query; undefined when absent, NaN when unreadable.
 *
 * @example parseQueryTime('2024-01-02') // 1704153600000
 */
export function parseQueryTime(text: unknown): number | undefined {
  if (text === undefined || text === '') return undefined;
  // Date.parse keeps milliseconds only: cut longer fractions rather than misread them.
  return Date.parse(String(text).replace(/(\.\d{3})\d+/, '$1'));
}
