import type { Instrument, Money, OrderSide } from '../../model/index.ts';
import { moneyText, priceText, qtyText, ratioText } from './amounts.ts';
import { rfc3339 } from './ids.ts';

export type AlpacaOrderType = 'market' | 'limit' | 'stop' | 'stop_limit';
export type AlpacaTimeInForce = 'day' | 'gtc' | 'ioc' | 'fok';
/** The statuses this venue uses (a subset of Alpaca's OrderStatus). */
export type AlpacaOrderStatus = 'pending_new' | 'new' | 'partially_filled' | 'filled' | 'canceled' | 'expired' | 'rejected' | 'replaced';

/** Statuses from which an order can still trade (GET /v2/orders?status=open). */
export const OPEN_STATUSES: ReadonlySet<AlpacaOrderStatus> = new Set(['pending_new', 'new', 'partially_filled']);

/**
 * One Alpaca order as the venue books it. A replacement is a new record (new id, new client order id) that
 * continues the same working order inside the matching engine (`internalKey`).
 */
export interface AlpacaOrderRecord {
  readonly id: string;
  readonly clientOrderId: string;
  /** The matching engine's id for the working order; shared by an order and its replacements. */
  readonly internalKey: string;
  /** Submission sequence: the tie-breaker for orders submitted at the same (simulated) time. */
  readonly seq: number;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: AlpacaOrderType;
  timeInForce: AlpacaTimeInForce;
  /** Lots ordered; undefined for a notional order. */
  readonly qtyLots: number | undefined;
  readonly notional: Money | undefined;
  readonly limitTicks: number | undefined;
  readonly stopTicks: number | undefined;
  readonly extendedHours: boolean;
  filledLots: number;
  /** Σ price × lots of the fills, in ticks × lots: the exact average price is this over filledLots. */
  filledTickLots: bigint;
  status: AlpacaOrderStatus;
  readonly createdAt: number;
  updatedAt: number;
  filledAt: number | undefined;
  canceledAt: number | undefined;
  expiredAt: number | undefined;
  failedAt: number | undefined;
  replacedAt: number | undefined;
  replacedBy: string | undefined;
  readonly replaces: string | undefined;
}

/** The Order object of Alpaca's REST API and trade_updates stream (trading-openapi.yaml `Order`). */
export interface AlpacaOrderJson {
  id: string;
  client_order_id: string;
  created_at: string;
  updated_at: string;
  submitted_at: string;
  filled_at: string | null;
  expired_at: string | null;
  canceled_at: string | null;
  failed_at: string | null;
  replaced_at: string | null;
  replaced_by: string | null;
  replaces: string | null;
  asset_id: string;
  symbol: string;
  asset_class: string;
  notional: string | null;
  qty: string | null;
  filled_qty: string;
  filled_avg_price: string | null;
  order_class: string;
  order_type: string;
  type: string;
  side: OrderSide;
  time_in_force: string;
  limit_price: string | null;
  stop_price: string | null;
  status: string;
  extended_hours: boolean;
  legs: null;
  trail_percent: null;
  trail_price: null;
  hwm: null;
}

const time = (ms: number | undefined): string | null => (ms === undefined ? null : rfc3339(ms));

/** Extra decimals of an average fill price beyond the tick's (Alpaca shows sub-tick averages too). */
const AVERAGE_EXTRA_DECIMALS = 4;

/**
 * The exact average fill price as a decimal string, or null before the first fill.
 *
 * @example averagePriceText(aapl, 3n * 17478n + 17480n, 4) // "174.785"
 */
export function averagePriceText(inst: Instrument, tickLots: bigint, lots: number): string | null {
  if (lots === 0) return null;
  const d = inst.priceDecimals + AVERAGE_EXTRA_DECIMALS;
  // price = tickLots × tickUnits / (lots × 10^priceDecimals)
  return ratioText(tickLots * BigInt(inst.tickUnits), BigInt(lots) * 10n ** BigInt(inst.priceDecimals), d);
}

/**
 * Render a record as Alpaca's Order JSON.
 *
 * @example orderJson(rec, orcl, { assetId, assetClass: 'us_equity' }).status // "new"
 */
export function orderJson(rec: AlpacaOrderRecord, inst: Instrument, asset: { id: string; assetClass: string }): AlpacaOrderJson {
  return {
    id: rec.id,
    client_order_id: rec.clientOrderId,
    created_at: rfc3339(rec.createdAt),
    updated_at: rfc3339(rec.updatedAt),
    submitted_at: rfc3339(rec.createdAt),
    filled_at: time(rec.filledAt),
    expired_at: time(rec.expiredAt),
    canceled_at: time(rec.canceledAt),
    failed_at: time(rec.failedAt),
    replaced_at: time(rec.replacedAt),
    replaced_by: rec.replacedBy ?? null,
    replaces: rec.replaces ?? null,
    asset_id: asset.id,
    symbol: rec.symbol,
    asset_class: asset.assetClass,
    notional: rec.notional === undefined ? null : moneyText(rec.notional),
    qty: rec.qtyLots === undefined ? null : qtyText(inst, rec.qtyLots),
    filled_qty: qtyText(inst, rec.filledLots),
    filled_avg_price: averagePriceText(inst, rec.filledTickLots, rec.filledLots),
    order_class: 'simple',
    order_type: rec.type,
    type: rec.type,
    side: rec.side,
    time_in_force: rec.timeInForce,
    limit_price: rec.limitTicks === undefined ? null : priceText(inst, rec.limitTicks),
    stop_price: rec.stopTicks === undefined ? null : priceText(inst, rec.stopTicks),
    status: rec.status,
    extended_hours: rec.extendedHours,
    legs: null,
    trail_percent: null,
    trail_price: null,
    hwm: null,
  };
}
