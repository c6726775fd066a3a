import {
  defineInstrument, formatMoney, formatPrice, formatQuantity, moneyToNumber, ticksToPrice, lotsToQuantity,
  type Fill, type Instrument, type InstrumentSpec, type OrderEvent, type RiskEvent, type TradingState,
} from '../model/index.ts';
import type { Journal, JournalRecord } from '../store/index.ts';
import type {
  ActionResult, AlertView, EngineHandle, EngineStatus, EquityPoint, FillView, OrderView, PnlView, PositionView, RiskView, StreamEvent,
} from './engine-handle.ts';
import { fillView, orderView } from './views.ts';

/** Why every action is refused here: `keel serve` shows a journal; it does not run the engine that writes it. */
export const READ_ONLY = 'read-only: keel serve shows the journal; act through the running engine (its API, or keel kill --control)';

const PAGE = 5_000;
const OPEN = new Set(['SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED', 'PENDING_CANCEL', 'PENDING_UPDATE', 'UNKNOWN']);

interface OrderState { view: OrderView; inst: Instrument; filledLots: number }
interface Holding { lots: number; cost: number; realized: number; lastPrice: number | null }

/**
 * The engine's views (EngineHandle), rebuilt from a journal alone and kept current by reading what is appended
 * (`refresh`), for `keel serve`: a dashboard and API over a journal another process writes, or a finished
 * session's. Positions, cash and PnL come from the journaled fills and balances (marked at the last fill: the
 * journal holds no market data); actions are refused. Instruments are those the engine journaled at start.
 *
 * @example const view = await JournalView.open(journal, 'paper'); setInterval(() => view.refresh(), 1000);
 */
export class JournalView implements EngineHandle {
  private readonly journal: Journal;
  private readonly account: string;
  private readonly startedAt = Date.now();
  private readonly instruments = new Map<string, Instrument>();
  private readonly orderStates = new Map<string, OrderState>();
  private readonly fillList: FillView[] = [];
  private readonly holdings = new Map<string, Holding>();
  private readonly equity: EquityPoint[] = [];
  private readonly denials = new Map<string, number>();
  private readonly alertList: AlertView[] = [];
  private readonly strategies = new Map<string, string>();
  private readonly listeners = new Set<(e: StreamEvent) => void>();
  private lastSeq = 0;
  private lastTs = 0;
  private state: TradingState = 'ACTIVE';
  private stateReason = '';
  private currency = 'USD';
  private cash = 0n;
  private realized = 0n;
  private fees = 0;
  private peak = -Infinity;
  private initialCash: bigint | undefined;
  private tripped = new Set<string>();
  private healthy = true;

  private constructor(journal: Journal, account: string) {
    this.journal = journal;
    this.account = account;
  }

  /** Read the whole journal of `account` once; `refresh()` then follows it. */
  static async open(journal: Journal, account: string): Promise<JournalView> {
    const v = new JournalView(journal, account);
    await v.refresh();
    return v;
  }

  /** Fold what was appended since the last call; resolves with the number of new events. */
  async refresh(): Promise<number> {
    let n = 0;
    try {
      for (;;) {
        const page = await this.journal.read({ fromSeq: this.lastSeq + 1, limit: PAGE });
        for (const r of page) {
          this.lastSeq = r.seq;
          if (r.stream.account !== this.account) continue;
          this.apply(r);
          n++;
        }
        if (page.length < PAGE) break;
      }
      this.healthy = true;
    } catch {
      this.healthy = false; // shown on the dashboard as journal trouble; the next refresh tries again
    }
    if (n > 0) this.emit({ kind: 'summary', ts: this.lastTs, pnl: this.pnl(), positions: this.positions() });
    return n;
  }

  /** Events folded so far (for `keel serve`'s start line). */
  get events(): number {
    return this.lastSeq;
  }

  private apply(r: JournalRecord): void {
    if (r.ts > this.lastTs) this.lastTs = r.ts;
    if (r.stream.strategy && r.version) this.strategies.set(r.stream.strategy, r.version);
    const p = r.payload as Record<string, unknown>;
    if (r.type === 'engine.started') {
      this.initialCash ??= p.initialCash as bigint;
      const spec = p.instrumentSpec as InstrumentSpec | undefined;
      if (spec) this.instruments.set(spec.id, defineInstrument(spec));
      this.currency = this.instruments.get(String(p.instrument))?.quoteCurrency ?? this.currency;
    } else if (r.type.startsWith('order.')) {
      this.onOrder(p as unknown as OrderEvent);
    } else if (r.type.startsWith('risk.')) {
      this.onRisk(p as unknown as RiskEvent);
    } else if (r.type === 'account.balance') {
      this.cash = p.cash as bigint;
      this.realized = p.realizedPnl as bigint;
      const eq = moneyToNumber(p.equity as bigint);
      if (eq > this.peak) this.peak = eq;
      this.equity.push({ ts: r.ts, equity: eq, drawdownPct: this.peak > 0 ? ((this.peak - eq) / this.peak) * 100 : 0 });
    } else if (r.type === 'alert.raised') {
      const a = p as { severity: AlertView['severity']; source: string; title: string; lines?: string[] };
      this.addAlert(r, a.severity, a.source, a.title, (a.lines ?? []).slice(1).join('\n'));
    }
  }

