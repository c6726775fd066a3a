import * as z from 'zod';
import { section } from '../model/index.ts';
import type { BuyingPower } from './config.ts';
import {
  parseAmount, parseBoolean, parseBreakerAction, parseCount, parseDuration, parseInstrumentIds, parseLeverage,
  parsePercent, parseQuantity, parseTimeOfDay, parseTimeZone, parseWeekdays, type Parsed,
} from './config-units.ts';

/**
 * The `risk:` config as one zod schema: validation, defaults and the YAML → RiskConfig mapping in one place.
 * YAML keys are the RiskConfig field names, except that durations drop the `Ms` suffix (a trader writes
 * `maxReferenceAge: 30s`, the engine reads `maxReferenceAgeMs: 30000`):
 *
 *   priceCollar.maxReferenceAge   → maxReferenceAgeMs      account / strategies duplicateWindow → duplicateWindowMs
 *   breakers.rejectRate.window    → windowMs               breakers.staleData.maxAge            → maxAgeMs
 *   breakers.venueDisconnect.grace → graceMs
 *
 * Every issue carries a message that follows "field = value: " and, in `params.hint`, an optional hint;
 * `config-file.ts` turns the first one into a KeelError with the line number.
 */

/** A unit parser as a schema. `example` is the hint when the key is required but missing. */
function unit<T>(parse: (v: unknown) => Parsed<T>, example: string) {
  return z.unknown().transform((v, ctx): T => {
    if (v === undefined) {
      ctx.addIssue({ code: 'custom', message: 'is required', params: { hint: example } });
      return z.NEVER;
    }
    const r = parse(v);
    if (r.ok) return r.value;
    ctx.addIssue({ code: 'custom', message: r.problem.message, path: [...(r.problem.at ?? [])], params: { hint: r.problem.hint } });
    return z.NEVER;
  });
}

const amount = unit(parseAmount, 'an amount such as 50000');
const percent = unit(parsePercent, 'a percent such as 5');
const quantity = unit(parseQuantity, 'a quantity such as 100');
const count = unit(parseCount, 'a whole number such as 10');
const duration = unit(parseDuration, 'a duration such as 30s');
const timeOfDay = unit(parseTimeOfDay, 'a time such as "09:30"');
const sessionEnd = unit((v) => parseTimeOfDay(v, { allowEndOfDay: true }), 'a time such as "16:00"');
const timeZone = unit(parseTimeZone, 'a time zone such as America/New_York');
const action = unit(parseBreakerAction, 'reduce, halt or kill');
const flag = unit(parseBoolean, 'true or false');

/** A section whose key may be present but empty (`killSwitch:` with its lines commented out) = `{}`. */
function emptyable<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (v === null || v === undefined ? {} : v), schema);
}

/** Object-level rule "at least one of these keys", reported at the section's key. */
function needsOneOf(keys: readonly string[]) {
  return (obj: Record<string, unknown>, ctx: z.RefinementCtx) => {
    if (keys.every((k) => obj[k] === undefined)) ctx.addIssue({ code: 'custom', message: `needs ${keys.join(' or ')} (or both)` });
  };
}

const priceCollar = section({
  pct: percent.optional(),
  ticks: count.optional(),
  maxReferenceAge: duration.default(60_000),
}, 'collar settings (pct, ticks, maxReferenceAge)')
  .superRefine(needsOneOf(['pct', 'ticks']))
  .transform(({ pct, ticks, maxReferenceAge }) => defined({ pct, ticks, maxReferenceAgeMs: maxReferenceAge }));

const sessionWindow = section({ days: unit(parseWeekdays, 'days such as mon-fri'), start: timeOfDay, end: sessionEnd }, 'days, start and end')
  .superRefine((w, ctx) => {
    if (w.start === w.end) ctx.addIssue({ code: 'custom', message: 'must differ from start', path: ['end'], params: { hint: 'use start "00:00" and end "24:00" for the whole day' } });
  })
  .transform(({ days, start, end }) => ({ days, start, end }));

