import { dirname, isAbsolute, resolve } from 'node:path';
import { KeelError, formatPrice, lotsToQuantity, parseMoney, type Instrument } from '../../model/index.ts';
import { loadStrategy, parseParamString, resolveParams, strategyVersion } from '../../strategy/index.ts';
import { parseSizing } from '../../backtest/index.ts';
import { connectConfiguredVenue, loadExpectedPath, loadRunConfig, runPaperEngine, startAlerting, venueFeed, type ConnectedVenue, type RunConfig } from '../../runtime/index.ts';
import { percentFee } from '../../venues/index.ts';
import { openJournalArg } from '../journal-arg.ts';
import { EngineMetrics, createLogger, orderLogger } from '../../ops/index.ts';
import { startApiServer, type ApiServer } from '../../server/index.ts';
import { dashboardPlugin } from '../../web/index.ts';
import pino from 'pino';

/**
 * `keel paper --config keel.yaml` and `keel live --config keel.yaml`: the same engine, strategy file, risk gate
 * and journal; only the venue differs. The whole config is checked before anything connects. Live trading
 * additionally refuses to start unless the operator confirms the venue account on the command line and in
 * the file, the venue is a live one, and risk limits are configured (they are printed before trading).
 */
export async function runConfigured(mode: 'paper' | 'live', configPath: string, o: { confirmAccount?: string; quiet?: boolean }): Promise<number> {
  const cfg = loadRunConfig(configPath);
  const here = dirname(resolve(configPath));
  const local = (p: string) => (isAbsolute(p) || /^[a-z]+:\/\//.test(p) ? p : resolve(here, p));
  if (mode === 'live') checkLiveConfig(cfg, o.confirmAccount);
  // Checked before anything connects, like the rest of the file.
  const expectedPath = cfg.alerts?.expectedPath === undefined ? undefined : loadExpectedPath(local(cfg.alerts.expectedPath), `${cfg.source}: alerts.expectedPath`);

  const strategyRef = cfg.strategy.name.includes('/') || /\.[jt]s$/.test(cfg.strategy.name) ? local(cfg.strategy.name) : cfg.strategy.name;
  const loaded = await loadStrategy(strategyRef);
  const params = resolveParams(loaded.cls.params, parseParamString(Object.entries(cfg.strategy.params).map(([k, v]) => `${k}=${String(v)}`).join(',')), loaded.name);
  const sizing = parseSizing(cfg.sizing);
  const initialCash = parseMoney(cfg.cash, `${cfg.source}: cash`);
  const fees = cfg.commissionPct === undefined ? undefined : percentFee(cfg.commissionPct);
  // Structured logs on stderr (JSON, or readable lines on a terminal), secrets scrubbed by value too.
  const log = createLogger({
    level: o.quiet ? 'warn' : process.env.KEEL_DEBUG === '1' ? 'debug' : 'info', destination: pino.destination({ dest: 2, sync: true }),
    pretty: process.stderr.isTTY === true, secrets: Object.entries(process.env).filter(([k]) => /SECRET|PASSWORD|TOKEN/.test(k)).map(([, v]) => v),
  });
  const say = (line: string) => log.info(line);

  // Successful requests are routine; they print only with KEEL_DEBUG=1 (failures, retries and reconnects always do).
  const venueLog = (line: string) => { if (process.env.KEEL_DEBUG === '1' || !/ 2\d\d \d+ms$/.test(line)) say(line); };
  const venue = await connectConfiguredVenue(cfg, { log: venueLog });
  // Backup market data feeds: connected like a venue, used for their data only.
  const backups: ConnectedVenue[] = [];
  try {
    for (const [i, b] of (cfg.backupFeeds ?? []).entries()) {
      backups.push(await connectConfiguredVenue({ ...cfg, venue: b, source: `${cfg.source}: backupFeeds[${i}] (as venue)` }, { log: venueLog }));
    }
    if (mode === 'live') {
      if (!venue.live) throw new KeelError('NOT_LIVE', `is ${venue.description}: keel live trades only on a live venue; use keel paper for paper endpoints and simulators`, { field: `${cfg.source}: venue` });
      const actual = await venue.accountId();
      if (actual !== undefined && actual !== cfg.live!.account) {
        throw new KeelError('LIVE_NOT_CONFIRMED', `is the account you confirmed, but the venue's account is ${JSON.stringify(actual)}; nothing was sent`, { field: `${cfg.source}: live.account`, value: cfg.live!.account });
      }
      process.stdout.write(`LIVE trading on ${venue.description}, account ${cfg.live!.account}\nrisk limits in force (${cfg.source}):\n${cfg.riskText!.replace(/^/gm, '  ')}\n`);
    } else {
      if (venue.live) throw new KeelError('LIVE_VENUE', `is ${venue.description}, a live venue: keel paper never sends real orders; use keel live`, { field: `${cfg.source}: venue` });
      say(`paper trading on ${venue.description}`);
    }
    const journal = await openJournalArg(local(cfg.journal), { schema: cfg.journalSchema });
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    const metrics = new EngineMetrics();
    let apiStarting: Promise<ApiServer | undefined> | undefined;
    let apiFailed: KeelError | undefined;
    let alerting: { stop(): Promise<void> } | undefined;
    const strategyId = loaded.file ? loaded.file.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '') : loaded.name;
    try {
      const summary = await runPaperEngine({
        account: cfg.account, strategyId, strategyClass: loaded.cls, params, strategyVersion: strategyVersion(loaded, params),
        instrument: venue.instrument, initialCash, sizing, fees, risk: cfg.risk, journal, venue: venue.session,
        snapshotEvery: cfg.snapshotEvery, external: cfg.external, signal: stop.signal, shutdown: cfg.shutdown,
        marketData: cfg.data === undefined && backups.length === 0 ? undefined : {
          config: cfg.data, backups: backups.map((b, i) => venueFeed(b.session, { name: `backup-${i + 1} ${b.description}`, own: true })), onStatus: (s) => say(`data: ${JSON.stringify(s)}`),
        },
        mode, riskText: cfg.riskText,
        // Orders and fills as they flow, one line each (the dashboard and the journal have the detail).
        metrics,
        onHandle: (h) => {
          if (cfg.api) {
            apiStarting = startApiServer({
              engine: h, token: process.env.KEEL_API_TOKEN, host: cfg.api.host, port: cfg.api.port, log: (l) => log.info(l),
              metrics: async () => ({ contentType: metrics.contentType, body: await metrics.metrics() }), readiness: cfg.api.readiness,
              dashboard: dashboardPlugin,
            }).then((api) => { log.info(`API and dashboard on ${api.url}${process.env.KEEL_API_TOKEN ? '' : ' (no KEEL_API_TOKEN: actions disabled)'}`); return api; },
              (e: Error) => {
                // No API means no kill switch button: stop before trading rather than run blind.
                apiFailed = new KeelError('API_UNAVAILABLE', `cannot be served: ${e.message.split('\n')[0]}; the engine stopped`, { field: `${cfg.source}: api.port`, value: cfg.api!.port });
                stop.abort();
                return undefined;
              });
          }
          if (cfg.alerts) alerting = startAlerting(h, cfg.alerts, (l) => log.warn(l), { metrics, expectedPath });
          h.subscribe((e) => {
          if (e.kind === 'risk') log.warn({ event: e.type }, describeEvent(venue.instrument, e.type, e.payload));
          if (e.kind !== 'order') return;
          // One correlation id per order, from its intent to its fills (docs/logs.md).
          const p = e.payload as { clientOrderId?: string; order?: { clientOrderId: string } };
          orderLogger(log, p.clientOrderId ?? p.order?.clientOrderId ?? '?').info({ event: e.type }, describeEvent(venue.instrument, e.type, e.payload));
          });
        },
        log: { info: (msg) => log.info({ strategyId }, msg), warn: (msg) => log.warn({ strategyId }, msg) },
      });
      if (apiFailed) throw apiFailed;
      const head = o.quiet ? [] : [summary.restarted ? `restarted: replayed ${summary.replayedEvents} journaled order events${summary.fromSnapshot === undefined ? '' : ` after the snapshot at journal seq ${summary.fromSnapshot}`}` : 'fresh journal'];
      if (summary.snapshotSkipped) say(`warning: ${summary.snapshotSkipped}`);
      if (summary.stopCancels && summary.stopCancels.sent.length > 0) {
        const { sent, stillWorking } = summary.stopCancels;
        say(`shutdown: canceled ${sent.length - stillWorking.length} of ${sent.length} working order(s)`
          + (stillWorking.length > 0 ? `; not confirmed within ${cfg.shutdown.timeoutMs} ms: ${stillWorking.join(', ')}` : ''));
      }
      process.stdout.write([...head, ...summary.reconciliation.lines, ...summary.final.lines, `trading state: ${summary.tradingState}`, ''].join('\n'));
      return summary.final.mismatch ? 1 : 0;
    } finally {
      await alerting?.stop();
      await (await apiStarting?.catch(() => undefined))?.close();
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      await journal.close();
    }
  } finally {
    for (const b of backups) await b.session.close();
    await venue.session.close();
  }
}

