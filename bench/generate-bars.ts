import type { Bar } from '../src/model/index.ts';

const MINUTE = 60_000;

/**
 * Stretch a real series to `count` bars by playing it forward, then backward (bar n-2 down to 1), then
 * forward again, and so on. Every bar is a real bar of the source, so prices keep its range, precision and
 * texture and never compound away; bars are relabelled one minute apart.
 */
export function generateBars(source: readonly Bar[], count: number): Bar[] {
  const n = source.length;
  if (n < 3) throw new Error('need at least 3 source bars');
  const period = 2 * n - 2; // forward 0..n-1, then backward n-2..1
  const out: Bar[] = new Array(count);
  const start = Date.UTC(2000, 0, 3);
  for (let i = 0; i < count; i++) {
    const p = i % period;
    const s = source[p < n ? p : period - p];
    out[i] = { type: 'bar', instrumentId: s.instrumentId, ts: start + i * MINUTE, open: s.open, high: s.high, low: s.low, close: s.close, volume: s.volume };
  }
  return out;
}
