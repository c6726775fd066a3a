import type { Execution } from '@stoqey/ib';

/** What IB holds under one orderRef from before this session: the order's ids and its executions. */
export interface PriorOrder {
  readonly orderId: number;
  readonly permId: number | undefined;
  readonly clientId: number | undefined;
  readonly executions: Execution[];
}

/**
 * Orders and executions at IB that no tracked order claims, by orderRef (Keel's client order id): what a
 * restarted engine may submit again, to be recognised instead of placed twice.
 *
 * @example prior.remember('sma-7', { orderId: 12, permId: 1880000003, clientId: 7 }).executions.push(e);
 */
export class PriorOrders {
  private readonly byRef = new Map<string, PriorOrder>();

  get(ref: string): PriorOrder | undefined {
    return this.byRef.get(ref);
  }

  remember(ref: string, x: { orderId: number; permId: number | undefined; clientId: number | undefined }): PriorOrder {
    const had = this.byRef.get(ref);
    const entry = { ...x, permId: x.permId ?? had?.permId, executions: had?.executions ?? [] };
    this.byRef.set(ref, entry);
    return entry;
  }
}
