import { EventName, type Contract, type Execution, type IBApi, type Order as IbOrder, type OrderState } from '@stoqey/ib';
import { parseMoney, type Fill, type OrderRequest, type TimeInForce, type VenueReport } from '../../model/index.ts';
import type { VenueSnapshot } from '../../execution/index.ts';
import type { IbSymbol } from './config.ts';
import { executionFilterTime, keelStatusOf, keelTypeOf, lotsOf, parseExecutionTime, ticksOf } from './mapping.ts';
import type { IbOrderTracker } from './order-tracker.ts';

/** What the queries need from the venue: the client, the rate budget, request ids and who is who. */
export interface QueryContext {
  readonly api: IBApi;
  /** Wait for a token of the shared rate budget (every request is a message against IB's pacing). */
  take(): Promise<void>;
  nextReqId(): number;
  readonly requestMs: number;
  readonly clientId: number;
  readonly account: string | undefined;
  readonly symbols: readonly IbSymbol[];
  readonly tracker: IbOrderTracker;
}

export interface OpenOrderSeen {
  readonly orderId: number;
  readonly contract: Contract;
  readonly order: IbOrder;
  readonly state: OrderState;
  filled: number;
}

/** Send a request and gather what arrives until its end message (or fail after `requestMs`). */
async function gather<T>(q: QueryContext, what: string, listen: (push: (x: T) => void, end: () => void) => () => void, send: () => void): Promise<T[]> {
  await q.take();
  const items: T[] = [];
  return new Promise<T[]>((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`IB did not finish answering ${what} within ${q.requestMs} ms`)); }, q.requestMs);
    const off = listen((x) => items.push(x), () => { clearTimeout(timer); off(); resolve(items); });
    send();
  });
}

/** reqAllOpenOrders: the account's working orders (every API client's) with their terms and filled quantity. */
export function openOrders(q: QueryContext): Promise<OpenOrderSeen[]> {
  const byId = new Map<string, OpenOrderSeen>();
  return gather<OpenOrderSeen>(q, 'reqAllOpenOrders', (push, end) => {
    // Order ids are per client id: key by both.
    const onOpen = (orderId: number, contract: Contract, order: IbOrder, state: OrderState) => {
      const key = `${order.clientId}:${orderId}`;
      const seen = { orderId, contract, order, state, filled: byId.get(key)?.filled ?? 0 };
      byId.set(key, seen);
      push(seen);
    };
    const onStatus = (orderId: number, _status: string, filled: number, _rem: number, _avg: number, _perm?: number, _parent?: number, _last?: number, clientId?: number) => {
      const s = byId.get(`${clientId}:${orderId}`);
      if (s) s.filled = filled ?? 0;
    };
    q.api.on(EventName.openOrder, onOpen).on(EventName.orderStatus, onStatus).once(EventName.openOrderEnd, end);
    return () => { q.api.off(EventName.openOrder, onOpen).off(EventName.orderStatus, onStatus).off(EventName.openOrderEnd, end); };
  }, () => q.api.reqAllOpenOrders()).then(() => [...byId.values()]);
}

/** reqExecutions since `since` (every client's of the account): each execution with its commission when TWS sent one. */
export async function executions(q: QueryContext, since: number): Promise<Array<{ contract: Contract; execution: Execution; commission: number | undefined }>> {
  const reqId = q.nextReqId();
  const commissions = new Map<string, number>();
  const onCommission = (r: { execId?: string; commission?: number }) => { if (r.execId) commissions.set(r.execId, r.commission ?? 0); };
  q.api.on(EventName.commissionReport, onCommission);
  try {
    const list = await gather<{ contract: Contract; execution: Execution }>(q, 'reqExecutions', (push, end) => {
      const onExec = (id: number, contract: Contract, execution: Execution) => { if (id === reqId) push({ contract, execution }); };
      const onEnd = (id: number) => { if (id === reqId) end(); };
      q.api.on(EventName.execDetails, onExec).on(EventName.execDetailsEnd, onEnd);
      return () => { q.api.off(EventName.execDetails, onExec).off(EventName.execDetailsEnd, onEnd); };
    }, () => q.api.reqExecutions(reqId, { acctCode: q.account, time: executionFilterTime(Math.max(0, since)) } as never));
    // Commission reports trail their executions: give the last ones a moment.
    await new Promise((r) => setTimeout(r, list.every((x) => commissions.has(x.execution.execId ?? '')) ? 0 : 100));
    return list.map((x) => ({ ...x, commission: commissions.get(x.execution.execId ?? '') }));
  } finally {
    q.api.off(EventName.commissionReport, onCommission);
  }
}

