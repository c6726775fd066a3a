import { KeelError } from './errors.ts';
import { formatScaled, parseScaled, pow10n, roundDiv } from './decimal.ts';

/**
 * Money is an exact integer count of 10^-MONEY_DECIMALS units of a currency (bigint). Twelve decimals hold
 * the notional of any instrument whose tick, lot and multiplier decimals add up to at most twelve, so
 * `price × quantity` never rounds; fees are rounded once, to the currency's minor unit, as brokers charge them.
 */
export type Money = bigint;

export const MONEY_DECIMALS = 12;
export const MONEY_ONE: Money = pow10n(MONEY_DECIMALS);

/** Minor-unit decimals of common currencies; anything else defaults to 2. */
const MINOR_UNITS: Record<string, number> = {
  USD: 2, EUR: 2, GBP: 2, CHF: 2, CAD: 2, AUD: 2, NZD: 2, HKD: 2, SGD: 2, SEK: 2, NOK: 2, DKK: 2,
  JPY: 0, KRW: 0, BTC: 8, ETH: 8, USDT: 6, USDC: 6,
};

/** Decimals of the currency's minor unit (USD → 2, JPY → 0, BTC → 8). */
export function currencyDecimals(currency: string): number {
  return MINOR_UNITS[currency.toUpperCase()] ?? 2;
}

/** Parse a user-supplied amount ("100000", "2500.50") into Money, with a clear error naming the field. */
export function parseMoney(text: string | number, field: string): Money {
  const s = typeof text === 'number' ? String(text) : text;
  if (typeof text === 'number' && !Number.isFinite(text)) {
    throw new KeelError('BAD_NUMBER', 'is not a finite amount', { field, value: text });
  }
  if (/e/i.test(s)) return moneyFromNumber(Number(s));
  return parseScaled(s, MONEY_DECIMALS, field);
}

/**
 * Money from a float, to the micro-unit (for values computed in floats, e.g. a config number). `down` never
 * returns more than `x`: use it for cash a strategy asks to spend, so an order can't exceed the account.
 */
export function moneyFromNumber(x: number, rounding: 'nearest' | 'down' = 'nearest'): Money {
  const micros = rounding === 'down' ? Math.floor(x * 1e6) : Math.round(x * 1e6);
  return BigInt(micros) * pow10n(MONEY_DECIMALS - 6);
}

/** Money as a float, for reports and metrics (never for the ledger). */
export function moneyToNumber(m: Money): number {
  const whole = m / MONEY_ONE;
  const frac = m % MONEY_ONE;
  return Number(whole) + Number(frac) / 1e12;
}

/** Exact decimal string of a Money amount, trailing zeros trimmed to at least the currency's minor unit. */
export function formatMoney(m: Money, currency = 'USD'): string {
  const full = formatScaled(m, MONEY_DECIMALS);
  const keep = currencyDecimals(currency);
  const [ip, fp = ''] = full.split('.');
  let f = fp.replace(/0+$/, '');
  if (f.length < keep) f = f.padEnd(keep, '0');
  return f.length ? `${ip}.${f}` : ip;
}

/** Round Money to the currency's minor unit (half away from zero). */
export function roundToMinorUnit(m: Money, currency: string): Money {
  const step = pow10n(MONEY_DECIMALS - currencyDecimals(currency));
  return roundDiv(m, step) * step;
}
