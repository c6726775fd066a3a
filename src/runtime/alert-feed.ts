import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  AlertDispatcher, AlertEvaluator, channelFrom, runbookSection, SignalWindow, thresholdRules,
  type AlertsConfig, type AlertSignals, type EngineMetrics, type ExpectedPath,
} from '../ops/index.ts';
import type { EngineHandle } from './engine-handle.ts';
import type { EscalationConfig } from './run-config-ops.ts';

export interface AlertingOptions {
  /** The engine's metrics: reject and denial rates and latency quantiles come from their running totals. */
  readonly metrics?: EngineMetrics;
  /** The equity path this run should follow (pnl-deviation rule; runtime/expected-path-file.ts loads it). */
  readonly expectedPath?: ExpectedPath;
  /** The clock watch (ops/clock): its latest offset feeds the clock_drift rule, past `alertMs`. */
  readonly clock?: { offsetMs: number | undefined; readonly alertMs: number };
  /** How often the rules are evaluated, wall ms (default 1000). */
  readonly everyMs?: number;
  /** Who is paged for what (`escalation:` of the run config): each alert's detail names them. */
  readonly escalation?: EscalationConfig;
}

/**
 * The escalation line of an alert: the contacts its policy pages, in order, with how long each has to
 * acknowledge (the policy named after its runbook section, else `default`); undefined without one.
 *
 * @example escalationLine('kill-switch', cfg.escalation) // 'escalation: page alice (+1 555 0100), then bob, 15 min to acknowledge each'
 */
export function escalationLine(source: string, escalation: EscalationConfig | undefined): string | undefined {
  if (escalation === undefined) return undefined;
  const section = runbookSection(source);
  const policy = (section === undefined ? undefined : escalation.policies[section]) ?? escalation.policies.default;
  if (policy === undefined) return undefined;
  const who = policy.page.map((n) => {
    const c = escalation.contacts.find((x) => x.name === n);
    const reach = [c?.phone, c?.email, c?.channel === undefined ? undefined : `channel ${c.channel}`].filter(Boolean).join(', ');
    return reach === '' ? n : `${n} (${reach})`;
  });
  return `escalation: page ${who.join(', then ')}, ${Math.round(policy.ackWithin / 60_000)} min to acknowledge each`;
}

/**
 * Alerting for a running engine: the engine's own alerts (kill switch, breaker trips, venue disconnects,
 * reconciliation verdicts) go out as they happen; the threshold rules are evaluated once a second from the
 * engine's views and metrics. Returns the dispatcher (for tests) and a stop function that sends what is
 * still waiting in a group.
 *
 * @example const alerting = startAlerting(handle, cfg.alerts, (l) => log.warn(l), { metrics }); … await alerting.stop();
 */
export function startAlerting(engine: EngineHandle, config: AlertsConfig, log: (line: string) => void, o: AlertingOptions = {}): { dispatcher: AlertDispatcher; stop(): Promise<void> } {
  const dispatcher = new AlertDispatcher({
    routes: config.channels.map((c) => ({ channel: channelFrom(c), minSeverity: c.minSeverity })),
    repeatIntervalMs: config.repeatIntervalMs, perMinute: config.perMinute, groupWaitMs: config.groupWaitMs,
    onError: (channel, alert, e) => log(`alert ${alert.key} not delivered to ${channel}: ${e.message}`),
  });
  const evaluator = new AlertEvaluator(thresholdRules({ ...config.rules, ...(o.clock ? { clockDriftMs: o.clock.alertMs } : {}) }));
  const window = new SignalWindow({ windowMs: config.rules.windowMs, minOrders: config.rules.minOrders });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const unsubscribe = engine.subscribe((e) => {
    if (e.kind !== 'alert') return;
    const page = escalationLine(e.alert.source, o.escalation);
    void dispatcher.raise({ key: `${e.alert.source}:${e.alert.id}`, severity: e.alert.severity, title: e.alert.title, detail: page === undefined ? e.alert.detail : `${e.alert.detail}\n${page}`, ts: e.alert.ts, state: 'firing' });
  });
  const timer = setInterval(() => {
    const now = Date.now();
    const signals = currentSignals(engine, now, window, o, loop.percentile(99) / 1e6);
    loop.reset();
    for (const a of evaluator.evaluate(signals)) {
      const page = a.state === 'firing' ? escalationLine(a.key.replace(/^rule:/, ''), o.escalation) : undefined;
      void dispatcher.raise(page === undefined ? a : { ...a, detail: `${a.detail}\n${page}` });
    }
  }, o.everyMs ?? 1000);
  timer.unref();
  return {
    dispatcher,
    async stop() {
      clearInterval(timer);
      unsubscribe();
      loop.disable();
      await dispatcher.flush(); // a group still waiting goes out now, not never
    },
  };
}

/** One evaluation's signals, from the engine's views (account, risk, status) and the metrics' running totals. */
function currentSignals(engine: EngineHandle, now: number, window: SignalWindow, o: AlertingOptions, eventLoopLagMs: number): AlertSignals {
  const status = engine.status();
  const pnl = engine.pnl();
  const dailyLoss = engine.risk().breakers.find((b) => b.name === 'daily-loss');
  const windowed = o.metrics ? window.add(now, o.metrics.alertCounters()) : undefined;
  // Compared at the engine's market time: a replayed or delayed market is matched bar for bar.
  const expectedEquity = o.expectedPath?.at(status.lastEventTs);
  if (o.expectedPath) o.metrics?.setExpectedEquity(status.account, expectedEquity);
  return {
    ts: now,
    drawdownPct: pnl.drawdownPct,
    dailyLossPctOfLimit: dailyLoss?.usedPct ?? undefined,
    equity: pnl.equity,
    expectedEquity,
    venueConnected: status.venueConnected,
    dataAgeSeconds: status.lastMarketEventAt === undefined ? undefined : (now - status.lastMarketEventAt) / 1000,
    rejectRatePct: windowed?.rejectRatePct,
    denialRatePct: windowed?.denialRatePct,
    ackLatencyP99Ms: windowed?.ackLatencyP99Ms,
    marketToOrderP99Micros: windowed?.marketToOrderP99Micros,
    rssMb: process.memoryUsage().rss / 1_048_576,
    eventLoopLagMs: Number.isFinite(eventLoopLagMs) ? eventLoopLagMs : undefined,
    clockOffsetMs: o.clock?.offsetMs,
  };
}
