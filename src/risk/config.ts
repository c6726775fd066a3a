import type { AssetClass, BreakerAction, Money } from '../model/index.ts';

/**
 * The risk limits of a run, as validated from the `risk:` config (YAML). Every field is optional: a limit that
 * is not set is not checked. Quantities are decimal strings in instrument units ("0.5" BTC), converted to lots
 * against each instrument when the engine starts; amounts are exact Money in the account currency.
 *
 * Limits are inclusive: a value equal to the limit passes, anything past it is denied.
 */
export interface RiskConfig {
  readonly account: AccountLimits;
  /** Per strategy id; checked in addition to the account limits. */
  readonly strategies: Readonly<Record<string, StrategyLimits>>;
  /** Per instrument id. */
  readonly instruments: Readonly<Record<string, InstrumentLimits>>;
  /** Exposure caps per asset class (equity, crypto, fx). */
  readonly assetClasses: Readonly<Partial<Record<AssetClass, ExposureLimits>>>;
  readonly breakers: BreakerConfig;
  readonly killSwitch: { readonly flatten: boolean };
}

export interface ExposureLimits {
  /** Sum of |position value| including working orders that add to it. */
  readonly maxGrossExposure?: Money;
  /** |sum of signed position values| including working orders that add to it. */
  readonly maxNetExposure?: Money;
}

/** Limits that apply to a whole scope (the account or one strategy). */
export interface ScopeLimits extends ExposureLimits {
  readonly maxOrderNotional?: Money;
  /** Open (working) orders in total. */
  readonly maxOpenOrders?: number;
  /** Order submissions per sliding second. */
  readonly maxOrdersPerSecond?: number;
  /** Cancel and replace requests per sliding second; cancels are counted but never blocked. */
  readonly maxModificationsPerSecond?: number;
  /** Instruments this scope may not add exposure in (reducing orders still pass). */
  readonly restricted?: readonly string[];
  /** Identical orders (side, instrument, quantity, price) within this many ms are denied as duplicates. */
  readonly duplicateWindowMs?: number;
  /** Default collar for instruments without their own. */
  readonly priceCollar?: PriceCollar;
}

export interface AccountLimits extends ScopeLimits {
  /** Enough cash (cash account) or buying power (margin) for every order, fees included. */
  readonly buyingPower?: BuyingPower;
  /** Default trading sessions for instruments without their own. */
  readonly sessions?: Sessions;
  /** Default for instruments without their own setting; true when unset. */
  readonly allowShort?: boolean;
}

export type StrategyLimits = ScopeLimits;

export interface InstrumentLimits {
  readonly maxOrderQuantity?: string;
  readonly maxOrderNotional?: Money;
  /** |position + working orders on the same side + this order|, in instrument units. */
  readonly maxPositionQuantity?: string;
  readonly maxPositionNotional?: Money;
  readonly maxOpenOrders?: number;
  /** Instrument rules: the venue's minimum and maximum order quantity and minimum order value. */
  readonly minQuantity?: string;
  readonly maxQuantity?: string;
  readonly minNotional?: Money;
  readonly allowShort?: boolean;
  readonly priceCollar?: PriceCollar;
  readonly sessions?: Sessions;
}

/**
 * Fat-finger collar: a limit or stop price must lie within `pct` percent or `ticks` ticks of the reference
 * price (last trade, quote mid or bar close), whichever band is wider. Market orders need a reference no
 * older than `maxReferenceAgeMs`.
 */
export interface PriceCollar {
  readonly pct?: number;
  readonly ticks?: number;
  readonly maxReferenceAgeMs: number;
}

export type BuyingPower =
  | { readonly mode: 'cash' }
  /** Buying power = equity × leverage − gross exposure of positions and working orders. */
  | { readonly mode: 'margin'; readonly leverage: number };

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Hours in which orders may be sent, in a time zone; `end` is exclusive, an `end` before `start` spans midnight. */
export interface Sessions {
  readonly zone: string;
  readonly windows: readonly SessionWindow[];
}
export interface SessionWindow {
  readonly days: readonly Weekday[];
  /** "HH:MM" local time. */
  readonly start: string;
  readonly end: string;
}

export interface BreakerConfig {
  /** Loss since the daily reset, realised + unrealised (equity change), fees included. */
  readonly dailyLoss?: { readonly maxLoss?: Money; readonly maxLossPct?: number; readonly resetTime: string; readonly resetZone: string; readonly action: BreakerAction };
  /** Fall from the equity peak (the peak restarts on re-arm). */
  readonly drawdown?: { readonly maxDrawdownPct?: number; readonly maxDrawdown?: Money; readonly action: BreakerAction };
  /** Trips on the N-th losing round trip in a row. */
  readonly losingStreak?: { readonly maxConsecutiveLosses: number; readonly action: BreakerAction };
  /** Venue rejects / venue answers over a sliding window, once at least `minOrders` answers are in it. */
  readonly rejectRate?: { readonly maxRejectPct: number; readonly windowMs: number; readonly minOrders: number; readonly action: BreakerAction };
  /** No market data for this long on an instrument with a position or working orders. */
  readonly staleData?: { readonly maxAgeMs: number; readonly action: BreakerAction };
  /** A venue disconnected for longer than `graceMs` (0: the disconnect itself trips). */
  readonly venueDisconnect?: { readonly graceMs: number; readonly action: BreakerAction };
  /** More than `maxUnknown` orders whose outcome is unknown at once. */
  readonly unknownOrders?: { readonly maxUnknown: number; readonly action: BreakerAction };
}

/** No limits: only the order-shape and instrument-grid checks, the trading state and reduce-only apply. */
export const NO_LIMITS: RiskConfig = Object.freeze({
  account: {}, strategies: {}, instruments: {}, assetClasses: {}, breakers: {}, killSwitch: { flatten: false },
});
