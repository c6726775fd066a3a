import type { OrderRequest } from '../model/index.ts';

declare const approvedByRisk: unique symbol;

/**
 * An order that passed the pre-trade gate. Venues accept nothing else (DESIGN.md principle 3): the brand can
 * only be applied inside `risk/`, so "forgot to call the risk engine" is a type error, not a code review item.
 */
export type ApprovedOrder = OrderRequest & { readonly [approvedByRisk]: true };

/** Only the risk engine calls this. */
export function markApproved(order: OrderRequest): ApprovedOrder {
  return order as ApprovedOrder;
}
