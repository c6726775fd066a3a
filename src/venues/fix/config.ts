import * as z from 'zod';
import { reconnectSettingsSchema } from '../net/reconnect-settings.ts';
import { KeelError, defineInstrument, type Instrument, type OrderType, type TimeInForce } from '../../model/index.ts';
import { credentialField as credential } from '../net/index.ts';

/**
 * The FIX venue's configuration (`venue: { kind: fix, ... }`): one zod schema gives defaults and validation; a
 * bad value is one KeelError line naming the field (`fix.senderCompId`) and value, before anything connects.
 * The password may be `secret:NAME` (the vault) or come from KEEL_FIX_PASSWORD; it is never echoed.
 */

const ms = (min: number) => z.number().int().min(min);
/** FIX CompIDs: printable ASCII without SOH, '=' or spaces (a typo with a space is caught here, not at logon). */
const compId = z.string().regex(/^[!-<>-~]{1,64}$/, { message: 'must be 1 to 64 printable characters without spaces or "="' });

/** The order types a FIX NewOrderSingle can carry (OrdType 40), and their code. */
export const FIX_ORDER_TYPES: Readonly<Record<OrderType, string>> = { market: '1', limit: '2', stop: '3', stop_limit: '4' };
export const FIX_TIME_IN_FORCE: Readonly<Record<TimeInForce, string>> = { DAY: '0', GTC: '1', IOC: '3', FOK: '4' };

const symbolSchema = z.union([
  z.string().min(1),
  z.strictObject({
    /** The counterparty's Symbol (55). */
    symbol: z.string().min(1),
    /** Keel's instrument id (default: the symbol). */
    id: z.string().min(1).optional(),
    priceTick: z.union([z.string(), z.number()]).optional(),
    lotSize: z.union([z.string(), z.number()]).optional(),
    quoteCurrency: z.string().optional(),
  }),
]);

export const fixConfigSchema = z.strictObject({
  /** Names the venue in reports, metrics and `risk.onVenueConnection`. */
  name: z.string().min(1).default('fix'),
  host: z.string().regex(/^[A-Za-z0-9.\-:[\]]+$/, { message: 'must be a host name or IP address' }),
  port: z.number().int().min(1).max(65535),
  version: z.enum(['4.2', '4.4'], { message: 'must be 4.2 or 4.4 (FIX.4.2 or FIX.4.4)' }).default('4.2'),
  senderCompId: compId,
  targetCompId: compId,
  /** Logon Username (553) and Password (554), when the counterparty wants them. */
  username: z.string().min(1).optional(),
  password: credential.optional(),
  /** Account (1) on every order, when the counterparty routes by it. */
  account: z.string().min(1).optional(),
  heartbeatSeconds: z.number().int().min(1).max(3600).default(30),
  /** The session's store (sequence numbers, sent messages, orders, executions); see docs/fix.md. */
  store: z.string().min(1),
  /** The account's cash when the store is first created (the run config's `cash` by default). */
  cash: z.union([z.string(), z.number()]).transform(String).optional(),
  symbols: z.array(symbolSchema).min(1),
  /** What the counterparty accepts: the engine refuses anything else before sending it. */
  orderTypes: z.array(z.enum(['market', 'limit', 'stop', 'stop_limit'], { message: 'must be market, limit, stop or stop_limit (what a FIX NewOrderSingle carries)' })).min(1).default(['market', 'limit']),
  timeInForce: z.array(z.enum(['GTC', 'DAY', 'IOC', 'FOK'], { message: 'must be GTC, DAY, IOC or FOK' })).min(1).default(['DAY', 'GTC', 'IOC', 'FOK']),
  /** Whether OrderCancelRequest / OrderCancelReplaceRequest / OrderStatusRequest are supported (QuickFIX's executor: none). */
  cancels: z.boolean().default(true),
  replaces: z.boolean().default(true),
  statusRequests: z.boolean().default(true),
  resetOnLogon: z.boolean().default(false),
  /**
   * When the counterparty asks for our messages again: a NewOrderSingle first sent longer ago than this is
   * gap-filled (and the order rejected as never reached) rather than sent late into a market that moved.
   */
  resend: z.strictObject({
    maxOrderAgeMs: ms(0).default(30_000),
  }).prefault({}),
  /** A production session with real money (keel paper refuses it; keel live requires it). */
  live: z.boolean().default(false),
  /** Order-entry throttle (NewOrderSingle, cancel, replace): a token bucket, as counterparties limit messages per second. */
  rateLimit: z.strictObject({
    perSecond: z.number().gt(0).default(50),
    burst: z.number().int().min(1).default(10),
  }).prefault({}),
  timeouts: z.strictObject({
    connectMs: ms(1).default(5_000),
    logonMs: ms(1).default(10_000),
    /** How long start-up reconciliation waits for the answers to its OrderStatusRequests. */
    statusMs: ms(1).default(5_000),
  }).prefault({}),
  reconnect: reconnectSettingsSchema,
  /** Market data: a bar file replayed as the market (a FIX order session carries none); see docs/fix.md. */
  marketData: z.strictObject({
    csv: z.string().min(1),
    /** Bars per second (0: as fast as the engine takes them). */
    barsPerSecond: z.number().min(0).default(20),
    /** Stop after this many bars (the market then ends). */
    untilBar: z.number().int().min(1).optional(),
  }).optional(),
  /** Log every FIX message in and out (credentials redacted). */
  trace: z.boolean().default(false),
});

