import { Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
import ccxt from 'ccxt';
import type { Exchange } from 'ccxt';
import { parseJsonKeepingIds, retryAfterMs } from '../net/index.ts';
import type { CcxtVenueConfig } from './config.ts';

export type { Exchange };

export interface ExchangeHooks {
  /** The exchange answered 429/418/503 with a Retry-After: pause the whole account's budget this long. */
  onRetryAfter(ms: number): void;
}

/**
 * Build the ccxt exchange object for a config: the ccxt pro class (REST + WebSocket) when streaming is wanted
 * and ccxt has one, else the REST class. ccxt's own `enableRateLimit` stays on (it spaces this instance's
 * requests by `rateLimit` and knows per-endpoint costs); the shared Keel budget sits in front of it.
 *
 * Three changes to the stock object, each for a failure it prevents:
 * - `parseJson` keeps integer literals beyond 2^53 as exact strings whatever the spacing of the body
 *   (ccxt's own re-quoting only matches `":123` with no space, and a rounded trade id dedupes a real fill away);
 * - `secret` and `password` become non-enumerable getters, so printing or serialising the object shows no
 *   secret (ccxt reads them only to sign);
 * - `handleErrors` first notes a Retry-After on 429/418/503, which ccxt itself ignores.
 *
 * @example const ex = createExchange(parseCcxtConfig({ exchange: 'kraken', symbols: ['BTC/USD'] }), { onRetryAfter: (ms) => bucket.pauseFor(ms) });
 */
export function createExchange(config: CcxtVenueConfig, hooks: ExchangeHooks, caPem?: string): Exchange {
  const classes = (config.streaming === 'auto' && (ccxt.pro as unknown as { exchanges: string[] }).exchanges.includes(config.exchange) ? ccxt.pro : ccxt) as unknown as Record<string, new (c: object) => Exchange>;
  const Ctor = classes[config.exchange];
  if (typeof Ctor !== 'function') throw new Error(`ccxt has no class for exchange ${config.exchange}`);
  const ex = new Ctor({
    enableRateLimit: true,
    timeout: config.timeoutMs,
    ...(config.rateLimitMs !== undefined ? { rateLimit: config.rateLimitMs } : {}),
    ...(config.credentials.apiKey !== undefined ? { apiKey: config.credentials.apiKey } : {}),
    verbose: false,
  });
  // Nothing may turn certificate checks off (ccxt honours validateServerSsl = false and legacy agents with
  // rejectUnauthorized: false): verification on, plus the configured CA.
  ex.validateServerSsl = true;
  if (caPem !== undefined) trustCa(ex, caPem);
  const { secret, password } = config.credentials;
  if (secret !== undefined) Object.defineProperty(ex, 'secret', { get: () => secret.reveal(), set: () => {}, enumerable: false, configurable: true });
  if (password !== undefined) Object.defineProperty(ex, 'password', { get: () => password.reveal(), set: () => {}, enumerable: false, configurable: true });
  if (config.sandbox) ex.setSandboxMode(true);
  if (config.urls !== undefined) overrideUrls(ex, config.urls);

  ex.parseJson = (text: string) => {
    if (!ex.isJsonEncodedObject(text)) return undefined;
    try {
      return parseJsonKeepingIds(text);
    } catch {
      return undefined; // ccxt's contract: not JSON → undefined, the body is then handled as text
    }
  };
  const handleErrors = ex.handleErrors.bind(ex);
  ex.handleErrors = ((code: number, ...rest: unknown[]) => {
    const headers = rest[3] as Record<string, string> | undefined;
    if (code === 429 || code === 418 || code === 503) {
      const ms = retryAfterMs(headers?.['Retry-After'] ?? null, Date.now());
      if (ms !== undefined) hooks.onRetryAfter(ms);
    }
    return (handleErrors as (...a: unknown[]) => unknown)(code, ...rest);
  }) as Exchange['handleErrors'];
  return ex;
}

/**
 * Trust `caPem` besides the public roots: in the options of the undici Agent ccxt makes for REST (its
 * `getDispatcherOptions`), and in an https.Agent for its WebSocket client (ccxt pro passes `agent` to ws).
 */
function trustCa(ex: Exchange, caPem: string): void {
  const ca = [...rootCertificates, caPem];
  const e = ex as unknown as { getDispatcherOptions(plain?: boolean): Record<string, unknown>; agent: unknown };
  const options = e.getDispatcherOptions.bind(ex);
  e.getDispatcherOptions = (plain = false) => {
    const o = options(plain);
    const key = plain ? 'connect' : 'requestTls';
    return { ...o, [key]: { ...(o[key] as object | undefined), ca, rejectUnauthorized: true } };
  };
  e.agent = new HttpsAgent({ keepAlive: true, ca, rejectUnauthorized: true });
}

/** Replace entries of `urls.api` (a string or a map per API group, depending on the exchange). */
function overrideUrls(ex: Exchange, urls: Record<string, string | Record<string, string>>): void {
  const api = ex.urls['api'] as unknown;
  if (typeof api === 'string' || api === undefined) {
    const single = urls['api'] ?? urls['public'];
    ex.urls['api'] = (typeof single === 'string' ? single : { ...(api === undefined ? {} : { api }), ...urls }) as never;
    return;
  }
  const merged: Record<string, unknown> = { ...(api as Record<string, unknown>) };
  for (const [k, v] of Object.entries(urls)) {
    merged[k] = typeof v === 'string' ? v : { ...((merged[k] as Record<string, string> | undefined) ?? {}), ...v };
  }
  ex.urls['api'] = merged as never;
}