  private onOrder(e: OrderEvent): void {
    this.emit({ kind: 'order', ts: e.ts, type: e.type, payload: e });
    if (e.type === 'order.submitted') {
      const o = e.order;
      const inst = this.instrumentOf(o.instrumentId);
      this.orderStates.set(o.clientOrderId, { inst, filledLots: 0, view: orderView(inst, o, { status: 'SUBMITTED', filledLots: 0, reason: null }) });
      return;
    }
    if (e.type === 'order.denied') {
      this.denials.set(e.check, (this.denials.get(e.check) ?? 0) + 1);
      return;
    }
    const known = this.orderStates.get(e.clientOrderId);
    const set = (status: string, reason: string | null = known?.view.reason ?? null) => {
      if (known) known.view = { ...known.view, status, reason };
    };
    switch (e.type) {
      case 'order.accepted': set('ACCEPTED'); break;
      case 'order.rejected': set('REJECTED', e.reason); break;
      case 'order.canceled': set('CANCELED'); break;
      case 'order.expired': set('EXPIRED'); break;
      case 'order.unknown': set('UNKNOWN', e.reason); break;
      case 'order.filled': this.onFill(e.fill, known, e.leavesQuantity === 0 ? 'FILLED' : 'PARTIALLY_FILLED'); break;
      default: break;
    }
  }

  private onFill(f: Fill, order: OrderState | undefined, status: string): void {
    const inst = order?.inst ?? this.instrumentOf(f.instrumentId);
    if (order) {
      order.filledLots += f.quantity;
      order.view = { ...order.view, status, filledQuantity: formatQuantity(inst, order.filledLots) };
    }
    const price = ticksToPrice(inst, f.price);
    const qty = lotsToQuantity(inst, f.quantity) * (f.side === 'buy' ? 1 : -1);
    const fee = moneyToNumber(f.fee);
    this.fees += fee;
    this.fillList.push(fillView(inst, f, inst.quoteCurrency));
    // Average cost per instrument: a fill that reduces the position realises against that average.
    const h = this.holdings.get(f.instrumentId) ?? { lots: 0, cost: 0, realized: 0, lastPrice: null };
    const held = h.lots * inst.lotSizeNumber;
    if (held === 0 || Math.sign(held) === Math.sign(qty)) {
      h.cost += price * qty;
    } else {
      const closing = Math.min(Math.abs(qty), Math.abs(held)) * Math.sign(qty);
      const avg = h.cost / held;
      h.realized += (price - avg) * -closing * inst.multiplierNumber;
      h.cost -= avg * -closing;
      if (Math.abs(qty) > Math.abs(held)) h.cost = price * (qty + held);
    }
    h.lots += f.side === 'buy' ? f.quantity : -f.quantity;
    if (h.lots === 0) h.cost = 0;
    h.lastPrice = price;
    this.holdings.set(f.instrumentId, h);
  }

  private onRisk(e: RiskEvent): void {
    this.emit({ kind: 'risk', ts: e.ts, type: e.type, payload: e });
    if (e.type === 'risk.state-changed') {
      this.state = e.to;
      this.stateReason = e.reason;
      if (e.to === 'ACTIVE') this.tripped.clear();
    } else if (e.type === 'risk.breaker-tripped') {
      this.tripped.add(e.breaker);
      this.addAlert({ ts: e.ts }, 'critical', 'breaker', `breaker ${e.breaker} tripped`, e.reason);
    } else {
      this.addAlert({ ts: e.ts }, 'critical', 'kill-switch', `kill switch by ${e.by}`, e.reason);
    }
  }

  private addAlert(r: { ts: number }, severity: AlertView['severity'], source: string, title: string, detail: string): void {
    const alert: AlertView = { id: `j${this.alertList.length + 1}`, ts: r.ts, severity, source, title, detail, resolved: false };
    this.alertList.push(alert);
    this.emit({ kind: 'alert', ts: alert.ts, alert });
  }

