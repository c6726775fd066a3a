import type { Instrument, MarketEvent, Money, OrderSide } from '../model/index.ts';

/** One execution of an order, in the instrument's exact units (lots, ticks, Money). */
export interface ExecutionFill {
  readonly ts: number;
  readonly quantity: number;
  readonly price: number;
  readonly fee: Money;
  /** The last price the strategy saw when it decided, in ticks (the arrival price), when the engine knew it. */
  readonly decisionPrice: number | undefined;
}

/** An order as it ended, on either side of the comparison (the journal of a session, or its backtest). */
export interface ExecutedOrder {
  readonly clientOrderId: string;
  readonly side: OrderSide;
  readonly type: string;
  /** Lots asked for (0 for a cash-sized market order). */
  readonly quantity: number;
  /** Market time the strategy created it (the bar that caused it). */
  readonly createdAt: number;
  readonly tag: string | undefined;
  /** Final status: FILLED, PARTIALLY_FILLED, CANCELED, REJECTED, DENIED, EXPIRED, ACCEPTED (still working), ... */
  readonly status: string;
  readonly reason: string | undefined;
  readonly fills: readonly ExecutionFill[];
}

/** What one side of the comparison did over the period. */
export interface ExecutionSide {
  readonly label: string;
  readonly orders: readonly ExecutedOrder[];
}

/** A recorded session: what the engine saw (market events) and did (orders), and what it traded. */
export interface RecordedSession {
  readonly account: string;
  readonly instrument: Instrument;
  readonly initialCash: Money;
  readonly strategyId: string;
  /** The strategy version journaled with its events (code hash + parameters); undefined if it never acted. */
  readonly strategyVersion: string | undefined;
  /** Every market event the engine acted on, in order (`market.*` events). */
  readonly market: readonly MarketEvent[];
  readonly side: ExecutionSide;
}

export function filledLots(o: ExecutedOrder): number {
  let n = 0;
  for (const f of o.fills) n += f.quantity;
  return n;
}

export function feesOf(o: ExecutedOrder): Money {
  let fee = 0n;
  for (const f of o.fills) fee += f.fee;
  return fee;
}
