import { formatMoney, instrumentSpecOf, lotsToQuantity, type Instrument, type StrategyIdentity, type StrategyIdentityEvent, type RolloutStageEvent, type MarketEvent, type Money, type TradingState, type VenueReport } from '../model/index.ts';
import { SimClock } from '../kernel/index.ts';
import { RiskEngine, type RiskConfig } from '../risk/index.ts';
import { ExecutionEngine, externalOrdersToAdopt, planReconciliation, type ReconciliationPlan, type VenueSnapshot } from '../execution/index.ts';
import { Portfolio } from '../portfolio/index.ts';
import { StrategyHost, type StrategyClass, type StrategyLog } from '../strategy/index.ts';
import { JournalWriter, type Journal } from '../store/index.ts';
import { EngineContext, FillBooker, type Sizing } from '../backtest/index.ts';
import { crashPoint } from './crash-points.ts';
import { ReportFilter } from './report-filter.ts';
import { readJournalHistory } from './journal-history.ts';
import { captureEngineSnapshot, restoreEngineSnapshot } from './engine-snapshot.ts';
import { liveMarketData, type MarketDataOptions } from './market-data.ts';
import type { AuditRecorder } from '../security/index.ts';
import { RolloutManager, type LoadedCandidate, type RolloutSettings } from '../lifecycle/index.ts';
import { EngineRolloutControl } from './rollout-control.ts';
import { endRolloutAfterRestart, rolloutAfterRestart, rolloutAtSnapshot } from './rollout-restart.ts';
import { EngineView } from './engine-view.ts';
import { MetricsFeed } from './metrics-feed.ts';
import type { EngineMetrics } from '../ops/index.ts';
import type { FeeModel, VenueSession } from '../venues/index.ts';

export interface PaperEngineOptions {
  readonly account: string;
  readonly strategyId: string;
  readonly strategyClass: StrategyClass;
  readonly params: Readonly<Record<string, unknown>>;
  /** Code hash + parameters (shown by the API); the journal carries `identity.versionId` when an identity is given. */
  readonly strategyVersion: string;
  /**
   * Who the strategy is (lifecycle/identity.ts): journaled as `strategy.identity` at every start, and its
   * compact `versionId` goes in the version column of every order intent, report and fill.
   */
  readonly identity?: StrategyIdentity;
  readonly instrument: Instrument;
  /** Cash the account starts with on a fresh journal (a restart takes it from the journal). */
  readonly initialCash: Money;
  readonly sizing: Sizing;
  /** The venue's fee schedule, for the buying-power estimate and the exact ledger. */
  readonly fees?: FeeModel;
  readonly risk?: RiskConfig;
  readonly journal: Journal;
  readonly venue: VenueSession;
  readonly log?: StrategyLog;
  /** Stop after start-up reconciliation (`keel reconcile`): replay, reconcile, journal the result, trade nothing. */
  readonly reconcileOnly?: boolean;
  /**
   * Save an engine snapshot after this many journaled events (default 100,000; 0: only at start-up and at
   * the end). A restart replays only the journal after the latest snapshot.
   */
  readonly snapshotEvery?: number;
  /**
   * Orders and fills at the venue that the journal does not know (placed by hand, by another tool): `flag`
   * (default) reports them and trades on REDUCING (HALTED when positions or cash differ); `adopt` books
   * them under the `external` strategy, journaled, so the books agree and risk limits and the kill switch
   * cover them.
   */
  readonly external?: 'flag' | 'adopt';
  /**
   * Stop trading when aborted (SIGTERM, an operator), as when the venue's market ends: no new orders, the
   * journal flushed, a final reconciliation and snapshot. A live venue's market never ends by itself.
   */
  readonly signal?: AbortSignal;
  /** Route market data through the live data path (validation, failover to backup feeds, bars from trades). */
  readonly marketData?: MarketDataOptions;
  /** Paper or live: what the API and dashboard show (default paper). */
  readonly mode?: 'paper' | 'live';
  /** The risk section as configured, shown by the API and dashboard. */
  readonly riskText?: string;
  /** Receives the engine's handle before start-up reconciliation (API server, dashboard, metrics, alerts). */
  readonly onHandle?: (handle: EngineView) => void;
  /** Prometheus metrics to keep current (ops/metrics); served by the API server's /metrics. */
  readonly metrics?: EngineMetrics;
  /**
   * On an abort (SIGTERM, Ctrl-C), cancel every working order at the venue before the final reconciliation,
   * waiting at most `timeoutMs` for the venue to confirm. Off by default: resting orders stay working.
   */
  readonly shutdown?: { readonly cancelWorkingOrders: boolean; readonly timeoutMs: number };
  /** Called once start-up reconciliation is done and the engine trades (readiness, tests). */
  readonly onTrading?: (reconciliation: ReconciliationReport, start: PaperStart) => void;
  /** Where the operator actions on the engine's handle are recorded (security/audit; off the trading path). */
  readonly audit?: AuditRecorder;
  /**
   * Journal every market event the engine acts on (`market.bar`, `market.quote`, `market.trade`), so that a
   * post-trade analysis can replay exactly what it saw (default true).
   */
  readonly recordMarketData?: boolean;
  /**
   * Take staged-rollout commands (lifecycle/, docs/lifecycle.md): needs an identity; `load` turns a strategy
   * name or file and parameters into a candidate when `keel deploy shadow` asks.
   */
  readonly rollout?: { readonly settings: RolloutSettings; readonly load: (strategy: string, params: Readonly<Record<string, unknown>>) => Promise<LoadedCandidate> };
  /**
   * Asked right before any request is handed to the venue: a reason not to (an active/standby node whose lease
   * may have run out while it was paused) stops the request and sets HALTED. The journal's fencing refuses a
   * late intent; this refuses a request whose intent was journaled just before the pause (failover/).
   */
  readonly venueGuard?: () => string | undefined;
}

