import type { BacktestResult, RiskRecord } from '../backtest/index.ts';

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(2)}%`);
const num = (x: number | null, d = 2) => (x === null ? '—' : x.toFixed(d));
/** Whole days for daily data, one decimal for intraday curves (durations are fractional there). */
const days = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
const money = (x: number) => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** The few lines a trader reads first after a backtest. */
export function formatSummary(r: Omit<BacktestResult, 'equityCurve'>): string {
  const m = r.metrics;
  const rows: Array<[string, string]> = [
    ['strategy', `${r.strategy.name} ${Object.entries(r.strategy.params).map(([k, v]) => `${k}=${v}`).join(',')}`.trim()],
    ['data', `${r.instrument.id} ${r.data.firstTime.slice(0, 10)} → ${r.data.lastTime.slice(0, 10)}, ${r.bars.toLocaleString('en-US')} events`],
    ['equity', `${money(r.initialCash)} → ${money(r.finalEquity)} ${r.instrument.quoteCurrency}`],
    ['total return', pct(m.totalReturn)],
    ['CAGR', pct(m.cagr)],
    ['Sharpe / Sortino', `${num(m.sharpe)} / ${num(m.sortino)}`],
    ['max drawdown', `${pct(m.maxDrawdown)} (${days(m.maxDrawdownDurationDays)} days)`],
    ['trades', `${m.trades} (win rate ${pct(m.winRate)}, profit factor ${num(m.profitFactor)})`],
    ['exposure', pct(m.exposureTime)],
    ...riskRows(r.risk),
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n';
}

/** Checks named in the denial breakdown; the rest are summed as "+N other". */
const CHECKS_SHOWN = 4;
/** Event lines printed under the risk line; the report and result.json have them all. */
const EVENTS_SHOWN = 8;

const plural = (n: number, word: string, many = `${word}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;
/** Date for midnight stamps (daily bars), date and UTC clock time otherwise. */
const when = (iso: string) => iso.slice(0, 16).replace('T', ' ').replace(/ 00:00$/, '');

/**
 * The risk gate's part of the summary, empty when it never intervened: one line of totals, then one line
 * per breaker trip, kill-switch activation and operator state change, in time order.
 *
 * @example
 * riskRows(result.risk);
 * // [['risk', '12 denials (price-collar 10, order-size 2) · 1 breaker trip · final state REDUCING'],
 * //  ['', '2020-03-12 breaker daily-loss → reduce: loss 2.1% of start-of-day equity, limit 2%']]
 */
export function riskRows(risk: RiskRecord): Array<[string, string]> {
  const quiet = risk.denialsTotal === 0 && risk.breakerTrips.length === 0 && risk.killSwitch.length === 0 && risk.stateChanges.length === 0;
  if (quiet && risk.finalState === 'ACTIVE') return [];
  const parts: string[] = [];
  if (risk.denialsTotal > 0) {
    const checks = Object.entries(risk.denialsByCheck);
    const shown = checks.slice(0, CHECKS_SHOWN).map(([check, n]) => `${check} ${n.toLocaleString('en-US')}`);
    if (checks.length > CHECKS_SHOWN) shown.push(`+${checks.length - CHECKS_SHOWN} other`);
    parts.push(`${plural(risk.denialsTotal, 'denial')} (${shown.join(', ')})`);
  }
  if (risk.breakerTrips.length > 0) parts.push(plural(risk.breakerTrips.length, 'breaker trip'));
  if (risk.killSwitch.length > 0) parts.push(plural(risk.killSwitch.length, 'kill switch', 'kill switches'));
  parts.push(`final state ${risk.finalState}`);
  // Breaker and kill-switch state changes repeat their trip's line; only the operator's own add news.
  const events = [
    ...risk.breakerTrips.map((t) => ({ time: t.time, text: `breaker ${t.breaker} → ${t.action}: ${t.reason}` })),
    ...risk.killSwitch.map((k) => {
      const notFlattened = k.notFlattened.length > 0 ? `, ${k.notFlattened.length} not flattened` : '';
      return { time: k.time, text: `kill switch by ${k.by}: ${k.reason} (${k.canceled} canceled, ${plural(k.flattenOrders, 'flatten order')}${notFlattened})` };
    }),
    // The `by` text is the risk log's ("breaker daily-loss", "kill switch (bob)", "operator alice").
    ...risk.stateChanges
      .filter((c) => !c.by.startsWith('breaker ') && !c.by.startsWith('kill switch'))
      .map((c) => ({ time: c.time, text: `${c.from} → ${c.to} by ${c.by}: ${c.reason}` })),
  ].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  const lines: Array<[string, string]> = events.slice(0, EVENTS_SHOWN).map((e) => ['', `${when(e.time)} ${e.text}`]);
  if (events.length > EVENTS_SHOWN) lines.push(['', `… ${events.length - EVENTS_SHOWN} more in the report`]);
  return [['risk', parts.join(' · ')], ...lines];
}
