import {
  formatMoney, formatPrice, formatQuantity, limitPriceOf, lotsToQuantity, stopPriceOf,
  type Fill, type Instrument, type OrderRequest,
} from '../model/index.ts';
import type { FillView, OrderView } from './engine-handle.ts';

/**
 * A fill as the API shows it: exact decimal strings, and the slippage against the price the strategy saw in
 * the account currency (positive = worse for us). Shared by the running engine's view and the journal's.
 */
export function fillView(inst: Instrument, f: Fill, currency: string): FillView {
  const qty = lotsToQuantity(inst, f.quantity);
  const slippage = f.decisionPrice === undefined ? null
    : (f.price - f.decisionPrice) * inst.tickSize * qty * inst.multiplierNumber * (f.side === 'buy' ? 1 : -1);
  return {
    tradeId: f.tradeId, clientOrderId: f.clientOrderId, strategyId: f.strategyId, instrument: f.instrumentId, side: f.side,
    quantity: formatQuantity(inst, f.quantity), price: formatPrice(inst, f.price), fee: formatMoney(f.fee, currency),
    decisionPrice: f.decisionPrice === undefined ? null : formatPrice(inst, f.decisionPrice), slippage, ts: f.ts,
  };
}

/** An order as the API shows it, from its request and where it stands now. */
export function orderView(inst: Instrument, r: OrderRequest, now: { readonly status: string; readonly filledLots: number; readonly reason: string | null }): OrderView {
  const limit = limitPriceOf(r);
  const stop = stopPriceOf(r);
  return {
    clientOrderId: r.clientOrderId, strategyId: r.strategyId, instrument: r.instrumentId, side: r.side, type: r.type,
    quantity: formatQuantity(inst, r.quantity), filledQuantity: formatQuantity(inst, now.filledLots),
    limitPrice: limit === undefined ? null : formatPrice(inst, limit), stopPrice: stop === undefined ? null : formatPrice(inst, stop),
    status: now.status, reason: now.reason, createdAt: r.createdAt,
  };
}
