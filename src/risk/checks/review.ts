import type { Money, OrderRequest } from '../../model/index.ts';
import type { RiskConfig, ScopeLimits } from '../config.ts';
import type { ExposureBook, InstrumentBook, StrategyBook } from '../exposure-book.ts';
import type { InstrumentRules } from '../instrument-limits.ts';
import { exposureChange, type ExposureChange, type ExposureLine } from '../valuation.ts';

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
  /** Lots the order would have working: `lots`, less what the order it replaces already filled. */
  readonly workingLots: number;
  /** For a modification (cancel/replace): the working order it replaces. Undefined for a new order. */
  readonly replaces: ReplacedOrder | undefined;
  /**
   * False only for a modification that leaves no more lots working than the order it replaces (a price
   * change or a smaller order). It adds no new risk, so the checks that guard new risk let it through even
   * when prices moved the books over a cap: refusing it would leave the larger order working.
   */
  readonly grows: boolean;
  /** Price the order is valued at, in ticks: limit, else stop, else the reference (NaN without one). */
  readonly priceTicks: number;
  /** Value of the order at `priceTicks` (undefined when there is no price to value it at). */
  readonly notional: Money | undefined;
  /** True when the order can only move the account's position in this instrument toward zero. */
  readonly reducing: boolean;
  /** True for the kill switch's flatten orders: only structural and instrument rules apply. */
  readonly flatten: boolean;
  /** Account exposure before/after this order, computed once on first use (exposure and buying power share it). */
  accountChange: ExposureChange | undefined;
}

/**
 * The working order a modification replaces, as the books hold it. While the replacement is checked its
 * working lots are taken out of the books (`ExposureBook.withoutWorkingOrder`), so nothing counts twice.
 */
export interface ReplacedOrder {
  /** Its terms in force. */
  readonly order: OrderRequest;
  /** Lots it already filled: they are in the position, and the replacement's quantity includes them. */
  readonly filledLots: number;
  /** Lots it still has working. */
  readonly leavesLots: number;
  /** Price it is valued at, in ticks (see `valuationTicks`). */
  readonly priceTicks: number;
}

/** Price an order is valued at, in ticks: its limit, else its stop, else the reference (NaN without one). */
export function valuationTicks(o: OrderRequest, refTicks: number): number {
  return o.type === 'limit' || o.type === 'stop_limit' ? o.limitPrice : o.type === 'stop' ? o.stopPrice : refTicks || NaN;
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

/**
 * Exposure change of `lines` if the order under review filled (buys and sells on its side only). For a
 * modification, "before" is the books with the order it replaces, so a replacement is judged by what it
 * changes, not by what the books already hold.
 */
export function changeOf(r: OrderUnderReview, lines: readonly ExposureLine[]): ExposureChange {
  const after = sideChange(r, lines, r.workingLots, r.priceTicks);
  if (r.replaces === undefined) return after;
  const before = sideChange(r, lines, r.replaces.leavesLots, r.replaces.priceTicks);
  return { grossBefore: before.grossAfter, grossAfter: after.grossAfter, netBefore: before.netAfter, netAfter: after.netAfter };
}

function sideChange(r: OrderUnderReview, lines: readonly ExposureLine[], lots: number, priceTicks: number): ExposureChange {
  // Off-grid quantities never get here (instrument rules run first); an unsized cash order counts as 0.
  const n = Number.isSafeInteger(lots) ? lots : 0;
  const buy = r.order.side === 'buy' ? n : 0;
  const sell = r.order.side === 'sell' ? n : 0;
  return exposureChange(lines, r.book.instrument, buy, sell, Number.isSafeInteger(priceTicks) ? priceTicks : 0);
}

/** The account-wide change, cached on the review. */
export function accountChangeOf(r: OrderUnderReview, exposure: ExposureBook): ExposureChange {
  if (r.accountChange === undefined) r.accountChange = changeOf(r, exposure.instrumentList);
  return r.accountChange;
}
