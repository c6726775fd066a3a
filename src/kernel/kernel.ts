import type { MarketEvent } from '../model/index.ts';
import type { SimClock } from './clock.ts';
import { EventQueue } from './event-queue.ts';

/** A component that reacts to market events; the kernel calls them in registration order. */
export interface MarketEventHandler {
  onMarketEvent(event: MarketEvent): void;
}

/** Explicit lifecycle, called by the kernel around a run. */
export interface Component {
  start?(): void;
  stop?(): void;
}

/**
 * Market events made on demand, one object per index, for data held as columns: a run over a million bars
 * then never holds a million event objects, only the one being processed. `at(i)` returns a fresh event each
 * call; `tsAt(i)` reads a timestamp without making one.
 */
export interface MarketEventSeries {
  readonly length: number;
  at(i: number): MarketEvent;
  tsAt(i: number): number;
}

/** A stream the kernel runs: events in time order, as an array or made on demand. */
export type MarketEventStream = ReadonlyArray<MarketEvent> | MarketEventSeries;

/** The first event's timestamp, or undefined for an empty stream. @example firstTs(bars) */
export function firstTs(stream: MarketEventStream): number | undefined {
  if (stream.length === 0) return undefined;
  return isSeries(stream) ? stream.tsAt(0) : stream[0].ts;
}

function isSeries(stream: MarketEventStream): stream is MarketEventSeries {
  return !Array.isArray(stream);
}

export interface RunProgress {
  tick(done: number): void;
  finish(): void;
}

/**
 * The deterministic core of a backtest: merges historical streams in timestamp order, advances the clock,
 * dispatches due internal events (order arrivals, timers) before each market event, then hands the event
 * to each handler. No `await` anywhere: one event is fully processed before the next.
 */
export class Kernel {
  readonly queue = new EventQueue();
  private readonly handlers: MarketEventHandler[] = [];
  private readonly components: Component[] = [];
  private readonly clock: SimClock;

  constructor(clock: SimClock) {
    this.clock = clock;
  }

  /** Register a market-event handler; order matters (venue, then portfolio, then strategies). */
  addHandler(handler: MarketEventHandler): void {
    this.handlers.push(handler);
  }

  addComponent(component: Component): void {
    this.components.push(component);
  }

  /**
   * Run every event of the given streams (each already sorted by time) through the engine.
   * Equal timestamps across streams keep stream order.
   */
  run(streams: ReadonlyArray<MarketEventStream>, progress?: RunProgress): number {
    for (const c of this.components) c.start?.();
    const one = streams.length === 1 ? streams[0] : undefined;
    const n = one === undefined
      ? this.runMerged(streams.map((s) => (isSeries(s) ? Array.from({ length: s.length }, (_, i) => s.at(i)) : s)), progress)
      : isSeries(one) ? this.runSeries(one, progress) : this.runSingle(one, progress);
    this.drainUntil(this.clock.now());
    for (const c of this.components) c.stop?.();
    progress?.finish();
    return n;
  }

  private runSingle(events: ReadonlyArray<MarketEvent>, progress?: RunProgress): number {
    const handlers = this.handlers;
    const hn = handlers.length;
    const queue = this.queue;
    const clock = this.clock;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (queue.peekTs() <= e.ts) this.drainUntil(e.ts);
      clock.advanceTo(e.ts);
      for (let h = 0; h < hn; h++) handlers[h].onMarketEvent(e);
      if (progress !== undefined) progress.tick(i + 1);
    }
    return events.length;
  }

  /** As runSingle, making each event when its turn comes (the same loop: keep the two in step). */
  private runSeries(events: MarketEventSeries, progress?: RunProgress): number {
    const handlers = this.handlers;
    const hn = handlers.length;
    const queue = this.queue;
    const clock = this.clock;
    const n = events.length;
    for (let i = 0; i < n; i++) {
      const e = events.at(i);
      if (queue.peekTs() <= e.ts) this.drainUntil(e.ts);
      clock.advanceTo(e.ts);
      for (let h = 0; h < hn; h++) handlers[h].onMarketEvent(e);
      if (progress !== undefined) progress.tick(i + 1);
    }
    return n;
  }

  private runMerged(streams: ReadonlyArray<ReadonlyArray<MarketEvent>>, progress?: RunProgress): number {
    const idx = new Array<number>(streams.length).fill(0);
    let done = 0;
    for (;;) {
      let best = -1;
      let bestTs = Infinity;
      for (let s = 0; s < streams.length; s++) {
        const st = streams[s];
        if (idx[s] < st.length && st[idx[s]].ts < bestTs) {
          bestTs = st[idx[s]].ts;
          best = s;
        }
      }
      if (best < 0) break;
      const e = streams[best][idx[best]++];
      if (this.queue.peekTs() <= e.ts) this.drainUntil(e.ts);
      this.clock.advanceTo(e.ts);
      for (const h of this.handlers) h.onMarketEvent(e);
      done++;
      progress?.tick(done);
    }
    return done;
  }

  /** Dispatch internal events due at or before `ts`, advancing the clock to each. */
  private drainUntil(ts: number): void {
    const q = this.queue;
    while (q.size > 0 && q.peekTs() <= ts) {
      this.clock.advanceTo(q.peekTs());
      q.dispatchNext();
    }
  }
}
