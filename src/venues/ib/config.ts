import { isIP } from 'node:net';
import * as z from 'zod';
import { reconnectSettingsSchema } from '../net/reconnect-settings.ts';
import { KeelError, defineInstrument, type Instrument, type OrderType } from '../../model/index.ts';

/**
 * The IB venue's configuration (TWS or IB Gateway over its socket API): one zod schema for defaults,
 * validation and the table in docs/ib.md. A bad value is one KeelError line naming the field
 * (`ib.clientId`) and the value, raised before anything connects.
 */

const ms = (min: number) => z.number().int().min(min);

/** A host name or an IP address, without a port or scheme (a common slip: `127.0.0.1:7497`). */
const host = z.string().min(1).refine((h) => isIP(h) !== 0 || /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,62}))*$/.test(h), {
  message: 'must be a host name or IP address, without port or scheme (the port goes in port)',
});

const symbolSchema = z.union([
  z.string().min(1),
  z.strictObject({
    /** IB's symbol: "AAPL", "EUR" (with secType CASH and currency USD). */
    symbol: z.string().min(1),
    /** Keel's instrument id (default: the symbol, `EUR.USD` for forex). */
    id: z.string().min(1).optional(),
    secType: z.enum(['STK', 'CASH', 'FUT', 'CRYPTO']).default('STK'),
    exchange: z.string().min(1).default('SMART'),
    primaryExchange: z.string().min(1).optional(),
    currency: z.string().min(3).max(3).default('USD'),
    /** IB's contract id, when known: the unambiguous way to name a contract. */
    conId: z.number().int().positive().optional(),
    priceTick: z.union([z.string(), z.number()]).optional(),
    lotSize: z.union([z.string(), z.number()]).optional(),
  }),
]);

const ORDER_TYPES = ['market', 'limit', 'stop', 'stop_limit'] as const satisfies readonly OrderType[];

export const ibConfigSchema = z.strictObject({
  /** Names the venue in reports and metrics. */
  name: z.string().min(1).default('ib'),
  host: host.default('127.0.0.1'),
  /** TWS: 7497 paper, 7496 live; IB Gateway: 4002 paper, 4001 live. */
  port: z.number().int().min(1).max(65_535).default(4002),
  /** The API client id: one connection per id at a time; orders belong to the id that placed them. */
  clientId: z.number({ error: 'must be an integer from 0 to 2147483647' }).int('must be an integer from 0 to 2147483647').min(0, 'must be an integer from 0 to 2147483647').max(2_147_483_647, 'must be an integer from 0 to 2147483647'),
  /** The IB account (DU… paper, U… live); checked against the login's managed accounts at connect. */
  account: z.string().regex(/^[A-Z]{1,3}\d{3,10}$/, 'must be an IB account id such as DU1234567').optional(),
  /** A paper account (default); `keel live` refuses a paper venue. */
  paper: z.boolean().default(true),
  symbols: z.array(symbolSchema).min(1),
  /** Order types Keel may send (default all four); anything else is refused before it is sent. */
  orderTypes: z.array(z.enum(ORDER_TYPES, { error: 'must be market, limit, stop or stop_limit' })).min(1).default([...ORDER_TYPES]),
  /** IB's pacing: at most 50 client messages per second per connection, shared by everything the adapter sends. */
  pacing: z.strictObject({
    messagesPerSecond: z.number().int().min(1).max(50).default(50),
    burst: z.number().int().min(1).max(50).default(10),
  }).prefault({}),
  /** Rate budget key (default `ib:<host>:<port>:<clientId>`): sessions sharing one connection share it. */
  budgetKey: z.string().min(1).optional(),
  timeouts: z.strictObject({
    connectMs: ms(1).default(10_000),
    /** A query (open orders, executions, positions, account) waits this long for its end message. */
    requestMs: ms(1).default(10_000),
    /** A fill waits at most this long for its commission report before it is reported with a fee of 0. */
    commissionMs: ms(0).default(2_000),
  }).prefault({}),
  reconnect: reconnectSettingsSchema,
  /** Real-time bars (IB's 5-second bars, TRADES) of the symbols as market data after `start()`. */
  marketData: z.enum(['bars', 'none']).default('bars'),
  /** How far back `query()` looks for executions by default (TWS itself keeps only the current day's). */
  lookbackMs: ms(0).default(24 * 3600_000),
});

