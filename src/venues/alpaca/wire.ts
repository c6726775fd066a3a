/**
 * Alpaca's JSON, as far as Keel reads it (trading-openapi.yaml, data-openapi.yaml and the streaming docs).
 * Numbers that must stay exact (quantities, prices, cash) arrive as decimal strings and stay strings until
 * `mapping.ts` turns them into lots, ticks and Money.
 */

/** An order as the REST API and the trade_updates stream describe it. */
export interface AlpacaOrder {
  readonly id: string;
  readonly client_order_id: string;
  readonly created_at?: string;
  readonly updated_at?: string | null;
  readonly submitted_at?: string | null;
  readonly filled_at?: string | null;
  readonly canceled_at?: string | null;
  readonly expired_at?: string | null;
  readonly failed_at?: string | null;
  readonly replaced_at?: string | null;
  /** The id of the order that replaced this one (status `replaced`). */
  readonly replaced_by?: string | null;
  /** The id of the order this one replaced. */
  readonly replaces?: string | null;
  readonly symbol: string;
  readonly asset_class?: string;
  readonly notional?: string | null;
  readonly qty?: string | null;
  readonly filled_qty: string;
  readonly filled_avg_price?: string | null;
  readonly type: string;
  readonly side: 'buy' | 'sell';
  readonly time_in_force: string;
  readonly limit_price?: string | null;
  readonly stop_price?: string | null;
  readonly status: string;
  readonly extended_hours?: boolean;
}

/** The body of POST /v2/orders. */
export interface AlpacaOrderBody {
  readonly symbol: string;
  readonly qty?: string;
  readonly notional?: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'market' | 'limit' | 'stop' | 'stop_limit';
  readonly time_in_force: 'day' | 'gtc' | 'ioc' | 'fok';
  readonly limit_price?: string;
  readonly stop_price?: string;
  readonly client_order_id: string;
}

/** The body of PATCH /v2/orders/{id} (replace). */
export interface AlpacaReplaceBody {
  readonly qty?: string;
  readonly limit_price?: string;
  readonly stop_price?: string;
  /** The replacement is a new order and needs its own, unique, client order id. */
  readonly client_order_id: string;
}

/** One message of the trade_updates stream (`data`). */
export interface AlpacaTradeUpdate {
  /** new, fill, partial_fill, canceled, expired, done_for_day, replaced, rejected, pending_new, pending_cancel,
   * pending_replace, order_replace_rejected, order_cancel_rejected, stopped, calculated, suspended, … */
  readonly event: string;
  readonly execution_id?: string;
  readonly order: AlpacaOrder;
  readonly timestamp?: string;
  /** Fill price and quantity of this execution (fill / partial_fill only). */
  readonly price?: string;
  readonly qty?: string;
  readonly position_qty?: string;
}

/** A FILL account activity (GET /v2/account/activities/FILL). */
export interface AlpacaFillActivity {
  /** `<time>::<uuid>`; also the page token for the next page. */
  readonly id: string;
  readonly activity_type: string;
  readonly transaction_time: string;
  readonly type: 'fill' | 'partial_fill';
  readonly price: string;
  readonly qty: string;
  readonly side: 'buy' | 'sell';
  readonly symbol: string;
  readonly leaves_qty: string;
  readonly order_id: string;
  readonly cum_qty: string;
  readonly order_status?: string;
  /** Not in the spec; used when present (the local Alpaca-compatible server sends it). */
  readonly execution_id?: string;
}

export interface AlpacaPosition {
  readonly symbol: string;
  /** Signed: negative for a short. */
  readonly qty: string;
  readonly side?: 'long' | 'short';
  readonly asset_class?: string;
}

export interface AlpacaAccount {
  readonly id?: string;
  /** The account number a trader sees (what `keel live` asks to confirm). */
  readonly account_number?: string;
  readonly status?: string;
  readonly currency?: string;
  readonly cash: string;
  readonly buying_power?: string;
  readonly trading_blocked?: boolean;
}

export interface AlpacaClock {
  readonly timestamp: string;
  readonly is_open: boolean;
  readonly next_open?: string;
  readonly next_close?: string;
}

export interface AlpacaAsset {
  readonly id: string;
  readonly symbol: string;
  readonly class: string;
  readonly tradable: boolean;
  readonly fractionable?: boolean;
  readonly shortable?: boolean;
  readonly min_order_size?: string;
  readonly min_trade_increment?: string;
  readonly price_increment?: string;
}

/** A bar as REST (`bars: { SYM: [...] }`) and the data stream (`T: "b"`, with `S`) send it. Prices are floats. */
export interface AlpacaBar {
  readonly T?: 'b';
  readonly S?: string;
  readonly t: string;
  readonly o: number;
  readonly h: number;
  readonly l: number;
  readonly c: number;
  readonly v: number;
}

export interface AlpacaQuoteMessage {
  readonly T: 'q';
  readonly S: string;
  readonly t: string;
  readonly bp: number;
  readonly bs: number;
  readonly ap: number;
  readonly as: number;
}

export interface AlpacaTradeMessage {
  readonly T: 't';
  readonly S: string;
  readonly t: string;
  readonly p: number;
  readonly s: number;
  /** Trade id: crypto ids exceed 2^53, kept as a string by `parseJsonKeepingIds`. */
  readonly i?: string | number;
}
