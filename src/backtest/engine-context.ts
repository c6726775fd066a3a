import {
  KeelError, moneyFromNumber, moneyToNumber, lotsToQuantity, ticksToPrice, limitPriceOf, stopPriceOf,
  type Instrument, type Lots, type PriceTicks, type OrderChanges, type OrderRequest, type OrderSide, type OrderType, type TimeInForce,
} from '../model/index.ts';
import type { Clock } from '../kernel/index.ts';
import type { ExecutionEngine, ManagedOrder } from '../execution/index.ts';
import { averagePrice, unrealizedPnl, type Portfolio } from '../portfolio/index.ts';
import type { TradingStateView, EntrySize, ModifySpec, OrderSpec, OrderView, PortfolioView, PositionView, StrategyLog, TradingContext } from '../strategy/index.ts';
import type { Sizing } from './sizing.ts';

/**
 * The strategy's view of the engine, over the execution engine (risk gate → OMS → venue) and the portfolio.
 * Turns plain prices and quantities into grid-checked orders; identical in every mode.
 */
export class EngineContext implements TradingContext {
  readonly clock: Clock;
  readonly log: StrategyLog;
  readonly instruments: readonly Instrument[];
  private readonly byId: ReadonlyMap<string, Instrument>;
  private readonly execution: ExecutionEngine;
  private readonly book: Portfolio;
  private readonly sizing: Sizing;
  private seq = 0;

  /**
   * `lastOrderSeq`: the highest order number a previous run of this engine used (recovered from the journal),
   * so client order ids stay unique across restarts and a venue can refuse a replayed one as a duplicate.
   */
  constructor(o: { clock: Clock; log: StrategyLog; instruments: readonly Instrument[]; execution: ExecutionEngine; portfolio: Portfolio; sizing: Sizing; lastOrderSeq?: number }) {
    this.seq = o.lastOrderSeq ?? 0;
    this.clock = o.clock;
    this.log = o.log;
    this.instruments = o.instruments;
    this.byId = new Map(o.instruments.map((i) => [i.id, i]));
    this.execution = o.execution;
    this.book = o.portfolio;
    this.sizing = o.sizing;
  }

  private instrument(id: string | undefined): Instrument {
    const inst = this.byId.get(id ?? this.instruments[0]?.id ?? '');
    if (!inst) throw new KeelError('UNKNOWN_INSTRUMENT', 'is not traded in this run', { field: 'instrumentId', value: id });
    return inst;
  }

  submit(strategyId: string, spec: OrderSpec): string {
    const inst = this.instrument(spec.instrumentId);
    const clientOrderId = `${strategyId}-${++this.seq}`;
    this.execution.submit(buildOrder(inst, spec, clientOrderId, strategyId, this.clock.now()));
    return clientOrderId;
  }

  cancel(clientOrderId: string): void {
    this.execution.cancel(clientOrderId);
  }

  modify(clientOrderId: string, changes: ModifySpec): void {
    const order = this.execution.orders.get(clientOrderId);
    if (!order) throw new KeelError('UNKNOWN_ORDER', 'is not an order of this run', { field: 'clientOrderId', value: clientOrderId });
    this.execution.modify(clientOrderId, buildChanges(this.instrument(order.request.instrumentId), changes));
  }

  openOrders(strategyId: string, instrumentId?: string): readonly OrderView[] {
    if (this.execution.orders.openCount === 0) return [];
    const out: OrderView[] = [];
    for (const o of this.execution.orders.openOrders()) {
      if (o.request.strategyId !== strategyId) continue;
      if (instrumentId !== undefined && o.request.instrumentId !== instrumentId) continue;
      out.push(orderView(this.instrument(o.request.instrumentId), o));
    }
    return out;
  }

  position(instrumentId: string): PositionView {
    const p = this.book.position(instrumentId);
    const inst = p.instrument;
    return {
      instrumentId, quantity: lotsToQuantity(inst, p.lots), averagePrice: averagePrice(p), lastPrice: p.lastPrice,
      unrealizedPnl: unrealizedPnl(p), realizedPnl: moneyToNumber(p.realizedPnl),
    };
  }

  portfolio(): PortfolioView {
    return { cash: this.book.cashNumber, equity: this.book.equity() };
  }

  tradingState(): TradingStateView {
    return { state: this.execution.risk.tradingState, reason: this.execution.risk.stateReason };
  }

  killSwitch(strategyId: string, reason: string, flatten?: boolean): void {
    this.execution.risk.activateKillSwitch({ by: `strategy ${strategyId}`, reason, flatten });
  }

  entrySize(instrumentId: string, side: OrderSide): EntrySize {
    const inst = this.instrument(instrumentId);
    const price = this.book.position(instrumentId).lastPrice;
    switch (this.sizing.kind) {
      case 'units': return { quantity: this.sizing.units };
      case 'all-in':
        if (side === 'buy') return { notional: Math.max(0, moneyToNumber(this.book.cash)) };
        return { quantity: wholeLots(inst, this.book.equity(), price) };
      case 'percent': {
        const cash = (this.book.equity() * this.sizing.percent) / 100;
        return side === 'buy' ? { notional: cash } : { quantity: wholeLots(inst, cash, price) };
      }
    }
  }
}

