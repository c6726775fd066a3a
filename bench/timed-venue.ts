import type { Bar, VenueReport } from '../src/model/index.ts';
import type { ApprovedOrder } from '../src/risk/index.ts';
import type { VenueSession } from '../src/venues/index.ts';

/** What the sessions a `VenueTimer` wraps saw while it was recording. */
export interface VenueCounts {
  bars: number;
  orders: number;
  accepted: number;
  fills: number;
  rejected: number;
  unknown: number;
  canceled: number;
}

/**
 * Times the engine's side of real venue sessions without touching the engine: each wrapped session notes
 * when a market event is handed to the engine and when the engine hands an order to the adapter (market
 * event → order, µs, from the session's latest market event: the intent's write-ahead included, whether it
 * committed at once or in a group commit later), and
 * when the venue acknowledges it (order ack, ms: the adapter's rate budget, HTTP, the venue's work and the
 * report's way back).
 *
 * @example
 * const timer = new VenueTimer();
 * await runPaperEngine({ ..., venue: timer.wrap(alpacaVenue) });
 */
export class VenueTimer {
  /** Market event → order handed to the adapter, µs. */
  readonly eventToOrder: number[] = [];
  /** Order handed to the adapter → the venue's acceptance, ms. */
  readonly ack: number[] = [];
  readonly counts: VenueCounts = { bars: 0, orders: 0, accepted: 0, fills: 0, rejected: 0, unknown: 0, canceled: 0 };
  recording = false;

  /** Forget what was measured so far (the warm-up) and record from now on. */
  start(): void {
    this.eventToOrder.length = 0;
    this.ack.length = 0;
    for (const k of Object.keys(this.counts) as Array<keyof VenueCounts>) this.counts[k] = 0;
    this.recording = true;
  }

  wrap(session: VenueSession): VenueSession {
    let lastEvent = 0;
    const sentAt = new Map<string, number>();
    return {
      name: session.name,
      submit: (order: ApprovedOrder) => {
        const now = performance.now();
        if (this.recording) {
          this.counts.orders++;
          if (lastEvent > 0) this.eventToOrder.push((now - lastEvent) * 1000);
          sentAt.set(order.clientOrderId, now);
        }
        session.submit(order);
      },
      cancel: (id) => session.cancel(id),
      replace: (order) => session.replace(order),
      onMarket: (handler: (bar: Bar) => void) => session.onMarket((bar) => {
        lastEvent = performance.now();
        if (this.recording) this.counts.bars++;
        handler(bar);
      }),
      onReport: (handler: (r: VenueReport) => void) => session.onReport((r) => {
        if (this.recording) this.count(r, sentAt);
        handler(r);
      }),
      onDisconnect: (h) => session.onDisconnect(h),
      query: (since) => session.query(since),
      start: () => session.start(),
      get ended() { return session.ended; },
      close: () => session.close(),
    };
  }

  private count(r: VenueReport, sentAt: Map<string, number>): void {
    switch (r.type) {
      case 'order.accepted': {
        this.counts.accepted++;
        const t = sentAt.get(r.clientOrderId);
        if (t !== undefined) {
          this.ack.push(performance.now() - t);
          sentAt.delete(r.clientOrderId);
        }
        break;
      }
      case 'order.filled': this.counts.fills++; break;
      case 'order.rejected': this.counts.rejected++; break;
      case 'order.unknown': this.counts.unknown++; break;
      case 'order.canceled': this.counts.canceled++; break;
      default: break;
    }
  }
}
