import * as z from 'zod';
import { reconnectSettingsSchema } from '../net/reconnect-settings.ts';
import { KeelError, defineInstrument, type AssetClass } from '../../model/index.ts';
import { credentialField as credential } from '../net/index.ts';
import type { SymbolMapping } from './mapping.ts';

/**
 * The Alpaca venue's configuration: one zod schema gives defaults, validation and (in docs/alpaca.md) the
 * table of options. A bad value is one KeelError line naming the field (`alpaca.timeouts.requestMs`) and value.
 * Credentials may be left out here: they then come from APCA_API_KEY_ID / APCA_API_SECRET_KEY. A credential
 * may also be a `Secret` (a `secret:NAME` reference the run config resolved from the vault, docs/security.md).
 */

const url = (schemes: readonly string[]) => z.string().refine((s) => {
  try {
    return schemes.includes(new URL(s).protocol);
  } catch {
    return false;
  }
}, { message: `must be a ${schemes.join(' or ')} URL` });

const ms = (min: number) => z.number().int().min(min);

const symbolSchema = z.union([
  z.string().min(1),
  z.strictObject({
    /** Alpaca's symbol: "AAPL", "BTC/USD". */
    symbol: z.string().min(1),
    /** Keel's instrument id (default: the symbol). */
    id: z.string().min(1).optional(),
    assetClass: z.enum(['equity', 'crypto']).optional(),
    priceTick: z.union([z.string(), z.number()]).optional(),
    lotSize: z.union([z.string(), z.number()]).optional(),
    quoteCurrency: z.string().optional(),
  }),
]);

export const alpacaConfigSchema = z.strictObject({
  /** Names the venue in reports, metrics and `risk.onVenueConnection`. */
  name: z.string().min(1).default('alpaca'),
  keyId: credential.optional(),
  secret: credential.optional(),
  /** Paper (default) or live endpoints; ignored for a URL given explicitly. */
  paper: z.boolean().default(true),
  tradingUrl: url(['http:', 'https:']).optional(),
  dataUrl: url(['http:', 'https:']).optional(),
  /** The trade_updates WebSocket. */
  streamUrl: url(['ws:', 'wss:']).optional(),
  /** The market data WebSocket, without the feed path. */
  dataStreamUrl: url(['ws:', 'wss:']).optional(),
  /** Market data feed: iex (free), sip, delayed_sip; crypto symbols always use the crypto feed. */
  feed: z.enum(['iex', 'sip', 'delayed_sip', 'otc']).default('iex'),
  symbols: z.array(symbolSchema).min(1),
  /** Rate budget key; default derived from the key id (all adapters of one account share one budget). */
  account: z.string().min(1).optional(),
  timeouts: z.strictObject({
    requestMs: ms(1).default(10_000),
    connectMs: ms(1).default(10_000),
  }).prefault({}),
  retry: z.strictObject({
    attempts: z.number().int().min(1).max(10).default(4),
    baseMs: ms(1).default(250),
    maxMs: ms(1).default(8_000),
  }).prefault({}),
  rateLimit: z.strictObject({
    /** Alpaca's published limit: 200 requests per minute per account. */
    perMinute: z.number().int().min(1).default(200),
    burst: z.number().int().min(1).default(10),
    /** Share of the budget queries (catch-up, reconciliation) may use, so they never starve order entry. */
    queryShare: z.number().gt(0).max(1).default(0.6),
  }).prefault({}),
  heartbeat: z.strictObject({
    silenceMs: ms(10).default(30_000),
    timeoutMs: ms(10).default(10_000),
  }).prefault({}),
  reconnect: reconnectSettingsSchema,
  /** How an order whose request outcome was lost is looked up (GET by client order id). */
  resolve: z.strictObject({
    attempts: z.number().int().min(1).max(20).default(5),
    baseMs: ms(1).default(500),
    maxMs: ms(1).default(5_000),
  }).prefault({}),
  /** How far back `query()` looks for orders and fills by default. */
  lookbackMs: ms(0).default(24 * 3600_000),
  /** Seed of the backoff jitter (default: Math.random). */
  seed: z.number().int().optional(),
  /**
   * TLS of the REST and WebSocket endpoints. Certificates are always verified against Node's public roots;
   * `ca` (a PEM file) adds the CA of a private or test venue to them.
   */
  tls: z.strictObject({
    ca: z.string().min(1).optional(),
  }).optional(),
});

export type AlpacaConfigInput = z.input<typeof alpacaConfigSchema>;
export type AlpacaConfig = z.output<typeof alpacaConfigSchema>;

/**
 * Validate and default a config; a KeelError naming the first bad field and its value otherwise.
 *
 * @example parseAlpacaConfig({ paper: true, symbols: ['AAPL'] }).timeouts.requestMs // 10000
 */
export function parseAlpacaConfig(input: unknown): AlpacaConfig {
  const r = alpacaConfigSchema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue.path.map(String);
  const field = ['alpaca', ...path].join('.');
  // Never echo a credential back, even a malformed one.
  const secretField = path[0] === 'secret';
  const value = secretField ? '[redacted]' : valueAt(input, path);
  throw new KeelError('BAD_CONFIG', issue.message, { field, value: value === undefined ? undefined : typeof value === 'object' ? JSON.stringify(value) : value });
}

function valueAt(input: unknown, path: readonly string[]): unknown {
  let v: unknown = input;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** The endpoints a config resolves to. */
export function endpointsOf(c: AlpacaConfig): { tradingUrl: string; dataUrl: string; streamUrl: string; dataStreamUrl: string } {
  const tradingUrl = c.tradingUrl ?? (c.paper ? 'https://paper-api.alpaca.markets' : 'https://api.alpaca.markets');
  const dataUrl = c.dataUrl ?? 'https://data.alpaca.markets';
  const streamUrl = c.streamUrl ?? `${tradingUrl.replace(/^http/, 'ws').replace(/\/+$/, '')}/stream`;
  const dataStreamUrl = c.dataStreamUrl ?? 'wss://stream.data.alpaca.markets';
  return { tradingUrl, dataUrl, streamUrl, dataStreamUrl };
}

/**
 * Instruments of the configured symbols. A symbol with a "/" is crypto (lot 0.000000001, Alpaca's 9 decimals);
 * others are US equities (tick 0.01, lot 1 share; give `lotSize: "0.000000001"` for fractional shares and
 * `priceTick: "0.0001"` to book sub-penny executions exactly).
 *
 * @example symbolMappings(parseAlpacaConfig({ symbols: ['AAPL', 'BTC/USD'] }))[1].instrument.lotSize // "0.000000001"
 */
export function symbolMappings(c: AlpacaConfig): SymbolMapping[] {
  return c.symbols.map((s, i) => {
    const spec = typeof s === 'string' ? { symbol: s } : s;
    const assetClass: AssetClass = spec.assetClass ?? (spec.symbol.includes('/') ? 'crypto' : 'equity');
    const crypto = assetClass === 'crypto';
    try {
      return {
        symbol: spec.symbol,
        instrument: defineInstrument({
          id: spec.id ?? spec.symbol, assetClass,
          quoteCurrency: spec.quoteCurrency ?? (crypto ? spec.symbol.split('/')[1] ?? 'USD' : 'USD'),
          priceTick: spec.priceTick ?? '0.01', lotSize: spec.lotSize ?? (crypto ? '0.000000001' : '1'),
          timeZone: crypto ? 'UTC' : 'America/New_York',
        }),
      };
    } catch (e) {
      if (e instanceof KeelError) throw new KeelError(e.code, e.message, { field: `alpaca.symbols.${i}` });
      throw e;
    }
  });
}
