import { KeelError } from '../model/index.ts';

/**
 * Position sizing helpers for strategies: pure functions from account and market state to a quantity in
 * instrument units (shares, coins, contracts), floored to whole lots so the order is on the lot grid.
 *
 * Two kinds of bad input are treated differently on purpose:
 * - configuration (a risk percent, a lot size, a cap) that is out of range is a mistake the user must fix, so
 *   it throws a `KeelError` naming the field and value;
 * - market state that makes a size meaningless right now (a stop on the entry price, an ATR of 0 during a
 *   halted session, a NaN price from a gap in the data) returns 0: no trade on this bar, the run goes on.
 */

/** How an instrument is traded: the smallest tradable quantity and the contract multiplier. */
export interface LotSpec {
  /** Smallest tradable quantity (1 share, 0.001 BTC). Default 1. */
  readonly lotSize?: number;
  /** Money value of a one-point move per unit (futures: 50 for ES); 1 for spot. Default 1. */
  readonly multiplier?: number;
}

export interface RiskPerTradeInput extends LotSpec {
  readonly equity: number;
  /** Percent of equity lost if the stop is hit: 1 means 1%. */
  readonly riskPct: number;
  readonly entryPrice: number;
  /** Below the entry for a long, above it for a short; only the distance matters. */
  readonly stopPrice: number;
}

/**
 * Fixed fractional sizing: the quantity that loses `riskPct`% of equity if price moves from the entry to the
 * stop. quantity = equity × riskPct / 100 / (|entry − stop| × multiplier), floored to the lot.
 * The loss can exceed the budget when price gaps through the stop; the stop distance is what is sized.
 *
 * @example
 * riskPerTradeSize({ equity: 100_000, riskPct: 1, entryPrice: 50, stopPrice: 48 }) // 500 shares: 500 × $2 = $1,000
 * riskPerTradeSize({ equity: 10_000, riskPct: 2, entryPrice: 30_000, stopPrice: 29_000, lotSize: 0.001 }) // 0.2 BTC
 */
export function riskPerTradeSize(input: RiskPerTradeInput): number {
  const { lot, multiplier } = lotSpec(input);
  const equity = checkEquity(input.equity);
  const riskPct = checkPercent(input.riskPct, 'riskPct', 'e.g. 1 risks 1% of equity per trade');
  const distance = Math.abs(input.entryPrice - input.stopPrice);
  // A stop on the entry (or an unknown price) has no distance to size against: any size "fits", so trade none.
  if (!(distance > 0) || !Number.isFinite(distance)) return 0;
  return floorToLot((equity * riskPct) / 100 / (distance * multiplier), lot);
}

/** Turtle-style: risk `riskPct`% of equity on an adverse move of `atrMultiple` ATRs. */
export interface AtrTargetInput extends LotSpec {
  readonly method: 'atr';
  readonly equity: number;
  /** Percent of equity an `atrMultiple` × ATR move is allowed to cost: 1 means 1%. */
  readonly riskPct: number;
  /** Average true range in price units (e.g. `Atr.value`). */
  readonly atr: number;
  /** How many ATRs the budget covers; the Turtles used 1 for a unit (and a 2-ATR stop). Default 1. */
  readonly atrMultiple?: number;
}

/** Hold a position whose annualised volatility is `targetVolPct`% of equity. */
export interface StdevTargetInput extends LotSpec {
  readonly method: 'stdev';
  readonly equity: number;
  /** Annualised volatility the position should contribute, in percent of equity: 10 means 10%. */
  readonly targetVolPct: number;
  /** Per-bar standard deviation of simple returns, as a fraction (e.g. `Stdev.value`: 0.02 = 2% a bar). */
  readonly returnStdev: number;
  /** Bars per year used to annualise the stdev: 252 for daily stock bars, 365 for daily crypto. */
  readonly periodsPerYear: number;
  readonly price: number;
}

export type VolatilityTargetInput = AtrTargetInput | StdevTargetInput;