/** What reconciliation found at start-up, as printed and journaled. */
export interface ReconciliationReport {
  readonly plan: Omit<ReconciliationPlan, 'reports'> & { readonly applied: number; readonly adopted: readonly string[] };
  readonly positions: ReadonlyArray<{ readonly instrument: string; readonly engine: number; readonly venue: number }>;
  readonly cash: { readonly engine: string; readonly venue: string };
  readonly mismatch: boolean;
  readonly verdict: TradingState;
  readonly lines: readonly string[];
}

/** How start-up went: a fresh journal or a restart, and what was replayed. */
export interface PaperStart {
  readonly restarted: boolean;
  /** Journal sequence of the snapshot start-up began from (undefined: the whole journal was replayed). */
  readonly fromSnapshot: number | undefined;
  /** Why a stored snapshot was not used, if one was not. */
  readonly snapshotSkipped: string | undefined;
  readonly replayedEvents: number;
}

export interface PaperRunSummary extends PaperStart {
  readonly reconciliation: ReconciliationReport;
  /** Venue vs engine at the end of the session (same shape as at start-up). */
  readonly final: ReconciliationReport;
  readonly tradingState: TradingState;
  /** With `shutdown.cancelWorkingOrders`: the orders canceled at the stop, and any the venue had not confirmed in time. */
  readonly stopCancels?: { readonly sent: readonly string[]; readonly stillWorking: readonly string[] };
}

const quiet: StrategyLog = { info() {}, warn() {} };

/** The final reconciliation's re-reads while the venue and the engine disagree (a report still on its way). */
const FINAL_SETTLE_TRIES = 6;
const FINAL_SETTLE_WAIT_MS = 250;

/** How far before the last journaled event reconciliation asks the venue about (clocks differ a little). */
const QUERY_MARGIN_MS = 60_000;

/**
 * A running engine against a venue session, journaled (DESIGN.md "Modes", "Persistence and recovery"): the
 * same risk gate, OMS, portfolio and strategy code as a backtest, with time taken from the venue's market
 * data. Start-up replays the journal, reconciles with the venue (fail closed: anything unexplained sets
 * REDUCING or HALTED), then trades until the venue's market ends.
 */
