import { defineInstrument, type Bar, type Instrument, type MarketEvent, type OrderEvent, type Quote, type TradeTick } from '../../src/model/index.ts';
import { Kernel, SimClock } from '../../src/kernel/index.ts';
import { RiskEngine, type RiskConfig } from '../../src/risk/index.ts';
import type { ApprovedOrder } from '../../src/risk/index.ts';
import { ExecutionEngine } from '../../src/execution/index.ts';
import { SimVenue, type SimVenueOptions } from '../../src/venues/index.ts';
import { buildChanges, buildOrder } from '../../src/backtest/index.ts';
import type { ModifySpec, OrderSpec } from '../../src/strategy/index.ts';

export const DAY = 86_400_000;

/** A bar on day `day` (UTC midnight). */
export function bar(day: number, open: number, high: number, low: number, close: number, volume = 1_000_000, id = 'TEST'): Bar {
  return { type: 'bar', instrumentId: id, ts: day * DAY, open, high, low, close, volume };
}

export function quote(ms: number, bid: number, ask: number, bidSize = 0, askSize = 0, id = 'TEST'): Quote {
  return { type: 'quote', instrumentId: id, ts: ms, bid, ask, bidSize, askSize };
}

export function trade(ms: number, price: number, size = 0, id = 'TEST'): TradeTick {
  return { type: 'trade', instrumentId: id, ts: ms, price, size };
}

/**
 * The real execution path (risk gate → OMS → sim venue → reports) driven by a scripted list of market
 * events; `after(i, fn)` runs `fn` right after event i was processed, the way a strategy's callback would.
 */
export function simHarness(opts: Partial<Omit<SimVenueOptions, 'instruments' | 'clock' | 'queue' | 'sink'>> & { instrument?: Instrument; risk?: RiskConfig } = {}) {
  const inst = opts.instrument ?? defineInstrument({ id: 'TEST', priceTick: '0.01' });
  const clock = new SimClock(0);
  const kernel = new Kernel(clock);
  const risk = new RiskEngine({ instruments: [inst], clock, config: opts.risk });
  const execution = new ExecutionEngine({ risk, clock, instruments: new Map([[inst.id, inst]]) });
  const venue = new SimVenue({ ...opts, instruments: [inst], clock, queue: kernel.queue, sink: execution });
  /** Every call handed to the venue, in order, with the time it was handed over (it arrives after the latency). */
  const venueCalls: Array<
    | { kind: 'submit'; ts: number; order: ApprovedOrder }
    | { kind: 'cancel'; ts: number; clientOrderId: string }
    | { kind: 'replace'; ts: number; order: ApprovedOrder }
  > = [];
  execution.connectVenue({
    name: venue.name,
    submit(order) { venueCalls.push({ kind: 'submit', ts: clock.now(), order }); venue.submit(order); },
    cancel(clientOrderId) { venueCalls.push({ kind: 'cancel', ts: clock.now(), clientOrderId }); venue.cancel(clientOrderId); },
    replace(order) { venueCalls.push({ kind: 'replace', ts: clock.now(), order }); venue.replace(order); },
  });
  const events: OrderEvent[] = [];
  execution.addListener({ onOrderEvent: (e) => { events.push(e); } });
  const actions = new Map<number, Array<() => void>>();
  const early = new Map<number, Array<() => void>>();
  let index = -1;
  // Runs before the venue sees event i (like the control poller, which is the first handler).
  kernel.addHandler({ onMarketEvent() { for (const a of early.get(index + 1) ?? []) a(); } });
  kernel.addHandler(venue);
  kernel.addHandler(risk);
  kernel.addHandler({ onMarketEvent() { index++; for (const a of actions.get(index) ?? []) a(); } });
  let seq = 0;
  return {
    inst, clock, execution, venue, events, risk, venueCalls,
    /** Submit an order now; returns its client order id. */
    submit(spec: OrderSpec): string {
      const id = `o${++seq}`;
      execution.submit(buildOrder(inst, spec, id, 's', clock.now()));
      return id;
    },
    /** Run `fn` when event i arrives, before the venue matches it. */
    before(i: number, fn: () => void) {
      early.set(i, [...(early.get(i) ?? []), fn]);
    },
    /** Modify an order now, in plain prices and quantities as a strategy would. */
    modify(id: string, spec: ModifySpec) {
      return execution.modify(id, buildChanges(inst, spec));
    },
    after(i: number, fn: () => void) {
      actions.set(i, [...(actions.get(i) ?? []), fn]);
    },
    run(marketEvents: MarketEvent[]) {
      kernel.run([marketEvents]);
    },
    fills(id?: string) {
      return events.flatMap((e) => (e.type === 'order.filled' && (id === undefined || e.clientOrderId === id) ? [e.fill] : []));
    },
    status(id: string) {
      return execution.orders.get(id)?.status;
    },
    /** Fill prices as decimal numbers. */
    prices(id?: string) {
      return this.fills(id).map((f) => f.price * inst.tickSize);
    },
  };
}
