/**
 * The trade list. A run can close tens of thousands of trades; the full list is in `result.json`, so the
 * page shows at most MAX_TRADE_ROWS (the first and last halves) to stay small and scroll smoothly.
 */
import type { TradeRecord } from '../result.ts';
import { escapeHtml } from './escape.ts';
import { formatCount, formatMoney, formatNumber, formatPercent, formatPrice } from './format.ts';
import { tone } from './metrics-table.ts';
import { formatTime, type TimeScale } from './time.ts';

export const MAX_TRADE_ROWS = 2_000;

const HEAD = ['#', 'Side', 'Entry time', 'Entry price', 'Exit time', 'Exit price', 'Quantity', 'PnL', 'Return', 'Commission', 'Bars'];
const NUMERIC = new Set([0, 3, 5, 6, 7, 8, 9, 10]);

/**
 * Renders the closed trades as an HTML table, one `<tr class="trade">` per trade shown.
 *
 * @example
 * tradesTableHtml(result.trades, 'daily'); // '<table class="trades">…'
 */
export function tradesTableHtml(trades: readonly TradeRecord[], scale: TimeScale): string {
  if (trades.length === 0) return '<p class="note">No closed trades.</p>';
  const shown = shownTradeIndices(trades.length);
  const rows: string[] = [];
  for (let k = 0; k < shown.length; k++) {
    if (k > 0 && shown[k] !== shown[k - 1] + 1) {
      rows.push(`<tr class="gap"><td colspan="${HEAD.length}">… ${formatCount(shown[k] - shown[k - 1] - 1)} trades not shown (all are in result.json) …</td></tr>`);
    }
    rows.push(tradeRow(shown[k], trades[shown[k]], scale));
  }
  const head = HEAD.map((h, i) => `<th scope="col"${NUMERIC.has(i) ? ' class="num"' : ''}>${h}</th>`).join('');
  return `<div class="scroll"><table class="trades"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

/**
 * Which trade indices the table shows: all of them, or the first and last halves of MAX_TRADE_ROWS.
 *
 * @example
 * shownTradeIndices(3); // [0, 1, 2]
 */
export function shownTradeIndices(count: number, max = MAX_TRADE_ROWS): number[] {
  const head = Math.min(count, Math.ceil(max / 2));
  const tailFrom = Math.max(head, count - Math.floor(max / 2));
  const out: number[] = [];
  for (let i = 0; i < head; i++) out.push(i);
  for (let i = tailFrom; i < count; i++) out.push(i);
  return out;
}

function tradeRow(index: number, t: TradeRecord, scale: TimeScale): string {
  const cells = [
    formatCount(index + 1),
    t.side === 'long' ? 'Long' : 'Short',
    formatTime(t.entryTime, scale),
    formatPrice(t.entryPrice),
    formatTime(t.exitTime, scale),
    formatPrice(t.exitPrice),
    formatNumber(t.quantity, Number.isInteger(t.quantity) ? 0 : 4),
    formatMoney(t.pnl),
    formatPercent(t.returnPct),
    formatMoney(t.commission),
    formatCount(t.bars),
  ];
  const pnlTone = tone(t.pnl);
  const tds = cells.map((c, i) => {
    const cls = [NUMERIC.has(i) ? 'num' : '', i === 7 || i === 8 ? pnlTone : '', i === 1 ? t.side : ''].filter(Boolean).join(' ');
    return `<td${cls ? ` class="${cls}"` : ''}>${escapeHtml(c)}</td>`;
  });
  return `<tr class="trade">${tds.join('')}</tr>`;
}
