/**
 * A one-line terminal progress bar for long runs (backtests over millions of bars):
 *
 *   backtest [#########-----------]  42%  1,234,567/2,900,000  1.2M/s  ETA 3s
 *
 * `tick(done)` sits in the hot loop, once per bar, so almost every call is one integer comparison: the
 * clock is read only every `stride` ticks, and the stride adapts to the loop's speed so the clock is read
 * a few dozen times a second whatever the rate (bounded, see STRIDE_FRACTION). The line is redrawn at most ten times a second. When the
 * stream is not a terminal (CI, a pipe, a log file) nothing is drawn at all: `\r` redraws would only
 * litter the log.
 */

/** The part of a `NodeJS.WriteStream` the bar needs; `process.stderr` fits, and so does a test fake. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(chunk: string): boolean;
}

export interface ProgressOptions {
  /** Units of work in the whole run, e.g. bars. */
  readonly total: number;
  readonly label?: string;
  /** Default `process.stderr`, so progress never mixes with results written to stdout. */
  readonly stream?: ProgressStream;
  /** Default: whether the stream is a TTY. */
  readonly enabled?: boolean;
  /** Milliseconds from a monotonic clock; injectable for tests. Default `performance.now`. */
  readonly now?: () => number;
}

export interface Progress {
  /** Reports the units done so far (monotonic). Cheap enough to call once per bar. */
  tick(done: number): void;
  /** Draws the final state and ends the line; later ticks are ignored. Safe to call twice. */
  finish(): void;
}

const REDRAW_MS = 100;
/** Aim to read the clock about this often; well under REDRAW_MS so redraws stay on time. */
const CHECK_MS = 25;
/**
 * The stride never exceeds 1/1000 of the run: when a fast loop suddenly slows down, the bar is stale for
 * at most 0.1% of the work (finer than it can show), while the clock is still read rarely enough to cost
 * nothing measurable (~30 ns per read).
 */
const STRIDE_FRACTION = 1_000;
const BAR_WIDTH = 20;
/** Erase to the end of the line, so a shorter redraw leaves no tail of the previous one. */
const CLEAR_EOL = '\x1b[K';

const DISABLED: Progress = { tick() {}, finish() {} };

/**
 * Creates a progress bar drawing to `stream` (stderr by default) when it is a terminal.
 *
 * @example
 * const progress = createProgress({ total: bars.length, label: 'backtest' });
 * for (let i = 0; i < bars.length; i++) { kernel.onBar(bars[i]); progress.tick(i + 1); }
 * progress.finish();
 */
export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  if (!(opts.enabled ?? stream.isTTY === true)) return DISABLED;
  const now = opts.now ?? (() => performance.now());
  const label = opts.label ? opts.label + ' ' : '';
  const total = opts.total;
  const started = now();
  let done = 0;
  let nextCheck = 1;
  let stride = 1;
  let lastCheckAt = started;
  let lastCheckDone = 0;
  const maxStride = Math.max(1, Math.floor(total / STRIDE_FRACTION));
  let lastDrawAt = started;
  let drawn = false;
  let finished = false;

  function check(): void {
    const t = now();
    if (t - lastDrawAt >= REDRAW_MS) {
      stream.write('\r' + progressLine(label, done, total, t - started, false) + CLEAR_EOL);
      lastDrawAt = t;
      drawn = true;
    }
    // Size the next stride from the speed since the last check, so the clock is read every ~CHECK_MS.
    const elapsed = t - lastCheckAt;
    const rate = elapsed > 0 ? (done - lastCheckDone) / elapsed : 0;
    stride = Math.min(maxStride, elapsed > 0 ? Math.max(1, Math.floor(rate * CHECK_MS)) : stride * 2);
    lastCheckAt = t;
    lastCheckDone = done;
    nextCheck = done + stride;
  }

  return {
    tick(n: number): void {
      done = n;
      if (n >= nextCheck) check();
    },
    finish(): void {
      if (finished) return;
      finished = true;
      nextCheck = Infinity;
      // A run that ended before the first redraw leaves the terminal untouched.
      if (drawn) stream.write('\r' + progressLine(label, done, total, now() - started, true) + CLEAR_EOL + '\n');
    },
  };
}

/**
 * Formats one progress line; `final` replaces the ETA with the elapsed time.
 *
 * @example
 * progressLine('backtest ', 1_234_567, 2_900_000, 1_000, false);
 * // 'backtest [########------------]  42%  1,234,567/2,900,000  1.2M/s  ETA 2s'
 */
export function progressLine(label: string, done: number, total: number, elapsedMs: number, final: boolean): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.floor(fraction * BAR_WIDTH);
  const bar = '[' + '#'.repeat(filled) + '-'.repeat(BAR_WIDTH - filled) + ']';
  const percent = String(Math.floor(fraction * 100)).padStart(3) + '%';
  const counts = `${COUNT.format(done)}/${COUNT.format(total)}`;
  const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
  const tail = final ? `in ${formatDuration(elapsedMs / 1000)}` : rate > 0 ? `ETA ${formatDuration(Math.max(0, total - done) / rate)}` : 'ETA --';
  return `${label}${bar} ${percent}  ${counts}  ${formatRate(rate)}  ${tail}`;
}

const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * Formats units per second with an SI suffix.
 *
 * @example
 * formatRate(1_234_567); // '1.2M/s'
 * formatRate(850_000);   // '850k/s'
 */
export function formatRate(perSecond: number): string {
  const units: [number, string][] = [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [scale, suffix] of units) {
    if (perSecond >= scale) {
      const v = perSecond / scale;
      return (v < 100 ? v.toFixed(1) : v.toFixed(0)) + suffix + '/s';
    }
  }
  return perSecond.toFixed(0) + '/s';
}

/**
 * Formats a duration in seconds compactly: `3s`, `2m05s`, `1h02m`.
 *
 * @example
 * formatDuration(125); // '2m05s'
 */
export function formatDuration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
