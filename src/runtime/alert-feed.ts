import { AlertDispatcher, AlertEvaluator, channelFrom, thresholdRules, type AlertsConfig, type AlertSignals } from '../ops/index.ts';
import type { EngineHandle } from './engine-handle.ts';

/**
 * Alerting for a running engine: the engine's own alerts (kill switch, breaker trips, venue disconnects,
 * reconciliation verdicts) go out as they happen; the threshold rules are evaluated once a second from the
 * engine's views. Returns the dispatcher (for tests) and a stop function.
 *
 * @example const alerting = startAlerting(handle, cfg.alerts, (l) => log.warn(l)); … alerting.stop();
 */
export function startAlerting(engine: EngineHandle, config: AlertsConfig, log: (line: string) => void): { dispatcher: AlertDispatcher; stop(): void } {
  const dispatcher = new AlertDispatcher({
    routes: config.channels.map((c) => ({ channel: channelFrom(c), minSeverity: c.minSeverity })),
    repeatIntervalMs: config.repeatIntervalMs, perMinute: config.perMinute,
    onError: (channel, alert, e) => log(`alert ${alert.key} not delivered to ${channel}: ${e.message}`),
  });
  const evaluator = new AlertEvaluator(thresholdRules(config.rules));
  const unsubscribe = engine.subscribe((e) => {
    if (e.kind !== 'alert') return;
    void dispatcher.raise({ key: `${e.alert.source}:${e.alert.id}`, severity: e.alert.severity, title: e.alert.title, detail: e.alert.detail, ts: e.alert.ts, state: 'firing' });
  });
  const timer = setInterval(() => {
    const s = engine.status();
    const pnl = engine.pnl();
    const signals: AlertSignals = {
      ts: Date.now(), drawdownPct: pnl.drawdownPct, venueConnected: s.venueConnected,
      dataAgeSeconds: s.lastMarketEventAt === undefined ? undefined : (Date.now() - s.lastMarketEventAt) / 1000,
      rssMb: process.memoryUsage().rss / 1_048_576,
    };
    for (const a of evaluator.evaluate(signals)) void dispatcher.raise(a);
  }, 1000);
  timer.unref();
  return { dispatcher, stop() { clearInterval(timer); unsubscribe(); } };
}
