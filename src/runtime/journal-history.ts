import type { Money, OrderEvent, RolloutStageEvent, TradingState } from '../model/index.ts';
import { rolloutAtSnapshot, type RolloutAtSnapshot } from './rollout-restart.ts';
import type { Journal } from '../store/index.ts';
import { orderNumber, snapshotProblem, type EngineSnapshot } from './engine-snapshot.ts';

/** Order event types the engine replays on start (everything else in the journal is audit and context). */
const ORDER_EVENTS: readonly string[] = [
  'order.submitted', 'order.accepted', 'order.rejected', 'order.filled', 'order.canceled', 'order.expired', 'order.unknown',
  'order.pending-update', 'order.updated', 'order.update-rejected',
];
/** Everything start-up reads: the order events and the few others that carry state. */
const HISTORY_TYPES: readonly string[] = [...ORDER_EVENTS, 'engine.started', 'risk.state-changed', 'rollout.stage-changed'];

/** Records per read while folding the journal, so a long tail never sits in memory twice. */
const PAGE = 20_000;

export interface JournalHistory {
  /** An engine ran on this journal before: this start is a restart. */
  readonly started: boolean;
  readonly initialCash: Money | undefined;
  /** Time of the last journaled event (the engine clock never goes back). */
  readonly lastTs: number;
  /** The snapshot start-up begins from, if a usable one exists. */
  readonly snapshot: { readonly seq: number; readonly state: EngineSnapshot } | undefined;
  /** Why a stored snapshot was not used (the journal was replayed in full instead). */
  readonly snapshotSkipped: string | undefined;
  /** Order events after the snapshot (all of them without one), in journal order. */
  readonly orderEvents: readonly OrderEvent[];
  /** The last trading-state change, to come back in the same state. */
  readonly tradingState: { readonly to: TradingState; readonly reason: string } | undefined;
  /** The last staged-rollout step (a restart ends a rollout under way: rollout-restart.ts). */
  readonly rollout: RolloutAtSnapshot | undefined;
  /** Highest order number per id prefix (`<strategy>-<n>` ids, `kill-switch-<n>`), so numbering continues. */
  readonly orderSeqs: ReadonlyMap<string, number>;
  /** The strategy version each order of the tail was submitted under (the journal's version column). */
  readonly submittedVersions: ReadonlyMap<string, string>;
  lastOrderSeq(prefix: string): number;
}

/**
 * Read what a previous run left: the latest usable engine snapshot, then the journal after it (the tail),
 * in pages. The fold over the tail is the same as over a whole journal.
 */
export async function readJournalHistory(journal: Journal, account: string): Promise<JournalHistory> {
  const stored = await journal.latestSnapshot();
  let snapshot: JournalHistory['snapshot'];
  let snapshotSkipped: string | undefined;
  if (stored !== undefined) {
    const problem = snapshotProblem(stored.state, account);
    if (problem === undefined) snapshot = { seq: stored.seq, state: stored.state as EngineSnapshot };
    else snapshotSkipped = `snapshot at seq ${stored.seq} not used: ${problem}; replaying the whole journal`;
  }
  const s = snapshot?.state;
  let started = s !== undefined;
  let initialCash = s?.initialCash;
  let lastTs = s?.lastTs ?? 0;
  let tradingState = s?.tradingState;
  let rollout = s?.rollout;
  const seqs = new Map<string, number>(s ? Object.entries(s.orderSeqs) : []);
  const orderEvents: OrderEvent[] = [];
  const submittedVersions = new Map<string, string>();
  let from = (snapshot?.seq ?? 0) + 1;
  for (;;) {
    const page = await journal.read({ fromSeq: from, limit: PAGE, types: HISTORY_TYPES });
    for (const r of page) {
      if (r.ts > lastTs) lastTs = r.ts;
      if (r.type === 'engine.started') {
        if (!started) initialCash = (r.payload as { initialCash: Money }).initialCash;
        started = true;
      } else if (r.type === 'rollout.stage-changed') {
        rollout = rolloutAtSnapshot(r.payload as RolloutStageEvent);
      } else if (r.type === 'risk.state-changed') {
        const p = r.payload as { to: TradingState; reason: string };
        tradingState = { to: p.to, reason: p.reason };
      } else {
        const e = r.payload as OrderEvent;
        orderEvents.push(e);
        if (e.type === 'order.submitted') {
          if (r.version !== undefined) submittedVersions.set(e.order.clientOrderId, r.version);
          const n = orderNumber(e.order.clientOrderId);
          if (n) seqs.set(n[0], Math.max(seqs.get(n[0]) ?? 0, n[1]));
        }
      }
    }
    if (page.length < PAGE) break;
    from = page[page.length - 1].seq + 1;
  }
  // Other events (balances, reconciliation results) can be the latest; the engine clock starts after them too.
  const lastSeq = await journal.lastSeq();
  if (lastSeq > 0) {
    const [last] = await journal.read({ fromSeq: lastSeq, limit: 1 });
    if (last !== undefined && last.ts > lastTs) lastTs = last.ts;
  }
  return {
    started, initialCash, lastTs, snapshot, snapshotSkipped, orderEvents, tradingState, rollout, orderSeqs: seqs, submittedVersions,
    lastOrderSeq: (prefix) => seqs.get(prefix) ?? 0,
  };
}
