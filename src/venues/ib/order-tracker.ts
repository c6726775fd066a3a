import type { Contract, Execution, Order as IbOrder, OrderState } from '@stoqey/ib';
import { parseMoney, roundToMinorUnit, type Fill, type Liquidity, type OrderRequest, type OrderStatus, type VenueReport } from '../../model/index.ts';
import type { IbSymbol } from './config.ts';
import { keelStatusOf, lotsOf, parseExecutionTime, ticksOf } from './mapping.ts';

/** One Keel order at IB: its IB order id (per client id) and permId (account-wide), and what was reported. */
export interface TrackedOrder {
  readonly keelId: string;
  request: OrderRequest;
  readonly symbol: IbSymbol;
  orderId: number | undefined;
  permId: number | undefined;
  accepted: boolean;
  done: boolean;
  filledLots: number;
  /** A replacement sent and not yet acknowledged (TWS answers a modification with openOrder at the new terms). */
  pendingReplace: OrderRequest | undefined;
  /** Canceled before its turn to be sent came: it is never sent. */
  cancelBeforeSend: boolean;
  /** The last error TWS gave for the order id (the reason of an Inactive status). */
  lastError: string | undefined;
  /** How it finished (for query(): IB's open orders no longer list it). */
  final: OrderStatus | undefined;
  /** IB set it Inactive after it had been working (reported UNKNOWN once). */
  inactive: boolean;
}

/** An execution held until its commission report (IB sends it right after), or the wait runs out. */
interface HeldExecution {
  readonly t: TrackedOrder;
  readonly execution: Execution;
  readonly since: number;
  fee: number | undefined;
}

/**
 * The adapter's order book: Keel ids ↔ IB order ids, what was reported (each state once, each execution
 * once by its execId), and the conversion of TWS events into Keel reports.
 */
export class IbOrderTracker {
  private readonly byKeel = new Map<string, TrackedOrder>();
  private readonly byOrderId = new Map<number, TrackedOrder>();
  private readonly seen = new Set<string>();
  private held: HeldExecution[] = [];
  /** Commission reports that came before their execution was ours to report (a catch-up before a resubmit). */
  private readonly early = new Map<string, number>();
  private readonly now: () => number;
  private readonly defaultZone: string;

  constructor(now: () => number, defaultZone = 'UTC') {
    this.now = now;
    this.defaultZone = defaultZone;
  }

  track(request: OrderRequest, symbol: IbSymbol): TrackedOrder {
    const t: TrackedOrder = { keelId: request.clientOrderId, request, symbol, orderId: undefined, permId: undefined, accepted: false, done: false, filledLots: 0, pendingReplace: undefined, cancelBeforeSend: false, lastError: undefined, final: undefined, inactive: false };
    this.byKeel.set(t.keelId, t);
    return t;
  }

  get(keelId: string): TrackedOrder | undefined {
    return this.byKeel.get(keelId);
  }

  byId(orderId: number): TrackedOrder | undefined {
    return this.byOrderId.get(orderId);
  }

  bind(t: TrackedOrder, orderId: number, permId?: number): void {
    t.orderId = orderId;
    if (permId) t.permId = permId;
    this.byOrderId.set(orderId, t);
  }

  working(): TrackedOrder[] {
    return [...this.byKeel.values()].filter((t) => !t.done);
  }

  all(): TrackedOrder[] {
    return [...this.byKeel.values()];
  }

  /** An execution id already reported (live or by a catch-up). */
  reported(execId: string): boolean {
    return this.seen.has(execId);
  }

  /** openOrder / orderStatus: the reports a state change makes (accepted once, updated, canceled once, rejected). */
  onStatus(t: TrackedOrder, status: string, permId: number | undefined, terms?: { order: IbOrder }): VenueReport[] {
    if (permId) t.permId = permId;
    const out: VenueReport[] = [];
    const ts = this.now();
    const keel = keelStatusOf(status);
    if (keel === undefined || t.done) return out;
    // Inactive after IB had the order working is not a refusal Keel can book (IB may hold or suspend it):
    // say the state is unknown once, and let reconciliation find out.
    if (keel === 'REJECTED' && t.accepted) {
      if (t.inactive) return out;
      t.inactive = true;
      out.push({ type: 'order.unknown', ts, clientOrderId: t.keelId, reason: `IB set the working order Inactive${t.lastError ? ` (${t.lastError})` : ''}` });
      return out;
    }
    if (!t.accepted && keel !== 'REJECTED') {
      t.accepted = true;
      out.push({ type: 'order.accepted', ts, clientOrderId: t.keelId, venueOrderId: this.venueId(t) });
    }
    if (terms !== undefined && t.pendingReplace !== undefined && sameTerms(t, t.pendingReplace, terms.order)) {
      t.request = t.pendingReplace;
      t.pendingReplace = undefined;
      out.push({ type: 'order.updated', ts, clientOrderId: t.keelId, order: t.request });
    }
    switch (keel) {
      case 'CANCELED':
        t.done = true;
        t.final = 'CANCELED';
        out.push({ type: 'order.canceled', ts, clientOrderId: t.keelId, reason: t.lastError ?? 'canceled at IB' });
        break;
      case 'REJECTED':
        t.done = true;
        t.final = 'REJECTED';
        out.push({ type: 'order.rejected', ts, clientOrderId: t.keelId, reason: t.lastError ?? 'IB set the order Inactive' });
        break;
      default: break; // working, pending cancel or filled: fills come as executions
    }
    return out;
  }

