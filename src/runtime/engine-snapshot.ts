import type { RolloutAtSnapshot } from './rollout-restart.ts';
import type { Money, TradingState } from '../model/index.ts';
import type { ExecutionEngine, ManagedOrder } from '../execution/index.ts';
import type { ExposureState } from '../risk/index.ts';
import type { LedgerState, OpenTrip, Portfolio, RoundTripTracker } from '../portfolio/index.ts';

/**
 * An engine's state at one journal sequence (DESIGN.md "Persistence and recovery"): start-up restores it and
 * replays only the journal after it, instead of every event since the account opened. It holds exactly what
 * a replay of the journal up to that sequence would rebuild: the OMS (open orders in full, finished ones by
 * id), the exact ledger, the open round trips, the risk layer's positions and working orders, the trade ids
 * already booked, the order numbering and the trading state. Breaker windows and throttles are not kept:
 * they are about the last minutes, and a replay does not rebuild them either.
 */
export interface EngineSnapshot {
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly version: typeof SNAPSHOT_VERSION;
  readonly account: string;
  readonly initialCash: Money;
  readonly lastTs: number;
  readonly tradingState: { readonly to: TradingState; readonly reason: string } | undefined;
  /** Highest order number used per id prefix (`<strategy>-<n>`, `kill-switch-<n>`). */
  readonly orderSeqs: Readonly<Record<string, number>>;
  readonly openOrders: readonly ManagedOrder[];
  readonly finishedOrderIds: readonly string[];
  readonly tradeIds: readonly string[];
  readonly ledger: LedgerState;
  readonly openTrips: ReadonlyArray<{ readonly instrumentId: string; readonly trip: OpenTrip }>;
  readonly exposure: ExposureState;
  /** The last staged-rollout step before the snapshot (absent: none, or a snapshot from before rollouts). */
  readonly rollout?: RolloutAtSnapshot;
}

export const SNAPSHOT_FORMAT = 'keel.engine-snapshot';
export const SNAPSHOT_VERSION = 1;

/** The running engine's parts a snapshot reads and a restart writes back. */
export interface SnapshotParts {
  readonly account: string;
  readonly execution: ExecutionEngine;
  readonly portfolio: Portfolio;
  readonly trips: RoundTripTracker;
  readonly tradeIds: ReadonlySet<string>;
}

/** `<prefix>-<n>` → [prefix, n]: how strategies and the kill switch number their orders. */
export function orderNumber(clientOrderId: string): [string, number] | undefined {
  const m = /^(.*)-(\d+)$/.exec(clientOrderId);
  return m ? [m[1], Number(m[2])] : undefined;
}

/**
 * Capture the engine's state. Synchronous, so it is consistent: call it between two events, when every event
 * applied so far has been handed to the journal writer (the snapshot's sequence is the last of those).
 */
export function captureEngineSnapshot(
  p: SnapshotParts, base: { initialCash: Money; lastTs: number; tradingState: EngineSnapshot['tradingState']; orderSeqs: ReadonlyMap<string, number>; rollout?: RolloutAtSnapshot },
): EngineSnapshot {
  const seqs = new Map(base.orderSeqs);
  for (const o of p.execution.orders.all()) {
    if (o.status === 'INITIALIZED' || o.status === 'DENIED') continue;
    const n = orderNumber(o.request.clientOrderId);
    if (n) seqs.set(n[0], Math.max(seqs.get(n[0]) ?? 0, n[1]));
  }
  return {
    format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, account: p.account, initialCash: base.initialCash, lastTs: base.lastTs,
    tradingState: base.tradingState, orderSeqs: Object.fromEntries(seqs),
    openOrders: [...p.execution.orders.openOrders()].map((o) => ({ ...o })),
    finishedOrderIds: [...p.execution.orders.finishedIds()],
    tradeIds: [...p.tradeIds],
    ledger: p.portfolio.ledgerState(),
    openTrips: p.trips.openTrips(),
    exposure: p.execution.risk.exposure.state(),
    ...(base.rollout === undefined ? {} : { rollout: base.rollout }),
  };
}

/** Write a snapshot back into a freshly built engine (nothing replayed yet). Returns the trade ids to remember. */
export function restoreEngineSnapshot(p: Omit<SnapshotParts, 'tradeIds'>, s: EngineSnapshot): readonly string[] {
  p.execution.restoreOrders(s.openOrders, s.finishedOrderIds);
  p.execution.risk.exposure.restore(s.exposure);
  p.portfolio.restoreLedger(s.ledger);
  p.trips.restoreOpenTrips(s.openTrips);
  return s.tradeIds;
}

/**
 * Why a stored snapshot cannot be used (another format or version, another account), or undefined when it
 * can. An unusable snapshot is never fatal: the journal itself is the truth, and a full replay rebuilds the
 * same state more slowly.
 */
export function snapshotProblem(state: unknown, account: string): string | undefined {
  if (typeof state !== 'object' || state === null) return 'it is not an object';
  const s = state as Partial<EngineSnapshot>;
  if (s.format !== SNAPSHOT_FORMAT) return `its format is ${JSON.stringify(s.format)}, not ${SNAPSHOT_FORMAT}`;
  if (s.version !== SNAPSHOT_VERSION) return `its version is ${JSON.stringify(s.version)}; this Keel reads version ${SNAPSHOT_VERSION}`;
  if (s.account !== account) return `it is for account ${JSON.stringify(s.account)}, not ${JSON.stringify(account)}`;
  for (const key of ['openOrders', 'finishedOrderIds', 'tradeIds', 'openTrips'] as const) {
    if (!Array.isArray(s[key])) return `its ${key} is missing`;
  }
  if (typeof s.ledger !== 'object' || s.ledger === null || typeof s.exposure !== 'object' || s.exposure === null) return 'its ledger or exposure is missing';
  return undefined;
}
