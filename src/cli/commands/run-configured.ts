import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { KeelError, parseMoney } from '../../model/index.ts';
import { loadStrategy, parseParamString, resolveParams, strategyVersion } from '../../strategy/index.ts';
import { DEFAULT_ROLLOUT_SETTINGS, strategyIdentity, type LoadedCandidate } from '../../lifecycle/index.ts';
import { parseSizing } from '../../backtest/index.ts';
import {
  connectConfiguredVenue, loadExpectedPath, loadRunConfig, runPaperEngine, startAlerting, startBackupSchedule, venueFeed,
  type BackupSource, type ConnectedVenue, type EngineView, type RunConfig,
} from '../../runtime/index.ts';
import type { Journal } from '../../store/index.ts';
import { AUDIT_OK, BackgroundAudit, checkBindRule, loadServerTls, openAuditLog, parseAllowList } from '../../security/index.ts';
import { guardVenueRequests, percentFee } from '../../venues/index.ts';
import { openJournalArg } from '../journal-arg.ts';
import { ClockWatch, EngineMetrics, type Logger } from '../../ops/index.ts';
import { startApiServer, type ApiServer } from '../../server/index.ts';
import { dashboardPlugin } from '../../web/index.ts';
import { endReport, logEngineEvents, sessionLogger, startReport } from '../session-output.ts';
import { resolveConfigSecrets, type VaultChoice } from '../vault-args.ts';
import { apiUsersFor } from '../api-users.ts';
import { requirePreflight, type LivePreflight } from '../live-preflight.ts';
import { attachLease, enterRole, leaveRole, type ActiveNode, type Role } from './ha-role.ts';

/**
 * `keel paper --config keel.yaml` and `keel live --config keel.yaml`: the same engine, strategy file, risk gate
 * and journal; only the venue differs. The whole config is checked before anything connects. Live trading
 * additionally refuses to start unless the operator confirms the venue account on the command line and in
 * the file, the venue is a live one, and risk limits are configured (they are printed before trading).
 */