/** Live trading needs an explicit, matching confirmation and risk limits, checked before anything connects. */
function checkLiveConfig(cfg: RunConfig, confirm: string | undefined): void {
  if (cfg.live === undefined) {
    throw new KeelError('LIVE_NOT_CONFIRMED', 'is missing: live trading needs the venue account confirmed in the file', { field: `${cfg.source}: live.account`, hint: 'add live: { account: YOUR-ACCOUNT-ID } and pass --confirm-account YOUR-ACCOUNT-ID' });
  }
  if (confirm === undefined) {
    throw new KeelError('LIVE_NOT_CONFIRMED', 'is required: repeat the live account id on the command line to confirm real orders', { field: '--confirm-account', hint: `keel live --config ${cfg.source} --confirm-account ${cfg.live.account}` });
  }
  if (confirm !== cfg.live.account) {
    throw new KeelError('LIVE_NOT_CONFIRMED', `does not match live.account in ${cfg.source} (${JSON.stringify(cfg.live.account)}); nothing was started`, { field: '--confirm-account', value: confirm });
  }
  if (cfg.risk === undefined) {
    throw new KeelError('NO_RISK_LIMITS', 'is missing: keel live refuses to trade without risk limits', { field: `${cfg.source}: risk`, hint: 'see docs/risk-config.md and examples/risk.yaml' });
  }
}

/** One line per order or risk event, in a trader's words. */
function describeEvent(inst: Instrument, type: string, payload: unknown): string {
  const qty = (lots: number) => String(lotsToQuantity(inst, lots));
  const e = payload as { clientOrderId?: string; order?: { clientOrderId: string; side: string; quantity: number; type: string }; fill?: { side: string; quantity: number; price: number; instrumentId: string }; reason?: string; check?: string; to?: string };
  switch (type) {
    case 'order.submitted': return `order ${e.order!.clientOrderId}: ${e.order!.side} ${qty(e.order!.quantity)} ${inst.id} ${e.order!.type}, sent`;
    case 'order.filled': return `order ${e.clientOrderId}: filled, ${e.fill!.side} ${qty(e.fill!.quantity)} ${e.fill!.instrumentId} at ${formatPrice(inst, e.fill!.price)}`;
    case 'order.denied': return `order ${e.clientOrderId}: denied by ${e.check}: ${e.reason}`;
    case 'risk.state-changed': return `trading state ${e.to}: ${e.reason}`;
    default: return `${type}${e.clientOrderId ? ` ${e.clientOrderId}` : ''}${e.reason ? `: ${e.reason}` : ''}`;
  }
}