const sessions = section({
  zone: timeZone,
  windows: z.array(sessionWindow, { error: 'must be a list of windows such as [{ days: mon-fri, start: "09:30", end: "16:00" }]' })
    .min(1, { error: 'must list at least one window' }),
}, 'zone and windows')
  .transform(({ zone, windows }) => ({ zone, windows }));

const buyingPower = section({
  mode: unit((v) => (v === 'cash' || v === 'margin' ? { ok: true, value: v } : { ok: false, problem: { message: 'must be cash or margin' } }), 'cash or margin'),
  leverage: unit(parseLeverage, 'a leverage such as 2').optional(),
}, 'mode (cash or margin) and leverage')
  .superRefine((b, ctx) => {
    if (b.mode === 'cash' && b.leverage !== undefined) ctx.addIssue({ code: 'custom', message: 'applies only to mode margin', path: ['leverage'] });
  })
  .transform((b): BuyingPower => (b.mode === 'cash' ? { mode: 'cash' } : { mode: 'margin', leverage: b.leverage ?? 1 }));

const exposureShape = { maxGrossExposure: amount.optional(), maxNetExposure: amount.optional() };

const scopeShape = {
  ...exposureShape,
  maxOrderNotional: amount.optional(),
  maxOpenOrders: count.optional(),
  maxOrdersPerSecond: count.optional(),
  maxModificationsPerSecond: count.optional(),
  restricted: unit(parseInstrumentIds, 'a list such as [ORCL]').optional(),
  duplicateWindow: duration.optional(),
  priceCollar: priceCollar.optional(),
};

/** Scope limits keep the YAML name `duplicateWindow`; the engine reads `duplicateWindowMs`. */
function scopeFields<T extends { duplicateWindow?: number }>(o: T) {
  const { duplicateWindow, ...rest } = o;
  return defined({ ...rest, duplicateWindowMs: duplicateWindow });
}

const account = section({
  ...scopeShape,
  buyingPower: buyingPower.optional(),
  sessions: sessions.optional(),
  allowShort: flag.optional(),
}, 'account limits such as maxOrderNotional: 50000').transform(scopeFields);

const strategy = section(scopeShape, 'strategy limits such as maxOrderNotional: 25000').transform(scopeFields);

const instrument = section({
  maxOrderQuantity: quantity.optional(),
  maxOrderNotional: amount.optional(),
  maxPositionQuantity: quantity.optional(),
  maxPositionNotional: amount.optional(),
  maxOpenOrders: count.optional(),
  minQuantity: quantity.optional(),
  maxQuantity: quantity.optional(),
  minNotional: amount.optional(),
  allowShort: flag.optional(),
  priceCollar: priceCollar.optional(),
  sessions: sessions.optional(),
}, 'instrument limits such as maxPositionQuantity: 1000')
  .superRefine((i, ctx) => {
    if (i.minQuantity !== undefined && i.maxQuantity !== undefined && compareDecimals(i.minQuantity, i.maxQuantity) > 0) {
      ctx.addIssue({ code: 'custom', message: `must not be above maxQuantity ${i.maxQuantity}`, path: ['minQuantity'] });
    }
  })
  .transform((i) => defined({ ...i }));

const exposure = section(exposureShape, 'maxGrossExposure and maxNetExposure').transform((e) => defined({ ...e }));

const assetClasses = section({ equity: exposure.optional(), crypto: exposure.optional(), fx: exposure.optional() },
  'asset classes (equity, crypto, fx) to exposure limits').transform((a) => defined({ ...a }));

/** A breaker is off unless its key is present; `venueDisconnect:` with no value turns it on with defaults. */
const breaker = <T extends z.ZodType>(schema: T) => emptyable(schema).optional();

const dailyLoss = section({
  maxLoss: amount.optional(),
  maxLossPct: percent.optional(),
  resetTime: timeOfDay.default('00:00'),
  resetZone: timeZone.default('UTC'),
  action: action.default('reduce'),
}, 'maxLoss, maxLossPct, resetTime, resetZone and action')
  .superRefine(needsOneOf(['maxLoss', 'maxLossPct']))
  .transform((b) => defined({ maxLoss: b.maxLoss, maxLossPct: b.maxLossPct, resetTime: b.resetTime, resetZone: b.resetZone, action: b.action }));