export async function runConfigured(mode: 'paper' | 'live', configPath: string, o: { confirmAccount?: string; quiet?: boolean; preflight?: LivePreflight; role?: Role } & VaultChoice): Promise<number> {
  const here = dirname(resolve(configPath));
  const local = (p: string) => (isAbsolute(p) || /^[a-z]+:\/\//.test(p) ? p : resolve(here, p));
  const checked = loadRunConfig(configPath);
  if (mode === 'live') checkLiveConfig(checked, o.confirmAccount);
  // secret:NAME values come from the vault, resolved before anything connects (docs/security.md).
  const { config: cfg, secrets: vaultSecrets, vault: resolvedVault } = await resolveConfigSecrets(checked, configPath, o);
  if (mode === 'live') await requirePreflight(cfg, configPath, local(cfg.journal), o.preflight ?? {});
  // Checked before anything connects, like the rest of the file.
  const apiSecurity = cfg.api === undefined ? undefined : {
    tls: cfg.api.tls === undefined ? undefined : loadServerTls(
      { cert: local(cfg.api.tls.cert), key: local(cfg.api.tls.key), ...(cfg.api.tls.ca === undefined ? {} : { ca: local(cfg.api.tls.ca) }) }, `${cfg.source}: api.tls`),
    allow: cfg.api.allow === undefined ? undefined : parseAllowList(cfg.api.allow, `${cfg.source}: api.allow`),
  };
  // The engine's alerts exist once it runs; a vault that becomes unreadable later is raised there.
  let engineView: EngineView | undefined;
  const apiUsers = cfg.api ? await apiUsersFor(cfg, configPath, o, resolvedVault, (line) => process.stderr.write(`${line}\n`),
    (title, detail) => engineView?.addAlert('critical', 'security', title, detail)) : undefined;
  if (cfg.api) {
    checkBindRule({ host: cfg.api.host, tls: apiSecurity?.tls !== undefined, token: Boolean(process.env.KEEL_API_TOKEN), usersConfigured: apiUsers?.directory !== undefined, field: `${cfg.source}: api.host` });
  }
  const expectedPath = cfg.alerts?.expectedPath === undefined ? undefined : loadExpectedPath(local(cfg.alerts.expectedPath), `${cfg.source}: alerts.expectedPath`);

  const strategyRef = cfg.strategy.name.includes('/') || /\.[jt]s$/.test(cfg.strategy.name) ? local(cfg.strategy.name) : cfg.strategy.name;
  const loaded = await loadStrategy(strategyRef);
  const params = resolveParams(loaded.cls.params, parseParamString(Object.entries(cfg.strategy.params).map(([k, v]) => `${k}=${String(v)}`).join(',')), loaded.name);
  const sizing = parseSizing(cfg.sizing);
  const initialCash = parseMoney(cfg.cash, `${cfg.source}: cash`);
  const fees = cfg.commissionPct === undefined ? undefined : percentFee(cfg.commissionPct);
  // Structured logs on stderr (JSON, or readable lines on a terminal), secrets scrubbed by value too.
  const log = sessionLogger(o.quiet, vaultSecrets);
  const say = (line: string) => log.info(line);
  // Active/standby: a standby waits here, following the lease and the journal, until it takes over.
  const apiUrl = cfg.api === undefined ? undefined : `${cfg.api.tls ? 'https' : 'http'}://${cfg.api.host}:${cfg.api.port}`;
  const active = await enterRole(cfg, local(cfg.journal), o.role, log, apiUrl);
  if (active === 'stopped') return 0;
  if (active !== undefined) guardVenueRequests(() => active.keeper?.leaseProblem());
  try {
    return await runAs(active);
  } finally {
    guardVenueRequests(undefined);
    await leaveRole(active);
  }

  async function runAs(active: ActiveNode | undefined): Promise<number> {

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
      const journal = await openJournalArg(local(cfg.journal), { schema: cfg.journalSchema, fencing: active === undefined ? undefined : { epoch: active.epoch } });
      if (active !== undefined && active.leadership.previous.holder !== null) {
        // The takeover in the journal itself, under the new epoch: the first event the old epoch can no longer precede.
        // Stamped with the journal's own last time (the venue's clock, a replayed market's past), not this machine's:
      // start-up reconciliation asks the venue about what happened since the last journaled time.
      const lastTs = (await journal.read({ fromSeq: await journal.lastSeq(), limit: 1 }).catch(async (e: unknown) => { await journal.close(); throw e; }))[0]?.ts ?? 0;
      await journal.append([{ ts: lastTs, stream: { account: cfg.account }, type: 'ha.took-over', payload: { node: active.node, epoch: active.epoch, from: active.leadership.previous.holder, fromEpoch: active.leadership.previous.epoch } }])
          .catch(async (e: unknown) => { await journal.close(); throw e; });
      }
      // The audit trail beside the journal: config.load now, every operator action and refused attempt later.
      let handle: EngineView | undefined;
      const audit = await startAudit(local(cfg.journal), cfg.journalSchema, log, () => handle).catch(async (e: unknown) => { await journal.close(); throw e; });
      audit.record({
        actor: `cli:${osUser()}`, origin: 'cli', action: 'config.load', target: resolve(configPath),
        details: { sha256: createHash('sha256').update(readFileSync(configPath)).digest('hex'), mode, account: cfg.account, venue: venue.description },
        result: AUDIT_OK,
      });
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      const metrics = new EngineMetrics();
      // Clock discipline while trading: keel_clock_offset_seconds and the clock_drift alert (ops/clock).
      const clockWatch = new ClockWatch({ config: cfg.clock, registry: metrics.registry });
      void clockWatch.start();
      const clockSignal = { get offsetMs() { return clockWatch.offsetMs; }, alertMs: cfg.clock.alertMs };
      let apiStarting: Promise<ApiServer | undefined> | undefined;
      let apiFailed: KeelError | undefined;
      let alerting: { stop(): Promise<void> } | undefined;
      let scheduledBackups: { stop(): Promise<void> } | undefined;
      const strategyId = loaded.file ? loaded.file.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '') : loaded.name;
      try {
        const summary = await runPaperEngine({
          account: cfg.account, strategyId, strategyClass: loaded.cls, params, strategyVersion: strategyVersion(loaded, params),
          identity: strategyIdentity({ strategyId, loaded, params, configFile: configPath }),
          // keel deploy shadow: a candidate's file is resolved against this config's folder, like strategy.name.
          rollout: { settings: cfg.rollout ?? DEFAULT_ROLLOUT_SETTINGS, load: (ref, given) => loadCandidate(local, strategyId, ref, given, configPath) },
          instrument: venue.instrument, initialCash, sizing, fees, risk: cfg.risk, journal, venue: venue.session,
          snapshotEvery: cfg.snapshotEvery, external: cfg.external, signal: stop.signal,
          // A node that stepped down cancels nothing: its cancels would be fenced, and the new active owns the orders.
          shutdown: { get cancelWorkingOrders() { return cfg.shutdown.cancelWorkingOrders && active?.steppedDown === undefined; }, timeoutMs: cfg.shutdown.timeoutMs },
          marketData: cfg.data === undefined && backups.length === 0 ? undefined : {
            config: cfg.data, backups: backups.map((b, i) => venueFeed(b.session, { name: `backup-${i + 1} ${b.description}`, own: true })), onStatus: (s) => say(`data: ${JSON.stringify(s)}`),
          },
          mode, riskText: cfg.riskText,
          // Orders and fills as they flow, one line each (the dashboard and the journal have the detail).
          metrics,
          audit,
          venueGuard: active === undefined ? undefined : () => active.keeper?.leaseProblem(),
          onHandle: (h) => {
            handle = h;
            engineView = h;
            if (active !== undefined) attachLease(active, h, () => stop.abort());
            if (cfg.api) {
              const users = apiUsers?.directory;
              apiStarting = startApiServer({
                engine: h, token: users ? undefined : process.env.KEEL_API_TOKEN, host: cfg.api.host, port: cfg.api.port, log: (l) => log.info(l), audit,
                auth: apiUsers && {
                  users, sessions: apiUsers.sessions, lockout: apiUsers.lockout, fourEyesRearmMs: apiUsers.fourEyesRearmMs,
                  alert: (title, detail) => h.addAlert('critical', 'security', title, detail),
                },
                tls: apiSecurity?.tls, allow: apiSecurity?.allow,
                metrics: async () => ({ contentType: metrics.contentType, body: await metrics.metrics() }), readiness: cfg.api.readiness,
                dashboard: dashboardPlugin,
              }).then((api) => {
                const who = users ? `${users.users().length} user(s)${apiUsers?.fourEyesRearmMs ? ', four-eyes re-arm' : ''}${process.env.KEEL_API_TOKEN ? ', KEEL_API_TOKEN ignored' : ''}`
                  : process.env.KEEL_API_TOKEN ? 'no users: KEEL_API_TOKEN for actions' : 'no KEEL_API_TOKEN: actions disabled';
                const notes = [apiSecurity?.tls ? `TLS ${apiSecurity.tls.summary}` : '', apiSecurity?.allow ? `allow ${apiSecurity.allow.entries.join(', ')}` : '', who].filter(Boolean);
                log.info(`API and dashboard on ${api.url}${notes.length ? ` (${notes.join('; ')})` : ''}`);
                return api;
              },
                (e: Error) => {
                  // No API means no kill switch button: stop before trading rather than run blind.
                  apiFailed = new KeelError('API_UNAVAILABLE', `cannot be served: ${e.message.split('\n')[0]}; the engine stopped`, { field: `${cfg.source}: api.port`, value: cfg.api!.port });
                  stop.abort();
                  return undefined;
                });
            }
            if (cfg.alerts) alerting = startAlerting(h, cfg.alerts, (l) => log.warn(l), { metrics, expectedPath, escalation: cfg.escalation, clock: clockSignal });
            if (cfg.backup) scheduledBackups = startScheduledBackups(cfg, local, journal, h, log);
            logEngineEvents(h, venue.instrument, log);
          },
          onTrading: (reconciliation, start) => {
            process.stdout.write(startReport(reconciliation, start, o.quiet));
            const c = cfg.rollout?.candidate;
            if (c && handle?.rollout) {
              void handle.rollout.deployShadow({ strategy: c.name, params: c.params, by: { actor: 'system', origin: 'engine', label: 'run config' } })
                .then((r) => say(`rollout: ${r.ok ? '' : 'refused: '}${r.message}`));
            }
          },
          log: { info: (msg) => log.info({ strategyId }, msg), warn: (msg) => log.warn({ strategyId }, msg) },
        });
        if (apiFailed) throw apiFailed;
        if (active?.steppedDown !== undefined) return steppedDown(active);
        if (summary.snapshotSkipped) say(`warning: ${summary.snapshotSkipped}`);
        if (summary.stopCancels && summary.stopCancels.sent.length > 0) {
          const { sent, stillWorking } = summary.stopCancels;
          say(`shutdown: canceled ${sent.length - stillWorking.length} of ${sent.length} working order(s)`
            + (stillWorking.length > 0 ? `; not confirmed within ${cfg.shutdown.timeoutMs} ms: ${stillWorking.join(', ')}` : ''));
        }
        process.stdout.write(endReport(summary));
        return summary.final.mismatch ? 1 : 0;
      } catch (err) {
        // A node that lost the lease finds its journal fenced at the stop: that is the step-down, not a crash.
        if (active?.steppedDown !== undefined) return steppedDown(active);
        throw err;
      } finally {
        clockWatch.stop();
        await scheduledBackups?.stop();
        await alerting?.stop();
        await (await apiStarting?.catch(() => undefined))?.close();
        apiUsers?.directory?.close();
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        await audit.close();
        await journal.close();
      }
    } finally {
      for (const b of backups) await b.session.close();
      await venue.session.close();
    }
  }

  function steppedDown(a: ActiveNode): number {
    process.stderr.write(`keel: stepped down: node ${a.node} lost the leader lease at epoch ${a.epoch} (${a.steppedDown}); no order was sent after it\n`);
    return 3;
  }
}

