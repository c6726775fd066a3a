import * as z from 'zod';
import { KeelError, section, type SecretText } from '../../model/index.ts';
import type { ChannelConfig } from './channels.ts';

const severity = z.enum(['info', 'warning', 'critical'], { error: 'must be info, warning or critical' });
const text = (what: string) => z.string({ error: `must be ${what}` }).min(1, { error: `must be ${what}` });
const url = text('a URL').refine((u) => /^(https?:\/\/|\$\{[A-Za-z_]|secret:)/.test(u), { error: 'must be an http(s) URL, ${ENV_VAR} or secret:NAME' });
const common = { name: text('a channel name'), minSeverity: severity.default('warning') };
/** A credential: text in the file (or `${ENV}`), or a `Secret` once its `secret:NAME` is resolved from the vault. */
const credential = <T extends z.ZodType<string>>(schema: T) => schema.transform((v): SecretText => v);

const channel = z.discriminatedUnion('type', [
  section({ type: z.literal('webhook'), ...common, url: credential(url) }, 'webhook settings (name, url, minSeverity)'),
  section({ type: z.literal('slack'), ...common, url: credential(url) }, 'slack settings (name, url, minSeverity)'),
  section({ type: z.literal('pagerduty'), ...common, routingKey: credential(text('a PagerDuty routing key')), url: credential(url).optional() }, 'pagerduty settings (name, routingKey, url, minSeverity)'),
  section({ type: z.literal('telegram'), ...common, botToken: credential(text('a bot token')), chatId: z.union([z.string(), z.number()]).transform(String), apiUrl: url.optional() }, 'telegram settings (name, botToken, chatId, apiUrl, minSeverity)'),
  section({
    type: z.literal('email'), ...common, host: text('an SMTP host'), port: z.number().int().min(1).max(65535).default(587), from: text('a sender address'),
    to: z.array(text('an address')).min(1, { error: 'must list at least one address' }), user: credential(z.string()).optional(), password: credential(z.string()).optional(), secure: z.boolean().default(false),
  }, 'email settings (name, host, port, from, to, user, password, secure, minSeverity)'),
], { error: 'must have type webhook, slack, pagerduty, telegram or email' });

const ms = z.number({ error: 'must be milliseconds' }).int({ error: 'must be whole milliseconds' }).min(0, { error: 'must be 0 or more' });
const pct = z.number({ error: 'must be a percent' }).positive({ error: 'must be above 0' });

/**
 * The `alerts:` section of keel.yaml (docs/alerts.md). String values may be `${ENV_VAR}`, and credential fields
 * (CHANNEL_SECRET_FIELDS) `secret:NAME` from the vault (docs/security.md): secrets stay out of files.
 */
export const alertsConfigSchema = section({
  channels: z.array(channel).default([]),
  rules: section({
    drawdownPct: pct.optional(), dailyLossPctOfLimit: pct.optional(), pnlDeviationPct: pct.optional(), venueDisconnectedMs: ms.optional(),
    staleDataSeconds: pct.optional(), rejectRatePct: pct.optional(), denialRatePct: pct.optional(), ackLatencyMs: pct.optional(),
    marketToOrderMicros: pct.optional(), rssMb: pct.optional(), eventLoopLagMs: pct.optional(), forMs: ms.default(0),
    /** Rates and latency quantiles are taken over this window, once it holds `minOrders` orders. */
    windowMs: ms.min(1000, { error: 'must be at least 1000 ms' }).default(300_000),
    minOrders: z.number({ error: 'must be a whole number of orders' }).int({ error: 'must be a whole number of orders' }).min(1, { error: 'must be 1 or more' }).default(5),
  }, 'rule thresholds').prefault({}),
  /**
   * The equity path this run should follow, for the pnl-deviation rule: a backtest's result.json or an equity
   * CSV (Date,Equity), relative to the run config. Compared at the engine's market time.
   */
  expectedPath: text('a result.json or equity CSV file').optional(),
  repeatIntervalMs: ms.default(3_600_000),
  /** Alerts a channel is sent within this long of the first go out as one message; 0 sends each at once. */
  groupWaitMs: ms.default(0),
  perMinute: z.number().int().min(1).default(20),
}, 'alert settings (channels, rules, expectedPath, repeatIntervalMs, groupWaitMs, perMinute)');

export type AlertsConfig = z.output<typeof alertsConfigSchema> & { readonly channels: ReadonlyArray<ChannelConfig & { readonly minSeverity: 'info' | 'warning' | 'critical' }> };

/**
 * Replace `${NAME}` in every string of a parsed config section with the environment's value; a missing
 * variable is an error naming where it was used (never its value).
 */
export function expandEnv(value: unknown, env: Readonly<Record<string, string | undefined>>, path = 'alerts'): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = env[name];
      if (v === undefined || v === '') throw new KeelError('BAD_RUN_CONFIG', `uses \${${name}}, which is not set in the environment`, { field: path });
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, env, `${path}.${k}`)]));
  return value;
}