export type IbConfigInput = z.input<typeof ibConfigSchema>;
export type IbConfig = z.output<typeof ibConfigSchema>;

/** One configured symbol: the Keel instrument and the IB contract that trades it. */
export interface IbSymbol {
  readonly instrument: Instrument;
  readonly contract: { readonly symbol: string; readonly secType: string; readonly exchange: string; readonly primaryExch?: string; readonly currency: string; readonly conId?: number };
}

/**
 * Validate and default a config; a KeelError naming the first bad field and its value otherwise.
 *
 * @example parseIbConfig({ clientId: 7, symbols: ['AAPL'] }).port // 4002
 */
export function parseIbConfig(input: unknown): IbConfig {
  const r = ibConfigSchema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    // A typo names the key itself, not the whole section it sits in.
    const known = Object.keys(ibConfigSchema.shape);
    throw new KeelError('BAD_CONFIG', 'is not a known key of an ib venue', { field: ['ib', ...issue.path.map(String), issue.keys[0]].join('.'), hint: issue.path.length === 0 ? `known: ${known.join(', ')}` : undefined });
  }
  const path = issue.path.map(String);
  const value = valueAt(input, path);
  const message = issue.code === 'invalid_type' && value === undefined ? 'is required' : issue.message;
  throw new KeelError('BAD_CONFIG', message, { field: ['ib', ...path].join('.'), value: value === undefined ? undefined : typeof value === 'object' ? JSON.stringify(value) : value as string | number });
}

function valueAt(input: unknown, path: readonly string[]): unknown {
  let v: unknown = input;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/**
 * The instruments and contracts of the configured symbols. Stocks: tick 0.01, lot 1 share; forex (CASH):
 * tick 0.00005, lot 1 unit of the base currency; give `priceTick`/`lotSize` for anything else.
 *
 * @example ibSymbols(parseIbConfig({ clientId: 1, symbols: ['AAPL'] }))[0].contract // { symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' }
 */
export function ibSymbols(c: IbConfig): IbSymbol[] {
  return c.symbols.map((s, i) => {
    const spec = typeof s === 'string' ? { symbol: s, secType: 'STK' as const, exchange: 'SMART', currency: 'USD' } : s;
    const fx = spec.secType === 'CASH';
    try {
      const instrument = defineInstrument({
        id: ('id' in spec ? spec.id : undefined) ?? (fx ? `${spec.symbol}.${spec.currency}` : spec.symbol),
        assetClass: fx ? 'fx' : spec.secType === 'CRYPTO' ? 'crypto' : 'equity', quoteCurrency: spec.currency,
        priceTick: ('priceTick' in spec ? spec.priceTick : undefined) ?? (fx ? '0.00005' : '0.01'),
        lotSize: ('lotSize' in spec ? spec.lotSize : undefined) ?? '1',
        timeZone: fx || spec.secType === 'CRYPTO' ? 'UTC' : 'America/New_York',
      });
      const contract = {
        symbol: spec.symbol, secType: spec.secType, exchange: spec.exchange, currency: spec.currency,
        ...('primaryExchange' in spec && spec.primaryExchange ? { primaryExch: spec.primaryExchange } : {}),
        ...('conId' in spec && spec.conId ? { conId: spec.conId } : {}),
      };
      return { instrument, contract };
    } catch (e) {
      if (e instanceof KeelError) throw new KeelError(e.code, e.reason, { field: `ib.symbols.${i}`, value: e.value });
      throw e;
    }
  });
}