/**
 * `backup: {every, to, keep}`: online backups of the journal on a schedule while trading, each restored into a
 * scratch place and verified (`<data file>.verify.json`); a failed backup or verification is logged as an
 * error and raised as the critical `backup` alert.
 */
function startScheduledBackups(cfg: RunConfig, local: (p: string) => string, journal: Journal, h: EngineView, log: Logger): { stop(): Promise<void> } {
  const at = local(cfg.journal);
  const source: BackupSource = /^postgres(ql)?:\/\//.test(at) ? { kind: 'postgres', url: at, schema: cfg.journalSchema ?? 'keel' } : { kind: 'sqlite', path: at };
  return startBackupSchedule({
    source, journal, config: { ...cfg.backup!, to: local(cfg.backup!.to) },
    onRound: (r) => {
      if (r.error === undefined) {
        log.info(`backup: ${r.result!.dataPath} (seq ${r.result!.manifest.lastSeq})${r.verification ? `, restored and verified, fingerprint ${r.verification.fingerprint.slice(0, 16)}` : ''}`);
        return;
      }
      log.error(`backup: ${r.error}`);
      h.addAlert('critical', 'backup', r.result === undefined ? 'backup failed' : 'backup verification failed', r.error);
    },
  });
}

/**
 * The engine's audit trail, written in the background. A record that cannot be written is logged as an error
 * and raised as a critical alert (the dashboard and every alert channel), and trading goes on: a broken audit
 * database must not be able to block a kill switch. Each stored record's seq and hash is logged, a copy of
 * the chain's head outside the database (docs/security.md).
 */
