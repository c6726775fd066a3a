import { readFileSync } from 'node:fs';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import * as z from 'zod';
import { KeelError, parseYamlConfig, section, type ConfigSection } from '../model/index.ts';
import { parseRiskConfig, type RiskConfig } from '../risk/index.ts';
import { liveDataConfigSchema, type LiveDataConfig } from '../data/index.ts';
import { rolloutSettingsSchema } from '../lifecycle/index.ts';
import { alertsConfigSchema, expandEnv, type AlertsConfig } from '../ops/index.ts';
import { preflightConfigSchema, recordsConfigSchema } from '../compliance/index.ts';
import { clockConfigSchema } from '../ops/index.ts';
import { backupConfigSchema, escalationConfigSchema, haConfigSchema } from './run-config-ops.ts';

/**
 * The run config, `keel.yaml`, for `keel paper --config` and `keel live --config`: which strategy, which
 * venue, which journal, which risk limits. One file, checked whole before anything connects: every problem
 * is one line naming the file, line, key and value. The venue section's own keys (URLs, credentials, feed)
 * are checked by the venue's adapter, the `risk:` section by the risk schema (docs/risk-config.md).
 *
 * @example
 * account: paper
 * strategy: { name: sma-cross, params: { fast: 10, slow: 30 } }
 * venue: { kind: alpaca, symbol: ORCL, tradingUrl: http://127.0.0.1:7401 }
 * journal: run/journal.sqlite
 * risk: { account: { maxOrderNotional: 50000 } }
 */
/** Zod error wording: a missing key is "required", a wrong value "must be …", unknown keys are named. */
const must = (what: string) => (iss: { input?: unknown }) => (iss.input === undefined ? `is required: ${what}` : `must be ${what}`);
const nonEmpty = (what: string) => z.string({ error: must(what) }).min(1, { error: `must be ${what}` });