/**
 * Volatility targeting: size inversely to how much the instrument moves, so quiet and wild markets carry the
 * same risk.
 * - `method: 'atr'`: quantity = equity × riskPct / 100 / (ATR × atrMultiple × multiplier).
 * - `method: 'stdev'`: notional = equity × targetVolPct / 100 / (returnStdev × √periodsPerYear), quantity =
 *   notional / (price × multiplier). A very quiet instrument asks for a large notional: cap it with
 *   `capByFraction`.
 *
 * @example
 * volatilityTargetSize({ method: 'atr', equity: 100_000, riskPct: 1, atr: 2.5, atrMultiple: 2 }) // 200 shares
 * volatilityTargetSize({ method: 'stdev', equity: 100_000, targetVolPct: 10, returnStdev: 0.02, periodsPerYear: 252, price: 50 }) // 629 shares: $31,450 at 31.7% vol ≈ $10,000 a year
 */
export function volatilityTargetSize(input: VolatilityTargetInput): number {
  const { lot, multiplier } = lotSpec(input);
  const equity = checkEquity(input.equity);
  if (input.method === 'atr') {
    const riskPct = checkPercent(input.riskPct, 'riskPct', 'e.g. 1 risks 1% of equity per ATR move');
    const atrMultiple = input.atrMultiple ?? 1;
    if (!(atrMultiple > 0) || !Number.isFinite(atrMultiple)) {
      throw new KeelError('BAD_SIZING', 'must be a positive number of ATRs', { field: 'atrMultiple', value: atrMultiple, hint: 'e.g. 2 for a 2-ATR stop' });
    }
    // ATR 0 (no movement yet, a halted market) or NaN (still warming up) says nothing about risk: no trade.
    if (!(input.atr > 0) || !Number.isFinite(input.atr)) return 0;
    return floorToLot((equity * riskPct) / 100 / (input.atr * atrMultiple * multiplier), lot);
  }
  if (input.method === 'stdev') {
    const target = input.targetVolPct;
    if (!(target > 0) || !Number.isFinite(target)) {
      throw new KeelError('BAD_SIZING', 'must be a positive percent', { field: 'targetVolPct', value: target, hint: 'e.g. 10 targets 10% annualised volatility' });
    }
    const periods = input.periodsPerYear;
    if (!(periods > 0) || !Number.isFinite(periods)) {
      throw new KeelError('BAD_SIZING', 'must be a positive number of bars per year', { field: 'periodsPerYear', value: periods, hint: 'e.g. 252 for daily stock bars' });
    }
    // A zero or unknown stdev (flat or warming-up window) or an unusable price cannot be sized: no trade.
    if (!(input.returnStdev > 0) || !Number.isFinite(input.returnStdev)) return 0;
    if (!(input.price > 0) || !Number.isFinite(input.price)) return 0;
    const notional = (equity * target) / 100 / (input.returnStdev * Math.sqrt(periods));
    return floorToLot(notional / (input.price * multiplier), lot);
  }
  throw new KeelError('BAD_SIZING', "must be 'atr' or 'stdev'", { field: 'method', value: (input as { method: unknown }).method });
}

export interface FixedNotionalInput extends LotSpec {
  /** Cash value of the position, in the quote currency. */
  readonly notional: number;
  readonly price: number;
}

/**
 * Fixed notional: the whole lots that `notional` buys at `price`. quantity = notional / (price × multiplier).
 *
 * @example
 * fixedNotionalSize({ notional: 10_000, price: 30_000, lotSize: 0.001 }) // 0.333 BTC
 * fixedNotionalSize({ notional: 250_000, price: 5_000, multiplier: 50 }) // 1 ES contract
 */
export function fixedNotionalSize(input: FixedNotionalInput): number {
  const { lot, multiplier } = lotSpec(input);
  if (!(input.notional > 0) || !Number.isFinite(input.notional)) {
    throw new KeelError('BAD_SIZING', 'must be a positive cash amount', { field: 'notional', value: input.notional });
  }
  // No usable price (missing data, a zero print): the position's value is unknown, so trade none.
  if (!(input.price > 0) || !Number.isFinite(input.price)) return 0;
  return floorToLot(input.notional / (input.price * multiplier), lot);
}

