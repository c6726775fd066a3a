import type { Contract, Order as IbOrder } from '@stoqey/ib';
import {
  KeelError, formatPrice, formatQuantity, numberToPlainString, toLots, toPriceTicks,
  type Instrument, type Lots, type OrderRequest, type OrderStatus, type OrderType, type PriceTicks,
} from '../../model/index.ts';
import type { IbSymbol } from './config.ts';

/**
 * Keel ↔ TWS API values. TWS speaks decimals as text on the wire; @stoqey/ib hands them over as doubles,
 * which are read back through their shortest decimal text onto the instrument's grid: exact for any price
 * or quantity on the grid, and a KeelError naming the field for anything off it (never rounded).
 */

const IB_TYPES: Readonly<Record<OrderType, string>> = { market: 'MKT', limit: 'LMT', stop: 'STP', stop_limit: 'STP LMT' };

/** IB's order type name back to Keel's, or undefined for types Keel does not trade (TRAIL, REL, …). */
export function keelTypeOf(ibType: string): OrderType | undefined {
  for (const [k, v] of Object.entries(IB_TYPES)) if (v === ibType) return k as OrderType;
  return undefined;
}

/**
 * The contract and order TWS gets for a Keel order. `orderRef` carries Keel's client order id: it is how a
 * restarted adapter recognises its orders (IB's order ids are per client id and per session).
 *
 * @example toIbOrder(limitBuy, aapl, 'DU1234567') // { action: 'BUY', totalQuantity: 10, orderType: 'LMT', lmtPrice: 187.25, tif: 'GTC', orderRef: 'sma-1', … }
 */
export function toIbOrder(o: OrderRequest, s: IbSymbol, account: string | undefined): { contract: Contract; order: IbOrder } {
  const inst = s.instrument;
  if (o.type === 'market' && o.notional !== undefined) {
    throw new KeelError('NOT_SUPPORTED', 'IB orders are sized in units here: a cash-sized (notional) order is refused, nothing was sent', { field: 'notional' });
  }
  const num = (text: string) => Number(text);
  const order: Record<string, unknown> = {
    action: o.side === 'buy' ? 'BUY' : 'SELL',
    totalQuantity: num(formatQuantity(inst, o.quantity)),
    orderType: IB_TYPES[o.type],
    tif: o.timeInForce,
    orderRef: o.clientOrderId,
    transmit: true,
    outsideRth: false,
    ...(account === undefined ? {} : { account }),
  };
  if (o.type === 'limit' || o.type === 'stop_limit') order.lmtPrice = num(formatPrice(inst, o.limitPrice));
  if (o.type === 'stop' || o.type === 'stop_limit') order.auxPrice = num(formatPrice(inst, o.stopPrice));
  return { contract: { ...s.contract } as Contract, order: order as unknown as IbOrder };
}

/**
 * TWS's order status → Keel's, or undefined while TWS has not acknowledged it (PendingSubmit, ApiPending).
 * PreSubmitted is an order IB holds (a stop not yet triggered, an order outside its session): accepted.
 * Inactive is an order TWS refused or suspended: rejected, with the reason its error message gave.
 *
 * @example keelStatusOf('PreSubmitted') // 'ACCEPTED'
 */
export function keelStatusOf(ibStatus: string, filled = 0): OrderStatus | undefined {
  switch (ibStatus) {
    case 'PendingSubmit': case 'ApiPending': return undefined;
    case 'PreSubmitted': case 'Submitted': return filled > 0 ? 'PARTIALLY_FILLED' : 'ACCEPTED';
    case 'PendingCancel': return 'PENDING_CANCEL';
    case 'Cancelled': case 'ApiCancelled': return 'CANCELED';
    case 'Filled': return 'FILLED';
    case 'Inactive': return 'REJECTED';
    default: return 'UNKNOWN';
  }
}

/** A double TWS sent, as exact lots (negative allowed for positions). */
export function lotsOf(inst: Instrument, x: number | undefined, field: string): Lots {
  if (x === undefined || !Number.isFinite(x)) throw new KeelError('BAD_VENUE_VALUE', 'is missing', { field, value: x });
  if (x === 0) return 0 as Lots;
  const lots = toLots(inst, Number(numberToPlainString(Math.abs(x))), field);
  return (x < 0 ? -lots : lots) as Lots;
}

/** A double price TWS sent, as exact ticks. */
export function ticksOf(inst: Instrument, x: number | undefined, field: string): PriceTicks {
  if (x === undefined || !Number.isFinite(x)) throw new KeelError('BAD_VENUE_VALUE', 'is missing', { field, value: x });
  return toPriceTicks(inst, Number(numberToPlainString(x)), field);
}

/**
 * An execution time as TWS writes it: `20240718 09:30:01 US/Eastern` (a zone name), `20240718-13:30:01`
 * (UTC) or `20240718  09:30:01` (the login's zone: `defaultZone`); epoch ms.
 *
 * @example parseExecutionTime('20240718 09:30:01 US/Eastern') // Date.parse('2024-07-18T13:30:01Z')
 */
export function parseExecutionTime(text: string | undefined, defaultZone = 'UTC'): number {
  const m = /^(\d{4})(\d{2})(\d{2})(-| +)(\d{2}):(\d{2}):(\d{2})(?: +(\S+))?$/.exec(String(text ?? '').trim());
  if (!m) throw new KeelError('BAD_TIMESTAMP', 'is not a TWS time (yyyymmdd hh:mm:ss [zone])', { field: 'execution.time', value: text });
  const zone = m[4] === '-' ? 'UTC' : m[8] ?? defaultZone;
  const utc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[5], +m[6], +m[7]);
  return utc - zoneOffsetMs(utc, zone === 'GMT' ? 'UTC' : zone);
}

/** The zone's offset from UTC at about that instant (the wall time read as UTC minus the instant). */
function zoneOffsetMs(utc: number, zone: string): number {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(utc);
  } catch {
    throw new KeelError('BAD_TIMESTAMP', 'names an unknown time zone', { field: 'execution.time zone', value: zone });
  }
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - utc;
}

/** `yyyymmdd-hh:mm:ss` (UTC): reqExecutions' time filter. */
export function executionFilterTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}