/** One account value as TWS reports it (`NetLiquidation`, `TotalCashValue`, `BuyingPower` …), text as sent. */
export interface IbAccountValue {
  readonly key: string;
  readonly value: string;
  readonly currency: string;
  readonly account: string;
}

/** reqAccountUpdates for the account until accountDownloadEnd, then unsubscribed: every value TWS sent. */
export async function accountValues(q: QueryContext): Promise<IbAccountValue[]> {
  const values = await gather<IbAccountValue>(q, 'reqAccountUpdates', (push, end) => {
    const onValue = (key: string, value: string, currency: string, account: string) => push({ key, value, currency, account });
    q.api.on(EventName.updateAccountValue, onValue).once(EventName.accountDownloadEnd, end);
    return () => { q.api.off(EventName.updateAccountValue, onValue).off(EventName.accountDownloadEnd, end); };
  }, () => q.api.reqAccountUpdates(true, q.account));
  q.api.reqAccountUpdates(false, q.account);
  return values;
}

/**
 * Everything IB holds for the account, as reconciliation reads it: open orders (by their orderRef, Keel's
 * client order id), this client's executions since `since`, positions of the configured contracts in lots,
 * and the cash (TotalCashValue).
 */
export async function snapshot(q: QueryContext, since: number, now: number): Promise<VenueSnapshot> {
  const open = await openOrders(q);
  const execs = await executions(q, since);
  const positions: Record<string, number> = {};
  await gather<void>(q, 'reqPositions', (_push, end) => {
    const onPos = (account: string, contract: Contract, pos: number) => {
      if (q.account !== undefined && account !== q.account) return;
      const s = symbolOf(q.symbols, contract);
      if (s) positions[s.instrument.id] = lotsOf(s.instrument, pos, `position ${contract.symbol}`);
    };
    q.api.on(EventName.position, onPos).once(EventName.positionEnd, end);
    return () => { q.api.off(EventName.position, onPos).off(EventName.positionEnd, end); };
  }, () => q.api.reqPositions());
  q.api.cancelPositions();
  const cashValue = (await accountValues(q)).find((v) => v.key === 'TotalCashValue' && (v.currency === 'USD' || v.currency === 'BASE'));
  const cash = cashValue === undefined ? 0n : parseMoney(cashValue.value, 'TotalCashValue');

  const orders: Array<VenueSnapshot['orders'][number]> = [];
  const openTerms: Array<OrderRequest & { filledLots: number }> = [];
  for (const o of open) {
    const s = symbolOf(q.symbols, o.contract);
    const clientOrderId = o.order.orderRef || `ib-${o.order.permId ?? o.orderId}`;
    const status = keelStatusOf(o.state.status ?? '', o.filled) ?? 'SUBMITTED';
    orders.push({ clientOrderId, status, venueOrderId: String(o.order.permId ?? o.orderId) });
    const type = keelTypeOf(String(o.order.orderType ?? ''));
    if (!s || type === undefined) continue;
    const inst = s.instrument;
    const base = {
      clientOrderId, strategyId: q.tracker.get(clientOrderId)?.request.strategyId ?? '', instrumentId: inst.id, side: o.order.action === 'SELL' ? 'sell' as const : 'buy' as const,
      quantity: lotsOf(inst, o.order.totalQuantity, 'openOrder.totalQuantity'), timeInForce: tifOf(o.order.tif), reduceOnly: false, createdAt: 0, tag: undefined,
      filledLots: o.filled ? lotsOf(inst, o.filled, 'orderStatus.filled') : 0,
    };
    const lmt = () => ticksOf(inst, o.order.lmtPrice, 'openOrder.lmtPrice');
    const stp = () => ticksOf(inst, o.order.auxPrice, 'openOrder.auxPrice');
    switch (type) {
      case 'market': openTerms.push({ ...base, type, notional: undefined }); break;
      case 'limit': openTerms.push({ ...base, type, limitPrice: lmt() }); break;
      case 'stop': openTerms.push({ ...base, type, stopPrice: stp() }); break;
      case 'stop_limit': openTerms.push({ ...base, type, limitPrice: lmt(), stopPrice: stp() }); break;
    }
  }
  // Orders of this session that finished: IB's open orders no longer list them.
  const listed = new Set(orders.map((o) => o.clientOrderId));
  for (const t of q.tracker.all()) {
    if (!t.done || listed.has(t.keelId) || t.final === undefined) continue;
    orders.push({ clientOrderId: t.keelId, status: t.final, venueOrderId: q.tracker.venueId(t) });
  }
  const fills: Fill[] = [];
  for (const x of execs) {
    const s = symbolOf(q.symbols, x.contract);
    if (!s || parseExecutionTime(x.execution.time) < since) continue;
    const owner = x.execution.orderRef || `ib-${x.execution.permId ?? x.execution.orderId}`;
    fills.push(q.tracker.toFill(x.execution, s, { clientOrderId: owner, strategyId: q.tracker.get(owner)?.request.strategyId ?? '' }, x.commission ?? 0));
  }
  fills.sort((a, b) => a.ts - b.ts);
  return { orders, openOrders: openTerms, fills, positions, cash: cash as never, ts: now };
}

