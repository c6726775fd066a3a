import { defineInstrument, formatMoney, formatPrice, formatQuantity, type Instrument, type InstrumentSpec, type Money, type OrderEvent, type OrderRequest, type RiskEvent } from '../model/index.ts';
import type { Journal, JournalRecord } from '../store/index.ts';

/**
 * The order record regulators expect an algorithmic trader to keep (MiFID II RTS 6 art. 28 and RTS 25, SEC
 * 15c3-5's books and records): every order with its whole lifecycle, who or what sent it, why, under which
 * strategy version and past which pre-trade checks, its fills and cancels, and every use of the kill switch.
 * Built from the journal alone, so an export made years later says what the engine knew at the time.
 */

/** One step of an order's life, as journaled. */
export interface LifecycleStep {
  readonly seq: number;
  /** UTC, to the microsecond (the journal keeps milliseconds: the last three digits are zeros). */
  readonly time: string;
  /** The journal's event type without the `order.` prefix: submitted, accepted, filled, canceled, ... */
  readonly event: string;
  /** What the step said: the venue id, a reason, a fill's quantity and price, new terms. */
  readonly detail: string;
}

export interface FillRecord {
  readonly seq: number;
  readonly time: string;
  readonly tradeId: string;
  readonly venueOrderId: string;
  readonly quantity: string;
  readonly price: string;
  readonly fee: string;
  readonly liquidity: string;
}

export interface OrderRecord {
  readonly clientOrderId: string;
  readonly venueOrderId: string | null;
  readonly account: string;
  readonly strategy: string;
  readonly instrument: string;
  /** The strategy version the order came from, as journaled with its events (the identity's compact version id). */
  readonly strategyVersion: string | null;
  /** What that version is (the `strategy.identity` the engine journaled at its start): source hash, git commit, parameters. */
  readonly strategyIdentity: { readonly codeHash: string; readonly gitCommit: string | null; readonly gitDirty: boolean | null; readonly params: string; readonly keelVersion: string } | null;
  readonly side: string | null;
  readonly orderType: string | null;
  readonly quantity: string | null;
  readonly limitPrice: string | null;
  readonly stopPrice: string | null;
  readonly timeInForce: string | null;
  readonly reduceOnly: boolean | null;
  /** The strategy's own words for the decision (its order tag: "entry", "stop-loss"), or the kill switch's reason. */
  readonly decisionReason: string | null;
  /** Who or what sent it: `strategy:<id>`, `kill-switch:<who>` or `external` (adopted from the venue). */
  readonly sentBy: string;
  /** The pre-trade checks it passed, in the order they ran (empty when it was denied). */
  readonly riskChecksPassed: readonly string[];
  /** The check that refused it, and why (denied orders never reach a venue). */
  readonly denied: { readonly check: string; readonly reason: string } | null;
  readonly status: string;
  readonly filledQuantity: string;
  readonly submittedAt: string;
  readonly lifecycle: readonly LifecycleStep[];
  readonly fills: readonly FillRecord[];
}

export interface KillSwitchRecord {
  readonly seq: number;
  readonly time: string;
  readonly by: string;
  readonly reason: string;
  readonly canceled: readonly string[];
  readonly flattenOrders: readonly string[];
  readonly notFlattened: readonly string[];
}

/** An operator's action on the engine (cancel, kill, re-arm, pause), journaled with who asked. */
export interface OperatorActionRecord {
  readonly seq: number;
  readonly time: string;
  readonly action: string;
  readonly actor: string;
  readonly details: string;
}

export interface OrderRecords {
  readonly journal: string;
  /** The period asked for, [from, to), as UTC ISO times (null: open-ended). */
  readonly from: string | null;
  readonly to: string | null;
  readonly orders: readonly OrderRecord[];
  readonly killSwitches: readonly KillSwitchRecord[];
  readonly operatorActions: readonly OperatorActionRecord[];
}

/** UTC ISO-8601 with six fractional digits (`2025-01-02T03:04:05.678000Z`), as RTS 25 asks of order records. */
export function microsecondTime(ts: number): string {
  const whole = Math.floor(ts);
  const micros = Math.round((ts - whole) * 1000);
  return new Date(whole).toISOString().replace(/Z$/, `${String(micros).padStart(3, '0')}Z`);
}

const PAGE = 20_000;
const TYPES = [
  'engine.started', 'risk.checks', 'strategy.identity', 'risk.kill-switch', 'operator.action',
  'order.submitted', 'order.denied', 'order.accepted', 'order.rejected', 'order.filled', 'order.canceled', 'order.expired',
  'order.unknown', 'order.pending-update', 'order.updated', 'order.update-rejected', 'order.update-denied', 'order.cancel-requested',
];

