import type { Money, OrderRequest } from '../../model/index.ts';
import type { FeeModel, LimitFillRule, SlippageModel } from '../sim/index.ts';
import type { VenueFill } from '../sim-server/protocol.ts';
import type { IdSource } from './ids.ts';
import type { VenueMarket } from './market.ts';
import type { AlpacaOrderJson, AlpacaOrderRecord } from './order-record.ts';

/** The shapes an account works with: what it streams, what it lists, what it is built from and saved as. */

/** One message of the trade_updates stream (its `data`). */
export interface TradeUpdate {
  readonly event: string;
  readonly order: AlpacaOrderJson;
  readonly timestamp: string;
  readonly execution_id?: string;
  readonly price?: string;
  readonly qty?: string;
  readonly position_qty?: string;
}

/** A FILL account activity (trading-openapi.yaml `TradingActivities`), plus the execution id. */
export interface FillActivity {
  readonly id: string;
  readonly activity_type: 'FILL';
  readonly transaction_time: string;
  readonly type: 'fill' | 'partial_fill';
  readonly price: string;
  readonly qty: string;
  readonly side: 'buy' | 'sell';
  readonly symbol: string;
  readonly leaves_qty: string;
  readonly order_id: string;
  readonly cum_qty: string;
  readonly order_status: string;
  readonly execution_id: string;
}

/** The fault hooks an account consults (see faults.ts); the default injects nothing. */
export interface AccountFaults {
  shouldReject(): boolean;
  splitFill(lots: number): number[];
}

export interface AlpacaAccountOptions {
  readonly name: string;
  readonly initialCash: Money;
  readonly market: VenueMarket;
  readonly ids: IdSource;
  readonly faults: AccountFaults;
  readonly fees?: FeeModel;
  readonly slippage?: SlippageModel;
  readonly limitFill?: LimitFillRule;
  readonly participationRate?: number;
}

/** What a saved state file holds for one account (money as bigint, written with model/json.ts). */
export interface AccountState {
  readonly name: string;
  readonly seq: number;
  readonly cost: Money;
  readonly orders: readonly AlpacaOrderRecord[];
  readonly activities: readonly FillActivity[];
  readonly fills: readonly VenueFill[];
  /** Terms in force in the matching engine of each order still working, by internal key. */
  readonly working: readonly (readonly [string, OrderRequest])[];
}