/**
 * After a (re)connect: IB's open orders and the executions since the oldest working order (minus the
 * look-back). Missed fills go to `onExecution` (the tracker reports each execId once); a working order of
 * this client IB no longer lists and no fill completed finished while we were away: order.unknown, and
 * reconciliation settles it.
 */
export async function catchUp(q: QueryContext, o: { lookbackMs: number; now: () => number; onExecution: (e: Execution) => void; emit: (r: VenueReport[]) => void }): Promise<void> {
  const open = await openOrders(q);
  const working = q.tracker.working().filter((t) => t.orderId !== undefined);
  const since = Math.min(o.now(), ...working.map((t) => t.request.createdAt || o.now())) - o.lookbackMs;
  for (const x of await executions(q, since)) {
    o.onExecution(x.execution);
    if (x.execution.execId) o.emit(q.tracker.onCommission(x.execution.execId, x.commission ?? 0));
  }
  const listed = new Set(open.filter((x) => x.order.clientId === q.clientId).map((x) => x.orderId));
  for (const t of working) {
    if (t.done || listed.has(t.orderId!) || !t.accepted) continue;
    o.emit([{ type: 'order.unknown', ts: o.now(), clientOrderId: t.keelId, reason: 'IB no longer lists the order as open and no fill completes it: it finished while disconnected' }]);
  }
}

/** The configured symbol a TWS contract is (by conId when configured, else symbol, type and currency). */
export function symbolOf(symbols: readonly IbSymbol[], c: Contract): IbSymbol | undefined {
  return symbols.find((s) => (s.contract.conId !== undefined && s.contract.conId === c.conId)
    || (s.contract.symbol === c.symbol && s.contract.secType === c.secType && (c.currency === undefined || s.contract.currency === c.currency)));
}

function tifOf(tif: unknown): TimeInForce {
  return tif === 'DAY' || tif === 'IOC' || tif === 'FOK' ? tif : 'GTC';
}
