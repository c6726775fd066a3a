import { KeelError } from './errors.ts';
import { decimalsOf, formatScaled, numberToPlainString, parseScaled, pow10n } from './decimal.ts';
import { MONEY_DECIMALS, type Money } from './money.ts';

export type AssetClass = 'equity' | 'crypto' | 'fx';

/** A price as an integer count of the instrument's price ticks. Build it with `toPriceTicks`. */
export type PriceTicks = number & { readonly __unit: 'price-ticks' };
/** A quantity as an integer count of the instrument's lots. Build it with `toLots`. */
export type Lots = number & { readonly __unit: 'lots' };

export interface InstrumentSpec {
  id: string;
  assetClass?: AssetClass;
  quoteCurrency?: string;
  /** Smallest price increment as a decimal string or number, e.g. "0.01". */
  priceTick?: string | number;
  /** Smallest quantity increment, e.g. "1" for shares, "0.00000001" for BTC. */
  lotSize?: string | number;
  /** Contract multiplier (1 for spot). */
  multiplier?: string | number;
  /** IANA time zone of the instrument's sessions (for DAY orders and daily resets). */
  timeZone?: string;
}

/** A tradable instrument and its increments; a plain immutable object, made by `defineInstrument`. */
export interface Instrument {
  readonly id: string;
  readonly assetClass: AssetClass;
  readonly quoteCurrency: string;
  readonly priceTick: string;
  readonly lotSize: string;
  readonly multiplier: string;
  readonly timeZone: string;
  /** Decimals of the price tick (0.05 → 2). */
  readonly priceDecimals: number;
  /** Decimals of the lot size. */
  readonly sizeDecimals: number;
  /** The tick expressed in 10^-priceDecimals units (0.05 → 5). */
  readonly tickUnits: number;
  /** The lot expressed in 10^-sizeDecimals units. */
  readonly lotUnits: number;
  /** Price of one tick as a float (for display and indicators). */
  readonly tickSize: number;
  /** Size of one lot as a float. */
  readonly lotSizeNumber: number;
  /** Money value of one tick × one lot × multiplier, exact. */
  readonly notionalUnit: Money;
  /** Multiplier as a float, for marking positions in floats. */
  readonly multiplierNumber: number;
}

function asDecimalString(x: string | number, field: string): string {
  const s = typeof x === 'number' ? numberToPlainString(x) : x.trim();
  if (!/^\d+(\.\d+)?$/.test(s) || Number(s) <= 0) {
    throw new KeelError('BAD_INSTRUMENT', 'must be a positive decimal', { field, value: x });
  }
  return s;
}

/**
 * Validate an instrument spec and derive its fixed-point constants.
 *
 * @example
 * const orcl = defineInstrument({ id: 'ORCL', priceTick: '0.01', lotSize: '1' });
 */
export function defineInstrument(spec: InstrumentSpec): Instrument {
  if (!spec.id || typeof spec.id !== 'string') {
    throw new KeelError('BAD_INSTRUMENT', 'needs an id', { field: 'instrument.id', value: spec.id });
  }
  const priceTick = asDecimalString(spec.priceTick ?? '0.01', `instrument ${spec.id} priceTick`);
  const lotSize = asDecimalString(spec.lotSize ?? '1', `instrument ${spec.id} lotSize`);
  const multiplier = asDecimalString(spec.multiplier ?? '1', `instrument ${spec.id} multiplier`);
  const priceDecimals = decimalsOf(priceTick);
  const sizeDecimals = decimalsOf(lotSize);
  const multDecimals = decimalsOf(multiplier);
  if (priceDecimals + sizeDecimals + multDecimals > MONEY_DECIMALS) {
    throw new KeelError('BAD_INSTRUMENT',
      `price tick, lot size and multiplier together have more than ${MONEY_DECIMALS} decimals`,
      { field: `instrument ${spec.id}`, value: `${priceTick} × ${lotSize} × ${multiplier}` });
  }
  const tickUnits = Number(parseScaled(priceTick, priceDecimals, 'priceTick'));
  const lotUnits = Number(parseScaled(lotSize, sizeDecimals, 'lotSize'));
  const multUnits = parseScaled(multiplier, multDecimals, 'multiplier');
  const notionalUnit = BigInt(tickUnits) * BigInt(lotUnits) * multUnits
    * pow10n(MONEY_DECIMALS - priceDecimals - sizeDecimals - multDecimals);
  const timeZone = spec.timeZone ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new KeelError('BAD_TIMEZONE', 'is not an IANA time zone', { field: `instrument ${spec.id} timeZone`, value: timeZone });
  }
  return Object.freeze({
    id: spec.id,
    assetClass: spec.assetClass ?? 'equity',
    quoteCurrency: (spec.quoteCurrency ?? 'USD').toUpperCase(),
    priceTick, lotSize, multiplier, timeZone,
    priceDecimals, sizeDecimals, tickUnits, lotUnits,
    tickSize: Number(priceTick),
    lotSizeNumber: Number(lotSize),
    notionalUnit,
    multiplierNumber: Number(multiplier),
  });
}

