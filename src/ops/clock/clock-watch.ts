import { Gauge, type Registry } from 'prom-client';
import type { ClockConfig } from './clock-config.ts';
import { clockVerdict, measureClock, type ClockMeasurement, type ClockVerdict } from './measure-clock.ts';

export interface ClockWatchOptions {
  readonly config: ClockConfig;
  /** Where `keel_clock_offset_seconds` and `keel_clock_synchronised` are registered (the engine's metrics registry). */
  readonly registry?: Registry;
  /** Each verdict after a measurement (the alert rule reads the latest through `offsetMs`). */
  readonly onVerdict?: (verdict: ClockVerdict, m: ClockMeasurement) => void;
  /** For tests: how to measure (default: the configured sources' commands). */
  readonly measure?: () => Promise<ClockMeasurement>;
}

/**
 * The running engine's clock discipline: measures the local clock's offset every `checkEverySeconds`, off the
 * trading path (a child process, awaited), keeps the gauges current and remembers the latest verdict for the
 * `clock_drift` alert rule.
 *
 * @example const watch = new ClockWatch({ config, registry: metrics.registry }); watch.start(); … watch.stop();
 */
export class ClockWatch {
  private readonly o: ClockWatchOptions;
  private timer: NodeJS.Timeout | undefined;
  private readonly offset: Gauge | undefined;
  private readonly synced: Gauge | undefined;
  /** Latest offset, ms (undefined before the first measurement or when the source reports none). */
  offsetMs: number | undefined;
  latest: ClockVerdict | undefined;

  constructor(o: ClockWatchOptions) {
    this.o = o;
    if (o.registry) {
      this.offset = new Gauge({ name: 'keel_clock_offset_seconds', help: 'Local clock minus UTC as the time daemon measures it (chrony, timedatectl); NaN when unknown', labelNames: ['source'], registers: [o.registry] });
      this.synced = new Gauge({ name: 'keel_clock_synchronised', help: '1 when the time daemon says the clock is synchronised, else 0', registers: [o.registry] });
    }
  }

  /** Measure now, then every `checkEverySeconds`. */
  start(): Promise<ClockVerdict> {
    const first = this.check();
    this.timer = setInterval(() => { void this.check(); }, this.o.config.checkEverySeconds * 1000);
    this.timer.unref();
    return first;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async check(): Promise<ClockVerdict> {
    const m = await (this.o.measure ?? (() => measureClock(this.o.config.sources)))();
    const verdict = clockVerdict(m, this.o.config);
    this.offsetMs = m.ok ? m.reading.offsetMs : undefined;
    this.latest = verdict;
    if (m.ok) {
      this.offset?.set({ source: m.reading.source }, m.reading.offsetMs === undefined ? Number.NaN : m.reading.offsetMs / 1000);
      this.synced?.set(m.reading.synchronised ? 1 : 0);
    } else {
      this.synced?.set(0);
    }
    this.o.onVerdict?.(verdict, m);
    return verdict;
  }
}
