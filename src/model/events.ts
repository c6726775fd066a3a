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
  /** Refused by the risk gate: `check` names the pre-trade check, `reason` says why in a trader's words. */
  | { readonly type: 'order.denied'; readonly ts: number; readonly clientOrderId: string; readonly check: string; readonly reason: string }
  | { readonly type: 'order.accepted'; readonly ts: number; readonly clientOrderId: string; readonly venueOrderId: string }
  | { readonly type: 'order.rejected'; readonly ts: number; readonly clientOrderId: string; readonly reason: string }
  | { readonly type: 'order.filled'; readonly ts: number; readonly clientOrderId: string; readonly fill: Fill; readonly leavesQuantity: Lots }
  | { readonly type: 'order.canceled'; readonly ts: number; readonly clientOrderId: string; readonly reason: string }
  | { readonly type: 'order.expired'; readonly ts: number; readonly clientOrderId: string }
  /** The outcome of a request was lost (timeout, disconnect); the order blocks new risk until reconciled. */
  | { readonly type: 'order.unknown'; readonly ts: number; readonly clientOrderId: string; readonly reason: string }
  /**
   * The OMS sent a cancel/replace with the gate-approved new terms (`order`, same client order id). Until the
   * venue answers the order is PENDING_UPDATE and may still fill at its old terms.
   */
  | { readonly type: 'order.pending-update'; readonly ts: number; readonly clientOrderId: string; readonly order: OrderRequest }
  /** The risk gate refused a modification; the order keeps working at its terms and its status does not change. */
  | { readonly type: 'order.update-denied'; readonly ts: number; readonly clientOrderId: string; readonly check: string; readonly reason: string }
  /** The venue applied the replacement: the order now works at `order`'s terms; what already filled stays filled. */
  | { readonly type: 'order.updated'; readonly ts: number; readonly clientOrderId: string; readonly order: OrderRequest }
  /** The venue refused the replacement (it came too late, or below the filled quantity); the old terms stand. */
  | { readonly type: 'order.update-rejected'; readonly ts: number; readonly clientOrderId: string; readonly reason: string };

/** What a venue reports back (the subset of OrderEvent a venue can originate). */
export type VenueReport = Extract<OrderEvent, {
  type: 'order.accepted' | 'order.rejected' | 'order.filled' | 'order.canceled' | 'order.expired' | 'order.unknown' | 'order.updated' | 'order.update-rejected';
}>;

/** ACTIVE: all orders; REDUCING: only orders that reduce exposure; HALTED: nothing but cancels. */
export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';

/** What a breaker does when it trips; `kill` runs the kill switch (cancel all, flatten, HALTED). */
export type BreakerAction = 'reduce' | 'halt' | 'kill';

/** Who or what changed the trading state. */
export type RiskActor =
  | { readonly kind: 'breaker'; readonly name: string }
  | { readonly kind: 'operator'; readonly who: string }
  | { readonly kind: 'kill-switch'; readonly who: string }
  | { readonly kind: 'restart'; readonly source: string };

/** Events of the risk layer; journaled, reported and counted like order events. */
export type RiskEvent =
  | {
    readonly type: 'risk.state-changed'; readonly ts: number; readonly from: TradingState; readonly to: TradingState;
    readonly reason: string; readonly by: RiskActor;
  }
  | { readonly type: 'risk.breaker-tripped'; readonly ts: number; readonly breaker: string; readonly reason: string; readonly action: BreakerAction }
  | {
    readonly type: 'risk.kill-switch'; readonly ts: number; readonly by: string; readonly reason: string;
    /** Client order ids whose cancel was handed to a venue. */
    readonly canceled: readonly string[];
    /** Client order ids of the market orders sent to flatten positions. */
    readonly flattenOrders: readonly string[];
    /** Positions that could not be flattened, with the reason (e.g. below the minimum notional). */
    readonly notFlattened: readonly string[];
  };

/** "operator alice", "breaker daily-loss": for reports and logs. */
export function describeActor(a: RiskActor): string {
  switch (a.kind) {
    case 'breaker': return `breaker ${a.name}`;
    case 'operator': return `operator ${a.who}`;
    case 'kill-switch': return `kill switch (${a.who})`;
    case 'restart': return `restart (${a.source})`;
  }
}