interface Building {
  clientOrderId: string;
  venueOrderId: string | null;
  account: string;
  strategy: string;
  instrument: string;
  version: string | null;
  request: OrderRequest | undefined;
  sentBy: string;
  checks: readonly string[];
  denied: { check: string; reason: string } | null;
  status: string;
  filledLots: number;
  submittedTs: number;
  lifecycle: LifecycleStep[];
  fills: FillRecord[];
}

/**
 * Read the journal and build the order records of orders first sent (or denied) in [from, to), each with its
 * whole lifecycle (steps after `to` included), plus the kill-switch uses and operator actions in the period.
 *
 * @example
 * const records = await orderRecords(journal, { from: Date.parse('2025-01-01'), to: Date.parse('2025-02-01') });
 * records.orders[0].lifecycle.map((s) => s.event) // ['submitted', 'accepted', 'filled']
 */
export async function orderRecords(journal: Journal, period: { from?: number; to?: number } = {}): Promise<OrderRecords> {
  const inPeriod = (ts: number) => (period.from === undefined || ts >= period.from) && (period.to === undefined || ts < period.to);
  const orders = new Map<string, Building>();
  const killSwitches: KillSwitchRecord[] = [];
  const operatorActions: OperatorActionRecord[] = [];
  const killSwitchBy = new Map<string, { by: string; reason: string }>();
  let instrument: Instrument | undefined;
  let checks: { orders: readonly string[]; flatten: readonly string[] } = { orders: [], flatten: [] };
  let currency = 'USD';
  const identities = new Map<string, OrderRecord['strategyIdentity']>();
  for (let from = 1; ;) {
    const page = await journal.read({ fromSeq: from, limit: PAGE, types: TYPES });
    for (const r of page) {
      switch (r.type) {
        case 'engine.started': {
          const spec = (r.payload as { instrumentSpec?: InstrumentSpec }).instrumentSpec;
          if (spec) { instrument = defineInstrument(spec); currency = instrument.quoteCurrency; }
          break;
        }
        case 'strategy.identity': {
          const id = (r.payload as { identity?: { versionId: string; codeHash: string; git: { commit: string; dirty: boolean } | null; params: unknown; keelVersion: string } }).identity;
          if (id) identities.set(id.versionId, { codeHash: id.codeHash, gitCommit: id.git?.commit ?? null, gitDirty: id.git?.dirty ?? null, params: JSON.stringify(id.params), keelVersion: id.keelVersion });
          break;
        }
        case 'risk.checks': {
          const p = r.payload as { orders?: string[]; flatten?: string[] };
          checks = { orders: p.orders ?? [], flatten: p.flatten ?? [] };
          break;
        }
        case 'risk.kill-switch': {
          const k = r.payload as Extract<RiskEvent, { type: 'risk.kill-switch' }>;
          for (const id of k.flattenOrders) killSwitchBy.set(id, { by: k.by, reason: k.reason });
          if (inPeriod(r.ts)) {
            killSwitches.push({ seq: r.seq, time: microsecondTime(r.ts), by: k.by, reason: k.reason, canceled: k.canceled, flattenOrders: k.flattenOrders, notFlattened: k.notFlattened });
          }
          break;
        }
        case 'operator.action': {
          if (!inPeriod(r.ts)) break;
          const { action, actor, ...details } = r.payload as { action: string; actor: string };
          operatorActions.push({ seq: r.seq, time: microsecondTime(r.ts), action, actor, details: JSON.stringify(details) });
          break;
        }
        default: orderEvent(r);
      }
    }
    if (page.length < PAGE) break;
    from = page[page.length - 1].seq + 1;
  }

  function orderEvent(r: JournalRecord): void {
    const e = r.payload as OrderEvent | { type: 'order.cancel-requested'; ts: number; clientOrderId: string; reason: string };
    const id = e.type === 'order.submitted' ? e.order.clientOrderId : e.clientOrderId;
    let o = orders.get(id);
    if (o === undefined) {
      if ((e.type !== 'order.submitted' && e.type !== 'order.denied') || !inPeriod(r.ts)) return;
      const request = e.type === 'order.submitted' ? e.order : undefined;
      const kill = killSwitchBy.get(id) ?? (id.startsWith('kill-switch-') ? { by: 'unknown', reason: 'kill switch' } : undefined);
      const strategy = request?.strategyId ?? r.stream.strategy ?? id.replace(/-\d+$/, '');
      o = {
        clientOrderId: id, venueOrderId: null, account: r.stream.account, strategy, instrument: request?.instrumentId ?? r.stream.instrument ?? '',
        version: r.version ?? null, request,
        sentBy: kill ? `kill-switch:${kill.by}` : strategy === 'external' ? 'external' : `strategy:${strategy}`,
        checks: e.type === 'order.denied' ? [] : kill ? checks.flatten : checks.orders,
        denied: e.type === 'order.denied' ? { check: e.check, reason: e.reason } : null,
        status: e.type === 'order.denied' ? 'DENIED' : 'SUBMITTED', filledLots: 0, submittedTs: r.ts, lifecycle: [], fills: [],
      };
      orders.set(id, o);
    }
    if (o.version === null && r.version !== undefined) o.version = r.version;
    o.lifecycle.push({ seq: r.seq, time: microsecondTime(r.ts), event: e.type.replace(/^order\./, ''), detail: detailOf(e) });
    switch (e.type) {
      case 'order.submitted': case 'order.denied': case 'order.pending-update': case 'order.update-denied': case 'order.update-rejected': case 'order.cancel-requested': break;
      case 'order.updated': o.request = e.order; break;
      case 'order.accepted': o.venueOrderId = e.venueOrderId; if (o.status === 'SUBMITTED') o.status = 'ACCEPTED'; break;
      case 'order.rejected': o.status = 'REJECTED'; break;
      case 'order.canceled': o.status = 'CANCELED'; break;
      case 'order.expired': o.status = 'EXPIRED'; break;
      case 'order.unknown': o.status = 'UNKNOWN'; break;
      case 'order.filled': {
        const f = e.fill;
        o.filledLots += f.quantity;
        o.venueOrderId ??= f.venueOrderId;
        o.status = e.leavesQuantity === 0 ? 'FILLED' : 'PARTIALLY_FILLED';
        o.fills.push({
          seq: r.seq, time: microsecondTime(r.ts), tradeId: f.tradeId, venueOrderId: f.venueOrderId,
          quantity: qty(f.quantity), price: px(f.price), fee: formatMoney(f.fee as Money, currency), liquidity: f.liquidity,
        });
        break;
      }
    }
  }

  function qty(lots: number): string {
    return instrument ? formatQuantity(instrument, lots) : String(lots);
  }
  function px(ticks: number): string {
    return instrument ? formatPrice(instrument, ticks) : String(ticks);
  }
  function detailOf(e: { type: string } & Record<string, unknown>): string {
    switch (e.type) {
      case 'order.submitted': case 'order.updated': case 'order.pending-update': return terms(e.order as OrderRequest);
      case 'order.accepted': return `venue order ${String(e.venueOrderId)}`;
      case 'order.filled': {
        const f = (e as unknown as Extract<OrderEvent, { type: 'order.filled' }>).fill;
        return `${qty(f.quantity)} at ${px(f.price)}, leaves ${qty(e.leavesQuantity as number)}, trade ${f.tradeId}`;
      }
      case 'order.denied': case 'order.update-denied': return `${String(e.check)}: ${String(e.reason)}`;
      default: return typeof e.reason === 'string' ? e.reason : '';
    }
  }
  function terms(o: OrderRequest): string {
    const price = o.type === 'limit' ? ` ${px(o.limitPrice)}` : o.type === 'stop' ? ` ${px(o.stopPrice)}` : o.type === 'stop_limit' ? ` stop ${px(o.stopPrice)} limit ${px(o.limitPrice)}` : '';
    const size = o.type === 'market' && o.notional !== undefined ? `${formatMoney(o.notional, currency)} ${currency} of` : qty(o.quantity);
    return `${o.side} ${size} ${o.instrumentId} ${o.type}${price} ${o.timeInForce}${o.reduceOnly ? ' reduce-only' : ''}`;
  }

  const built: OrderRecord[] = [...orders.values()].map((o) => {
    const q = o.request;
    const kill = killSwitchBy.get(o.clientOrderId);
    return {
      clientOrderId: o.clientOrderId, venueOrderId: o.venueOrderId, account: o.account, strategy: o.strategy, instrument: o.instrument,
      strategyVersion: o.version, strategyIdentity: o.version === null ? null : identities.get(o.version) ?? null,
      side: q?.side ?? null, orderType: q?.type ?? null,
      quantity: q === undefined ? null : q.type === 'market' && q.notional !== undefined ? `${formatMoney(q.notional, currency)} ${currency}` : qty(q.quantity),
      limitPrice: q && (q.type === 'limit' || q.type === 'stop_limit') ? px(q.limitPrice) : null,
      stopPrice: q && (q.type === 'stop' || q.type === 'stop_limit') ? px(q.stopPrice) : null,
      timeInForce: q?.timeInForce ?? null, reduceOnly: q?.reduceOnly ?? null,
      decisionReason: kill ? `kill switch: ${kill.reason}` : q?.tag ?? null,
      sentBy: o.sentBy, riskChecksPassed: o.checks, denied: o.denied, status: o.status, filledQuantity: qty(o.filledLots),
      submittedAt: microsecondTime(o.submittedTs), lifecycle: o.lifecycle, fills: o.fills,
    };
  });
  return {
    journal: journal.location,
    from: period.from === undefined ? null : new Date(period.from).toISOString(),
    to: period.to === undefined ? null : new Date(period.to).toISOString(),
    orders: built, killSwitches, operatorActions,
  };
}