// A float price is accepted as on-grid when it is within this many ticks of a grid point: the float nearest
// to a decimal like 45.34 is off by ~1e-15 relative, far below this.
const GRID_TOLERANCE = 1e-6;

/**
 * A float price → integer ticks; throws a KeelError when the price is not on the tick grid or not positive.
 *
 * @example toPriceTicks(orcl, 45.34, 'limitPrice') // 4534
 */
export function toPriceTicks(inst: Instrument, price: number, field = 'price'): PriceTicks {
  if (!Number.isFinite(price) || price <= 0) {
    throw new KeelError('BAD_PRICE', 'must be a positive finite price', { field, value: price });
  }
  const t = price / inst.tickSize;
  const r = Math.round(t);
  if (Math.abs(t - r) > GRID_TOLERANCE) {
    throw new KeelError('OFF_TICK_GRID', `is not on ${inst.id}'s tick grid of ${inst.priceTick}`, { field, value: price });
  }
  return r as PriceTicks;
}

/** A float price → ticks, rounded in the given direction (used for slippage, which must round against the trader). */
export function roundToTicks(inst: Instrument, price: number, mode: 'up' | 'down' | 'nearest'): PriceTicks {
  const t = price / inst.tickSize;
  const r = Math.round(t);
  // Snap values that are on the grid up to float noise, so rounding "up" of 45.34 stays 45.34.
  if (Math.abs(t - r) <= 1e-7 * Math.max(1, Math.abs(t))) return r as PriceTicks;
  if (mode === 'up') return Math.ceil(t) as PriceTicks;
  if (mode === 'down') return Math.floor(t) as PriceTicks;
  return r as PriceTicks;
}

/** Ticks → float price (display, indicators). Exact for printing via `formatPrice`. */
export function ticksToPrice(inst: Instrument, ticks: number): number {
  return (ticks * inst.tickUnits) / 10 ** inst.priceDecimals;
}

/** The spec an instrument was defined from (journaled at an engine's start, so a journal alone can be read). */
export function instrumentSpecOf(inst: Instrument): Required<InstrumentSpec> {
  return { id: inst.id, assetClass: inst.assetClass, quoteCurrency: inst.quoteCurrency, priceTick: inst.priceTick, lotSize: inst.lotSize, multiplier: inst.multiplier, timeZone: inst.timeZone };
}

/** Exact decimal string of a tick price. */
export function formatPrice(inst: Instrument, ticks: number): string {
  const units = BigInt(ticks) * BigInt(inst.tickUnits);
  const s = (units < 0n ? -units : units).toString().padStart(inst.priceDecimals + 1, '0');
  const body = inst.priceDecimals === 0 ? s : `${s.slice(0, s.length - inst.priceDecimals)}.${s.slice(s.length - inst.priceDecimals)}`;
  return (units < 0n ? '-' : '') + body;
}

/** A float quantity → integer lots; throws when not a whole number of lots or not positive. */
export function toLots(inst: Instrument, quantity: number, field = 'quantity'): Lots {
  if (!Number.isFinite(quantity) || quantity <= 0) {
    throw new KeelError('BAD_QUANTITY', 'must be a positive finite quantity', { field, value: quantity });
  }
  const l = quantity / inst.lotSizeNumber;
  const r = Math.round(l);
  if (Math.abs(l - r) > GRID_TOLERANCE) {
    throw new KeelError('OFF_LOT_GRID', `is not a multiple of ${inst.id}'s lot size ${inst.lotSize}`, { field, value: quantity });
  }
  return r as Lots;
}

/**
 * Exact decimal string of a quantity in lots (signed), on the instrument's size grid.
 *
 * @example formatQuantity(btc, 150) // "0.00000150" for a lot of 0.00000001
 */
export function formatQuantity(inst: Instrument, lots: number): string {
  return formatScaled(BigInt(lots) * BigInt(inst.lotUnits), inst.sizeDecimals);
}

/** Lots → float quantity (display). */
export function lotsToQuantity(inst: Instrument, lots: number): number {
  return (lots * inst.lotUnits) / 10 ** inst.sizeDecimals;
}

/** Exact notional of `lots` at `ticks`: price × quantity × multiplier, in Money units. */
export function notional(inst: Instrument, ticks: number, lots: number): Money {
  return BigInt(ticks) * BigInt(lots) * inst.notionalUnit;
}

/** The smallest tick that makes a float price exact at `decimals` (used when a data file fixes the grid). */
export function tickForDecimals(decimals: number): string {
  return decimals === 0 ? '1' : `0.${'0'.repeat(decimals - 1)}1`;
}

export { pow10n };