export interface CapByFractionInput extends LotSpec {
  /** The size to cap, in instrument units; a negative (short) quantity keeps its sign. */
  readonly quantity: number;
  readonly price: number;
  readonly equity: number;
  /** Largest position value as a fraction of equity, in (0, 1]: 0.25 means at most 25% of equity. */
  readonly maxFraction: number;
}

/**
 * Cap a size so the position's value is at most `maxFraction` of equity: |quantity| × price × multiplier ≤
 * maxFraction × equity. Use it after a risk- or volatility-based size, which grows without bound as the stop
 * or the volatility shrinks.
 *
 * @example
 * capByFraction({ quantity: 5_000, price: 50, equity: 100_000, maxFraction: 0.25 }) // 500 ($25,000)
 * capByFraction({ quantity: -300, price: 50, equity: 100_000, maxFraction: 0.25 }) // -300 (under the cap)
 */
export function capByFraction(input: CapByFractionInput): number {
  const { lot, multiplier } = lotSpec(input);
  const equity = checkEquity(input.equity);
  const f = input.maxFraction;
  if (!(f > 0 && f <= 1)) {
    throw new KeelError('BAD_SIZING', 'must be a fraction of equity in (0, 1]', { field: 'maxFraction', value: f, hint: 'e.g. 0.25 caps a position at 25% of equity' });
  }
  // Without a usable price or quantity the position's value is unknown: no trade rather than an uncapped one.
  if (!(input.price > 0) || !Number.isFinite(input.price) || Number.isNaN(input.quantity)) return 0;
  const cap = (equity * f) / (input.price * multiplier);
  const size = Math.min(Math.abs(input.quantity), cap);
  const q = floorToLot(size, lot);
  return input.quantity < 0 && q !== 0 ? -q : q;
}

/**
 * Whole lots in `quantity`, rounded down, as a quantity. Counting lots as an integer (with a 1e-9 allowance
 * for division noise: 0.3 / 0.1 = 2.9999999999999996) and rounding to the lot's decimals keeps results like
 * 0.3 instead of 0.30000000000000004, which the order grid check would refuse.
 */
function floorToLot(quantity: number, lot: number): number {
  if (!(quantity > 0)) return 0;
  const lots = Math.floor(quantity / lot + 1e-9);
  if (!Number.isFinite(lots)) return 0;
  return Number((lots * lot).toFixed(decimalsOf(lot)));
}

/** Decimals needed to write `x` exactly as JavaScript prints it: 0.001 → 3, 1e-8 → 8, 25 → 0. */
function decimalsOf(x: number): number {
  const s = String(x);
  const e = s.indexOf('e-');
  const mantissa = e >= 0 ? s.slice(0, e) : s;
  const dot = mantissa.indexOf('.');
  const fraction = dot >= 0 ? mantissa.length - dot - 1 : 0;
  return Math.min(100, fraction + (e >= 0 ? Number(s.slice(e + 2)) : 0));
}

function lotSpec(s: LotSpec): { lot: number; multiplier: number } {
  const lot = s.lotSize ?? 1;
  if (!(lot > 0) || !Number.isFinite(lot)) {
    throw new KeelError('BAD_SIZING', 'must be a positive quantity', { field: 'lotSize', value: lot, hint: 'the smallest tradable quantity, e.g. 1 share or 0.001 BTC' });
  }
  const multiplier = s.multiplier ?? 1;
  if (!(multiplier > 0) || !Number.isFinite(multiplier)) {
    throw new KeelError('BAD_SIZING', 'must be a positive number', { field: 'multiplier', value: multiplier, hint: 'the contract multiplier, 1 for spot' });
  }
  return { lot, multiplier };
}

function checkEquity(equity: number): number {
  // A negative equity is a blown account or a sign error; sizing from it would silently flip the position.
  if (!(equity >= 0) || !Number.isFinite(equity)) {
    throw new KeelError('BAD_SIZING', 'must be a non-negative amount', { field: 'equity', value: equity });
  }
  return equity;
}

function checkPercent(pct: number, field: string, hint: string): number {
  if (!(pct > 0 && pct <= 100)) throw new KeelError('BAD_SIZING', 'must be a percent in (0, 100]', { field, value: pct, hint });
  return pct;
}
