import type { OrderRecords } from './order-records.ts';

export type RecordsFormat = 'csv' | 'json';

/** The CSV's columns: one row per lifecycle step of an order, then one per kill-switch use and operator action. */
export const RECORDS_CSV_COLUMNS = [
  'record', 'seq', 'time_utc', 'account', 'strategy', 'strategy_version', 'strategy_code_sha256', 'strategy_git_commit', 'instrument', 'client_order_id', 'venue_order_id',
  'event', 'side', 'order_type', 'quantity', 'limit_price', 'stop_price', 'time_in_force', 'decision_reason', 'sent_by',
  'risk_checks_passed', 'trade_id', 'fill_quantity', 'fill_price', 'fee', 'liquidity', 'detail',
] as const;

/**
 * The records as CSV (RFC 4180, CRLF): every row carries the order's identity and terms, so a spreadsheet
 * filtered to one row still says which order, strategy version and checks it belongs to.
 *
 * @example recordsCsv(records).split('\r\n')[0] // 'record,seq,time_utc,account,...'
 */
export function recordsCsv(r: OrderRecords): string {
  const lines: string[] = [RECORDS_CSV_COLUMNS.join(',')];
  const row = (values: Partial<Record<(typeof RECORDS_CSV_COLUMNS)[number], string | number | null | undefined>>) =>
    lines.push(RECORDS_CSV_COLUMNS.map((c) => csvField(values[c])).join(','));
  for (const o of r.orders) {
    const fills = new Map(o.fills.map((f) => [f.seq, f]));
    for (const step of o.lifecycle) {
      const f = fills.get(step.seq);
      row({
        record: 'order', seq: step.seq, time_utc: step.time, account: o.account, strategy: o.strategy, strategy_version: o.strategyVersion,
        strategy_code_sha256: o.strategyIdentity?.codeHash, strategy_git_commit: o.strategyIdentity ? `${o.strategyIdentity.gitCommit ?? ''}${o.strategyIdentity.gitDirty ? '+dirty' : ''}` : undefined,
        instrument: o.instrument, client_order_id: o.clientOrderId, venue_order_id: f?.venueOrderId ?? o.venueOrderId, event: step.event,
        side: o.side, order_type: o.orderType, quantity: o.quantity, limit_price: o.limitPrice, stop_price: o.stopPrice, time_in_force: o.timeInForce,
        decision_reason: o.decisionReason, sent_by: o.sentBy, risk_checks_passed: o.riskChecksPassed.join(' '),
        trade_id: f?.tradeId, fill_quantity: f?.quantity, fill_price: f?.price, fee: f?.fee, liquidity: f?.liquidity, detail: step.detail,
      });
    }
  }
  for (const k of r.killSwitches) {
    row({
      record: 'kill-switch', seq: k.seq, time_utc: k.time, event: 'kill-switch', sent_by: k.by, decision_reason: k.reason,
      detail: `canceled ${k.canceled.join(' ') || 'none'}; flatten orders ${k.flattenOrders.join(' ') || 'none'}${k.notFlattened.length ? `; not flattened: ${k.notFlattened.join('; ')}` : ''}`,
    });
  }
  for (const a of r.operatorActions) row({ record: 'operator', seq: a.seq, time_utc: a.time, event: a.action, sent_by: a.actor, detail: a.details });
  return lines.join('\r\n') + '\r\n';
}

/** The records as one JSON document: orders with their lifecycle and fills, kill-switch uses, operator actions. */
export function recordsJson(r: OrderRecords): string {
  return `${JSON.stringify({ format: 'keel-order-records', version: 1, ...r }, null, 2)}\n`;
}

function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  // A leading = + - @ would run as a formula in a spreadsheet; quote-and-prefix it (OWASP CSV injection).
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
