import {
  KeelError, defineInstrument, formatQuantity, formatScaled, numberToPlainString, parseScaled, decimalsOf,
  type Instrument, type Lots, type PriceTicks,
} from '../../model/index.ts';
import type { Exchange } from './exchange.ts';
import type { CcxtSymbolConfig } from './config.ts';

/** ccxt's precision modes (`exchange.precisionMode`): 2 = decimal places, 3 = significant digits, 4 = tick size. */
const DECIMAL_PLACES = 2;
const TICK_SIZE = 4;

/**
 * One ccxt market as Keel trades it: the unified symbol, the Keel instrument (ticks and lots), and the
 * exchange's own amount step, which other traders' sizes (bar volume, trade prints) sit on.
 */
export interface MarketBinding {
  readonly symbol: string;
  readonly instrument: Instrument;
  /** The exchange's amount step as a decimal string (may be finer than the instrument's lot). */
  readonly amountStep: string;
  readonly base: string;
  readonly quote: string;
  /** Swaps and futures: positions come from fetchPositions, not balances. */
  readonly contract: boolean;
}

/**
 * Bind a configured symbol to its loaded ccxt market. The instrument's tick and lot are the market's price and
 * amount precision unless the config gives coarser ones (they must be whole multiples of the market's: a
 * price on Keel's grid must be valid at the exchange). Throws a KeelError naming the symbol when the market is
 * unknown or its grid cannot be expressed exactly (more than 12 decimals of tick × lot).
 *
 * @example const btc = bindMarket(exchange, { symbol: 'BTC/USD', lotSize: '0.00000001' });
 */
export function bindMarket(ex: Exchange, spec: CcxtSymbolConfig): MarketBinding {
  const market = ex.markets?.[spec.symbol];
  if (market === undefined) {
    throw new KeelError('BAD_CCXT_CONFIG', `is not a market of ${ex.id}`, { field: 'ccxt.symbols', value: spec.symbol, hint: 'use ccxt unified symbols such as BTC/USD' });
  }
  const marketTick = stepOf(ex, market.precision?.price, `${spec.symbol} price precision`);
  const marketStep = stepOf(ex, market.precision?.amount, `${spec.symbol} amount precision`);
  const priceTick = spec.priceTick ?? marketTick;
  const lotSize = spec.lotSize ?? marketStep;
  requireMultiple(priceTick, marketTick, `ccxt.symbols ${spec.symbol} priceTick`);
  requireMultiple(lotSize, marketStep, `ccxt.symbols ${spec.symbol} lotSize`);
  let instrument: Instrument;
  try {
    instrument = defineInstrument({
      id: spec.instrumentId ?? spec.symbol, assetClass: 'crypto', quoteCurrency: market.quote, priceTick, lotSize,
      multiplier: market.contractSize !== undefined && market.contractSize !== null ? numberToPlainString(market.contractSize) : '1',
    });
  } catch (e) {
    if (!(e instanceof KeelError)) throw e;
    throw new KeelError('BAD_CCXT_CONFIG', `${e.message}`, {
      field: `ccxt.symbols ${spec.symbol}`,
      hint: `the market's tick ${marketTick} and step ${marketStep} need more decimals than Keel's fixed point holds; set a coarser lotSize or priceTick for it`,
    });
  }
  return { symbol: spec.symbol, instrument, amountStep: marketStep, base: market.base, quote: market.quote, contract: market.contract === true };
}

function stepOf(ex: Exchange, precision: number | undefined, field: string): string {
  if (precision === undefined || precision === null || !(precision > 0)) {
    throw new KeelError('BAD_CCXT_MARKET', 'is missing in the market data', { field, hint: 'set priceTick/lotSize for this symbol in the config' });
  }
  if (ex.precisionMode === TICK_SIZE) return numberToPlainString(precision);
  if (ex.precisionMode === DECIMAL_PLACES && Number.isInteger(precision)) return precision === 0 ? '1' : `0.${'0'.repeat(precision - 1)}1`;
  throw new KeelError('BAD_CCXT_MARKET', `uses precision mode ${ex.precisionMode} (significant digits), which has no fixed grid`, { field, value: precision, hint: 'set priceTick and lotSize for this symbol in the config' });
}