  /** An instrument the engine journaled; one it did not is shown in whole units with a cent tick. */
  private instrumentOf(id: string): Instrument {
    let inst = this.instruments.get(id);
    if (inst === undefined) {
      inst = defineInstrument({ id, priceTick: '0.01', lotSize: '1' });
      this.instruments.set(id, inst);
    }
    return inst;
  }

  private emit(e: StreamEvent): void {
    for (const l of this.listeners) l(e);
  }

  // EngineHandle: views.

  status(): EngineStatus {
    return {
      account: this.account, mode: 'paper', venue: 'none (journal view)', venueConnected: false, tradingState: this.state, stateReason: this.stateReason,
      startedAt: this.startedAt, lastEventTs: this.lastTs, marketEvents: 0, lastMarketEventAt: undefined,
      strategies: [...this.strategies].map(([id, version]) => ({ id, version, params: {}, paused: false })),
      journal: { kind: this.journal.kind, location: this.journal.location, pendingAppends: 0, healthy: this.healthy },
    };
  }

  positions(): PositionView[] {
    return [...this.holdings].map(([id, h]) => {
      const inst = this.instrumentOf(id);
      const qty = h.lots * inst.lotSizeNumber;
      const avg = qty === 0 ? null : h.cost / qty;
      const mv = h.lastPrice === null ? 0 : h.lastPrice * qty * inst.multiplierNumber;
      return {
        instrument: id, quantity: formatQuantity(inst, h.lots), averagePrice: avg, lastPrice: h.lastPrice, marketValue: mv,
        unrealizedPnl: avg === null || h.lastPrice === null ? 0 : (h.lastPrice - avg) * qty * inst.multiplierNumber, realizedPnl: h.realized.toFixed(2),
      };
    });
  }

  orders(filter: { readonly openOnly?: boolean; readonly limit?: number } = {}): OrderView[] {
    const all = [...this.orderStates.values()].map((o) => o.view).filter((o) => !filter.openOnly || OPEN.has(o.status));
    return all.reverse().slice(0, filter.limit ?? 500);
  }

  fills(limit = 500): FillView[] {
    return this.fillList.slice(-limit).reverse();
  }

  pnl(): PnlView {
    const last = this.equity.at(-1);
    const eq = last?.equity ?? (this.initialCash === undefined ? 0 : moneyToNumber(this.initialCash));
    const unrealized = this.positions().reduce((s, p) => s + p.unrealizedPnl, 0);
    const dayStart = Math.floor(this.lastTs / 86_400_000) * 86_400_000;
    const before = [...this.equity].reverse().find((p) => p.ts < dayStart)?.equity ?? (this.initialCash === undefined ? eq : moneyToNumber(this.initialCash));
    const peak = Math.max(this.peak, eq);
    return {
      currency: this.currency, cash: formatMoney(this.cash, this.currency), equity: eq, realized: formatMoney(this.realized, this.currency), unrealized,
      daily: eq - before, commissions: this.fees.toFixed(2), peakEquity: peak, drawdown: peak - eq, drawdownPct: peak > 0 ? ((peak - eq) / peak) * 100 : 0,
    };
  }

  equityHistory(maxPoints = 2000): EquityPoint[] {
    const step = Math.max(1, Math.ceil(this.equity.length / maxPoints));
    return this.equity.filter((_p, i) => i % step === 0 || i === this.equity.length - 1);
  }

  risk(): RiskView {
    return {
      state: this.state, reason: this.stateReason, limits: undefined,
      breakers: [...this.tripped].map((name) => ({ name, action: 'unknown', tripped: true, detail: this.stateReason, usedPct: null })),
      denials: [...this.denials].map(([check, count]) => ({ check, count })),
    };
  }

  alerts(limit = 100): AlertView[] {
    return this.alertList.slice(-limit).reverse();
  }

  // EngineHandle: actions. None: this process does not run the engine.

  cancelOrder(): ActionResult { return { ok: false, message: READ_ONLY }; }
  cancelAll(): ActionResult { return { ok: false, message: READ_ONLY }; }
  killSwitch(): ActionResult { return { ok: false, message: READ_ONLY }; }
  rearm(): ActionResult { return { ok: false, message: READ_ONLY }; }
  changeLimits(): ActionResult { return { ok: false, message: READ_ONLY }; }
  pauseStrategy(): ActionResult { return { ok: false, message: READ_ONLY }; }
  resumeStrategy(): ActionResult { return { ok: false, message: READ_ONLY }; }

  subscribe(listener: (event: StreamEvent) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }
}
