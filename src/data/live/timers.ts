/**
 * Periodic timers, injected. The live data path checks staleness and closes bars on a timer; taking the
 * scheduler as a parameter keeps that logic synchronous and testable with a `ManualClock` instead of waiting
 * on the wall clock.
 */
export interface TimerScheduler {
  /**
   * Call `fn` every `intervalMs` until the returned function is called.
   *
   * @example
   * const cancel = timers.every(250, () => source.onTimer());
   * cancel();
   */
  every(intervalMs: number, fn: () => void): () => void;
}

/**
 * The process's own timers. They are unref'd: a live data timer must not keep a finished process alive.
 *
 * @example
 * const source = new LiveDataSource({ ..., clock: new LiveClock(), timers: systemTimers });
 */
export const systemTimers: TimerScheduler = {
  every(intervalMs: number, fn: () => void): () => void {
    const timer = setInterval(fn, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  },
};
