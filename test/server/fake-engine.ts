import type {
  ActionResult, AlertView, EngineHandle, EngineStatus, EquityPoint, FillView, Operator, OrderView, PnlView, PositionView, RiskView, StreamEvent,
} from '../../src/runtime/index.ts';

/** One call the API made into the engine: a read with its arguments, or an action. */
export interface EngineCall {
  readonly method: string;
  readonly args: readonly unknown[];
}

/**
 * A stand-in for Keel's own engine behind `EngineHandle`: fixed, realistic views (every optional and nullable
 * field exercised), every call recorded, actions answered ok unless `refuse` names them, and stream events
 * pushed by the test. It is not a mock of an external service: the server's only dependency is this interface.
 */
export class FakeEngine implements EngineHandle {
  readonly calls: EngineCall[] = [];
  /** Actions (method names) the engine refuses, with the reason. */
  readonly refuse = new Map<string, string>();
  private readonly listeners = new Set<(e: StreamEvent) => void>();

  statusView: EngineStatus = {
    account: 'paper-1', mode: 'paper', venue: 'alpaca', venueConnected: true, tradingState: 'ACTIVE', stateReason: '',
    startedAt: 1_767_225_600_000, lastEventTs: 1_767_312_000_000, marketEvents: 1234, lastMarketEventAt: Date.now(),
    strategies: [{ id: 'sma-cross', version: 'a1b2c3 fast=10,slow=30', params: { fast: 10, slow: 30, nested: { on: true } }, paused: false }],
    journal: { kind: 'sqlite', location: '/run/journal.sqlite', pendingAppends: 0, healthy: true },
  };

  positionsView: PositionView[] = [
    { instrument: 'ORCL', quantity: '150', averagePrice: 101.25, lastPrice: 103.5, marketValue: 15525, unrealizedPnl: 337.5, realizedPnl: '12.40' },
    { instrument: 'MSFT', quantity: '0', averagePrice: null, lastPrice: null, marketValue: 0, unrealizedPnl: 0, realizedPnl: '-3.10' },
  ];

  ordersView: OrderView[] = [
    {
      clientOrderId: 'sma-cross-7', strategyId: 'sma-cross', instrument: 'ORCL', side: 'buy', type: 'limit', quantity: '50',
      filledQuantity: '0', limitPrice: '100.50', stopPrice: null, status: 'ACCEPTED', reason: null, createdAt: 1_767_311_000_000,
    },
    {
      clientOrderId: 'sma-cross-6', strategyId: 'sma-cross', instrument: 'ORCL', side: 'sell', type: 'market', quantity: '25',
      filledQuantity: '0', limitPrice: null, stopPrice: null, status: 'REJECTED', reason: 'insufficient buying power', createdAt: 1_767_310_000_000,
    },
  ];

  fillsView: FillView[] = [
    {
      tradeId: 't-9', clientOrderId: 'sma-cross-5', strategyId: 'sma-cross', instrument: 'ORCL', side: 'buy', quantity: '150', price: '101.25',
      fee: '1.52', decisionPrice: '101.20', slippage: 7.5, ts: 1_767_300_000_000,
    },
    {
      tradeId: 't-8', clientOrderId: 'manual-1', strategyId: 'sma-cross', instrument: 'MSFT', side: 'sell', quantity: '10', price: '410.00',
      fee: '0.41', decisionPrice: null, slippage: null, ts: 1_767_200_000_000,
    },
  ];

  pnlView: PnlView = {
    currency: 'USD', cash: '84812.40', equity: 100337.5, realized: '9.30', unrealized: 337.5, daily: -120.25,
    commissions: '1.93', peakEquity: 100500, drawdown: 162.5, drawdownPct: 0.1617,
  };

  equityView: EquityPoint[] = [
    { ts: 1_767_200_000_000, equity: 100000, drawdownPct: 0 },
    { ts: 1_767_300_000_000, equity: 100500, drawdownPct: 0 },
    { ts: 1_767_312_000_000, equity: 100337.5, drawdownPct: 0.1617 },
  ];

  riskView: RiskView = {
    state: 'ACTIVE', reason: '', limits: 'maxOrderNotional: 50000\n',
    breakers: [{ name: 'daily-loss', action: 'HALT', tripped: false, detail: 'armed', usedPct: 12.5 }],
    denials: [{ check: 'price-collar', count: 2 }],
  };

  alertsView: AlertView[] = [
    { id: 'al-2', ts: 1_767_311_500_000, severity: 'warning', source: 'data', title: 'stale feed', detail: 'no bar for 90 s', resolved: true },
  ];

  status(): EngineStatus { return this.record('status', [], this.statusView); }
  positions(): PositionView[] { return this.record('positions', [], this.positionsView); }
  orders(filter?: { openOnly?: boolean; limit?: number }): OrderView[] { return this.record('orders', [filter], this.ordersView); }
  fills(limit?: number): FillView[] { return this.record('fills', [limit], this.fillsView); }
  pnl(): PnlView { return this.record('pnl', [], this.pnlView); }
  equityHistory(maxPoints?: number): EquityPoint[] { return this.record('equityHistory', [maxPoints], this.equityView); }
  risk(): RiskView { return this.record('risk', [], this.riskView); }
  alerts(limit?: number): AlertView[] { return this.record('alerts', [limit], this.alertsView); }

  cancelOrder(clientOrderId: string, by: Operator): ActionResult { return this.act('cancelOrder', [clientOrderId, by]); }
  cancelAll(by: Operator): ActionResult { return this.act('cancelAll', [by]); }
  killSwitch(o: { flatten: boolean; reason: string; by: Operator }): ActionResult { return this.act('killSwitch', [o]); }
  rearm(o: { reason: string; by: Operator }): ActionResult { return this.act('rearm', [o]); }
  changeLimits(o: { risk: unknown; reason: string; by: Operator }): ActionResult { return this.act('changeLimits', [o]); }
  pauseStrategy(strategyId: string, by: Operator): ActionResult { return this.act('pauseStrategy', [strategyId, by]); }
  resumeStrategy(strategyId: string, by: Operator): ActionResult { return this.act('resumeStrategy', [strategyId, by]); }

  subscribe(listener: (event: StreamEvent) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /** Emit an engine event to every subscriber, as the engine does. */
  push(e: StreamEvent): void {
    for (const l of this.listeners) l(e);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Calls of one method, newest last. */
  callsOf(method: string): EngineCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  private record<T>(method: string, args: unknown[], value: T): T {
    this.calls.push({ method, args });
    return value;
  }

  private act(method: string, args: unknown[]): ActionResult {
    this.calls.push({ method, args });
    const why = this.refuse.get(method);
    return why === undefined ? { ok: true, message: `${method} done` } : { ok: false, message: why };
  }
}