export async function runPaperEngine(o: PaperEngineOptions): Promise<PaperRunSummary> {
  const history = await readJournalHistory(o.journal, o.account);
  const journaledVersion = o.identity?.versionId ?? o.strategyVersion;
  const instruments = new Map([[o.instrument.id, o.instrument]]);
  const clock = new SimClock(history.lastTs);
  const initialCash = history.initialCash ?? o.initialCash;
  const portfolio = new Portfolio({ instruments: [o.instrument], initialCash });
  const fees = o.fees;
  const risk = new RiskEngine({
    instruments: [o.instrument], clock, config: o.risk,
    account: { cash: () => portfolio.cash, equity: () => portfolio.equity() },
    estimateFee: fees ? (_id, value, lots) => fees.fee(o.instrument, lots, value, 'taker') : undefined,
  });
  const writer = new JournalWriter({
    journal: o.journal, account: o.account,
    versionOf: (id: string): string | undefined => (id === o.strategyId ? journaledVersion : rollout?.versionOf(id)),
    // Without the journal nothing may go out: stop opening risk at once (principle 5).
    onFailure: (err) => risk.state.escalate('HALTED', { kind: 'breaker', name: 'journal' }, `journal append failed: ${err.message}`),
  });
  const execution = new ExecutionEngine({ risk, clock, instruments, writeAhead: writer });
  let feed: MetricsFeed | undefined;
  const guard = o.venueGuard;
  // A request the lease guard holds back is answered like one a closed adapter refuses: the order rejected, the
  // replace refused, the cancel left for reconciliation. Not a halt: a renewal that came late under load is not
  // a lost lease, and a halt would be journaled and inherited by whichever node trades next. While this node
  // still holds the lease the answer is journaled; once it has lost it, the fenced journal refuses the write
  // and the lease keeper steps the node down; the node that took over finds the intent never reached the venue.
  const refused = (what: string, answer?: (reason: string) => VenueReport): boolean => {
    const why = guard?.();
    if (why === undefined) return false;
    (o.log ?? quiet).warn(`${what} not sent: ${why}`);
    if (answer !== undefined) {
      const report = answer(`not sent: ${why}`);
      setImmediate(() => execution.onVenueReport(report));
    }
    return true;
  };
  execution.connectVenue({
    name: o.venue.name,
    submit: (order) => {
      crashPoint('intent-journaled');
      if (refused(`order ${order.clientOrderId}`, (reason) => ({ type: 'order.rejected', ts: clock.now(), clientOrderId: order.clientOrderId, reason }))) return;
      feed?.onSent(order.clientOrderId); o.venue.submit(order); crashPoint('request-sent');
    },
    cancel: (id) => { crashPoint('intent-journaled'); if (refused(`cancel of ${id}`)) return; o.venue.cancel(id); crashPoint('request-sent'); },
    replace: (order) => {
      crashPoint('intent-journaled');
      if (refused(`replace of ${order.clientOrderId}`, (reason) => ({ type: 'order.update-rejected', ts: clock.now(), clientOrderId: order.clientOrderId, reason }))) return;
      o.venue.replace(order); crashPoint('request-sent');
    },
  });
  const strategy = new o.strategyClass(o.params);
  const context = new EngineContext({
    clock, log: o.log ?? quiet, instruments: [o.instrument], execution, portfolio, sizing: o.sizing, lastOrderSeq: history.lastOrderSeq(o.strategyId),
  });
  strategy.attach(context, o.strategyId);
  const booker = new FillBooker({ portfolio, instruments, strategy, eventCounter: { events: 0 }, risk });
  execution.addListener(booker);
  // The balances read model: cash, equity and realised PnL after every fill, exact.
  execution.addListener({
    onOrderEvent(e) {
      if (e.type !== 'order.filled' || booker.replaying) return;
      writer.recordEvent({
        ts: e.ts, stream: { account: o.account }, type: 'account.balance',
        payload: { currency: portfolio.currency, cash: portfolio.cash, equity: portfolio.equityExact(), realizedPnl: portfolio.realizedPnl() },
      });
    },
  });
  const host = new StrategyHost(strategy, [o.instrument.id]);
  // A new version beside this one (shadow, canary, full); at full this one stops hearing market data.
  let liveRetired = false;
  // The last rollout step, kept in snapshots so that a restart sees a rollout that was under way.
  let lastRollout = history.rollout;
  const recordRolloutStep = (e: Parameters<typeof writer.recordEvent>[0]): void => {
    if (e.type === 'rollout.stage-changed') lastRollout = rolloutAtSnapshot(e.payload as RolloutStageEvent);
    writer.recordEvent(e);
  };
  const rollout: RolloutManager | undefined = o.rollout && o.identity ? new RolloutManager({
    account: o.account, instrument: o.instrument, clock, execution, record: recordRolloutStep, cash: () => portfolio.cash, portfolio,
    sizing: o.sizing, fees, risk: o.risk, log: o.log ?? quiet, live: o.identity, lastOrderSeq: (prefix) => history.lastOrderSeq(prefix),
    retireLive: () => { liveRetired = true; }, settings: o.rollout.settings,
  }) : undefined;
  const view = new EngineView({
    account: o.account, mode: o.mode ?? 'paper', venueName: o.venue.name, instruments, clock, risk, execution, portfolio, fills: booker.fills,
    writer, journal: o.journal, strategy: { id: o.strategyId, version: o.strategyVersion, params: o.params }, riskText: o.riskText, audit: o.audit,
  });
  const filter = new ReportFilter(execution.orders);
  if (rollout) view.rollout = new EngineRolloutControl({ manager: rollout, load: o.rollout!.load, audit: o.audit });

  // 1. State = the latest snapshot + a fold over the journal after it. Nothing is sent, no strategy is told.
  if (history.snapshot) {
    for (const id of restoreEngineSnapshot({ account: o.account, execution, portfolio, trips: booker.trips }, history.snapshot.state)) filter.booked(id);
  }
  booker.replaying = true;
  for (const e of history.orderEvents) {
    execution.replay(e);
    if (e.type === 'order.filled') filter.booked(e.fill.tradeId);
  }
  booker.replaying = false;
  // Reports for orders of an earlier run carry that run's version (orders from before a snapshot: the current one's).
  for (const order of execution.orders.openOrders()) writer.knowOrder(order.request.clientOrderId, order.request.strategyId, order.request.instrumentId, history.submittedVersions.get(order.request.clientOrderId));
  execution.resumeFlattenNumbering(history.lastOrderSeq('kill-switch'));
  if (history.tradingState && history.tradingState.to !== 'ACTIVE') {
    risk.state.escalate(history.tradingState.to, { kind: 'restart', source: 'journal' }, `${history.tradingState.reason} (restored from the journal)`);
  }
  risk.addListener(writer);
  risk.addListener(view);
  execution.addListener(view);
  if (o.metrics) {
    feed = new MetricsFeed({ metrics: o.metrics, view, account: o.account, venue: o.venue.name });
    risk.addListener(feed);
    execution.addListener(feed);
  }
  o.onHandle?.(view);
  if (!history.started) {
    writer.recordEvent({ ts: clock.now(), stream: { account: o.account }, type: 'engine.started', payload: { initialCash, instrument: o.instrument.id, instrumentSpec: instrumentSpecOf(o.instrument) }, version: journaledVersion });
  }


  // Snapshots: taken between two events (the core is synchronous, so the state is consistent), saved once
  // every event before them is durable, under the sequence of the last of those.
  const snapshotEvery = o.snapshotEvery ?? 100_000;
  let snapshotAt = writer.handedOver;
  let snapshotting: Promise<void> | undefined;
  const saveSnapshot = async (): Promise<void> => {
    snapshotAt = writer.handedOver;
    const state = captureEngineSnapshot(
      { account: o.account, execution, portfolio, trips: booker.trips, tradeIds: filter.tradeIds },
      { initialCash, lastTs: clock.now(), tradingState: { to: risk.tradingState, reason: risk.stateReason }, orderSeqs: history.orderSeqs, rollout: lastRollout },
    );
    crashPoint('snapshot-captured');
    const seq = (await writer.lastSeqHandedOver()) ?? (await o.journal.lastSeq());
    await o.journal.saveSnapshot({ seq, ts: state.lastTs, state });
  };
  const maybeSnapshot = (): void => {
    if (snapshotEvery <= 0 || snapshotting !== undefined || writer.handedOver - snapshotAt < snapshotEvery) return;
    // A failed snapshot costs only restart time (the journal is the truth); a failed journal halts through onFailure.
    snapshotting = saveSnapshot().catch(() => {}).finally(() => { snapshotting = undefined; });
  };

  // 2. Reconcile with the venue before anything new can happen. Reports that arrive meanwhile wait.
  const early: Array<() => void> = [];
  let live = false;
  let stopped = false;
  o.venue.onReport((r) => {
    const apply = () => {
      crashPoint('report-received');
      if (r.ts > clock.now()) clock.advanceTo(r.ts);
      if (filter.admit(r)) execution.onVenueReport(r);
      crashPoint('report-applied');
      maybeSnapshot();
    };
    if (live) apply();
    else early.push(apply);
  });
  const onMarketEvent = (e: MarketEvent): void => {
    if (!live || stopped) return;
    crashPoint('market-event');
    if (e.ts > clock.now()) clock.advanceTo(e.ts);
    // The market as the engine saw it, for post-trade analysis (keel analyze-live replays it through a backtest).
    if (recordMarket) writer.recordEvent({ ts: e.ts, stream: { account: o.account, instrument: e.instrumentId }, type: `market.${e.type}`, payload: e });
    portfolio.onMarketEvent(e);
    risk.onMarketEvent(e);
    view.onMarketEvent(e);
    feed?.onMarketEvent(e);
    if (!view.strategyPaused && !liveRetired) host.onMarketEvent(e);
    rollout?.onMarketEvent(e);
    maybeSnapshot();
  };
  // With a data section, market data passes validation, failover and bar building first (data/live).
  const recordMarket = o.recordMarketData ?? true;
  const data = o.marketData ? liveMarketData(o.venue, o.instrument, o.marketData, onMarketEvent) : undefined;
  if (data === undefined) o.venue.onMarket(onMarketEvent);
  o.venue.onDisconnect((reason) => { risk.onVenueConnection(o.venue.name, false, reason); view.onVenueConnection(false, reason); feed?.onVenueConnection(false); });
  // Orders and fills since a little before the last journaled event: what can have happened while down.
  const snapshot = await o.venue.query(history.started ? history.lastTs - QUERY_MARGIN_MS : undefined);
  const reconciliation = reconcile(snapshot, true);
  writer.recordEvent({ ts: clock.now(), stream: { account: o.account }, type: 'engine.reconciled', payload: reconciliation });
  await writer.flush();
  feed?.onReconciliation(reconciliation.mismatch);
  feed?.refresh(true);
  // The next start begins here rather than replaying what this one just did.
  if (history.snapshot === undefined || history.orderEvents.length > 0 || reconciliation.plan.applied > 0) await saveSnapshot();
  const summary: PaperStart = { restarted: history.started, fromSnapshot: history.snapshot?.seq, snapshotSkipped: history.snapshotSkipped, replayedEvents: history.orderEvents.length };

  if (o.reconcileOnly) return { ...summary, reconciliation, final: reconciliation, tradingState: risk.tradingState };
  // A rollout the last run left under way does not come back: it is ended in the open (rollout-restart.ts).
  endRolloutAfterRestart(rolloutAfterRestart(history.rollout, { liveStrategyId: o.strategyId, runVersion: o.identity?.versionId ?? o.strategyVersion, now: clock.now() }), {
    account: o.account, instrumentId: o.instrument.id, execution, record: recordRolloutStep, journal: writer, view, log: o.log ?? quiet, now: clock.now(),
  });
  if (o.identity !== undefined) {
    // Every run says what it runs before its first order (at the venue's time, which reconciliation brought
    // the clock to): `keel versions` and post-trade analysis read it.
    const event: StrategyIdentityEvent = { type: 'strategy.identity', ts: clock.now(), role: 'live', reason: 'run-start', identity: o.identity };
    writer.recordEvent({ ts: event.ts, stream: { account: o.account, strategy: o.strategyId }, type: event.type, payload: event, version: o.identity.versionId });
  }

  // 3. Trade until the venue's market ends. The checks every order passes from here on, for the order records
  // (keel records export: which pre-trade checks an order passed, by the code that ran, not today's).
  writer.recordEvent({
    ts: clock.now(), stream: { account: o.account }, type: 'risk.checks',
    payload: { orders: risk.checkNames, modifications: risk.modificationCheckNames, flatten: risk.flattenCheckNames, limits: o.riskText ?? null, mode: o.mode ?? 'paper' },
    version: o.strategyVersion,
  });
  live = true;
  for (const apply of early.splice(0)) apply();
  o.onTrading?.(reconciliation, summary);
  host.start();
  data?.start();
  o.venue.start();
  await untilEndOrAbort(o.venue.ended, o.signal);
  stopped = true; // no more market events to the strategy; reports (facts) are still applied and journaled
  data?.stop();
  host.stop();
  const stopCancels = o.signal?.aborted && o.shutdown?.cancelWorkingOrders ? await cancelWorkingOrders(o.shutdown.timeoutMs) : undefined;
  // An order the strategy sent on the last bar may still be queued behind the rate budget or on the wire: let
  // it get its answer before the final query, or close() would cut it off and leave its intent unanswered.
  await settleRequests(o.shutdown?.timeoutMs ?? 5_000);
  await writer.flush();
  const final = reconcile(await settledQuery(history.started ? history.lastTs - QUERY_MARGIN_MS : undefined), false);
  writer.recordEvent({ ts: clock.now(), stream: { account: o.account }, type: 'engine.stopped', payload: final });
  await writer.flush();
  await snapshotting;
  await saveSnapshot();
  return { ...summary, reconciliation, final, tradingState: risk.tradingState, stopCancels };

  /**
   * The venue's answer for the final reconciliation, once it and the engine agree or stop moving: a market order
   * sent on the last bar can fill while the query runs, and the venue's REST answer and its stream are not one
   * atomic read (the fill may be in the answer before the engine has its report, or the other way round). A few
   * short waits let the report arrive; a difference that stays is a real one and is reported as such.
   */
  async function settledQuery(since: number | undefined): Promise<VenueSnapshot> {
    let venue = await o.venue.query(since);
    for (let i = 0; i < FINAL_SETTLE_TRIES && !balancesAgree(venue); i++) {
      await new Promise((r) => setTimeout(r, FINAL_SETTLE_WAIT_MS));
      await settleRequests(o.shutdown?.timeoutMs ?? 5_000);
      await writer.flush();
      venue = await o.venue.query(since);
    }
    return venue;
  }

  function balancesAgree(venue: VenueSnapshot): boolean {
    const ids = new Set([o.instrument.id, ...Object.keys(venue.positions)]);
    for (const id of ids) if ((risk.exposure.instruments.get(id)?.lots ?? 0) !== (venue.positions[id] ?? 0)) return false;
    return portfolio.cash === venue.cash;
  }

  /** Wait (at most `timeoutMs`) for the venue adapter's requests in flight. */
  async function settleRequests(timeoutMs: number): Promise<void> {
    if (o.venue.settled === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([o.venue.settled().catch(() => {}), new Promise<void>((r) => { timer = setTimeout(r, timeoutMs); })]);
    clearTimeout(timer);
  }

  /** Cancel every working order (journaled as an operator action by "shutdown") and wait for the venue's answers. */
  async function cancelWorkingOrders(timeoutMs: number): Promise<{ sent: string[]; stillWorking: string[] }> {
    const working = () => [...execution.orders.openOrders()].map((order) => order.request.clientOrderId);
    const sent = working();
    if (sent.length === 0) return { sent, stillWorking: [] };
    view.cancelAll({ actor: 'system', origin: 'engine', label: 'shutdown' });
    const deadline = Date.now() + timeoutMs;
    while (working().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return { sent, stillWorking: working() };
  }

  /** Apply what the venue knows that the journal does not, then compare; unexplained differences fail closed. */
  function reconcile(venue: VenueSnapshot, apply: boolean): ReconciliationReport {
    if (venue.ts > clock.now()) clock.advanceTo(venue.ts);
    const adopted: string[] = [];
    if (apply && o.external === 'adopt') {
      for (const request of externalOrdersToAdopt((id) => execution.orders.knows(id), venue)) {
        if (!instruments.has(request.instrumentId)) continue; // not traded here: stays flagged
        execution.adopt(request);
        writer.knowOrder(request.clientOrderId, request.strategyId, request.instrumentId);
        adopted.push(request.clientOrderId);
      }
    }
    const plan = planReconciliation({ orders: execution.orders.all(), tradeIds: filter.tradeIds, knows: (id) => execution.orders.knows(id) }, venue);
    let applied = 0;
    if (apply) {
      for (const r of plan.reports) {
        if (!filter.admit(r)) continue;
        execution.onVenueReport(r);
        applied++;
      }
    }
    const positions = [...new Set([o.instrument.id, ...Object.keys(venue.positions)])].map((id) => ({
      instrument: id, engine: risk.exposure.instruments.get(id)?.lots ?? 0, venue: venue.positions[id] ?? 0,
    }));
    const ccy = o.instrument.quoteCurrency;
    const cash = { engine: formatMoney(portfolio.cash, ccy), venue: formatMoney(venue.cash, ccy) };
    const mismatch = !balancesAgree(venue);
    // Adopting: an external order that finished at the venue without a fill changed nothing; it is listed, not feared.
    const ignored = o.external === 'adopt' ? plan.externalOrders : [];
    const unexplained = plan.externalOrders.length - ignored.length + plan.externalFills.length + plan.unsettled.length;
    const verdict: TradingState = mismatch ? 'HALTED' : unexplained > 0 ? 'REDUCING' : 'ACTIVE';
    const lines = [
      `reconciliation with ${o.venue.name}: ${apply ? `${applied} report(s) applied` : 'end of session'}`,
      ...plan.neverReached.map((id) => `  ${id}: journaled but never reached the venue; marked rejected, not resubmitted`),
      ...adopted.map((id) => `  ${id}: an order at the venue the journal did not know; adopted under strategy "external"`),
      ...plan.externalOrders.map((id) => ignored.includes(id)
        ? `  ${id}: a finished order at the venue the journal does not know, without fills; nothing to adopt`
        : `  ${id}: an order at the venue the journal does not know`),
      ...plan.externalFills.map((id) => `  trade ${id}: a fill at the venue for an order the journal does not know`),
      ...plan.unsettled.map((id) => `  ${id}: state cannot be settled from the venue's answer`),
      ...positions.map((p) => `  position ${p.instrument}: engine ${lotsToQuantity(o.instrument, p.engine)}, venue ${lotsToQuantity(o.instrument, p.venue)}${p.engine === p.venue ? '' : '  MISMATCH'}`),
      `  cash: engine ${cash.engine}, venue ${cash.venue}${portfolio.cash === venue.cash ? '' : '  MISMATCH'}`,
      `  verdict: ${verdict === 'ACTIVE' ? 'in agreement' : verdict === 'REDUCING' ? 'unexplained orders or fills: REDUCING until an operator confirms' : 'positions or cash differ: HALTED'}`,
    ];
    if (verdict !== 'ACTIVE') {
      // The alert the operator must see (issue 6's channels deliver `alert.raised` events); the state change follows.
      writer.recordEvent({
        ts: clock.now(), stream: { account: o.account }, type: 'alert.raised',
        payload: { severity: verdict === 'HALTED' ? 'critical' : 'warning', source: 'reconciliation', title: `reconciliation with ${o.venue.name}: ${verdict}`, lines },
      });
      view.addAlert(verdict === 'HALTED' ? 'critical' : 'warning', 'reconciliation', `reconciliation with ${o.venue.name}: ${verdict}`, lines.slice(1).join('\n'));
      risk.state.escalate(verdict, { kind: 'breaker', name: 'reconciliation' }, `reconciliation with ${o.venue.name}: ${lines.slice(1, -1).map((l) => l.trim()).join('; ')}`);
    }
    return { plan: { neverReached: plan.neverReached, externalOrders: plan.externalOrders, externalFills: plan.externalFills, unsettled: plan.unsettled, applied, adopted }, positions, cash, mismatch, verdict, lines };
  }
}

/** Resolves when the venue's market ends or `signal` aborts, whichever comes first. */
function untilEndOrAbort(ended: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return ended;
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    ended.then(() => { signal.removeEventListener('abort', onAbort); resolve(); }, (err: unknown) => { signal.removeEventListener('abort', onAbort); reject(err); });
  });
}
