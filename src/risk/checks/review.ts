import type { Money, OrderRequest } from '../../model/index.ts';
import type { RiskConfig, ScopeLimits } from '../config.ts';
import type { ExposureBook, InstrumentBook, StrategyBook } from '../exposure-book.ts';
import type { InstrumentRules } from '../instrument-limits.ts';

/**
 * One order under review, with everything a check reads already looked up, so each check is a few field
 * reads and comparisons (the gate's budget is a few microseconds for all of them).
 */
export interface OrderUnderReview {
  readonly order: OrderRequest;
  readonly book: InstrumentBook;
  readonly strategy: StrategyBook;
  readonly rules: InstrumentRules;
  readonly strategyLimits: ScopeLimits;
  readonly now: number;
  /** Lots the order trades; for a cash-sized order, estimated at the reference price (NaN without one). */
  readonly lots: number;
  /** Price the order is valued at, in ticks: limit, else stop, else the reference (NaN without one). */
  readonly priceTicks: number;
  /** Value of the order at `priceTicks` (undefined when there is no price to value it at). */
  readonly notional: Money | undefined;
  /** True when the order can only move the account's position in this instrument toward zero. */
  readonly reducing: boolean;
  /** True for the kill switch's flatten orders: only structural and instrument rules apply. */
  readonly flatten: boolean;
}

/** Shared, read-only state the checks consult beyond the order itself. */
export interface ReviewEnvironment {
  readonly config: RiskConfig;
  readonly exposure: ExposureBook;
  readonly account: AccountView;
  readonly estimateFee: FeeEstimate;
}

/** The account as the gate sees it; the run's assembly implements it over the portfolio. */
export interface AccountView {
  /** Cash, exact. */
  cash(): Money;
  /** Cash plus positions marked to market, float (the breakers' input). */
  equity(): number;
}

/** Fee the venue would charge on an order of this value and size (for the buying-power check). */
export type FeeEstimate = (instrumentId: string, notional: Money, lots: number) => Money;

/** One pre-trade check: undefined to pass, or a denial reason a trader understands. */
export interface PreTradeCheck {
  readonly name: string;
  check(r: OrderUnderReview): string | undefined;
  /** Called for every order the whole gate approved (throttles and duplicate windows count only those). */
  approved?(r: OrderUnderReview): void;
}
