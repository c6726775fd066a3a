import type { Balances, Order as CcxtOrder, Position, Trade as CcxtTrade } from 'ccxt';
import { MONEY_DECIMALS, numberToPlainString, parseScaled, type Fill, type Money } from '../../model/index.ts';
import type { VenueSnapshot } from '../../execution/index.ts';
import { amountToLots, type MarketBinding } from './market-grid.ts';
import { keelStatusOf, toFill } from './order-mapping.ts';

/** What `query()` fetched, per bound market, plus the account-wide balance and positions. */
export interface FetchedAccount {
  readonly perMarket: ReadonlyArray<{ readonly binding: MarketBinding; readonly orders: readonly CcxtOrder[]; readonly trades: readonly CcxtTrade[] }>;
  readonly balance: Balances;
  readonly positions: readonly Position[] | undefined;
  readonly ts: number;
}

/** Maps exchange ids back to Keel's: client order ids first, then the order ids this session saw. */
export interface IdResolver {
  keelIdOf(venueOrderId: string | undefined, exchangeClientId: string | undefined): string | undefined;
  strategyOf(keelId: string): string;
}

/**
 * The account as Keel's reconciliation reads it. Ids stay strings throughout. Orders are named by Keel's
 * client order id when known, else by the exchange's client order id, else `venue:<order id>` (an order
 * placed elsewhere: reconciliation reports it as external). Spot positions are the base currency's total
 * balance in whole lots (dust below one lot, e.g. fees taken in the base currency, is left out);
 * contract positions come from fetchPositions. Cash is the total of the first market's quote currency.
 *
 * @example const snapshot = toVenueSnapshot(fetched, tracker);
 */
export function toVenueSnapshot(a: FetchedAccount, ids: IdResolver): VenueSnapshot {
  const orders: Array<VenueSnapshot['orders'][number]> = [];
  const fills: Fill[] = [];
  const positions: Record<string, number> = {};
  for (const { binding, orders: list, trades } of a.perMarket) {
    const nameOf = new Map<string, string>();
    for (const o of list) {
      const id = ids.keelIdOf(o.id, o.clientOrderId) ?? o.clientOrderId ?? `venue:${o.id}`;
      if (o.id) nameOf.set(o.id, id);
      orders.push({ clientOrderId: id, status: keelStatusOf(o), venueOrderId: o.id });
    }
    for (const t of trades) {
      const venueId = t.order ?? '';
      const id = ids.keelIdOf(venueId, undefined) ?? nameOf.get(venueId) ?? `venue:${venueId}`;
      fills.push(toFill(binding, t, { clientOrderId: id, strategyId: ids.strategyOf(id) }));
    }
    positions[binding.instrument.id] = binding.contract ? contractLots(binding, a.positions ?? []) : spotLots(binding, a.balance);
  }
  fills.sort((x, y) => x.ts - y.ts);
  const quote = a.perMarket[0]?.binding.quote;
  return { orders, fills, positions, cash: quote === undefined ? 0n : cashOf(a.balance, quote), ts: a.ts };
}

function spotLots(b: MarketBinding, balance: Balances): number {
  const total = (balance as unknown as Record<string, { total?: number } | undefined>)[b.base]?.total;
  if (total === undefined || total === null || total <= 0) return 0;
  const units = parseScaled(numberToPlainString(total), Math.max(b.instrument.sizeDecimals, decimalsIn(total)), `${b.base} balance`);
  const lotUnits = BigInt(b.instrument.lotUnits) * 10n ** BigInt(Math.max(0, decimalsIn(total) - b.instrument.sizeDecimals));
  return Number(units / lotUnits);
}

function contractLots(b: MarketBinding, positions: readonly Position[]): number {
  let lots = 0;
  for (const p of positions) {
    if (p.symbol !== b.symbol || !p.contracts) continue;
    const n = amountToLots(b, p.contracts, `${b.symbol} position contracts`);
    lots += p.side === 'short' ? -n : n;
  }
  return lots;
}

function cashOf(balance: Balances, currency: string): Money {
  const total = (balance as unknown as Record<string, { total?: number } | undefined>)[currency]?.total;
  if (total === undefined || total === null) return 0n;
  return parseScaled(numberToPlainString(total), MONEY_DECIMALS, `${currency} balance`);
}

function decimalsIn(x: number): number {
  const s = numberToPlainString(x);
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}
