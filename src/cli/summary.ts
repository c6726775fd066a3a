import type { BacktestResult } from '../backtest/index.ts';

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(2)}%`);
const num = (x: number | null, d = 2) => (x === null ? '—' : x.toFixed(d));
/** Whole days for daily data, one decimal for intraday curves (durations are fractional there). */
const days = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
const money = (x: number) => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** The few lines a trader reads first after a backtest. */
export function formatSummary(r: BacktestResult): string {
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
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n';
}