function requireMultiple(value: string, step: string, field: string): void {
  const d = Math.max(decimalsOf(value), decimalsOf(step));
  const v = parseScaled(value, d, field);
  const s = parseScaled(step, d, field);
  if (v <= 0n || v % s !== 0n) throw new KeelError('BAD_CCXT_CONFIG', `is not a whole multiple of the market's step ${step}`, { field, value });
}

/**
 * A ccxt float (or numeric string) as an exact count of `step`s. ccxt's floats come from the exchange's decimal
 * text, so their shortest representation is that text; anything off the grid is refused, not rounded.
 */
function toSteps(value: number | string | undefined, stepText: string, decimals: number, field: string, code: string): bigint {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? numberToPlainString(value) : String(value)) : value;
  if (text === undefined || text === null || !/^\d+(\.\d+)?$/.test(text)) {
    throw new KeelError('BAD_CCXT_VALUE', 'is not a non-negative decimal', { field, value });
  }
  let units: bigint;
  try {
    units = parseScaled(text, decimals, field);
  } catch {
    throw new KeelError(code, `is not on the grid of ${stepText}`, { field, value: text });
  }
  const step = parseScaled(stepText, decimals, field);
  if (units % step !== 0n) throw new KeelError(code, `is not on the grid of ${stepText}`, { field, value: text });
  return units / step;
}

/**
 * An exchange price as the instrument's ticks, exactly; a KeelError('OFF_TICK_GRID') naming field and value otherwise.
 *
 * @example priceToTicks(btc, 64625.4, 'BTC/USD bar open') // 646254 with a tick of 0.1
 */
export function priceToTicks(b: MarketBinding, value: number | string | undefined, field: string): PriceTicks {
  const t = toSteps(value, b.instrument.priceTick, b.instrument.priceDecimals, field, 'OFF_TICK_GRID');
  if (t <= 0n) throw new KeelError('BAD_PRICE', 'must be positive', { field, value });
  return Number(t) as PriceTicks;
}

/**
 * An exchange amount (our own order or fill) as whole lots of the instrument; KeelError('OFF_LOT_GRID') otherwise.
 *
 * @example amountToLots(btc, 0.015, 'fill amount') // 1500000 with a lot of 1e-8
 */
export function amountToLots(b: MarketBinding, value: number | string | undefined, field: string): Lots {
  return Number(toSteps(value, b.instrument.lotSize, b.instrument.sizeDecimals, field, 'OFF_LOT_GRID')) as Lots;
}

/**
 * Other traders' size (bar volume, a trade print) checked on the exchange's amount step, returned as the
 * float of that exact decimal. Not on our lot: our lot may be coarser than the exchange's step.
 *
 * @example marketAmount(btc, 0.015155213, 'bar volume') // 0.015155213 (step 1e-9)
 */
export function marketAmount(b: MarketBinding, value: number | string | undefined, field: string): number {
  const d = decimalsOf(b.amountStep);
  const steps = toSteps(value, b.amountStep, d, field, 'OFF_LOT_GRID');
  return Number(formatScaled(steps * parseScaled(b.amountStep, d, field), d));
}

/**
 * Lots as the exact decimal amount ccxt should send, as a number (its shortest form is that decimal).
 *
 * @example lotsToAmount(btc, 1500000) // 0.015
 */
export function lotsToAmount(b: MarketBinding, lots: number): number {
  return Number(formatQuantity(b.instrument, lots));
}

/**
 * Ticks as the exact decimal price ccxt should send.
 *
 * @example ticksToExchangePrice(btc, 646254) // 64625.4
 */
export function ticksToExchangePrice(b: MarketBinding, ticks: number): number {
  return Number(formatScaled(BigInt(ticks) * BigInt(b.instrument.tickUnits), b.instrument.priceDecimals));
}
