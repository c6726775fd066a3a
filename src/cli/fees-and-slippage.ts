import { KeelError, parseMoney } from '../model/index.ts';
import { feeModel, slippageModel, type FeeSpec, type SlippageSpec } from '../backtest/index.ts';
import type { FeeModel, SlippageModel } from '../venues/index.ts';
import { numberFlag } from './args.ts';

export interface FeeFlags {
  'commission-pct'?: string;
  'commission-per-unit'?: string;
  'commission-min'?: string;
  'commission-max-pct'?: string;
  'maker-bps'?: string;
  'taker-bps'?: string;
}

/**
 * One fee schedule from the flags, validated, as plain data (what workers and queue jobs carry); mixing two
 * schedules is refused rather than guessed.
 */
export function feeSpecFromFlags(f: FeeFlags): FeeSpec {
  const kinds = [f['commission-pct'] !== undefined, f['commission-per-unit'] !== undefined, f['maker-bps'] !== undefined || f['taker-bps'] !== undefined].filter(Boolean).length;
  if (kinds > 1) throw new KeelError('BAD_FEE', 'choose one fee schedule', { field: '--commission-pct / --commission-per-unit / --maker-bps', hint: 'they cannot be combined' });
  const minimum = f['commission-min'] !== undefined ? checkNonNegative(f['commission-min'], '--commission-min') : '0';
  parseMoney(minimum, '--commission-min');
  if (f['commission-pct'] !== undefined) return { kind: 'percent', percent: checkNonNegative(f['commission-pct'], '--commission-pct'), minimum };
  if (f['commission-per-unit'] !== undefined) {
    const perUnit = checkNonNegative(f['commission-per-unit'], '--commission-per-unit');
    const maxPercent = f['commission-max-pct'] !== undefined ? checkNonNegative(f['commission-max-pct'], '--commission-max-pct') : undefined;
    return { kind: 'per-unit', perUnit, minimum, ...(maxPercent !== undefined ? { maxPercent } : {}) };
  }
  if (f['maker-bps'] !== undefined || f['taker-bps'] !== undefined) {
    numberFlag(f['maker-bps'] ?? '0', '--maker-bps');
    return { kind: 'maker-taker', makerBps: (f['maker-bps'] ?? '0').trim(), takerBps: checkNonNegative(f['taker-bps'] ?? '0', '--taker-bps') };
  }
  return { kind: 'none' };
}

/** One fee model from the flags (see `feeSpecFromFlags`). */
export function feeModelFromFlags(f: FeeFlags): FeeModel {
  return feeModel(feeSpecFromFlags(f));
}

function checkNonNegative(v: string, field: string): string {
  numberFlag(v, field, { min: 0 });
  return v.trim();
}

/**
 * `--slippage none | bps:N | half-spread:N | sqrt:COEF[:WINDOW]`, validated, as plain data.
 *
 * @example slippageSpecFromFlag('bps:5') // { kind: 'bps', bps: 5 }: 5 basis points against every taker fill
 */
export function slippageSpecFromFlag(text: string | undefined): SlippageSpec {
  if (text === undefined || text === 'none') return { kind: 'none' };
  const [kind, a, b, ...rest] = text.split(':');
  const field = '--slippage';
  if (rest.length) throw new KeelError('BAD_SLIPPAGE', 'has too many parts', { field, value: text });
  switch (kind) {
    case 'bps': return { kind: 'bps', bps: numberFlag(a ?? '', field, { min: 0 })! };
    case 'half-spread': return { kind: 'half-spread', spreadBps: numberFlag(a ?? '', field, { min: 0 })! };
    case 'sqrt': return { kind: 'sqrt', coefficient: numberFlag(a ?? '1', field, { min: 0 })!, window: numberFlag(b ?? '20', field, { min: 2, integer: true })! };
    default: throw new KeelError('BAD_SLIPPAGE', 'is not a slippage model', { field, value: text, hint: 'use none, bps:N, half-spread:N or sqrt:COEF[:WINDOW]' });
  }
}

/** The slippage model of `--slippage` (see `slippageSpecFromFlag`). */
export function slippageFromFlag(text: string | undefined): SlippageModel {
  return slippageModel(slippageSpecFromFlag(text));
}
