/**
 * The report's header: what ran (strategy and params), on what (instrument, data, span) and the outcome
 * in a row of headline figures, so the answer is visible before any chart loads.
 */
import type { BacktestResult } from '../result.ts';
import { escapeHtml } from './escape.ts';
import { formatCount, formatMoney, formatPercent, formatRatio } from './format.ts';
import { tone } from './metrics-table.ts';
import { stateBadgeHtml } from './risk-section.ts';
import { formatTime, type TimeScale } from './time.ts';

/**
 * Renders strategy params as `key=value` pairs in their given order; strings bare, anything else as JSON.
 *
 * @example
 * formatParams({ fast: 10, slow: 30, mode: 'close' }); // ['fast=10', 'slow=30', 'mode=close']
 */
export function formatParams(params: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(params).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
}

/**
 * Renders the header section.
 *
 * @example
 * headerHtml(result, 'daily'); // '<header class="report-header">…'
 */
export function headerHtml(r: BacktestResult, scale: TimeScale): string {
  const params = formatParams(r.strategy.params);
  const paramHtml = params.length === 0 ? '' : `<ul class="params">${params.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>`;
  const ccy = escapeHtml(r.instrument.quoteCurrency);
  const span = `${formatTime(r.data.firstTime, scale)} → ${formatTime(r.data.lastTime, scale)}`;
  const kpi = (label: string, value: string, cls = ''): string =>
    `<div class="kpi"><span>${escapeHtml(label)}</span><b class="${cls}">${value}</b></div>`;
  const warnings =
    r.data.warnings > 0 ? `<p class="warning">The data loader reported ${escapeHtml(formatCount(r.data.warnings))} warning(s); check the run log.</p>` : '';
  // A stopped strategy's figures mean something else than a free one's; say so before any number.
  const stopped =
    r.risk.finalState === 'ACTIVE' ? '' : `<p class="warning">The risk gate left trading ${stateBadgeHtml(r.risk.finalState)} at the end of the run; see <a href="#risk">Risk</a>.</p>`;
  return [
    '<header class="report-header">',
    `<p class="eyebrow">Backtest report</p>`,
    `<h1>${escapeHtml(r.strategy.name)}</h1>`,
    paramHtml,
    `<p class="subtitle"><b>${escapeHtml(r.instrument.id)}</b> · ${escapeHtml(r.data.source)} (${escapeHtml(r.data.layout)}) · ${escapeHtml(span)} · ${escapeHtml(formatCount(r.bars))} bars</p>`,
    warnings,
    stopped,
    '<div class="kpis">',
    kpi('Initial cash', `${escapeHtml(formatMoney(r.initialCash))} <small>${ccy}</small>`),
    kpi('Final equity', `${escapeHtml(formatMoney(r.finalEquity))} <small>${ccy}</small>`),
    kpi('Total return', escapeHtml(formatPercent(r.metrics.totalReturn)), tone(r.metrics.totalReturn)),
    kpi('Max drawdown', escapeHtml(formatPercent(r.metrics.maxDrawdown)), tone(r.metrics.maxDrawdown)),
    kpi('Sharpe', escapeHtml(formatRatio(r.metrics.sharpe))),
    kpi('Trades', escapeHtml(formatCount(r.metrics.trades))),
    '</div>',
    '</header>',
  ].join('\n');
}
