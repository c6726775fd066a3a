import type { Bar } from '../src/model/index.ts';

/**
 * The same SMA-cross logic as the engine run (long only, a fixed number of units at the next open, percent fee), written as
 * one flat loop with no engine around it: the lower bound on what the engine could cost.
 */
export function bareSmaCross(bars: readonly Bar[], fast: number, slow: number, cash: number, feeRate: number, units: number): { equity: number; trades: number } {
  const n = bars.length;
  const fw = new Float64Array(fast), sw = new Float64Array(slow);
  let fs = 0, ss = 0, lastSign = 0, pending = 0, qty = 0, trades = 0, equity = cash;
  const curve = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const b = bars[i];
    if (pending !== 0) {
      const p = b.open;
      if (pending > 0) {
        const q = units;
        cash -= q * p * (1 + feeRate);
        qty = q;
      } else {
        cash += qty * p * (1 - feeRate);
        qty = 0;
        trades++;
      }
      pending = 0;
    }
    const c = b.close;
    fs += c - fw[i % fast]; fw[i % fast] = c;
    ss += c - sw[i % slow]; sw[i % slow] = c;
    if (i >= slow - 1) {
      const d = fs / fast - ss / slow;
      const sign = d > 0 ? 1 : d < 0 ? -1 : 0;
      if (sign !== 0) {
        if (lastSign !== 0 && sign !== lastSign) pending = sign > 0 ? (qty === 0 ? 1 : 0) : (qty > 0 ? -1 : 0);
        lastSign = sign;
      }
    }
    equity = cash + qty * c;
    curve[i] = equity;
  }
  return { equity, trades };
}
