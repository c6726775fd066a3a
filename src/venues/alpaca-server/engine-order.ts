import type { Instrument, Money, OrderRequest } from '../../model/index.ts';
import { qtyText } from './amounts.ts';
import type { AlpacaOrderRecord } from './order-record.ts';

/** A signed position as Alpaca writes it. @example signedQty(orcl, -5) // "-5" */
export function signedQty(inst: Instrument, lots: number): string {
  return lots < 0 ? `-${qtyText(inst, -lots)}` : qtyText(inst, lots);
}

/** The matching engine's order for a record: Keel's OrderRequest, with the record's internal key as its id. */
export function engineOrder(
  rec: AlpacaOrderRecord | undefined, lots: number, cash: Money | undefined, instrumentId: string, key = rec?.internalKey ?? '', side = rec?.side ?? 'buy',
): OrderRequest {
  const common = {
    clientOrderId: key, strategyId: 'alpaca', instrumentId, side, quantity: lots as OrderRequest['quantity'],
    timeInForce: (rec?.timeInForce ?? 'gtc').toUpperCase() as OrderRequest['timeInForce'], reduceOnly: false, createdAt: rec?.createdAt ?? 0, tag: undefined,
  };
  const limitPrice = rec?.limitTicks as never;
  const stopPrice = rec?.stopTicks as never;
  switch (rec?.type ?? 'market') {
    case 'limit': return { ...common, type: 'limit', limitPrice };
    case 'stop': return { ...common, type: 'stop', stopPrice };
    case 'stop_limit': return { ...common, type: 'stop_limit', stopPrice, limitPrice };
    default: return { ...common, type: 'market', notional: cash };
  }
}
