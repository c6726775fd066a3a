import {
  KeelError, MONEY_DECIMALS, currencyDecimals, numberToPlainString, parseScaled, pow10n, roundDiv,
  type Instrument, type Liquidity, type Money,
} from '../../model/index.ts';

/**
 * Commission on one fill, in Money, rounded half-up to the currency's minor unit (brokers charge whole cents).
 * Pure: the same fill always costs the same.
 */
export interface FeeModel {
  readonly description: string;
  fee(inst: Instrument, lots: number, notional: Money, liquidity: Liquidity): Money;
}

const RATE_DECIMALS = 12;

/** A decimal rate ("0.1", 0.1) as an exact fraction numerator at 10^-RATE_DECIMALS. */
function rateUnits(x: string | number, field: string): bigint {
  const s = typeof x === 'number' ? numberToPlainString(x) : x;
  return parseScaled(s, RATE_DECIMALS, field);
}

function roundToMinor(amount: Money, divisor: bigint, inst: Instrument): Money {
  const step = pow10n(MONEY_DECIMALS - currencyDecimals(inst.quoteCurrency));
  return roundDiv(amount, divisor * step) * step;
}

export const noFees: FeeModel = { description: 'none', fee: () => 0n };

/**
 * Percent of notional, with an optional minimum per fill.
 *
 * @example percentFee(0.1) // 0.1% of notional, as `--commission-pct 0.1`
 */
export function percentFee(percent: string | number, minimum: Money = 0n): FeeModel {
  const units = rateUnits(percent, '--commission-pct');
  if (units < 0n) throw new KeelError('BAD_FEE', 'must not be negative', { field: '--commission-pct', value: percent });
  const divisor = 100n * pow10n(RATE_DECIMALS);
  return {
    description: `${percent}% of notional${minimum > 0n ? `, minimum ${Number(minimum) / 1e12}` : ''}`,
    fee(inst, _lots, notional) {
      const abs = notional < 0n ? -notional : notional;
      const f = roundToMinor(abs * units, divisor, inst);
      return f < minimum ? minimum : f;
    },
  };
}

/**
 * A fixed amount per unit of quantity (per share, per contract), with a minimum per fill and an optional cap
 * as a percent of notional (the usual US-equity broker schedule, e.g. 0.005/share, min 1.00, max 1%).
 */
export function perUnitFee(perUnit: string | number, minimum: Money = 0n, maxPercent?: string | number): FeeModel {
  const perUnitMoney = parseScaled(typeof perUnit === 'number' ? numberToPlainString(perUnit) : perUnit, MONEY_DECIMALS, '--commission-per-unit');
  const capUnits = maxPercent === undefined ? undefined : rateUnits(maxPercent, '--commission-max-pct');
  const capDivisor = 100n * pow10n(RATE_DECIMALS);
  return {
    description: `${perUnit} per unit, minimum ${Number(minimum) / 1e12}${maxPercent !== undefined ? `, max ${maxPercent}%` : ''}`,
    fee(inst, lots, notional) {
      let f = roundToMinor(perUnitMoney * BigInt(lots) * BigInt(inst.lotUnits), pow10n(inst.sizeDecimals), inst);
      if (f < minimum) f = minimum;
      if (capUnits !== undefined) {
        const abs = notional < 0n ? -notional : notional;
        const cap = roundToMinor(abs * capUnits, capDivisor, inst);
        if (f > cap) f = cap;
      }
      return f;
    },
  };
}

/** Maker/taker schedule in basis points of notional; a negative maker rate is a rebate. */
export function makerTakerFee(makerBps: string | number, takerBps: string | number): FeeModel {
  const maker = rateUnits(makerBps, '--maker-bps');
  const taker = rateUnits(takerBps, '--taker-bps');
  const divisor = 10_000n * pow10n(RATE_DECIMALS);
  return {
    description: `maker ${makerBps} bps, taker ${takerBps} bps`,
    fee(inst, _lots, notional, liquidity) {
      const abs = notional < 0n ? -notional : notional;
      return roundToMinor(abs * (liquidity === 'maker' ? maker : taker), divisor, inst);
    },
  };
}
