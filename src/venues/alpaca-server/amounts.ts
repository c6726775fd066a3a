import {
  KeelError, MONEY_DECIMALS, formatPrice, formatQuantity, formatScaled, numberToPlainString, parseScaled, pow10n, roundDiv,
  type Instrument, type Money,
} from '../../model/index.ts';
import { unprocessable } from './api-error.ts';

/**
 * Alpaca's decimal strings ↔ the instrument's lots and ticks and exact Money. Every conversion goes through
 * integers; a value off the instrument's grid is refused with a 422 naming the field, never rounded, because a
 * venue that silently rounds a limit price trades at a price the client did not ask for.
 */

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** @example qtyText(orcl, 12) // "12" */
export function qtyText(inst: Instrument, lots: number): string {
  return trimZeros(formatQuantity(inst, lots));
}

/** @example priceText(orcl, 2179012) // "2.179012" (tick 0.000001) */
export function priceText(inst: Instrument, ticks: number): string {
  return trimZeros(formatPrice(inst, ticks));
}

/** Exact decimal string of a Money amount, trailing zeros trimmed. @example moneyText(1_500_000_000_000n) // "1.5" */
export function moneyText(m: Money): string {
  return trimZeros(formatScaled(m, MONEY_DECIMALS));
}

/**
 * `num / den` as a decimal string rounded half away from zero to `decimals` places (ratios such as an average
 * price or a percentage have no finite decimal form in general).
 *
 * @example ratioText(1n, 3n, 4) // "0.3333"
 */
export function ratioText(num: bigint, den: bigint, decimals: number): string {
  if (den === 0n) return '0';
  return trimZeros(formatScaled(roundDiv(num * pow10n(decimals), den), decimals));
}

function asDecimalString(v: unknown, field: string): string {
  if (typeof v === 'number' && Number.isFinite(v)) return numberToPlainString(v);
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  throw unprocessable(`${field} must be a decimal string`);
}

function scaled(v: unknown, decimals: number, field: string, what: string): bigint {
  const s = asDecimalString(v, field);
  try {
    return parseScaled(s, decimals, field);
  } catch (e) {
    if (e instanceof KeelError && e.code === 'OFF_GRID') throw unprocessable(`${field} ${s} is finer than the ${what}`);
    if (e instanceof KeelError) throw unprocessable(`${field} must be a decimal number, not ${JSON.stringify(s)}`);
    throw e;
  }
}

/** A positive quantity on the lot grid → lots. @example parseQty(orcl, "10", 'qty') // 10 */
export function parseQty(inst: Instrument, v: unknown, field: string): number {
  const units = scaled(v, inst.sizeDecimals, field, `lot size ${inst.lotSize} of ${inst.id}`);
  const lot = BigInt(inst.lotUnits);
  if (units <= 0n) throw unprocessable(`${field} must be > 0`);
  if (units % lot !== 0n) throw unprocessable(`${field} ${asDecimalString(v, field)} is not a multiple of the lot size ${inst.lotSize} of ${inst.id}`);
  const lots = units / lot;
  if (lots > BigInt(Number.MAX_SAFE_INTEGER)) throw unprocessable(`${field} is too large`);
  return Number(lots);
}

/** A positive price on the tick grid → ticks. @example parsePrice(aapl, "174.78", 'limit_price') // 17478 */
export function parsePrice(inst: Instrument, v: unknown, field: string): number {
  const units = scaled(v, inst.priceDecimals, field, `price increment ${inst.priceTick} of ${inst.id}`);
  const tick = BigInt(inst.tickUnits);
  if (units <= 0n) throw unprocessable(`${field} must be > 0`);
  if (units % tick !== 0n) throw unprocessable(`${field} ${asDecimalString(v, field)} is not a multiple of the price increment ${inst.priceTick} of ${inst.id}`);
  const ticks = units / tick;
  if (ticks > BigInt(Number.MAX_SAFE_INTEGER)) throw unprocessable(`${field} is too large`);
  return Number(ticks);
}

/** A positive cash amount → Money. @example parseNotional("500.25", 'notional') // 500250000000000n */
export function parseNotional(v: unknown, field: string): Money {
  const m = scaled(v, MONEY_DECIMALS, field, 'smallest money unit');
  if (m <= 0n) throw unprocessable(`${field} must be > 0`);
  return m;
}
