import { formatScaled, parseScaled } from '../../model/index.ts';
import type { WireContract, WireExecution, WireOrder } from './messages.ts';

/**
 * The fake TWS's account: orders by client id and order id (as TWS keys them), executions with their
 * commissions, positions and cash, all in exact decimals (8 places). Matching is the server's business;
 * this only books what it decides.
 */
const SCALE = 8;
export const dec = (s: string): bigint => parseScaled(s, SCALE, 'decimal');
export const str = (u: bigint): string => {
  const t = formatScaled(u, SCALE);
  return t.includes('.') ? t.replace(/\.?0+$/, '') : t;
};
const mul = (a: bigint, b: bigint): bigint => (a * b) / 10n ** BigInt(SCALE);

export type Status = 'PreSubmitted' | 'Submitted' | 'Filled' | 'Cancelled' | 'Inactive';

export interface BookOrder extends Omit<WireOrder, 'status' | 'filled' | 'remaining' | 'avgFillPrice' | 'lastFillPrice' | 'totalQuantity' | 'lmtPrice' | 'auxPrice'> {
  status: Status;
  totalQuantity: string;
  lmtPrice: string | undefined;
  auxPrice: string | undefined;
  filledUnits: bigint;
  notionalUnits: bigint;
  lastFillPrice: string;
  /** Epoch ms of the last change (for reqExecutions and the tests). */
  updatedAt: number;
}

export interface BookExecution extends WireExecution {
  readonly key: string;
  /** Epoch ms. */
  readonly at: number;
}

export const keyOf = (clientId: number, orderId: number): string => `${clientId}:${orderId}`;
export const working = (o: BookOrder): boolean => o.status === 'PreSubmitted' || o.status === 'Submitted';

/** An order's wire view (status, filled, remaining and average price derived from its fills). */
export function wireOf(o: BookOrder): WireOrder {
  const total = dec(o.totalQuantity);
  const avg = o.filledUnits === 0n ? '0' : str((o.notionalUnits * 10n ** BigInt(SCALE)) / o.filledUnits);
  return {
    ...o, filled: str(o.filledUnits), remaining: str(working(o) ? total - o.filledUnits : 0n), avgFillPrice: avg,
    lastFillPrice: o.lastFillPrice,
  };
}

/** "yyyymmdd hh:mm:ss UTC": how TWS writes an execution time with its zone. */
export function twsTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC`;
}

export class TwsBook {
  readonly orders = new Map<string, BookOrder>();
  readonly executions: BookExecution[] = [];
  readonly positions = new Map<number, { contract: WireContract; units: bigint; costUnits: bigint }>();
  cashUnits: bigint;
  private execSeq = 0;

  private readonly commissionPerShare: string;
  private readonly minCommission: string;

  /** IB's fixed US stock pricing by default: 0.005 per share, at least 1.00 per order execution. */
  constructor(cash: string, commissionPerShare: string, minCommission: string) {
    this.cashUnits = dec(cash);
    this.commissionPerShare = commissionPerShare;
    this.minCommission = minCommission;
  }

  /** Book one execution of `shares` at `price` (decimal strings); returns it. */
  execute(o: BookOrder, shares: string, price: string, at: number): BookExecution {
    const q = dec(shares);
    const p = dec(price);
    o.filledUnits += q;
    o.notionalUnits += mul(q, p);
    o.lastFillPrice = price;
    o.updatedAt = at;
    if (o.filledUnits >= dec(o.totalQuantity)) o.status = 'Filled';
    const fee = (() => {
      const c = mul(q, dec(this.commissionPerShare));
      const min = dec(this.minCommission);
      return c < min ? min : c;
    })();
    const sign = o.action === 'BUY' ? 1n : -1n;
    this.cashUnits -= sign * mul(q, p) + fee;
    const pos = this.positions.get(o.contract.conId) ?? { contract: o.contract, units: 0n, costUnits: 0n };
    pos.units += sign * q;
    pos.costUnits += sign * mul(q, p);
    this.positions.set(o.contract.conId, pos);
    this.execSeq += 1;
    const e: BookExecution = {
      key: keyOf(o.clientId, o.orderId), at,
      // IB's execution ids look like 0000e0d5.6571b2a3.01.01; unique per execution.
      execId: `0000e0d5.${(0x6571a000 + this.execSeq).toString(16)}.01.01`, time: twsTime(at),
      shares, price, cumQty: str(o.filledUnits), avgPrice: wireOf(o).avgFillPrice, commission: str(fee), currency: o.contract.currency,
    };
    this.executions.push(e);
    return e;
  }
}

/** A float price on a decimal grid, as a decimal string. */
export function roundTo(x: number, tick: string): string {
  const t = dec(tick);
  const u = dec(x.toFixed(8));
  return str(((u + t / 2n) / t) * t);
}