const drawdown = section({ maxDrawdownPct: percent.optional(), maxDrawdown: amount.optional(), action: action.default('reduce') },
  'maxDrawdownPct, maxDrawdown and action')
  .superRefine(needsOneOf(['maxDrawdownPct', 'maxDrawdown']))
  .transform((b) => defined({ maxDrawdownPct: b.maxDrawdownPct, maxDrawdown: b.maxDrawdown, action: b.action }));

const losingStreak = section({ maxConsecutiveLosses: count, action: action.default('reduce') }, 'maxConsecutiveLosses and action')
  .transform((b) => ({ maxConsecutiveLosses: b.maxConsecutiveLosses, action: b.action }));

const rejectRate = section({
  maxRejectPct: percent,
  window: duration.default(60_000),
  minOrders: count.default(10),
  action: action.default('halt'),
}, 'maxRejectPct, window, minOrders and action')
  .transform((b) => ({ maxRejectPct: b.maxRejectPct, windowMs: b.window, minOrders: b.minOrders, action: b.action }));

const staleData = section({ maxAge: duration, action: action.default('reduce') }, 'maxAge and action')
  .transform((b) => ({ maxAgeMs: b.maxAge, action: b.action }));

const venueDisconnect = section({
  grace: unit((v) => parseDuration(v, { allowZero: true }), 'a duration such as 5s').default(0),
  action: action.default('reduce'),
}, 'grace and action')
  .transform((b) => ({ graceMs: b.grace, action: b.action }));

const unknownOrders = section({
  // 0 is allowed, unlike other counts: "more than 0 unknown orders" halts on the first one.
  maxUnknown: unit((v) => parseCount(v, 0), 'a whole number such as 0'),
  action: action.default('halt'),
}, 'maxUnknown and action')
  .transform((b) => ({ maxUnknown: b.maxUnknown, action: b.action }));

const breakers = section({
  dailyLoss: breaker(dailyLoss),
  drawdown: breaker(drawdown),
  losingStreak: breaker(losingStreak),
  rejectRate: breaker(rejectRate),
  staleData: breaker(staleData),
  venueDisconnect: breaker(venueDisconnect),
  unknownOrders: breaker(unknownOrders),
}, 'breakers (dailyLoss, drawdown, losingStreak, rejectRate, staleData, venueDisconnect, unknownOrders)')
  .transform((b) => defined({ ...b }));

/** The risk section (or the whole file when it has no `risk:` key). Output is a RiskConfig. */
export const riskConfigSchema = section({
  account: emptyable(account),
  strategies: emptyable(z.record(z.string(), strategy, { error: 'must be a mapping of strategy id to limits' })),
  instruments: emptyable(z.record(z.string(), instrument, { error: 'must be a mapping of instrument id to limits' })),
  assetClasses: emptyable(assetClasses),
  breakers: emptyable(breakers),
  killSwitch: emptyable(section({ flatten: flag.default(false) }, 'settings such as flatten: true').transform(({ flatten }) => ({ flatten }))),
}, 'risk sections (account, strategies, instruments, assetClasses, breakers, killSwitch)')
  .transform(({ account, strategies, instruments, assetClasses, breakers, killSwitch }) =>
    ({ account, strategies, instruments, assetClasses, breakers, killSwitch }));

/** Drop keys whose value is undefined, so an unset limit is absent (not present as undefined). */
function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** Positive normalised decimal strings compared exactly ("10" vs "9.5"). */
function compareDecimals(a: string, b: string): number {
  const decimals = Math.max(a.split('.')[1]?.length ?? 0, b.split('.')[1]?.length ?? 0);
  const scale = (s: string) => BigInt(s.split('.')[0] + (s.split('.')[1] ?? '').padEnd(decimals, '0'));
  const x = scale(a), y = scale(b);
  return x === y ? 0 : x > y ? 1 : -1;
}