export type FixConfigInput = z.input<typeof fixConfigSchema>;
export type FixConfig = z.output<typeof fixConfigSchema>;

/**
 * Validate and default a config; a KeelError naming the first bad field and its value otherwise. A password
 * is never echoed.
 *
 * @example parseFixConfig({ host: '127.0.0.1', port: 9878, senderCompId: 'KEEL', targetCompId: 'EXECUTOR', store: 'fix.json', symbols: ['ORCL'] }).version // '4.2'
 */
export function parseFixConfig(input: unknown): FixConfig {
  const r = fixConfigSchema.safeParse(input);
  if (r.success) {
    return r.data;
  }
  const issue = r.error.issues[0];
  // An unknown key is named itself (`fix.heartbeatSecs`), not the section holding it.
  const path = [...issue.path.map(String), ...(issue.code === 'unrecognized_keys' ? [issue.keys[0]] : [])];
  const field = ['fix', ...path].join('.');
  const value = path[0] === 'password' ? '[redacted]' : valueAt(input, path);
  const message = issue.code === 'unrecognized_keys' ? `is not a known key (${issue.keys.join(', ')})` : issue.message;
  throw new KeelError('BAD_CONFIG', message, { field, value: value === undefined ? undefined : typeof value === 'object' ? JSON.stringify(value) : value as string | number });
}

function valueAt(input: unknown, path: readonly string[]): unknown {
  let v: unknown = input;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** A configured symbol: the counterparty's Symbol (55) and Keel's instrument. */
export interface FixSymbol {
  readonly symbol: string;
  readonly instrument: Instrument;
}

/**
 * Instruments of the configured symbols (equities: tick 0.01, lot 1 unless given).
 *
 * @example fixSymbols(config)[0].instrument.priceTick // "0.01"
 */
export function fixSymbols(c: FixConfig): FixSymbol[] {
  return c.symbols.map((s, i) => {
    const spec = typeof s === 'string' ? { symbol: s } : s;
    try {
      return {
        symbol: spec.symbol,
        instrument: defineInstrument({ id: spec.id ?? spec.symbol, quoteCurrency: spec.quoteCurrency ?? 'USD', priceTick: spec.priceTick ?? '0.01', lotSize: spec.lotSize ?? '1', timeZone: 'America/New_York' }),
      };
    } catch (e) {
      if (e instanceof KeelError) throw new KeelError(e.code, e.message, { field: `fix.symbols.${i}` });
      throw e;
    }
  });
}
