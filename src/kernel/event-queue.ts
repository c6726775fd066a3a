/**
 * Time-ordered queue of internal events (timers, orders arriving at a venue after latency). Ties break by
 * insertion order, which keeps runs deterministic. A binary heap over parallel arrays: no allocation per
 * pop, one small object per push.
 */
export interface ScheduledHandler<T = unknown> {
  onScheduled(payload: T, ts: number): void;
}

interface Entry {
  ts: number;
  seq: number;
  handler: ScheduledHandler<any>;
  payload: unknown;
}

export class EventQueue {
  private heap: Entry[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Timestamp of the earliest event, or +Infinity when empty. */
  peekTs(): number {
    return this.heap.length ? this.heap[0].ts : Infinity;
  }

  schedule<T>(ts: number, handler: ScheduledHandler<T>, payload: T): void {
    const e: Entry = { ts, seq: this.seq++, handler, payload };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, h[p])) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = e;
  }

  /** Remove and dispatch the earliest event. */
  dispatchNext(): void {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && before(h[r], h[l]) ? r : l;
        if (!before(h[c], last)) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    top.handler.onScheduled(top.payload, top.ts);
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.seq < b.seq);
}
