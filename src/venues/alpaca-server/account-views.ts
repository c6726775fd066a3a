import { MONEY_DECIMALS, notional, pow10n, roundToTicks, type Money } from '../../model/index.ts';
import { moneyText, priceText, ratioText } from './amounts.ts';
import { badRequest, unprocessable } from './api-error.ts';
import { parseQueryTime, rfc3339 } from './ids.ts';
import { signedQty, type AlpacaAccount, type FillActivity } from './account.ts';
import { OPEN_STATUSES, type AlpacaOrderJson } from './order-record.ts';
import { sameSymbol } from './order-request.ts';

/**
 * Read views of an account in Alpaca's JSON: GET /v2/account, /v2/positions, /v2/orders and the FILL
 * activities. Money is computed exactly; ratios (percentages, average prices) are rounded decimal strings.
 */

/** Decimals of the ratios Alpaca shows as fractions (`unrealized_plpc`, `change_today`). */
const RATIO_DECIMALS = 10;

/** @example accountJson(account).cash // "100000" */
export function accountJson(a: AlpacaAccount): Record<string, unknown> {
  const mv = a.marketValue();
  const cash = a.cash;
  const equity = cash + mv;
  const prev = a.market.previousBar;
  const inst = a.market.asset.instrument;
  const lastEquity = prev === undefined ? equity : cash + notional(inst, roundToTicks(inst, prev.close, 'nearest'), a.positionLots);
  const bp = moneyText(a.buyingPower());
  const created = a.market.bars[0]?.ts ?? 0;
  return {
    id: a.id, account_number: `PA${a.id.replace(/-/g, '').slice(0, 10).toUpperCase()}`, status: 'ACTIVE', crypto_status: 'ACTIVE', currency: 'USD',
    cash: moneyText(cash), portfolio_value: moneyText(equity), equity: moneyText(equity), last_equity: moneyText(lastEquity),
    long_market_value: moneyText(mv > 0n ? mv : 0n), short_market_value: moneyText(mv < 0n ? mv : 0n),
    buying_power: bp, regt_buying_power: bp, daytrading_buying_power: bp, non_marginable_buying_power: bp, effective_buying_power: bp,
    multiplier: '1', initial_margin: '0', maintenance_margin: '0', last_maintenance_margin: '0', sma: '0', daytrade_count: 0,
    pattern_day_trader: false, trade_suspended_by_user: false, trading_blocked: false, transfers_blocked: false, account_blocked: false,
    shorting_enabled: a.market.asset.shortable, created_at: rfc3339(created),
  };
}

/** The open position, or undefined when flat (Alpaca: 404 for that symbol, absent from the list). */
export function positionJson(a: AlpacaAccount): Record<string, unknown> | undefined {
  const lots = a.positionLots;
  if (lots === 0) return undefined;
  const asset = a.market.asset;
  const inst = asset.instrument;
  const abs = Math.abs(lots);
  const sign = BigInt(Math.sign(lots));
  const last = a.market.lastBar;
  const cur = roundToTicks(inst, last?.close ?? a.market.referencePrice() ?? 0, 'nearest');
  const prevBar = a.market.previousBar;
  const prev = prevBar === undefined ? cur : roundToTicks(inst, prevBar.close, 'nearest');
  const marketValue = notional(inst, cur, abs) * sign;
  const costBasis = a.costBasis * sign;
  const upl = marketValue - costBasis;
  const intraday = (notional(inst, cur, abs) - notional(inst, prev, abs)) * sign;
  const prevValue = notional(inst, prev, abs);
  // Average entry price = cost / quantity, quantity = lots × lotUnits / 10^sizeDecimals.
  const avg = ratioText(a.costBasis * pow10n(inst.sizeDecimals), BigInt(abs) * BigInt(inst.lotUnits) * pow10n(MONEY_DECIMALS), inst.priceDecimals + 4);
  return {
    asset_id: asset.id, symbol: asset.symbol, exchange: asset.exchange, asset_class: asset.assetClass, asset_marginable: false,
    qty: signedQty(inst, lots), qty_available: signedQty(inst, lots > 0 ? a.sellableLots() : lots), side: lots > 0 ? 'long' : 'short',
    avg_entry_price: avg, market_value: moneyText(marketValue), cost_basis: moneyText(costBasis),
    unrealized_pl: moneyText(upl), unrealized_plpc: ratioText(upl, abs64(costBasis), RATIO_DECIMALS),
    unrealized_intraday_pl: moneyText(intraday), unrealized_intraday_plpc: ratioText(intraday, prevValue, RATIO_DECIMALS),
    current_price: priceText(inst, cur), lastday_price: priceText(inst, prev),
    change_today: ratioText(BigInt(cur - prev), BigInt(prev), RATIO_DECIMALS),
  };
}

