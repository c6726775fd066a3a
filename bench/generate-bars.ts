import type { Bar } from '../src/model/index.ts';

const MINUTE = 60_000;

/**
 * Stretch a real series to `count` bars by playing it forward, then backward (bar n-2 down to 1), then
 * forward again, and so on. Every bar is a real bar of the source, so prices keep its range, precision and
 * texture and never compound away; bars are relabelled one minute apart.
 */
export function generateBars(source: readonly Bar[], count: number): Bar[] {
  if (source.length < 3) throw new Error('need at least 3 source bars');
  const out: Bar[] = new Array(count);
  const start = Date.UTC(2000, 0, 3);
  for (let i = 0; i < count; i++) {
    const s = source[sourceIndex(i, source.length)];
    out[i] = { type: 'bar', instrumentId: s.instrumentId, ts: start + i * MINUTE, open: s.open, high: s.high, low: s.low, close: s.close, volume: s.volume };
  }
  return out;
}

/** The source bar generated bar `i` repeats: forward 0..n-1, then backward n-2..1, and again. */
export function sourceIndex(i: number, n: number): number {
  const period = 2 * n - 2;
  const p = i % period;
  return p < n ? p : period - p;
}