  /** Hold an execution until its commission report; returns the reports now due. */
  onExecution(t: TrackedOrder, e: Execution): VenueReport[] {
    if (!e.execId || this.seen.has(e.execId) || this.held.some((h) => h.execution.execId === e.execId)) return [];
    this.held.push({ t, execution: e, since: Date.now(), fee: this.early.get(e.execId) });
    this.early.delete(e.execId);
    return this.release(Infinity);
  }

  onCommission(execId: string, commission: number | undefined): VenueReport[] {
    const h = this.held.find((x) => x.execution.execId === execId);
    if (h) h.fee = commission ?? 0;
    else if (!this.seen.has(execId)) this.early.set(execId, commission ?? 0);
    return this.release(Infinity);
  }

  /** Fills whose commission came, in execution order; those waiting longer than `waitMs` (wall time) go without one. */
  release(waitMs: number): VenueReport[] {
    const out: VenueReport[] = [];
    const now = Date.now();
    while (this.held.length > 0 && (this.held[0].fee !== undefined || now - this.held[0].since >= waitMs)) {
      const h = this.held.shift()!;
      this.seen.add(h.execution.execId!);
      out.push(this.fillReport(h.t, h.execution, h.fee ?? 0));
    }
    return out;
  }

  get holding(): number {
    return this.held.length;
  }

  /** A Fill from an execution (snapshot fills and reports alike); `owner` names the Keel order. */
  toFill(e: Execution, s: IbSymbol, owner: { clientOrderId: string; strategyId: string }, fee: number): Fill {
    const inst = s.instrument;
    return {
      clientOrderId: owner.clientOrderId, venueOrderId: String(e.permId ?? e.orderId), tradeId: e.execId!,
      strategyId: owner.strategyId, instrumentId: inst.id, side: e.side === 'SLD' ? 'sell' : 'buy',
      quantity: lotsOf(inst, e.shares, 'execution.shares'), price: ticksOf(inst, e.price, 'execution.price'),
      // IB's commission is a double in the account currency; booked to the cent as every Keel fee is.
      fee: roundToMinorUnit(parseMoney(fee, 'commission'), inst.quoteCurrency),
      liquidity: liquidityOf(e.lastLiquidity), ts: parseExecutionTime(e.time, this.defaultZone), decisionPrice: undefined,
    };
  }

  private fillReport(t: TrackedOrder, e: Execution, fee: number): VenueReport {
    const fill = this.toFill(e, t.symbol, { clientOrderId: t.keelId, strategyId: t.request.strategyId }, fee);
    t.filledLots += fill.quantity;
    const leaves = Math.max(0, t.request.quantity - t.filledLots);
    if (leaves === 0) {
      t.done = true;
      t.final = 'FILLED';
    }
    if (!t.accepted) t.accepted = true;
    return { type: 'order.filled', ts: fill.ts, clientOrderId: t.keelId, fill, leavesQuantity: leaves as never };
  }

  venueId(t: TrackedOrder): string {
    return String(t.permId ?? t.orderId ?? t.keelId);
  }
}

/** IB's lastLiquidity: 1 added (maker), 2 removed, 3 routed out (taker). */
function liquidityOf(x: unknown): Liquidity {
  return x === 1 ? 'maker' : 'taker';
}

/** Whether an openOrder shows the replacement's terms (quantity and prices). */
function sameTerms(t: TrackedOrder, next: OrderRequest, o: IbOrder): boolean {
  const inst = t.symbol.instrument;
  const near = (a: number | undefined, ticks: number | undefined) => (ticks === undefined ? true : a !== undefined && ticksOf(inst, a, 'openOrder.price') === ticks);
  const qty = o.totalQuantity !== undefined && lotsOf(inst, o.totalQuantity, 'openOrder.totalQuantity') === next.quantity;
  const lmt = next.type === 'limit' || next.type === 'stop_limit' ? next.limitPrice : undefined;
  const stp = next.type === 'stop' || next.type === 'stop_limit' ? next.stopPrice : undefined;
  return qty && near(o.lmtPrice, lmt) && near(o.auxPrice, stp);
}

export type { Contract, OrderState };
