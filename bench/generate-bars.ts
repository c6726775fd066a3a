import type { Bar } from '../src/model/index.ts';

const MINUTE = 60_000;

/**
 * Stretch a real daily series to `count` bars: the bar-to-bar moves of the source are replayed forward,
 * then backward (inverted), again and again, so the price keeps ORCL's texture and stays within its range
 * instead of compounding to infinity. Prices are rounded to `decimals`, bars are one minute apart.
 */
export function generateBars(source: readonly Bar[], count: number, decimals: number): Bar[] {
  const out: Bar[] = new Array(count);
  const f = 10 ** decimals;
  const r = (x: number) => Math.round(x * f) / f;
  const n = source.length;
  let level = source[0].close;
  let i = 0;
  let pass = 0;
  const start = Date.UTC(2000, 0, 3);
  while (i < count) {
    const forward = pass % 2 === 0;
    for (let k = 0; k < n && i < count; k++) {
      const s = forward ? source[k] : source[n - 1 - k];
      // Scale the source bar so its close-to-close move from the previous source bar is reproduced at `level`.
      const ref = forward ? (k === 0 ? s.open : source[k - 1].close) : (k === 0 ? s.close : source[n - k].close);
      const scale = level / ref;
      const open = r(s.open * scale), high = r(s.high * scale), low = r(s.low * scale), close = r(s.close * scale);
      out[i] = { type: 'bar', instrumentId: s.instrumentId, ts: start + i * MINUTE, open, high, low, close, volume: s.volume };
      level = forward ? close : r(s.open * scale);
      i++;
    }
    pass++;
  }
  return out;
}