const runShape = {
  /** The account's name in the journal (and at the sim venue server). */
  account: nonEmpty('an account name').default('paper'),
  strategy: section({
    /** A built-in strategy (`keel strategies`) or a path to a strategy file. */
    name: nonEmpty('a built-in strategy name or a path to a strategy file'),
    params: z.record(z.string(), z.unknown(), { error: must('a mapping of parameter names to values') }).default({}),
  }, 'name and params'),
  venue: z.object({
    kind: z.enum(['sim', 'alpaca', 'ccxt', 'fix', 'ib'], { error: must('sim, alpaca, ccxt, fix or ib') }),
  }, { error: must("a mapping with kind (sim, alpaca, ccxt, fix or ib) and that venue's keys") }).loose(),
  /**
   * The secrets vault that `secret:NAME` values come from (docs/security.md), relative to this file. `--vault`
   * wins over it; without either, KEEL_VAULT, then keel.vault in the current folder. Opened only when needed.
   */
  vault: nonEmpty('a vault file path').optional(),
  /** A SQLite file or a postgres:// URL. */
  journal: nonEmpty('a SQLite file path or a postgres:// URL'),
  journalSchema: nonEmpty('a PostgreSQL schema name').optional(),
  /** Starting cash on a fresh journal (the venue's account must hold the same). */
  cash: z.union([z.string(), z.number()], { error: 'must be an amount, e.g. 100000' }).transform(String).default('100000'),
  sizing: nonEmpty('all-in, units:N or percent:P').default('units:1'),
  /** The venue's commission in percent of notional, for the buying-power estimate. */
  commissionPct: z.union([z.string(), z.number()], { error: 'must be a percent, e.g. 0.1' }).transform(String).optional(),
  snapshotEvery: z.number({ error: 'must be a whole number of events' }).int({ error: 'must be a whole number of events' }).min(0, { error: 'must be 0 or more' }).default(100_000),
  external: z.enum(['flag', 'adopt'], { error: 'must be flag or adopt' }).default('flag'),
  /** Live trading only: the venue account id the operator confirms (checked against the venue's answer). */
  live: section({ account: nonEmpty('the venue account id you confirm trading live on') }, 'account').optional(),
  /**
   * The HTTP API, metrics and dashboard of this engine (docs/api.md). Users (the vault's) authenticate; without
   * users, the legacy action token comes from KEEL_API_TOKEN (never from this file).
   */
  api: section({
    port: z.number({ error: must('a port number') }).int({ error: 'must be a port number' }).min(0, { error: 'must be a port number' }).max(65535, { error: 'must be a port number' }).default(7070),
    host: nonEmpty('an address to listen on, e.g. 127.0.0.1').default('127.0.0.1'),
    /** `/readyz` says not ready when the last market event is older than this (a daily-bar strategy needs more than 60 s). */
    readiness: section({
      maxDataAgeMs: z.number({ error: must('milliseconds') }).int({ error: 'must be whole milliseconds' }).min(1, { error: 'must be 1 ms or more' }).default(60_000),
    }, 'maxDataAgeMs').prefault({}),
    /**
     * HTTPS: the certificate and private key files (PEM; relative to this file), and optionally a CA file.
     * Required for a host other than loopback (docs/security.md, "The bind rule").
     */
    tls: section({
      cert: nonEmpty('the certificate file (PEM), e.g. tls/cert.pem'),
      key: nonEmpty('the private key file (PEM), e.g. tls/key.pem'),
      ca: nonEmpty('a CA certificate file (PEM)').optional(),
    }, 'cert, key and ca').optional(),
    /** Only these addresses may connect: IPv4/IPv6 CIDRs or single addresses (checked by security/access). */
    allow: z.array(z.string({ error: 'must be an IP address or CIDR, e.g. 10.0.0.0/8' }), { error: must('a list of addresses and CIDR networks') }).min(1, { error: 'must list at least one address (leave allow out to accept every address)' }).optional(),
  }, 'port, host, readiness, tls and allow').optional(),
  /**
   * Who may use the API (docs/security.md, docs/run-config.md). Users rule whenever the vault this config
   * opens holds any (`keel users add`); `users: true` insists on them (the vault is opened even if no
   * `secret:` needs it, and a vault without users is refused). Without users the API is in the legacy
   * single-operator mode (KEEL_API_TOKEN, loopback only).
   */
  security: section({
    users: z.literal(true, { error: 'must be true, or left out (users rule whenever the vault holds any)' }).optional(),
    /** Dashboard sessions end after `idleMinutes` without a request, and `maxHours` after sign-in in any case. */
    session: section({
      idleMinutes: z.number({ error: must('minutes') }).int({ error: 'must be whole minutes' }).min(1, { error: 'must be 1 minute or more' }).max(1440, { error: 'must be at most 1440 (a day)' }).default(30),
      maxHours: z.number({ error: must('hours') }).int({ error: 'must be whole hours' }).min(1, { error: 'must be 1 hour or more' }).max(168, { error: 'must be at most 168 (a week)' }).default(12),
    }, 'idleMinutes and maxHours').prefault({}),
    /** Failed passwords and TOTP codes: a user name is locked after `attempts`, an address after `addressAttempts`, for `minutes`. */
    lockout: section({
      attempts: z.number({ error: must('a count') }).int({ error: 'must be a whole number' }).min(1, { error: 'must be 1 or more' }).max(100, { error: 'must be at most 100' }).default(5),
      addressAttempts: z.number({ error: must('a count') }).int({ error: 'must be a whole number' }).min(1, { error: 'must be 1 or more' }).max(1000, { error: 'must be at most 1000' }).default(20),
      minutes: z.number({ error: must('minutes') }).int({ error: 'must be whole minutes' }).min(1, { error: 'must be 1 minute or more' }).max(1440, { error: 'must be at most 1440 (a day)' }).default(15),
    }, 'attempts, addressAttempts and minutes').prefault({}),
    /** Four-eyes re-arm: a second, different risk user confirms within `windowMinutes` (needs users). */
    rearm: section({
      fourEyes: z.boolean({ error: 'must be true or false' }).default(false),
      windowMinutes: z.number({ error: must('minutes') }).int({ error: 'must be whole minutes' }).min(1, { error: 'must be 1 minute or more' }).max(1440, { error: 'must be at most 1440 (a day)' }).default(10),
    }, 'fourEyes and windowMinutes').prefault({}),
  }, 'users, session, lockout and rearm').prefault({}),
  /**
   * What a stop (SIGTERM, Ctrl-C) does besides refusing new orders, flushing the journal and reconciling:
   * optionally cancel every working order at the venue first, waiting at most `timeoutMs` for the venue to
   * confirm (resting orders left behind keep trading while nobody watches them).
   */
  shutdown: section({
    cancelWorkingOrders: z.boolean({ error: 'must be true or false' }).default(false),
    timeoutMs: z.number({ error: must('milliseconds') }).int({ error: 'must be whole milliseconds' }).min(0, { error: 'must be 0 or more' }).default(10_000),
  }, 'cancelWorkingOrders and timeoutMs').prefault({}),
  /** Order-record retention and archive (docs/compliance.md). */
  records: recordsConfigSchema.prefault({}),
  /** Clock discipline: the clock_drift alert threshold and the hard limit keel live refuses past (ops/clock). */
  clock: clockConfigSchema.prefault({}),
  /** What keel preflight asks of the kill-switch test and the backups (docs/compliance.md). */
  preflight: preflightConfigSchema.prefault({}),
  /** Alert channels and rules (docs/alerts.md); validated by its schema. */
  alerts: z.unknown().optional(),
  /** Staged rollout of new strategy versions (docs/lifecycle.md): canary fraction and loss budget, rollback, automatic promotion. */
  rollout: rolloutSettingsSchema.optional(),
  /** Validated by the risk schema; listed here so the rest of the file may carry it. */
  risk: z.unknown().optional(),
  /** The live data path (docs/live-data.md): validation, failover, bars from trades; validated by its schema. */
  data: z.unknown().optional(),
  /**
   * Market data feeds to fail over to when the venue's own goes stale or drops (in priority order): venue
   * sections like `venue` (used for their market data only, never for orders). Needs nothing else: the live
   * data path is switched on with its defaults when `data` is absent.
   */
  /** Active/standby on a PostgreSQL journal: the leader lease (docs/high-availability.md). */
  ha: haConfigSchema.optional(),
  /** Scheduled, verified backups of the journal while trading (docs/disaster-recovery.md). */
  backup: backupConfigSchema.optional(),
  /** Who is paged for what (docs/runbooks/). */
  escalation: escalationConfigSchema.optional(),
  backupFeeds: z.array(z.object({ kind: z.enum(['sim', 'alpaca', 'ccxt', 'ib'], { error: must('sim, alpaca, ccxt or ib') }) }, { error: must("a venue section (kind and that venue's keys)") }).loose(),
    { error: must('a list of venue sections') }).optional(),
};

