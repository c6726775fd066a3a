import { formatMoney, formatPrice, lotsToQuantity, ticksToPrice, type Instrument, type Money } from '../../model/index.ts';

/** Quantities, prices and amounts as a trader reads them in a denial reason. */
export const fmtQty = (inst: Instrument, lots: number): string => String(lotsToQuantity(inst, lots));
export const fmtPrice = (inst: Instrument, ticks: number): string =>
  Number.isInteger(ticks) ? formatPrice(inst, ticks) : String(ticksToPrice(inst, ticks));
export const fmtMoney = (inst: Instrument, m: Money): string => `${formatMoney(m, inst.quoteCurrency)} ${inst.quoteCurrency}`;
