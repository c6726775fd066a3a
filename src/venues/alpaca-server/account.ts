import {
  notional, roundDiv, roundToTicks, type Fill, type Money, type OrderRequest, type VenueReport,
} from '../../model/index.ts';
import type { VenueReportSink } from '../../execution/index.ts';
import type { ApprovedOrder } from '../../risk/index.ts';
import { SimVenue, latencyModel, noFees, type FeeModel } from '../sim/index.ts';
import { SimAccount } from '../sim-server/account.ts';
import { priceText, qtyText } from './amounts.ts';
import { forbidden, notFound, notModifiable, unprocessable } from './api-error.ts';
import { activityId, rfc3339, stableUuid, type IdSource } from './ids.ts';
import type { VenueMarket } from './market.ts';
import { OPEN_STATUSES, orderJson, type AlpacaOrderJson, type AlpacaOrderRecord, type AlpacaOrderStatus } from './order-record.ts';
import type { NewOrder, OrderPatch } from './order-request.ts';
import type { AccountFaults, AccountState, AlpacaAccountOptions, FillActivity, TradeUpdate } from './account-model.ts';
import { engineOrder, signedQty } from './engine-order.ts';

export type { AccountFaults, AccountState, AlpacaAccountOptions, FillActivity, TradeUpdate } from './account-model.ts';
export { signedQty } from './engine-order.ts';

/**
 * One Alpaca account at the venue: its orders in Alpaca's terms, its own matching engine (a SimVenue, so
 * fills follow docs/fills.md exactly as in a backtest), its ledger (the sim server's SimAccount: cash,
 * positions and fills, exact), its FILL activities, and the trade_updates it streams.
 *
 * A replace is Alpaca's: the replacement is a new order with a new id and client order id, the old one
 * becomes `replaced`. Inside the matching engine it stays one working order (SimVenue.replace), so the
 * replacement takes the remaining quantity without a window where neither order works.
 */
export class AlpacaAccount implements VenueReportSink {
  readonly name: string;
  readonly id: string;
  readonly initialCash: Money;
  readonly market: VenueMarket;
  readonly ledger: SimAccount;
  private readonly venue: SimVenue;
  private readonly ids: IdSource;
  private readonly faults: AccountFaults;
  private readonly fees: FeeModel;
  private readonly byId = new Map<string, AlpacaOrderRecord>();
  private readonly byClientId = new Map<string, AlpacaOrderRecord>();
  private readonly list: AlpacaOrderRecord[] = [];
  /** Internal key → the record now working under it. */
  private readonly working = new Map<string, AlpacaOrderRecord>();
  /** Internal key → the terms in force in the matching engine and the lots it counts as filled. */
  private readonly engineOrders = new Map<string, { order: OrderRequest; filled: number }>();
  private readonly activityLog: FillActivity[] = [];
  private readonly listeners = new Set<(u: TradeUpdate) => void>();
  private seq = 0;
  /** Cost basis of the position (positive for a long and a short alike). */
  private cost: Money = 0n;
  /**
   * What each working order commits, kept as running totals so that a check costs O(1) with thousands of
   * orders resting: cash held by priced buys, lots promised by sells. Market and notional buys are priced at
   * the last close, which moves with every bar, so they are summed when asked (there are few of them).
   */
  private readonly commitments = new Map<string, { hold: Money; selling: number }>();
  private heldTotal: Money = 0n;
  private sellingTotal = 0;
  private readonly unpricedBuys = new Set<AlpacaOrderRecord>();
  private pendingReplacement: AlpacaOrderRecord | undefined;
  private replaceRefusal: string | undefined;
  /** Bumped on every change, for the state file. */
  version = 0;

  constructor(o: AlpacaAccountOptions) {
    this.name = o.name;
    this.id = stableUuid(`account:${o.name}`);
    this.initialCash = o.initialCash;
    this.market = o.market;
    this.ids = o.ids;
    this.faults = o.faults;
    this.fees = o.fees ?? noFees;
    const inst = o.market.asset.instrument;
    this.ledger = new SimAccount(o.name, o.initialCash, new Map([[inst.id, inst]]));
    this.venue = new SimVenue({
      name: 'alpaca', instruments: [inst], clock: o.market.replay.clock, queue: o.market.replay.queue, sink: this,
      fees: o.fees, slippage: o.slippage, latency: latencyModel(0), limitFill: o.limitFill, participationRate: o.participationRate,
    });
    o.market.addMatchingEngine(this.venue);
  }

