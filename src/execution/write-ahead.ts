import type { OrderEvent } from '../model/index.ts';

/** A request about to leave for a venue. */
export type VenueRequest =
  | { readonly kind: 'submit'; readonly event: Extract<OrderEvent, { type: 'order.submitted' }> }
  | { readonly kind: 'replace'; readonly event: Extract<OrderEvent, { type: 'order.pending-update' }> }
  | { readonly kind: 'cancel'; readonly ts: number; readonly clientOrderId: string; readonly reason: string };

/**
 * Write ahead, then act (DESIGN.md principle 4). The execution engine hands every venue request here before
 * it is sent, and every other order event as it happens; the journal (store/) implements it. `send` must be
 * called once the request is durable, and only then: an engine that crashes in between finds the intent in
 * the journal and asks the venue, instead of guessing.
 */
export interface WriteAheadLog {
  beforeSend(request: VenueRequest, send: () => void): void;
  record(event: OrderEvent): void;
}

/** No journal (backtests): requests go out at once. */
export const NO_WRITE_AHEAD: WriteAheadLog = {
  beforeSend(_request, send) {
    send();
  },
  record() {},
};
