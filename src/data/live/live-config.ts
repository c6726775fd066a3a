import * as z from 'zod';
import { assertTimeZone, KeelError } from '../../model/index.ts';

/**
 * Configuration of the live data path as one zod schema: defaults, validation and the docs table
 * (docs/live-data.md) come from here. Durations are milliseconds (`…Ms`), percentages are percent (`10` = 10%).
 * Every section is optional; `{}` is a complete, sensible configuration.
 */

const DAY_MS = 86_400_000;

const positiveMs = (what: string) => z.number({ error: `must be a number of milliseconds (${what})` })
  .int({ error: 'must be a whole number of milliseconds' }).positive({ error: 'must be positive' });
const nonNegativeMs = (what: string) => z.number({ error: `must be a number of milliseconds (${what})` })
  .int({ error: 'must be a whole number of milliseconds' }).nonnegative({ error: 'must not be negative' });
const percent = z.number({ error: 'must be a percentage such as 10' }).positive({ error: 'must be positive' });
const count = z.number({ error: 'must be a whole number' }).int({ error: 'must be a whole number' });
const flag = z.boolean({ error: 'must be true or false' });

/** Spike detection: see live-validator.ts for the rule. */
const mapping = (what: string) => ({ error: `must be a mapping of ${what}` });

export const spikeConfigSchema = z.strictObject({
  /** Any move larger than this percentage from the last good price is suspect, whatever the recent volatility. */
  maxJumpPct: percent.default(10),
  /** A move larger than this many times the rolling mean move is suspect (once `warmup` moves were seen) … */
  rollingFactor: z.number({ error: 'must be a number such as 10' }).positive({ error: 'must be positive' }).default(10),
  /** … and larger than this percentage (a floor: in a quiet market a one-tick move is many times the mean). */
  minJumpPct: percent.default(2),
  /** Span of the rolling mean absolute move, in events (an exponential average, alpha = 2 / (window + 1)). */
  window: count.min(2, { error: 'must be at least 2' }).default(100),
  /** Moves needed before the rolling rule applies (before that only maxJumpPct does). */
  warmup: count.min(0, { error: 'must not be negative' }).default(20),
  /** Events near a suspect new level needed to accept it (0: accept at once, flagged). */
  confirmations: count.min(0, { error: 'must not be negative' }).max(100, { error: 'must be at most 100' }).default(3),
}, mapping('spike settings')).superRefine((s, ctx) => {
  if (s.minJumpPct > s.maxJumpPct) ctx.addIssue({ code: 'custom', message: `must not be above maxJumpPct ${s.maxJumpPct}`, path: ['minJumpPct'] });
});

export const validatorConfigSchema = z.strictObject({
  /** An instrument with no accepted event for this long (while its market is open) is reported stale. */
  maxAgeMs: positiveMs('e.g. 60000').default(60_000),
  /** Events stamped more than this far ahead of the local clock are dropped (clock skew or a bad stamp). */
  maxClockSkewMs: nonNegativeMs('e.g. 2000').default(2_000),
  /** bid = ask: `flag` (pass, counted) or `drop`. Crossed quotes (bid > ask) are always dropped. */
  lockedQuotes: z.enum(['flag', 'drop'], { error: 'must be flag or drop' }).default('flag'),
  /** A trade identical to the previous one (same time, price and size): `drop` (a re-sent message) or `keep`. */
  duplicateTrades: z.enum(['drop', 'keep'], { error: 'must be drop or keep' }).default('drop'),
  spike: spikeConfigSchema.prefault({}),
}, mapping('validation settings'));

export const failoverConfigSchema = z.strictObject({
  /** A feed with no event for this long while its market is open is stale (and loses the active role). */
  staleAfterMs: positiveMs('e.g. 10000').default(10_000),
  /** Return to the primary once it has been healthy again for `holdDownMs`. */
  switchBack: flag.default(true),
  /** How long the primary must stay healthy before switching back (prevents flapping). */
  holdDownMs: nonNegativeMs('e.g. 30000').default(30_000),
}, mapping('failover settings'));

/** `1s`, `5s`, `1m`, `5m`, `15m`, `1h`, `4h`, `1d`, …: any whole number of s/m/h that divides a day, or `1d`. */
export function parseBarInterval(text: string): number | undefined {
  const m = /^(\d+)(s|m|h|d)$/.exec(text);
  if (m === null) return undefined;
  const n = Number(m[1]);
  const ms = n * (m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : m[2] === 'h' ? 3_600_000 : DAY_MS);
  if (m[2] === 'd') return n === 1 ? ms : undefined;
  return ms > 0 && DAY_MS % ms === 0 ? ms : undefined;
}