  /** Listen to this account's trade updates; returns the unsubscribe function. */
  onUpdate(l: (u: TradeUpdate) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get cash(): Money {
    return this.ledger.cash;
  }

  /** Signed position in lots. */
  get positionLots(): number {
    return this.ledger.positions()[this.market.asset.instrument.id] ?? 0;
  }

  get costBasis(): Money {
    return this.cost;
  }

  get orders(): readonly AlpacaOrderRecord[] {
    return this.list;
  }

  get activities(): readonly FillActivity[] {
    return this.activityLog;
  }

  order(id: string): AlpacaOrderRecord {
    const rec = this.byId.get(id);
    if (rec === undefined) throw notFound('order not found');
    return rec;
  }

  orderByClientId(clientOrderId: string): AlpacaOrderRecord {
    const rec = this.byClientId.get(clientOrderId);
    if (rec === undefined) throw notFound('order not found');
    return rec;
  }

  json(rec: AlpacaOrderRecord): AlpacaOrderJson {
    const a = this.market.asset;
    return orderJson(rec, a.instrument, { id: a.id, assetClass: a.assetClass });
  }

  /**
   * Take a new order: refuse a used client order id (422) and what the account cannot pay or deliver (403),
   * then hand it to the matching engine, which acknowledges it at once (`new`). Fills come with later bars.
   */
  submit(o: NewOrder): AlpacaOrderRecord {
    const clientOrderId = o.clientOrderId ?? this.ids.next();
    if (this.byClientId.has(clientOrderId)) throw unprocessable('client_order_id must be unique');
    this.checkAffordable(o.side, o.qtyLots, o.notional, o.limitTicks ?? o.stopTicks, undefined);
    const now = this.market.now();
    const id = this.ids.next();
    const rec: AlpacaOrderRecord = {
      id, clientOrderId, internalKey: id, seq: ++this.seq, symbol: o.symbol, side: o.side, type: o.type, timeInForce: o.timeInForce,
      qtyLots: o.qtyLots, notional: o.notional, limitTicks: o.limitTicks, stopTicks: o.stopTicks, extendedHours: o.extendedHours,
      filledLots: 0, filledTickLots: 0n, status: 'pending_new', createdAt: now, updatedAt: now,
      filledAt: undefined, canceledAt: undefined, expiredAt: undefined, failedAt: undefined, replacedAt: undefined, replacedBy: undefined, replaces: undefined,
    };
    this.register(rec);
    if (this.faults.shouldReject()) {
      this.close(rec, 'rejected', now);
      rec.failedAt = now;
      this.emit('rejected', rec, now);
      return rec;
    }
    this.sendToEngine(rec, rec.qtyLots ?? 0, rec.notional);
    return rec;
  }

  /** Cancel a working order (Alpaca answers 204; the `canceled` update follows on the stream). */
  cancel(id: string): void {
    const rec = this.order(id);
    if (!OPEN_STATUSES.has(rec.status)) throw notModifiable(`order is not cancelable: it is ${rec.status}`);
    this.venue.cancel(rec.internalKey);
    this.market.replay.drainDue();
  }

  /** Cancel every working order; the ids and statuses of the attempts (DELETE /v2/orders answers 207). */
  cancelAll(): { id: string; status: number; body: AlpacaOrderJson }[] {
    const out: { id: string; status: number; body: AlpacaOrderJson }[] = [];
    for (const rec of [...this.working.values()]) {
      this.cancel(rec.id);
      out.push({ id: rec.id, status: 200, body: this.json(rec) });
    }
    return out;
  }

  /**
   * Replace a working order: a new order (new id, given or generated client order id) with the changed terms
   * takes over; the old one becomes `replaced`. `qty` is the replacement's own quantity (default: what the old
   * order had left).
   */
  replace(id: string, p: OrderPatch): AlpacaOrderRecord {
    const old = this.order(id);
    if (old.status !== 'new' && old.status !== 'partially_filled') throw notModifiable(`order is not replaceable: it is ${old.status}`);
    if (old.notional !== undefined) throw unprocessable('a notional order cannot be replaced');
    if (p.limitTicks !== undefined && old.limitTicks === undefined) throw unprocessable(`limit_price does not apply to a ${old.type} order`);
    if (p.stopTicks !== undefined && old.stopTicks === undefined) throw unprocessable(`stop_price does not apply to a ${old.type} order`);
    const clientOrderId = p.clientOrderId ?? this.ids.next();
    if (this.byClientId.has(clientOrderId)) throw unprocessable('client_order_id must be unique');
    const qty = p.qtyLots ?? (old.qtyLots ?? 0) - old.filledLots;
    this.checkAffordable(old.side, qty, undefined, p.limitTicks ?? old.limitTicks ?? p.stopTicks ?? old.stopTicks, old);
    const now = this.market.now();
    const next: AlpacaOrderRecord = {
      ...old, id: this.ids.next(), clientOrderId, seq: ++this.seq, timeInForce: p.timeInForce ?? old.timeInForce, qtyLots: qty,
      limitTicks: p.limitTicks ?? old.limitTicks, stopTicks: p.stopTicks ?? old.stopTicks, filledLots: 0, filledTickLots: 0n,
      status: 'pending_new', createdAt: now, updatedAt: now, filledAt: undefined, canceledAt: undefined, expiredAt: undefined,
      failedAt: undefined, replacedAt: undefined, replacedBy: undefined, replaces: old.id,
    };
    const engine = this.engineOrders.get(old.internalKey)!;
    const terms = { ...engine.order, quantity: engine.filled + qty, timeInForce: next.timeInForce.toUpperCase() } as Record<string, unknown>;
    if (next.limitTicks !== undefined) terms.limitPrice = next.limitTicks;
    if (next.stopTicks !== undefined) terms.stopPrice = next.stopTicks;
    this.pendingReplacement = next;
    this.replaceRefusal = undefined;
    // The terms are checked above, as the engine's gate would: this cast is the venue's side of the wire.
    this.venue.replace(terms as unknown as ApprovedOrder);
    this.market.replay.drainDue();
    if (this.pendingReplacement === next) {
      this.pendingReplacement = undefined;
      throw notModifiable(`order is not replaceable: ${this.replaceRefusal ?? 'refused by the venue'}`);
    }
    return next;
  }

  onVenueReport(r: VenueReport): void {
    const rec = this.working.get(r.clientOrderId);
    if (rec === undefined) return;
    if (r.type !== 'order.filled') this.ledger.onVenueReport(r);
    switch (r.type) {
      case 'order.accepted':
        // A restored order is already `new`: it was acknowledged before the restart.
        if (rec.status === 'pending_new') {
          rec.status = 'new';
          rec.updatedAt = r.ts;
          this.emit('new', rec, r.ts);
        }
        return;
      case 'order.filled': return this.onFill(rec, r);
      case 'order.canceled':
        rec.canceledAt = r.ts;
        this.close(rec, 'canceled', r.ts);
        return this.emit('canceled', rec, r.ts);
      case 'order.expired':
        rec.expiredAt = r.ts;
        this.close(rec, 'expired', r.ts);
        return this.emit('expired', rec, r.ts);
      case 'order.rejected':
        rec.failedAt = r.ts;
        this.close(rec, 'rejected', r.ts);
        return this.emit('rejected', rec, r.ts);
      case 'order.updated': return this.onReplaced(rec, r.order, r.ts);
      case 'order.update-rejected':
        this.replaceRefusal = r.reason;
        return;
      case 'order.unknown': return;
    }
  }

  private onReplaced(old: AlpacaOrderRecord, terms: OrderRequest, ts: number): void {
    const next = this.pendingReplacement;
    if (next === undefined) return;
    this.pendingReplacement = undefined;
    old.status = 'replaced';
    old.replacedAt = ts;
    old.replacedBy = next.id;
    old.updatedAt = ts;
    this.register(next);
    next.status = 'new';
    this.working.set(next.internalKey, next);
    this.engineOrders.get(next.internalKey)!.order = terms;
    this.commit(old);
    this.commit(next);
    this.emit('replaced', old, ts);
    this.emit('new', next, ts);
  }

  /** Book one match, reported as one execution or (fault) several that add up to it exactly. */
  private onFill(rec: AlpacaOrderRecord, r: Extract<VenueReport, { type: 'order.filled' }>): void {
    const f = r.fill;
    const inst = this.market.asset.instrument;
    const pieces = this.faults.splitFill(f.quantity);
    let left = f.quantity as number;
    let feeLeft = f.fee;
    const engine = this.engineOrders.get(rec.internalKey)!;
    for (let i = 0; i < pieces.length; i++) {
      const lots = pieces[i];
      left -= lots;
      // Split the fee pro rata, the rounding remainder on the last piece: the pieces add up to the fee.
      const fee = i === pieces.length - 1 ? feeLeft : (f.fee * BigInt(lots)) / BigInt(f.quantity);
      feeLeft -= fee;
      const executionId = this.ids.next();
      const leaves = r.leavesQuantity + left;
      this.bookCost(f.side, lots, f.price);
      const fill: Fill = { ...f, quantity: lots as Fill['quantity'], fee, tradeId: executionId, venueOrderId: rec.id };
      this.ledger.onVenueReport({ type: 'order.filled', ts: r.ts, clientOrderId: r.clientOrderId, fill, leavesQuantity: leaves as Fill['quantity'] });
      engine.filled += lots;
      rec.filledLots += lots;
      rec.filledTickLots += BigInt(f.price) * BigInt(lots);
      rec.updatedAt = r.ts;
      const done = leaves === 0;
      if (done) {
        rec.filledAt = r.ts;
        this.close(rec, 'filled', r.ts);
      } else {
        rec.status = 'partially_filled';
        this.commit(rec);
      }
      const event = done ? 'fill' : 'partial_fill';
      const base = { price: priceText(inst, f.price), qty: qtyText(inst, lots) };
      this.activityLog.push({
        id: activityId(r.ts, executionId), activity_type: 'FILL', transaction_time: rfc3339(r.ts), type: event, ...base, side: f.side,
        symbol: rec.symbol, leaves_qty: qtyText(inst, rec.qtyLots === undefined ? leaves : rec.qtyLots - rec.filledLots),
        order_id: rec.id, cum_qty: qtyText(inst, rec.filledLots), order_status: rec.status, execution_id: executionId,
      });
      this.emit(event, rec, r.ts, { execution_id: executionId, ...base, position_qty: signedQty(inst, this.positionLots) });
    }
  }

  /** Average-cost bookkeeping of the position's cost basis (exact to 10^-12 of the currency). */
  private bookCost(side: 'buy' | 'sell', lots: number, ticks: number): void {
    const inst = this.market.asset.instrument;
    const before = this.positionLots;
    const signed = side === 'buy' ? lots : -lots;
    if (before === 0 || Math.sign(before) === Math.sign(signed)) {
      this.cost += notional(inst, ticks, lots);
      return;
    }
    const held = Math.abs(before);
    if (lots < held) this.cost -= roundDiv(this.cost * BigInt(lots), BigInt(held));
    else this.cost = notional(inst, ticks, lots - held); // closed, and maybe reversed: the new side's cost
  }

  /** Cash tied up by a working buy order: what its remaining quantity costs at its price, fees included. */
  reservation(rec: AlpacaOrderRecord): Money {
    if (rec.side !== 'buy' || !OPEN_STATUSES.has(rec.status)) return 0n;
    const inst = this.market.asset.instrument;
    if (rec.notional !== undefined) {
      const spent = rec.filledTickLots * inst.notionalUnit;
      return rec.notional > spent ? rec.notional - spent : 0n;
    }
    return this.cost0f((rec.qtyLots ?? 0) - rec.filledLots, rec.limitTicks ?? rec.stopTicks);
  }

  private cost0f(lots: number, ticks: number | undefined): Money {
    if (lots <= 0) return 0n;
    const inst = this.market.asset.instrument;
    const ref = this.market.referencePrice();
    const price = ticks ?? (ref === undefined ? 0 : roundToTicks(inst, ref, 'nearest'));
    const value = notional(inst, price, lots);
    return value + this.fees.fee(inst, lots, value, 'taker');
  }

  /** Market value of the position at the last close, signed. */
  marketValue(): Money {
    const inst = this.market.asset.instrument;
    const ref = this.market.referencePrice();
    if (ref === undefined) return 0n;
    return notional(inst, roundToTicks(inst, ref, 'nearest'), Math.abs(this.positionLots)) * BigInt(Math.sign(this.positionLots));
  }

  /**
   * Cash available for new buys (Alpaca's `buying_power` of a cash account, multiplier 1): cash less what
   * working buy orders hold and less the value of a short (its proceeds sit in the cash but are owed).
   */
  buyingPower(): Money {
    let reserved = this.heldTotal;
    for (const rec of this.unpricedBuys) reserved += this.reservation(rec);
    const mv = this.marketValue();
    const bp = this.cash - reserved + (mv < 0n ? mv : 0n);
    return bp > 0n ? bp : 0n;
  }

  /** Lots a new sell can take without going short: the long position less working sells. */
  sellableLots(): number {
    return Math.max(0, this.positionLots - this.sellingTotal);
  }

  private checkAffordable(side: 'buy' | 'sell', lots: number | undefined, cash: Money | undefined, ticks: number | undefined, replacing: AlpacaOrderRecord | undefined): void {
    const inst = this.market.asset.instrument;
    if (side === 'sell') {
      const available = this.sellableLots() + (replacing ? (replacing.qtyLots ?? 0) - replacing.filledLots : 0);
      const short = (lots ?? 0) - available;
      if (short <= 0) return;
      if (!this.market.asset.shortable) {
        throw forbidden(`insufficient qty available for order (requested: ${qtyText(inst, lots ?? 0)}, available: ${qtyText(inst, available)})`);
      }
      if (this.cost0f(short, ticks) > this.buyingPower()) throw forbidden('insufficient buying power');
      return;
    }
    const needed = cash ?? this.cost0f(lots ?? 0, ticks);
    const freed = replacing ? this.reservation(replacing) : 0n;
    if (needed > this.buyingPower() + freed) throw forbidden('insufficient buying power');
  }

  /** Refresh what `rec` commits (after it started working, filled, closed or was replaced). */
  private commit(rec: AlpacaOrderRecord): void {
    const key = rec.internalKey;
    const old = this.commitments.get(key);
    if (old !== undefined) {
      this.heldTotal -= old.hold;
      this.sellingTotal -= old.selling;
      this.commitments.delete(key);
    }
    this.unpricedBuys.delete(rec);
    if (this.working.get(key) !== rec) return;
    if (rec.side === 'buy' && rec.limitTicks === undefined && rec.stopTicks === undefined) {
      this.unpricedBuys.add(rec);
      return;
    }
    const c = { hold: this.reservation(rec), selling: rec.side === 'sell' ? (rec.qtyLots ?? 0) - rec.filledLots : 0 };
    this.commitments.set(key, c);
    this.heldTotal += c.hold;
    this.sellingTotal += c.selling;
  }

  private sendToEngine(rec: AlpacaOrderRecord, lots: number, cash: Money | undefined): void {
    const order = engineOrder(rec, lots, cash, this.market.asset.instrument.id);
    this.working.set(rec.internalKey, rec);
    this.engineOrders.set(rec.internalKey, { order, filled: 0 });
    this.commit(rec);
    this.ledger.received(order);
    // The venue's own checks above are its risk gate; the cast is where the wire meets the engine.
    this.venue.submit(order as ApprovedOrder);
    this.market.replay.drainDue();
  }

  private register(rec: AlpacaOrderRecord): void {
    this.byId.set(rec.id, rec);
    this.byClientId.set(rec.clientOrderId, rec);
    this.list.push(rec);
  }

  private close(rec: AlpacaOrderRecord, status: AlpacaOrderStatus, ts: number): void {
    rec.status = status;
    rec.updatedAt = ts;
    if (this.working.get(rec.internalKey) === rec) {
      this.working.delete(rec.internalKey);
      this.engineOrders.delete(rec.internalKey);
      this.commit(rec);
    }
  }

  private emit(event: string, rec: AlpacaOrderRecord, ts: number, extra: Partial<TradeUpdate> = {}): void {
    this.version++;
    if (this.listeners.size === 0) return;
    const u: TradeUpdate = { event, ...extra, timestamp: rfc3339(ts), order: this.json(rec) };
    for (const l of this.listeners) l(u);
  }

  /** Everything needed to rebuild the account after a process restart. */
  snapshot(): AccountState {
    return {
      name: this.name, seq: this.seq, cost: this.cost, orders: this.list, activities: this.activityLog, fills: this.ledger.fills(),
      working: [...this.working.keys()].map((k) => [k, this.engineOrders.get(k)!.order] as const),
    };
  }

  /**
   * Rebuild from a snapshot: the ledger by replaying its fills (cash and positions are a fold over them), the
   * records as saved, and the working orders sent to the matching engine again for what they have left.
   * Engine-internal state (queue position, a stop-limit already triggered) is not kept.
   */
  restore(s: AccountState): void {
    this.seq = s.seq;
    for (const f of s.fills) {
      if (!this.ledger.has(f.clientOrderId)) this.ledger.received(engineOrder(undefined, f.quantity, undefined, f.instrumentId, f.clientOrderId, f.side));
      this.ledger.onVenueReport({ type: 'order.filled', ts: f.ts, clientOrderId: f.clientOrderId, fill: f, leavesQuantity: 0 as Fill['quantity'] });
    }
    this.cost = s.cost;
    for (const rec of s.orders) this.register({ ...rec });
    this.activityLog.push(...s.activities);
    for (const [key] of s.working) {
      const rec = [...this.byId.values()].find((r) => r.internalKey === key && OPEN_STATUSES.has(r.status));
      if (rec === undefined) continue;
      const spent = rec.filledTickLots * this.market.asset.instrument.notionalUnit;
      this.sendToEngine(rec, rec.qtyLots === undefined ? 0 : rec.qtyLots - rec.filledLots, rec.notional === undefined ? undefined : rec.notional - spent);
    }
  }
}

