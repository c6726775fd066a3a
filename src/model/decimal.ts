import { KeelError } from './errors.ts';

/**
 * Exact decimal helpers. Market data arrives as floats (observations); orders, fills and the ledger are
 * integers in units of an increment. These functions convert between the two without drifting.
 */

/** Number of decimals in a decimal string or number (`"0.0001"` → 4, `1e-8` → 8, `5` → 0). */
export function decimalsOf(x: string | number): number {
  const s = typeof x === 'number' ? numberToPlainString(x) : x.trim();
  const dot = s.indexOf('.');
  if (dot < 0) return 0;
  let end = s.length;
  while (end > dot + 1 && s[end - 1] === '0') end--;
  return end - dot - 1;
}

/** Plain (non-exponential) decimal string of a finite number, shortest round-trip digits. */
export function numberToPlainString(x: number): string {
  const s = String(x);
  if (!/e/i.test(s)) return s;
  const [mant, expStr] = s.toLowerCase().split('e');
  const exp = Number(expStr);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const intLen = (mant.replace('-', '').split('.')[0] ?? '').length;
  const point = intLen + exp;
  let out: string;
  if (point <= 0) out = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = digits.slice(0, point) + '.' + digits.slice(point);
  return (neg ? '-' : '') + out;
}

const POW10: readonly bigint[] = Array.from({ length: 40 }, (_, i) => 10n ** BigInt(i));

/** 10^n as bigint (table lookup: this sits on hot paths such as money conversions in the risk gate). */
export function pow10n(n: number): bigint {
  return n >= 0 && n < POW10.length && Number.isInteger(n) ? POW10[n] : 10n ** BigInt(n);
}

/**
 * Parse a decimal string into an integer count of 10^-decimals units, exactly.
 * Throws a KeelError when the value has more decimals than allowed.
 */
export function parseScaled(text: string, decimals: number, field: string): bigint {
  const s = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(s)) {
    throw new KeelError('BAD_DECIMAL', 'is not a decimal number', { field, value: text });
  }
  const neg = s.startsWith('-');
  const body = s.replace(/^[+-]/, '');
  const [ip, fp = ''] = body.split('.');
  const frac = fp.replace(/0+$/, '');
  if (frac.length > decimals) {
    throw new KeelError('OFF_GRID', `has more than ${decimals} decimals`, { field, value: text });
  }
  const v = BigInt((ip || '0') + frac.padEnd(decimals, '0'));
  return neg ? -v : v;
}

/** Format an integer count of 10^-decimals units as a decimal string (`12345n, 2` → `"123.45"`). */
export function formatScaled(units: bigint, decimals: number): string {
  const neg = units < 0n;
  const abs = neg ? -units : units;
  if (decimals === 0) return (neg ? '-' : '') + abs.toString();
  const s = abs.toString().padStart(decimals + 1, '0');
  return (neg ? '-' : '') + s.slice(0, s.length - decimals) + '.' + s.slice(s.length - decimals);
}

/** Integer division rounding toward negative infinity. */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** Integer division rounding toward positive infinity. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return -floorDiv(-a, b);
}

/** Integer division rounding half away from zero (the usual commercial rounding for fees). */
export function roundDiv(a: bigint, b: bigint): bigint {
  const neg = (a < 0n) !== (b < 0n);
  const aa = a < 0n ? -a : a;
  const bb = b < 0n ? -b : b;
  const q = (aa * 2n + bb) / (bb * 2n);
  return neg ? -q : q;
}
