import type { VenueReport } from '../model/index.ts';
import type { ApprovedOrder } from '../risk/index.ts';

/**
 * What the execution engine needs from a venue: order entry that takes only risk-approved orders. The full
 * `Venue` interface (queries, capabilities) extends this in `venues/`.
 */
export interface VenueGateway {
  readonly name: string;
  submit(order: ApprovedOrder): void;
  cancel(clientOrderId: string): void;
  /**
   * Cancel/replace a working order with new terms (same client order id, type, side, instrument). The
   * replacement passed the gate like any order, hence an ApprovedOrder. The venue answers with
   * `order.updated` or `order.update-rejected`.
   */
  replace(order: ApprovedOrder): void;
}

/** Where a venue delivers its reports (accepted, rejected, filled, canceled, expired, updated, update-rejected). */
export interface VenueReportSink {
  onVenueReport(report: VenueReport): void;
}
