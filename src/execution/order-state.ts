import type { OrderEvent, OrderStatus } from '../model/index.ts';

type Transition = OrderEvent['type'];

/**
 * Which event may move an order from which state. Anything else is a bug in a venue adapter or the OMS, and
 * throws: silently accepting "filled after canceled" is how books drift from the venue.
 */
const NEXT: Readonly<Record<Transition, Partial<Record<OrderStatus, OrderStatus>>>> = {
  'order.submitted': { INITIALIZED: 'SUBMITTED' },
  'order.denied': { INITIALIZED: 'DENIED' },
  'order.accepted': { SUBMITTED: 'ACCEPTED', UNKNOWN: 'ACCEPTED' },
  'order.rejected': { SUBMITTED: 'REJECTED', UNKNOWN: 'REJECTED' },
  // Fills resolve to PARTIALLY_FILLED or FILLED by the leaves quantity; see nextStatus.
  'order.filled': { SUBMITTED: 'FILLED', ACCEPTED: 'FILLED', PARTIALLY_FILLED: 'FILLED', PENDING_CANCEL: 'FILLED', PENDING_UPDATE: 'FILLED', UNKNOWN: 'FILLED' },
  'order.canceled': { SUBMITTED: 'CANCELED', ACCEPTED: 'CANCELED', PARTIALLY_FILLED: 'CANCELED', PENDING_CANCEL: 'CANCELED', PENDING_UPDATE: 'CANCELED', UNKNOWN: 'CANCELED' },
  'order.unknown': { SUBMITTED: 'UNKNOWN', ACCEPTED: 'UNKNOWN', PARTIALLY_FILLED: 'UNKNOWN', PENDING_CANCEL: 'UNKNOWN', PENDING_UPDATE: 'UNKNOWN' },
  'order.expired': { ACCEPTED: 'EXPIRED', PARTIALLY_FILLED: 'EXPIRED', PENDING_CANCEL: 'EXPIRED', UNKNOWN: 'EXPIRED' },
};

/**
 * The status after `event`, or throws on an illegal transition.
 *
 * @example nextStatus('ACCEPTED', { type: 'order.filled', leavesQuantity: 5, ... }) // 'PARTIALLY_FILLED'
 */
export function nextStatus(current: OrderStatus, event: OrderEvent): OrderStatus {
  const to = NEXT[event.type][current];
  if (to === undefined) throw new Error(`illegal order transition: ${current} on ${event.type}`);
  if (event.type === 'order.filled' && event.leavesQuantity > 0) return 'PARTIALLY_FILLED';
  return to;
}
