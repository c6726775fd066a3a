import type { OrderType, VenueReport } from '../../../src/model/index.ts';
import type { ApprovedOrder } from '../../../src/risk/index.ts';
import type { VenueSession } from '../../../src/venues/index.ts';

/**
 * What one venue adapter gives the shared contract suite (`suite.ts`): a counterparty on loopback it can
 * drive (fills, rejections, outages) and the adapter connected to it. Register an adapter with
 *
 *   // test/venues/contract/<adapter>.contract.test.ts
 *   import { runVenueContract } from './suite.ts';
 *   runVenueContract(myHarness);
 *
 * A capability the adapter lacks is declared here (`replace`, `orderTypes`), and the suite then asserts the
 * adapter's clear refusal, sent before anything reaches the counterparty, instead of skipping the behaviour.
 */
export interface ContractHarness {
  /** Names the adapter in test titles: "alpaca", "ccxt (alpaca REST)", "ib", "fix". */
  readonly adapter: string;
  /** Start a fresh counterparty and connect the adapter to it. */
  start(): Promise<ContractRig>;
  /** Keel order types the adapter sends; each other type must be refused with a reason matching `typeRefusal`. */
  readonly orderTypes: readonly OrderType[];
  readonly typeRefusal?: RegExp;
  /** Cancel/replace: supported, or refused with an `order.update-rejected` whose reason matches `refusal`. */
  readonly replace: { readonly supported: true } | { readonly supported: false; readonly refusal: RegExp };
  /**
   * The order-entry budget the harness configured the adapter with (a token bucket): at most
   * `capacity + perSecond · t` order messages reach the counterparty in any t seconds.
   */
  readonly rateLimit: { readonly capacity: number; readonly perSecond: number };
  /** Per-wait timeout in ms for a report to arrive (polling adapters need more); default 5000. */
  readonly reportTimeoutMs?: number;
}

/** One execution as the counterparty booked it, in the instrument's lots and ticks. */
export interface Execution {
  readonly quantity: number;
  readonly price: number;
}

/** Kinds of order the suite asks the rig to build (the rig knows its market and picks the prices). */
export type OrderKind =
  /** A market buy the counterparty fills when `fill` is called. */
  | 'marketable'
  /** A limit buy far below the market: it works until canceled. */
  | 'resting'
  /** A resting (never triggering, never crossing) order of the given type. */
  | { readonly type: OrderType };

/** A counterparty on loopback and the adapter connected to it. */
export interface ContractRig {
  /** The connected adapter. Its reports are recorded in `reports` from the start. */
  readonly session: VenueSession;
  /** Every report the session delivered, in order. */
  readonly reports: VenueReport[];
  /** A risk-approved order on the rig's instrument with a fresh client order id (`quantity` in lots). */
  order(kind: OrderKind, quantity?: number): ApprovedOrder;
  /** The same terms with a new limit price `ticks` lower: what a cancel/replace sends. */
  repriced(order: ApprovedOrder, ticksLower: number): ApprovedOrder;
  /**
   * Make the counterparty fill the whole working order `clientOrderId` (a marketable one) in `parts`
   * executions (at least `parts` when the counterparty decides the split); resolves with the executions.
   */
  fill(clientOrderId: string, parts?: number): Promise<Execution[]>;
  /** The counterparty rejects the next new order it receives. */
  rejectNext(): void;
  /** The counterparty's own view of the orders bearing this client order id. */
  atCounterparty(clientOrderId: string): Promise<Array<{ readonly status: 'working' | 'filled' | 'canceled' | 'rejected'; readonly limitPrice?: number; readonly quantity: number }>>;
  /** Arrival times (epoch ms) of every order-entry message (new, cancel, replace) at the counterparty. */
  orderMessageTimes(): number[];
  /**
   * Cut the adapter's connection(s); run `whileDown` while the counterparty is unreachable or the
   * connection is down; then let the adapter reconnect by itself. Resolves once the counterparty is back.
   */
  outage(whileDown: () => Promise<void>): Promise<void>;
  /** A second adapter session on the same counterparty and account (a restart of the engine). */
  reopen(): Promise<{ readonly session: VenueSession; readonly reports: VenueReport[] }>;
  /** Close every session and the counterparty. */
  close(): Promise<void>;
}

/** Record a session's reports from now on. */
export function recordReports(session: VenueSession): VenueReport[] {
  const reports: VenueReport[] = [];
  session.onReport((r) => reports.push(r));
  return reports;
}
