import type { Fill, Instrument, MarketEvent, OrderEvent } from '../model/index.ts';
import type { MarketEventHandler } from '../kernel/index.ts';
import type { ExecutionListener, ManagedOrder } from '../execution/index.ts';
import { RoundTripTracker, type Portfolio } from '../portfolio/index.ts';
import type { Strategy } from '../strategy/index.ts';
import type { RiskEngine } from '../risk/index.ts';
import { lotsToQuantity, moneyToNumber } from '../model/index.ts';
import { orderView } from './engine-context.ts';

export interface OrderCounts {
  submitted: number;
  filled: number;
  canceled: number;
  rejected: number;
  expired: number;
  denied: number;
}

/**
 * Books fills into the portfolio and the round-trip tracker, then tells the strategy. Registered first among
 * execution listeners so a strategy's `onFill` already sees the updated position.
 */
export class FillBooker implements ExecutionListener {
  readonly trips = new RoundTripTracker();
  readonly fills: Fill[] = [];
  readonly counts: OrderCounts = { submitted: 0, filled: 0, canceled: 0, rejected: 0, expired: 0, denied: 0 };
  private readonly portfolio: Portfolio;
  private readonly instruments: ReadonlyMap<string, Instrument>;
  private readonly strategy: Strategy<any>;
  private readonly clock: { events: number };
  private readonly risk: RiskEngine | undefined;
  /** While a restarted engine replays its journal: book into the portfolio, but tell no strategy and no breaker. */
  replaying = false;

  constructor(o: { portfolio: Portfolio; instruments: ReadonlyMap<string, Instrument>; strategy: Strategy<any>; eventCounter: { events: number }; risk?: RiskEngine }) {
    this.risk = o.risk;
    this.portfolio = o.portfolio;
    this.instruments = o.instruments;
    this.strategy = o.strategy;
    this.clock = o.eventCounter;
  }

  onOrderEvent(event: OrderEvent, order: ManagedOrder): void {
    const inst = this.instruments.get(order.request.instrumentId)!;
    switch (event.type) {
      case 'order.submitted': this.counts.submitted++; break;
      case 'order.denied': this.counts.denied++; break;
      case 'order.rejected': this.counts.rejected++; break;
      case 'order.canceled': this.counts.canceled++; break;
      case 'order.expired': this.counts.expired++; break;
      case 'order.filled': {
        const fill = event.fill;
        const effect = this.portfolio.applyFill(fill);
        const closedBefore = this.trips.closed.length;
        this.trips.onFill(inst, fill, effect, this.clock.events);
        // The losing-streak breaker counts round trips net of fees.
        if (this.risk && !this.replaying && this.trips.closed.length > closedBefore) {
          const t = this.trips.closed[this.trips.closed.length - 1];
          this.risk.onTradeClosed(moneyToNumber(t.realized - t.fees));
        }
        this.fills.push(fill);
        if (order.status === 'FILLED') this.counts.filled++;
        break;
      }
      // Modifications change terms, not positions; the strategy hears of them below like of any update.
      case 'order.accepted': case 'order.unknown': case 'order.pending-update': case 'order.updated': case 'order.update-rejected': case 'order.update-denied': break;
    }
    if (this.replaying || order.request.strategyId !== this.strategy.id) return;
    this.strategy.onOrderUpdate(orderView(inst, order));
    if (event.type === 'order.filled') {
      const f = event.fill;
      this.strategy.onFill({
        clientOrderId: f.clientOrderId, instrumentId: f.instrumentId, side: f.side, price: f.price * inst.tickSize,
        quantity: lotsToQuantity(inst, f.quantity), fee: moneyToNumber(f.fee), ts: f.ts, tag: order.request.tag,
      });
    }
  }
}

/** Samples equity after every market event (the last handler of the kernel), into preallocated arrays. */
export class EquityRecorder implements MarketEventHandler {
  readonly times: Float64Array;
  readonly equity: Float64Array;
  exposedPoints = 0;
  /** Shared with FillBooker so trades know how many events they spanned. */
  readonly counter = { events: 0 };
  private readonly portfolio: Portfolio;

  constructor(portfolio: Portfolio, capacity: number) {
    this.portfolio = portfolio;
    this.times = new Float64Array(capacity);
    this.equity = new Float64Array(capacity);
  }

  onMarketEvent(e: MarketEvent): void {
    const i = this.counter.events++;
    this.times[i] = e.ts;
    this.equity[i] = this.portfolio.equity();
    if (this.portfolio.hasExposure()) this.exposedPoints++;
  }
}