export const runConfigSchema = section(runShape, 'run settings (account, strategy, venue, journal, risk, ...)');

/** The run config as checked (typed from the strict shape: the section's catch-all for unknown keys is only for errors). */
export type RunConfigFile = z.output<z.ZodObject<typeof runShape>>;

export interface RunConfig extends Omit<RunConfigFile, 'risk' | 'data' | 'alerts'> {
  /** The `alerts:` section, checked, with `${ENV}` references filled in. */
  readonly alerts: AlertsConfig | undefined;
  /** The file it came from (relative paths in it are resolved from its folder by the caller). */
  readonly source: string;
  readonly risk: RiskConfig | undefined;
  /** The `risk:` section as written, for printing the limits in force. */
  readonly riskText: string | undefined;
  /** The `data:` section, checked; absent: market data goes from the venue to the strategy as it comes. */
  readonly data: LiveDataConfig | undefined;
}

const DATA_SECTION: ConfigSection<LiveDataConfig> = { schema: liveDataConfigSchema as unknown as ConfigSection<LiveDataConfig>['schema'], code: 'BAD_RUN_CONFIG', key: 'data' };
const ALERTS_SECTION: ConfigSection<unknown> = { schema: alertsConfigSchema as unknown as ConfigSection<unknown>['schema'], code: 'BAD_RUN_CONFIG', key: 'alerts' };
const RUN_SECTION: ConfigSection<RunConfigFile> = { schema: runConfigSchema as unknown as ConfigSection<RunConfigFile>['schema'], code: 'BAD_RUN_CONFIG' };

/** Parse and check a run config's text; `source` names the file in errors. */
export function parseRunConfig(text: string, source: string, env: Readonly<Record<string, string | undefined>> = process.env): RunConfig {
  const file = parseYamlConfig(text, source, RUN_SECTION);
  const raw = parseYaml(text) as { risk?: unknown; data?: unknown; alerts?: unknown };
  const hasRisk = raw.risk !== undefined && raw.risk !== null;
  const hasData = raw.data !== undefined && raw.data !== null;
  return {
    ...file, source,
    risk: hasRisk ? parseRiskConfig(text, source) : undefined,
    riskText: hasRisk ? toYaml(raw.risk).trimEnd() : undefined,
    data: hasData ? parseYamlConfig(text, source, DATA_SECTION) : undefined,
    alerts: raw.alerts === undefined || raw.alerts === null ? undefined
      : expandEnv(parseYamlConfig(text, source, ALERTS_SECTION), env, `${source}: alerts`) as AlertsConfig,
  };
}

/** Read and check `keel.yaml` (or the file given to `--config`). */
export function loadRunConfig(path: string): RunConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new KeelError('BAD_RUN_CONFIG', `cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { field: '--config', value: path });
  }
  return parseRunConfig(text, path);
}
