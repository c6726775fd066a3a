import * as z from 'zod';
import ccxt from 'ccxt';
import { KeelError } from '../../model/index.ts';
import { credentialField as credential } from '../net/index.ts';
import { closestIds } from './closest-ids.ts';
import { resolveCredentials, type CcxtCredentials } from './credentials.ts';

/**
 * The ccxt venue's configuration: one zod schema for validation and defaults. The exchange is any id in
 * `ccxt.exchanges`; a typo is refused with the closest ids, before anything connects.
 */

const symbolSpec = z.union([
  z.string().min(1).transform((symbol) => ({ symbol })),
  z.object({
    /** ccxt's unified symbol, e.g. "BTC/USD". */
    symbol: z.string().min(1),
    /** Keel's id for the instrument (default: the symbol). */
    instrumentId: z.string().min(1).optional(),
    /** A coarser price tick than the market's (a decimal string that is a multiple of it). */
    priceTick: z.string().regex(/^\d+(\.\d+)?$/).optional(),
    /** A coarser lot than the market's amount step: needed when tick and step together exceed 12 decimals. */
    lotSize: z.string().regex(/^\d+(\.\d+)?$/).optional(),
  }).strict(),
]);

const urlsSchema = z.record(z.string(), z.union([z.string(), z.record(z.string(), z.string())]));

export const CcxtVenueConfigSchema = z.object({
  exchange: z.string().min(1),
  apiKey: credential.optional(),
  secret: credential.optional(),
  /** Some exchanges (okx, kucoin) also want a passphrase. */
  password: credential.optional(),
  /** Use the exchange's test/paper endpoints (ccxt `setSandboxMode`). */
  sandbox: z.boolean().default(false),
  symbols: z.array(symbolSpec).min(1),
  /** Replaces entries of ccxt's `urls.api` (tests point them at a loopback server). */
  urls: urlsSchema.optional(),
  /** Key of the shared rate budget: strategies on one account share it (default `<exchange>:<sandbox|live>`). */
  account: z.string().min(1).optional(),
  /** Override ccxt's `rateLimit` (ms between requests); the shared budget refills at the same pace. */
  rateLimitMs: z.number().positive().optional(),
  /** Requests allowed in a burst from the shared budget. */
  burst: z.number().int().positive().default(1),
  /** HTTP timeout per request (ccxt `timeout`). */
  timeoutMs: z.number().int().positive().default(10_000),
  /** Reports and market data: WebSocket when the exchange has it (`auto`), or REST polling only. */
  streaming: z.enum(['auto', 'poll']).default('auto'),
  pollIntervalMs: z.number().int().positive().default(2_000),
  /** What `onMarket` receives: closed OHLCV bars, trade prints, top of book, or nothing. */
  marketData: z.enum(['ohlcv', 'trades', 'ticker', 'none']).default('ohlcv'),
  timeframe: z.string().default('1m'),
  /** Retries of idempotent requests (reads, cancels) and of rate-limited ones. */
  retry: z.object({
    attempts: z.number().int().min(1).default(4),
    baseMs: z.number().int().min(0).default(250),
    maxMs: z.number().int().min(0).default(10_000),
  }).prefault({}),
  /** After a createOrder timeout: how often to look the order up by client order id before calling it never received. */
  unknownOrder: z.object({
    lookups: z.number().int().min(1).default(3),
    delayMs: z.number().int().min(0).default(1_000),
  }).prefault({}),
  /**
   * TLS of the exchange's REST and WebSocket endpoints. Certificates are always verified (ccxt's
   * `validateServerSsl` stays on); `ca` (a PEM file) adds the CA of a private or test venue to the public roots.
   */
  tls: z.object({ ca: z.string().min(1).optional() }).strict().optional(),
}).strict();

export type CcxtVenueConfigInput = z.input<typeof CcxtVenueConfigSchema>;
export type CcxtSymbolConfig = { readonly symbol: string; readonly instrumentId?: string; readonly priceTick?: string; readonly lotSize?: string };

/** The validated configuration; credentials are resolved and wrapped so they print as `[redacted]`. */
export type CcxtVenueConfig = Omit<z.output<typeof CcxtVenueConfigSchema>, 'apiKey' | 'secret' | 'password'> & {
  readonly credentials: CcxtCredentials;
  readonly account: string;
};

/**
 * Validate a ccxt venue config and resolve its credentials (config first, then `KEEL_CCXT_<EXCHANGE>_API_KEY`,
 * `_SECRET`, `_PASSWORD`). Throws one KeelError('BAD_CCXT_CONFIG') naming the field and value; an unknown
 * exchange lists the closest ids.
 *
 * @example
 * const config = parseCcxtConfig({ exchange: 'kraken', symbols: ['BTC/USD'] }, process.env);
 */
export function parseCcxtConfig(input: unknown, env: Readonly<Record<string, string | undefined>> = process.env): CcxtVenueConfig {
  const exchange = (input as { exchange?: unknown } | null)?.exchange;
  if (typeof exchange === 'string' && !ccxt.exchanges.includes(exchange)) {
    const near = closestIds(exchange, ccxt.exchanges);
    throw new KeelError('BAD_CCXT_CONFIG', 'is not a ccxt exchange id', {
      field: 'ccxt.exchange', value: exchange,
      hint: near.length > 0 ? `closest: ${near.join(', ')}` : `one of ccxt.exchanges (${ccxt.exchanges.length} ids)`,
    });
  }
  const parsed = CcxtVenueConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.map(String).join('.');
    const value = issue.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey], input);
    // Never echo a credential back, even a malformed one.
    const shown = /apiKey|secret|password/i.test(path) ? '[redacted]' : value;
    throw new KeelError('BAD_CCXT_CONFIG', issue.message, { field: path ? `ccxt.${path}` : 'ccxt', value: typeof shown === 'object' ? undefined : shown });
  }
  const { apiKey, secret, password, ...rest } = parsed.data;
  return {
    ...rest,
    account: rest.account ?? `${rest.exchange}:${rest.sandbox ? 'sandbox' : 'live'}`,
    credentials: resolveCredentials(rest.exchange, { apiKey, secret, password }, env),
  };
}
