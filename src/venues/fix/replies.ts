import type { VenueReport } from '../../model/index.ts';
import type { FixConfig } from './config.ts';
import { isFinal } from './executions.ts';
import type { SessionStore } from './session-store.ts';
import { parseFixTime, type FixField, type FixMessage } from './wire.ts';

/**
 * The FIX venue's answers to the counterparty's refusals (session Reject, BusinessMessageReject,
 * OrderCancelReject) and its resend policy, on the session store.
 */
export interface ReplyContext {
  readonly store: SessionStore;
  readonly config: FixConfig;
  readonly emit: (reports: readonly VenueReport[]) => void;
  readonly log: (line: string) => void;
  readonly stamp: () => number;
}

/**
 * FIX's resend, order by order: a NewOrderSingle goes out again only while it is recent and unanswered (an
 * order the counterparty acknowledged, or one older than `resend.maxOrderAgeMs`, is gap-filled; the old one
 * is then rejected as never reached). A cancel goes again while the order works; a replace only while it is
 * the one in flight; a status request never (reconciliation asks afresh).
 */
export function mayResend(msgType: string, body: readonly FixField[], orig: string | undefined, c: ReplyContext): boolean {
  const fixId = body.find(([t]) => t === 11)?.[1] ?? '';
  const o = c.store.orderByFixId(fixId);
  if (!o) return false;
  const age = Date.now() - (parseFixTime(orig) ?? 0);
  switch (msgType) {
    case 'D': {
      if (o.status !== 'SUBMITTED') return false;
      if (age <= c.config.resend.maxOrderAgeMs) { c.log(`resending ${fixId} (first sent ${age} ms ago)`); return true; }
      o.status = 'REJECTED';
      o.reason = `not resent: ${c.config.targetCompId} asked for it again ${age} ms after it was first sent (resend.maxOrderAgeMs ${c.config.resend.maxOrderAgeMs}); it never reached the venue`;
      c.store.putOrder(o);
      c.emit([{ type: 'order.rejected', ts: c.stamp(), clientOrderId: String(o.request.clientOrderId), reason: o.reason }]);
      return false;
    }
    case 'F': return !isFinal(o.status) && o.pendingCancel?.fixId === fixId;
    case 'G': {
      if (o.pendingReplace?.fixId !== fixId) return false;
      if (!isFinal(o.status) && age <= c.config.resend.maxOrderAgeMs) return true;
      o.pendingReplace = undefined;
      c.store.putOrder(o);
      c.emit([{ type: 'order.update-rejected', ts: c.stamp(), clientOrderId: String(o.request.clientOrderId), reason: 'the replacement was not resent: too old, or the order finished' }]);
      return false;
    }
    default: return false;
  }
}

/** OrderCancelReject: a refused replace is `order.update-rejected`; a refused cancel leaves the order as it is. */
export function onCancelReject(m: FixMessage, c: ReplyContext): void {
  const o = c.store.orderByFixId(m.get(11) ?? '') ?? c.store.orderByFixId(m.get(41) ?? '');
  if (!o) return c.log(`OrderCancelReject for ClOrdID ${m.get(11)} this session never sent`);
  const id = String(o.request.clientOrderId);
  const text = m.get(58) ?? `CxlRejReason ${m.get(102) ?? '?'}`;
  if (m.get(434) === '2' && o.pendingReplace) {
    o.pendingReplace = undefined;
    c.store.putOrder(o);
    return c.emit([{ type: 'order.update-rejected', ts: c.stamp(), clientOrderId: id, reason: text }]);
  }
  o.pendingCancel = undefined;
  c.store.putOrder(o);
  c.log(`cancel of ${id} refused by ${c.config.targetCompId}: ${text}`);
}

/** A session Reject (3) or BusinessMessageReject (j) of one of our messages, found by RefSeqNum (45). */
export function onRefusal(m: FixMessage, c: ReplyContext, statusPending: boolean): 'status-unsupported' | undefined {
  const ref = Number(m.get(45));
  const text = `${m.msgType === '3' ? 'Reject' : 'BusinessMessageReject'} of our message ${ref}${m.get(372) ? ` (${m.get(372)})` : ''}: ${m.get(58) ?? 'no reason given'}${m.get(371) ? ` (tag ${m.get(371)})` : ''}`;
  for (const o of c.store.orders()) {
    const id = String(o.request.clientOrderId);
    if (o.seq === ref && o.status === 'SUBMITTED') {
      o.status = 'REJECTED';
      o.reason = text;
      c.store.putOrder(o);
      c.emit([{ type: 'order.rejected', ts: c.stamp(), clientOrderId: id, reason: text }]);
      return undefined;
    }
    if (o.pendingReplace?.seq === ref) {
      o.pendingReplace = undefined;
      c.store.putOrder(o);
      c.emit([{ type: 'order.update-rejected', ts: c.stamp(), clientOrderId: id, reason: text }]);
      return undefined;
    }
    if (o.pendingCancel?.seq === ref) {
      o.pendingCancel = undefined;
      c.store.putOrder(o);
      c.log(`cancel of ${id} refused: ${text}`);
      return undefined;
    }
  }
  if (m.get(372) === 'H' || (m.get(372) === undefined && statusPending)) {
    // The counterparty takes no OrderStatusRequest (QuickFIX's executor): the store's state stands.
    c.log(`${c.config.targetCompId} does not answer OrderStatusRequest (${text}); reconciliation uses the session's own record`);
    return 'status-unsupported';
  }
  c.log(text);
  return undefined;
}