/** Whole lots that `cash` buys at `price` (floats are fine: this is a decision, the ledger is exact). */
function wholeLots(inst: Instrument, cash: number, price: number): number {
  if (!(price > 0) || !(cash > 0)) return 0;
  return Math.floor(cash / (price * inst.lotSizeNumber * inst.multiplierNumber)) * inst.lotSizeNumber;
}

function inferType(spec: OrderSpec): OrderType {
  if (spec.type) return spec.type;
  if (spec.limitPrice !== undefined) return spec.stopPrice !== undefined ? 'stop_limit' : 'limit';
  return spec.stopPrice !== undefined ? 'stop' : 'market';
}

/**
 * A float price or quantity in grid units: whole when it is on the grid (up to float noise), else the raw
 * fraction, which the risk gate's instrument-rules check denies with a reason. An off-grid price from a
 * strategy is a refused order, not a crashed run.
 */
function onGridOrRaw(x: number, step: number): number {
  const units = x / step;
  const whole = Math.round(units);
  return Math.abs(units - whole) <= 1e-6 ? whole : units;
}

/** Validate a strategy's order spec against the instrument's grid and build the immutable request. */
export function buildOrder(inst: Instrument, spec: OrderSpec, clientOrderId: string, strategyId: string, now: number): OrderRequest {
  const type = inferType(spec);
  const timeInForce: TimeInForce = spec.timeInForce ?? 'GTC';
  const common = {
    clientOrderId, strategyId, instrumentId: inst.id, side: spec.side, timeInForce, reduceOnly: spec.reduceOnly ?? false, createdAt: now, tag: spec.tag,
  };
  if (spec.notional !== undefined) {
    if (type !== 'market') throw new KeelError('BAD_ORDER', 'only market orders can be sized in cash', { field: 'notional', value: spec.notional });
    if (!(spec.notional > 0)) throw new KeelError('BAD_ORDER', 'must be a positive cash amount', { field: 'notional', value: spec.notional });
    return { ...common, type, quantity: 0 as OrderRequest['quantity'], notional: moneyFromNumber(spec.notional, 'down') };
  }
  if (spec.quantity === undefined) throw new KeelError('BAD_ORDER', `a ${type} order needs a quantity or a notional`, { field: 'quantity' });
  const quantity = onGridOrRaw(spec.quantity, inst.lotSizeNumber) as Lots;
  const need = (x: number | undefined, field: string) => {
    if (x === undefined) throw new KeelError('BAD_ORDER', `a ${type} order needs ${field}`, { field });
    return onGridOrRaw(x, inst.tickSize) as PriceTicks;
  };
  switch (type) {
    case 'market': return { ...common, type, quantity, notional: undefined };
    case 'limit': return { ...common, type, quantity, limitPrice: need(spec.limitPrice, 'limitPrice') };
    case 'stop': return { ...common, type, quantity, stopPrice: need(spec.stopPrice, 'stopPrice') };
    case 'stop_limit': return { ...common, type, quantity, stopPrice: need(spec.stopPrice, 'stopPrice'), limitPrice: need(spec.limitPrice, 'limitPrice') };
  }
}

/**
 * A strategy's modification on the instrument's grid, like `buildOrder`: an off-grid price or quantity stays
 * a raw fraction that the risk gate denies with a reason (the order keeps working), never a thrown error.
 */
export function buildChanges(inst: Instrument, spec: ModifySpec): OrderChanges {
  return {
    quantity: spec.quantity === undefined ? undefined : onGridOrRaw(spec.quantity, inst.lotSizeNumber) as Lots,
    limitPrice: spec.limitPrice === undefined ? undefined : onGridOrRaw(spec.limitPrice, inst.tickSize) as PriceTicks,
    stopPrice: spec.stopPrice === undefined ? undefined : onGridOrRaw(spec.stopPrice, inst.tickSize) as PriceTicks,
  };
}

export function orderView(inst: Instrument, o: ManagedOrder): OrderView {
  const r = o.request;
  const filled = lotsToQuantity(inst, o.filledLots);
  const limit = limitPriceOf(r);
  const stop = stopPriceOf(r);
  return {
    clientOrderId: r.clientOrderId, instrumentId: r.instrumentId, side: r.side, type: r.type, status: o.status,
    quantity: lotsToQuantity(inst, r.quantity),
    limitPrice: limit === undefined ? undefined : ticksToPrice(inst, limit),
    stopPrice: stop === undefined ? undefined : ticksToPrice(inst, stop),
    filledQuantity: filled,
    averageFillPrice: filled > 0 ? moneyToNumber(o.filledNotional) / (filled * inst.multiplierNumber) : NaN,
    tag: r.tag, reason: o.reason, modifyReason: o.modifyReason,
  };
}
