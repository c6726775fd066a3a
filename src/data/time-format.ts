/** Short human forms of instants and durations for reports and messages. */

const UNITS: readonly (readonly [string, number])[] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];

/**
 * A duration in its two largest units.
 *
 * @example
 * formatDuration(60_000);      // '1m'
 * formatDuration(93_600_000);  // '1d 2h'
 * formatDuration(250);         // '250ms'
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [unit, size] of UNITS) {
    if (rest >= size || parts.length > 0) {
      const n = Math.floor(rest / size);
      rest -= n * size;
      if (n > 0) parts.push(`${n}${unit}`);
      if (parts.length === 2) break;
    }
  }
  return parts.join(' ');
}

/**
 * An epoch-ms instant as ISO 8601 UTC, as short as it can be without losing information.
 *
 * @example
 * formatInstant(Date.UTC(2006, 0, 2));         // '2006-01-02'
 * formatInstant(Date.UTC(2006, 0, 2, 9, 1));   // '2006-01-02T09:01:00Z'
 * formatInstant(Date.UTC(2015, 8, 23, 20, 57, 42, 146)); // '2015-09-23T20:57:42.146Z'
 */
export function formatInstant(ts: number): string {
  if (!Number.isFinite(ts)) return String(ts);
  const iso = new Date(ts).toISOString();
  if (iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  return iso.endsWith('.000Z') ? iso.slice(0, 19) + 'Z' : iso;
}
