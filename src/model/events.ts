import type { Lots, PriceTicks } from './instrument.ts';
import type { Money } from './money.ts';
import type { OrderRequest, OrderSide } from './order.ts';

export type Liquidity = 'maker' | 'taker';

/** One execution. `fee` is in Money (already rounded to the currency's minor unit). */
export interface Fill {
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly tradeId: string;
  readonly strategyId: string;
  readonly instrumentId: string;
  readonly side: OrderSide;
  readonly quantity: Lots;
  readonly price: PriceTicks;
  readonly fee: Money;
  readonly liquidity: Liquidity;
  readonly ts: number;
  /** The price the strategy saw when it decided (last price at submission), in ticks; for slippage analysis. */
  readonly decisionPrice: PriceTicks | undefined;
}

/** Events about one order, as the OMS records them. */
export type OrderEvent =
  | { readonly type: 'order.submitted'; readonly ts: number; readonly order: OrderRequest }
  | { readonly type: 'order.denied'; readonly ts: number; readonly clientOrderId: string; readonly reason: string }
  | { readonly type: 'order.accepted'; readonly ts: number; readonly clientOrderId: string; readonly venueOrderId: string }
  | { readonly type: 'order.rejected'; readonly ts: number; readonly clientOrderId: string; readonly reason: string }
  | { readonly type: 'order.filled'; readonly ts: number; readonly clientOrderId: string; readonly fill: Fill; readonly leavesQuantity: Lots }
  | { readonly type: 'order.canceled'; readonly ts: number; readonly clientOrderId: string; readonly reason: string }
  | { readonly type: 'order.expired'; readonly ts: number; readonly clientOrderId: string };

/** What a venue reports back (the subset of OrderEvent a venue can originate). */
export type VenueReport = Extract<OrderEvent, { type: 'order.accepted' | 'order.rejected' | 'order.filled' | 'order.canceled' | 'order.expired' }>;
