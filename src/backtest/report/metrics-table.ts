/**
 * The metrics table. Every field of `Metrics` has a row spec here, and the record is keyed by
 * `keyof Metrics`, so a metric added to the result contract fails type checking until it gets a label
 * and a format instead of silently missing from the report.
 */
import type { Metrics } from '../result.ts';
import { escapeHtml } from './escape.ts';
import { formatCount, formatMoney, formatNumber, formatPercent, formatRatio } from './format.ts';

interface MetricSpec {
  readonly label: string;
  readonly format: (value: number | null) => string;
  /** Colour the value green/red by sign (returns), or leave it neutral. */
  readonly signed?: boolean;
}

const days = (v: number | null): string => (v === null ? formatNumber(v, 0) : `${formatNumber(v, 1)} days`);

/** Row order is reading order: returns, risk, risk-adjusted, trades, activity, risk gate, run settings. */
const METRIC_SPECS: Readonly<Record<keyof Metrics, MetricSpec>> = {
  totalReturn: { label: 'Total return', format: formatPercent, signed: true },
  cagr: { label: 'CAGR', format: formatPercent, signed: true },
  annualVolatility: { label: 'Annual volatility', format: formatPercent },
  maxDrawdown: { label: 'Max drawdown', format: formatPercent },
  maxDrawdownDurationDays: { label: 'Max drawdown duration', format: days },
  maxDrawdownDurationBars: { label: 'Max drawdown duration (bars)', format: formatCount },
  sharpe: { label: 'Sharpe ratio', format: formatRatio },
  sortino: { label: 'Sortino ratio', format: formatRatio },
  calmar: { label: 'Calmar ratio', format: formatRatio },
  trades: { label: 'Trades', format: formatCount },
  winRate: { label: 'Win rate', format: formatPercent },
  profitFactor: { label: 'Profit factor', format: formatRatio },
  averageWin: { label: 'Average win', format: formatMoney, signed: true },
  averageLoss: { label: 'Average loss', format: formatMoney, signed: true },
  exposureTime: { label: 'Exposure time', format: formatPercent },
  turnover: { label: 'Turnover', format: formatRatio },
  denials: { label: 'Risk denials', format: formatCount },
  breakerTrips: { label: 'Breaker trips', format: formatCount },
  startEquity: { label: 'Start equity', format: formatMoney },
  endEquity: { label: 'End equity', format: formatMoney },
  periodsPerYear: { label: 'Periods per year', format: formatCount },
  riskFreeRate: { label: 'Risk-free rate', format: formatPercent },
};

/**
 * Renders all metrics as `[label, formatted value]` pairs in display order.
 *
 * @example
 * metricRows(result.metrics)[0]; // ['Total return', '12.34%', 'pos']
 */
export function metricRows(metrics: Metrics): [label: string, value: string, tone: 'pos' | 'neg' | ''][] {
  return (Object.keys(METRIC_SPECS) as (keyof Metrics)[]).map((key) => {
    const spec = METRIC_SPECS[key];
    const value = metrics[key];
    return [spec.label, spec.format(value), spec.signed ? tone(value) : ''];
  });
}

/**
 * Renders the metrics as an HTML table, split into two columns of rows for a compact layout.
 *
 * @example
 * metricsTableHtml(result.metrics); // '<table class="metrics">…'
 */
export function metricsTableHtml(metrics: Metrics): string {
  const rows = metricRows(metrics).map(
    ([label, value, t]) => `<tr><th scope="row">${escapeHtml(label)}</th><td class="num ${t}">${escapeHtml(value)}</td></tr>`,
  );
  const half = Math.ceil(rows.length / 2);
  const table = (part: string[]): string => `<table class="metrics"><tbody>${part.join('')}</tbody></table>`;
  return `<div class="metrics-grid">${table(rows.slice(0, half))}${table(rows.slice(half))}</div>`;
}

/**
 * CSS class for a signed amount: gains green, losses red, zero and undefined neutral.
 *
 * @example
 * tone(-3); // 'neg'
 */
export function tone(value: number | null): 'pos' | 'neg' | '' {
  if (value === null || value === 0 || !Number.isFinite(value)) return '';
  return value > 0 ? 'pos' : 'neg';
}
