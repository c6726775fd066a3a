/**
 * The order-flow and end-of-run sections: order outcomes, fill count, positions still open at the end,
 * the exact ledger, and the run configuration for reproducing it.
 */
import type { BacktestResult } from '../result.ts';
import { escapeHtml } from './escape.ts';
import { formatCount, formatMoney, formatNumber, formatPrice } from './format.ts';
import { tone } from './metrics-table.ts';

/**
 * Renders order outcomes and the number of fills as a row of counters.
 *
 * @example
 * ordersSummaryHtml(result); // '<div class="counters">…Submitted…'
 */
export function ordersSummaryHtml(r: BacktestResult): string {
  const o = r.orders;
  const items: [string, number][] = [
    ['Submitted', o.submitted],
    ['Filled', o.filled],
    ['Canceled', o.canceled],
    ['Rejected', o.rejected],
    ['Expired', o.expired],
    ['Denied by risk', o.denied],
    ['Fills', r.fills.length],
  ];
  const cells = items.map(([label, n]) => `<div class="counter"><b>${escapeHtml(formatCount(n))}</b><span>${label}</span></div>`);
  return `<div class="counters">${cells.join('')}</div>`;
}

/**
 * Renders positions still open when the run ended (their PnL is unrealised), or nothing when flat.
 *
 * @example
 * openPositionsHtml(result); // '' when flat
 */
export function openPositionsHtml(r: BacktestResult): string {
  if (r.openPositions.length === 0) return '';
  const rows = r.openPositions.map(
    (p) =>
      `<tr><td>${escapeHtml(p.instrumentId)}</td><td class="num">${escapeHtml(formatNumber(p.quantity, Number.isInteger(p.quantity) ? 0 : 4))}</td>` +
      `<td class="num">${escapeHtml(formatPrice(p.averagePrice))}</td><td class="num">${escapeHtml(formatPrice(p.lastPrice))}</td>` +
      `<td class="num ${tone(p.unrealizedPnl)}">${escapeHtml(formatMoney(p.unrealizedPnl))}</td></tr>`,
  );
  return (
    '<h3>Open positions at the end</h3><div class="scroll"><table class="trades"><thead><tr><th>Instrument</th>' +
    '<th class="num">Quantity</th><th class="num">Average price</th><th class="num">Last price</th><th class="num">Unrealised PnL</th>' +
    `</tr></thead><tbody>${rows.join('')}</tbody></table></div>`
  );
}

/**
 * Renders the exact ledger strings (the source of truth; the floats elsewhere are for display).
 *
 * @example
 * ledgerHtml(result); // '<table class="metrics">…Cash…'
 */
export function ledgerHtml(r: BacktestResult): string {
  const ccy = r.instrument.quoteCurrency;
  const rows: [string, string][] = [
    ['Cash', r.ledger.cash],
    ['Equity', r.ledger.equity],
    ['Realised PnL', r.ledger.realizedPnl],
    ['Commissions', r.ledger.commissions],
  ];
  const body = rows.map(([k, v]) => `<tr><th scope="row">${k}</th><td class="num mono">${escapeHtml(v)} ${escapeHtml(ccy)}</td></tr>`).join('');
  return `<table class="metrics ledger"><tbody>${body}</tbody></table>`;
}

/**
 * Renders the run configuration and versions in a collapsed block, for reproducing the run.
 *
 * @example
 * configHtml(result); // '<details><summary>Run configuration</summary><pre>{…}</pre></details>'
 */
export function configHtml(r: BacktestResult): string {
  const text = JSON.stringify(
    { strategy: r.strategy, instrument: r.instrument, data: r.data, config: r.config, keel: r.keel },
    null,
    2,
  );
  return `<details><summary>Run configuration</summary><pre>${escapeHtml(text)}</pre></details>`;
}
