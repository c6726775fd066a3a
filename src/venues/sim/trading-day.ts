const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * An integer naming the calendar day of `ts` in `timeZone` (days since 1970-01-01 in that zone). DAY orders
 * expire when this changes. UTC is computed directly; other zones go through Intl (only DAY orders pay it).
 */
export function tradingDayKey(ts: number, timeZone: string): number {
  if (timeZone === 'UTC') return Math.floor(ts / DAY_MS);
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  const [y, m, d] = f.format(ts).split('-').map(Number);
  return Math.floor(Date.UTC(y, m - 1, d) / DAY_MS);
}