export const barConfigSchema = z.strictObject({
  interval: z.string({ error: 'must be an interval such as 1m' })
    .refine((s) => parseBarInterval(s) !== undefined, { error: 'must be 1d or a number of s, m or h that divides a day (1s, 1m, 5m, 1h, …)' })
    .default('1m'),
  /** Emit a flat bar (previous close, volume 0) for an interval without trades. */
  emitEmpty: flag.default(false),
  /** The timer closes an interval this long after its end, so trades stamped just before the end can still arrive. */
  closeDelayMs: nonNegativeMs('e.g. 1000').default(1_000),
  /** Zone whose local clock aligns the intervals (default: each instrument's own zone). */
  timeZone: z.string({ error: 'must be an IANA time zone' })
    .refine(isTimeZone, { error: 'is not a known IANA time zone (use e.g. UTC or America/New_York)' }).optional(),
  /** Local time a daily bar starts at, e.g. "17:00" for futures whose session opens the evening before. */
  sessionStart: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a time such as "00:00" or "17:00"' }).default('00:00'),
  /** Also pass the trades on (their stamps run ahead of the bar being built, whose `ts` is its open time). */
  forwardTrades: flag.default(false),
}, mapping('bar settings'));

function isTimeZone(zone: string): boolean {
  try {
    assertTimeZone(zone);
    return true;
  } catch {
    return false;
  }
}

export const liveDataConfigSchema = z.strictObject({
  validation: validatorConfigSchema.prefault({}),
  failover: failoverConfigSchema.prefault({}),
  /** Build bars from trades; absent: no aggregation, events pass as the feed sends them. */
  bars: barConfigSchema.optional(),
  /** How often the timer checks staleness, failover health and closes bars. */
  timerMs: positiveMs('e.g. 250').default(250),
}, mapping('live data settings (validation, failover, bars, timerMs)'));

export type SpikeConfig = z.output<typeof spikeConfigSchema>;
export type ValidatorConfig = z.output<typeof validatorConfigSchema>;
export type FailoverConfig = z.output<typeof failoverConfigSchema>;
export type BarConfig = z.output<typeof barConfigSchema>;
export type LiveDataConfig = z.output<typeof liveDataConfigSchema>;
/** What a caller writes: every key optional. */
export type LiveDataConfigInput = z.input<typeof liveDataConfigSchema>;
export type ValidatorConfigInput = z.input<typeof validatorConfigSchema>;
export type FailoverConfigInput = z.input<typeof failoverConfigSchema>;
export type BarConfigInput = z.input<typeof barConfigSchema>;

/**
 * Parse the live data config; throws one KeelError('BAD_LIVE_DATA_CONFIG') naming the field and the value.
 *
 * @example
 * parseLiveDataConfig({ failover: { staleAfterMs: 5000 }, bars: { interval: '1m' } }).failover.holdDownMs; // 30000
 * parseLiveDataConfig({ failover: { staleAfterMs: -1 } }); // KeelError: live data config failover.staleAfterMs = -1: must be positive
 */
export function parseLiveDataConfig(input: unknown): LiveDataConfig {
  return parseWith(liveDataConfigSchema, input ?? {}, '');
}

/** The validator section alone. @example parseValidatorConfig({ maxAgeMs: 5000 }).spike.confirmations // 3 */
export function parseValidatorConfig(input: unknown): ValidatorConfig {
  return parseWith(validatorConfigSchema, input ?? {}, 'validation');
}

/** The failover section alone. @example parseFailoverConfig({}).staleAfterMs // 10000 */
export function parseFailoverConfig(input: unknown): FailoverConfig {
  return parseWith(failoverConfigSchema, input ?? {}, 'failover');
}

/** The bars section alone. @example parseBarConfig({ interval: '5m' }).emitEmpty // false */
export function parseBarConfig(input: unknown): BarConfig {
  return parseWith(barConfigSchema, input ?? {}, 'bars');
}

function parseWith<T extends z.ZodType>(schema: T, input: unknown, prefix: string): z.output<T> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const dotted = [prefix, ...issue.path.map(String)].filter((s) => s !== '').join('.');
  const field = dotted === '' ? 'live data config' : `live data config ${dotted}`;
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(schema, issue.path);
    throw new KeelError('BAD_LIVE_DATA_CONFIG', `has no key ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`, {
      field, value: issue.keys.join(', '), ...(known.length ? { hint: `known keys: ${known.join(', ')}` } : {}),
    });
  }
  const value = valueAt(input, issue.path);
  const message = value === undefined ? 'is required' : issue.message;
  throw new KeelError('BAD_LIVE_DATA_CONFIG', message, { field, value: value === null || typeof value === 'object' ? undefined : value });
}

/** Keys of the object schema at `path` (through defaults, preprocessing and refinements), for the hint. */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s: unknown = schema;
  for (let i = 0; i <= path.length; i++) {
    s = unwrap(s);
    if (!(s instanceof z.ZodObject)) return [];
    if (i === path.length) return Object.keys(s.shape);
    s = (s.shape as Record<string, unknown>)[String(path[i])];
  }
  return [];
}

function unwrap(s: unknown): unknown {
  for (let guard = 0; guard < 10; guard++) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional) s = s.unwrap();
    else if (s instanceof z.ZodPipe) s = s.out instanceof z.ZodTransform ? s.in : s.out;
    else return s;
  }
  return s;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const seg of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}
