/**
 * Renders a finished backtest as one self-contained HTML file: header, metrics, equity and drawdown
 * charts (with risk events), price chart with trade markers, trade list, what the risk gate did, and the
 * order summary. The output depends only on the
 * inputs (no generation time, no random ids), so the same run always gives byte-identical reports that
 * can be diffed and cached.
 */
import type { BacktestResult } from '../result.ts';
import { configHtml, ledgerHtml, openPositionsHtml, ordersSummaryHtml } from './activity.ts';
import { chartLibrarySource } from './chart-library.ts';
import { chartData, type PriceSeries } from './chart-data.ts';
import { CLIENT_SCRIPT } from './client-script.ts';
import { escapeHtml, jsonForScript } from './escape.ts';
import { formatCount } from './format.ts';
import { headerHtml } from './header.ts';
import { ENTRY_COLOR, EXIT_COLOR, SHORT_ENTRY_COLOR } from './markers.ts';
import { metricsTableHtml } from './metrics-table.ts';
import { pageHtml } from './page.ts';
import { equityRiskKeyHtml, riskSectionHtml } from './risk-section.ts';
import { tradesTableHtml } from './trades-table.ts';

/**
 * Renders the HTML report of a backtest. `prices` are the instrument's bars (epoch-ms times) used for the
 * price chart; series longer than MAX_CANDLES (6,000) bars are aggregated into at most that many candles.
 *
 * @example
 * import { renderReport } from '../backtest/report/index.ts';
 * writeFileSync('out/report.html', renderReport(result, { time, open, high, low, close }));
 */
export function renderReport(result: BacktestResult, prices: PriceSeries): string {
  const data = chartData(result, prices);
  const body = [
    headerHtml(result, data.scale),
    section('performance', 'Performance', metricsTableHtml(result.metrics)),
    section(
      'equity',
      'Equity and drawdown',
      chartBox('equity-chart', 'chart', 'equity-legend') +
        equityRiskKeyHtml(result.risk) +
        '<h3>Drawdown from peak</h3>' +
        chartBox('drawdown-chart', 'chart short', null) +
        noscript(),
    ),
    section('price', 'Price and trades', chartBox('price-chart', 'chart tall', 'price-legend') + priceNote(data.barsPerCandle, data.candles.time.length)),
    section('trades', `Trades (${formatCount(result.trades.length)})`, tradesTableHtml(result.trades, data.scale)),
    section('risk', 'Risk', riskSectionHtml(result.risk, data.scale)),
    section(
      'orders',
      'Orders and fills',
      ordersSummaryHtml(result) + openPositionsHtml(result) + '<h3>Ledger at the end</h3>' + ledgerHtml(result) + configHtml(result),
    ),
    footer(result),
  ].join('\n');
  return pageHtml({
    title: escapeHtml(`${result.strategy.name} · ${result.instrument.id} · Keel backtest`),
    body,
    dataJson: jsonForScript(data),
    scripts: [chartLibrarySource(), CLIENT_SCRIPT],
  });
}

/** A titled card; the id makes each part linkable, e.g. `report.html#trades`. */
function section(id: string, title: string, inner: string): string {
  return `<section id="${id}"><h2>${escapeHtml(title)}</h2>\n${inner}\n</section>`;
}

function chartBox(id: string, cls: string, legendId: string | null): string {
  const legend = legendId === null ? '' : `<div class="legend" id="${legendId}"></div>`;
  return `<div class="chart-box">${legend}<div id="${id}" class="${cls}"></div></div>`;
}

function noscript(): string {
  return '<noscript><p class="note">Charts need JavaScript; the tables below work without it.</p></noscript>';
}

function priceNote(barsPerCandle: number, candles: number): string {
  const keys =
    `<span class="key"><i style="color:${ENTRY_COLOR}">▲</i> long entry</span>` +
    `<span class="key"><i style="color:${SHORT_ENTRY_COLOR}">▼</i> short entry</span>` +
    `<span class="key"><i style="color:${EXIT_COLOR}">▼▲</i> exit</span>`;
  const aggregated =
    candles > 0 && barsPerCandle > 1 ? ` Each candle aggregates about ${formatCount(barsPerCandle)} bars (${formatCount(candles)} candles); markers sit on the candle containing the fill.` : '';
  return `<p class="note">${keys}${aggregated} Times are UTC.</p>`;
}

function footer(r: BacktestResult): string {
  return (
    `<footer>Keel ${escapeHtml(r.keel.version)} · result schema ${r.keel.resultSchema} · ` +
    'Charts by <a href="https://www.tradingview.com/" rel="noopener">TradingView Lightweight Charts™</a>, Copyright © TradingView, Inc.</footer>'
  );
}