const abs64 = (m: Money): bigint => (m < 0n ? -m : m);

function timeParam(v: unknown, name: string): number | undefined {
  const t = parseQueryTime(v);
  if (t !== undefined && Number.isNaN(t)) throw unprocessable(`${name} must be an RFC 3339 time or a date`);
  return t;
}

function direction(v: unknown): 'asc' | 'desc' {
  if (v === undefined || v === '') return 'desc';
  if (v !== 'asc' && v !== 'desc') throw unprocessable('direction must be asc or desc');
  return v;
}

function intParam(v: unknown, name: string, def: number, max: number): number {
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw unprocessable(`${name} must be a positive integer`);
  return Math.min(n, max);
}

/**
 * GET /v2/orders: `status` open (default) | closed | all, `limit` (50, max 500), `after`/`until` on the
 * submission time (exclusive), `direction` (desc), `symbols` (comma-separated).
 */
export function listOrders(a: AlpacaAccount, q: Record<string, unknown>): AlpacaOrderJson[] {
  const status = q.status ?? 'open';
  if (status !== 'open' && status !== 'closed' && status !== 'all') throw unprocessable('status must be open, closed or all');
  const limit = intParam(q.limit, 'limit', 50, 500);
  const after = timeParam(q.after, 'after');
  const until = timeParam(q.until, 'until');
  const dir = direction(q.direction);
  const symbols = typeof q.symbols === 'string' && q.symbols !== '' ? q.symbols.split(',').map((s) => s.trim()) : undefined;
  const picked = a.orders.filter((r) =>
    (status === 'all' || (status === 'open') === OPEN_STATUSES.has(r.status))
    && (after === undefined || r.createdAt > after) && (until === undefined || r.createdAt < until)
    && (symbols === undefined || symbols.some((s) => sameSymbol(s, r.symbol))));
  // The list is in submission order already: newest first is the reverse.
  const ordered = dir === 'desc' ? picked.reverse() : picked;
  return ordered.slice(0, limit).map((r) => a.json(r));
}

/**
 * GET /v2/account/activities/FILL: `after`/`until` (exclusive), `direction` (desc), `page_size` (100, max 100),
 * `page_token` (the id of the last activity of the previous page: the page continues after it).
 */
export function listFillActivities(a: AlpacaAccount, q: Record<string, unknown>): FillActivity[] {
  if (q.date !== undefined && (q.after !== undefined || q.until !== undefined)) throw unprocessable('date cannot be used with after or until');
  let after = timeParam(q.after, 'after');
  let until = timeParam(q.until, 'until');
  if (q.date !== undefined) {
    const day = timeParam(q.date, 'date')!;
    after = day - 1;
    until = day + 86_400_000;
  }
  const dir = direction(q.direction);
  const size = intParam(q.page_size, 'page_size', 100, 100);
  const picked = a.activities.filter((x) => {
    const t = Date.parse(x.transaction_time);
    return (after === undefined || t > after) && (until === undefined || t < until);
  });
  const ordered = dir === 'desc' ? picked.reverse() : picked;
  let start = 0;
  if (q.page_token !== undefined && q.page_token !== '') {
    const i = ordered.findIndex((x) => x.id === q.page_token);
    if (i < 0) throw badRequest('invalid page_token');
    start = i + 1;
  }
  return ordered.slice(start, start + size);
}