async function startAudit(journal: string, schema: string | undefined, log: Logger, view: () => EngineView | undefined): Promise<BackgroundAudit> {
  const trail = await openAuditLog({ journal, schema });
  return new BackgroundAudit(trail, {
    onRecorded: (r) => log.info({ audit: { seq: r.seq, hash: r.hash } }, `audit #${r.seq} ${r.action} by ${r.actor} from ${r.origin}: ${r.result.status}`),
    onFailure: (e, err) => {
      const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
      log.error({ audit: { action: e.action, actor: e.actor, origin: e.origin } }, `audit record NOT written: ${e.action} by ${e.actor} from ${e.origin}: ${why}`);
      view()?.addAlert('critical', 'audit', `audit record not written: ${e.action} by ${e.actor}`, why);
    },
  });
}

/** The OS user running this command (the `cli:<user>` of its audit records). */
function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
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

/** A candidate version for `keel deploy shadow`: loaded, its parameters resolved, its identity taken. */
async function loadCandidate(local: (p: string) => string, strategyId: string, ref: string, given: Readonly<Record<string, unknown>>, configPath: string): Promise<LoadedCandidate> {
  const loaded = await loadStrategy(ref.includes('/') || /\.[jt]s$/.test(ref) ? local(ref) : ref);
  const params = resolveParams(loaded.cls.params, parseParamString(Object.entries(given).map(([k, v]) => `${k}=${String(v)}`).join(',')), loaded.name);
  return { cls: loaded.cls, params, identity: strategyIdentity({ strategyId, loaded, params, configFile: configPath }) };
}
