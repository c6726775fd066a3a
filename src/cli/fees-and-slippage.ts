import { KeelError, parseMoney } from '../model/index.ts';
import {
  fixedBpsSlippage, halfSpreadSlippage, makerTakerFee, noFees, noSlippage, percentFee, perUnitFee, sqrtImpactSlippage,
  type FeeModel, type SlippageModel,
} from '../venues/index.ts';
import { numberFlag } from './args.ts';

export interface FeeFlags {
  'commission-pct'?: string;
  'commission-per-unit'?: string;
  'commission-min'?: string;
  'commission-max-pct'?: string;
  'maker-bps'?: string;
  'taker-bps'?: string;
}

/** One fee model from the flags; mixing two schedules is refused rather than guessed. */
export function feeModelFromFlags(f: FeeFlags): FeeModel {
  const kinds = [f['commission-pct'] !== undefined, f['commission-per-unit'] !== undefined, f['maker-bps'] !== undefined || f['taker-bps'] !== undefined].filter(Boolean).length;
  if (kinds > 1) throw new KeelError('BAD_FEE', 'choose one fee schedule', { field: '--commission-pct / --commission-per-unit / --maker-bps', hint: 'they cannot be combined' });
  const min = f['commission-min'] !== undefined ? parseMoney(checkNonNegative(f['commission-min'], '--commission-min'), '--commission-min') : 0n;
  if (f['commission-pct'] !== undefined) {
    checkNonNegative(f['commission-pct'], '--commission-pct');
    return percentFee(f['commission-pct'], min);
  }
  if (f['commission-per-unit'] !== undefined) {
    checkNonNegative(f['commission-per-unit'], '--commission-per-unit');
    if (f['commission-max-pct'] !== undefined) checkNonNegative(f['commission-max-pct'], '--commission-max-pct');
    return perUnitFee(f['commission-per-unit'], min, f['commission-max-pct']);
  }
  if (f['maker-bps'] !== undefined || f['taker-bps'] !== undefined) {
    numberFlag(f['maker-bps'] ?? '0', '--maker-bps');
    checkNonNegative(f['taker-bps'] ?? '0', '--taker-bps');
    return makerTakerFee(f['maker-bps'] ?? '0', f['taker-bps'] ?? '0');
  }
  return noFees;
}

function checkNonNegative(v: string, field: string): string {
  numberFlag(v, field, { min: 0 });
  return v.trim();
}

/**
 * `--slippage none | bps:N | half-spread:N | sqrt:COEF[:WINDOW]`.
 *
 * @example slippageFromFlag('bps:5') // 5 basis points against every taker fill
 */
export function slippageFromFlag(text: string | undefined): SlippageModel {
  if (text === undefined || text === 'none') return noSlippage;
  const [kind, a, b, ...rest] = text.split(':');
  const field = '--slippage';
  if (rest.length) throw new KeelError('BAD_SLIPPAGE', 'has too many parts', { field, value: text });
  switch (kind) {
    case 'bps': return fixedBpsSlippage(numberFlag(a ?? '', field, { min: 0 })!);
    case 'half-spread': return halfSpreadSlippage(numberFlag(a ?? '', field, { min: 0 })!);
    case 'sqrt': return sqrtImpactSlippage(numberFlag(a ?? '1', field, { min: 0 })!, numberFlag(b ?? '20', field, { min: 2, integer: true })!);
    default: throw new KeelError('BAD_SLIPPAGE', 'is not a slippage model', { field, value: text, hint: 'use none, bps:N, half-spread:N or sqrt:COEF[:WINDOW]' });
  }
}
