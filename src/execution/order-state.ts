import type { OrderEvent, OrderStatus } from '../model/index.ts';

type Transition = OrderEvent['type'];

/** Every state an order can be in once it exists outside the OMS (a refused modification leaves it there). */
const SAME: Partial<Record<OrderStatus, OrderStatus>> = {
  DENIED: 'DENIED', SUBMITTED: 'SUBMITTED', ACCEPTED: 'ACCEPTED', REJECTED: 'REJECTED', PARTIALLY_FILLED: 'PARTIALLY_FILLED', FILLED: 'FILLED',
  CANCELED: 'CANCELED', EXPIRED: 'EXPIRED', PENDING_CANCEL: 'PENDING_CANCEL', PENDING_UPDATE: 'PENDING_UPDATE', UNKNOWN: 'UNKNOWN',
};

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
  'order.expired': { ACCEPTED: 'EXPIRED', PARTIALLY_FILLED: 'EXPIRED', PENDING_CANCEL: 'EXPIRED', PENDING_UPDATE: 'EXPIRED', UNKNOWN: 'EXPIRED' },
  // Only an order the venue holds as working can be replaced, and one replace at a time.
  'order.pending-update': { ACCEPTED: 'PENDING_UPDATE', PARTIALLY_FILLED: 'PENDING_UPDATE' },
  // Both answers resolve to ACCEPTED or PARTIALLY_FILLED by the fills so far; see nextStatus.
  'order.updated': { PENDING_UPDATE: 'ACCEPTED', UNKNOWN: 'ACCEPTED' },
  // A replace that lost the race against a fill, cancel or expiry is refused after the order finished: the
  // order stays where it is. Reconciliation, not a refused replace, settles an UNKNOWN order.
  'order.update-rejected': { PENDING_UPDATE: 'ACCEPTED', FILLED: 'FILLED', CANCELED: 'CANCELED', EXPIRED: 'EXPIRED', UNKNOWN: 'UNKNOWN' },
  // The gate refused a modification before anything was sent: nothing about the order changed.
  'order.update-denied': SAME,
};

/**
 * The status after `event`, or throws on an illegal transition. `filledLots` is what the order filled before
 * this event: an order coming back from PENDING_UPDATE is PARTIALLY_FILLED when it has fills.
 *
 * A partial fill while PENDING_UPDATE leaves the order PENDING_UPDATE: the replace is still in flight, and
 * the venue's answer to it is still to come (the fill was at the old terms).
 *
 * @example nextStatus('ACCEPTED', { type: 'order.filled', leavesQuantity: 5, ... }) // 'PARTIALLY_FILLED'
 */
export function nextStatus(current: OrderStatus, event: OrderEvent, filledLots = 0): OrderStatus {
  const to = NEXT[event.type][current];
  if (to === undefined) throw new Error(`illegal order transition: ${current} on ${event.type}`);
  if (event.type === 'order.filled' && event.leavesQuantity > 0) return current === 'PENDING_UPDATE' ? 'PENDING_UPDATE' : 'PARTIALLY_FILLED';
  if ((event.type === 'order.updated' || event.type === 'order.update-rejected') && to === 'ACCEPTED' && filledLots > 0) return 'PARTIALLY_FILLED';
  return to;
}
