import { HttpClient, HttpError, type HttpClientOptions, type TokenBucket } from '../net/index.ts';
import type {
  AlpacaAccount, AlpacaAsset, AlpacaBar, AlpacaClock, AlpacaFillActivity, AlpacaOrder, AlpacaOrderBody, AlpacaPosition, AlpacaReplaceBody,
} from './wire.ts';

/**
 * Alpaca's REST API, the calls Keel needs (trading-openapi.yaml, data-openapi.yaml), over `net/HttpClient`.
 *
 * Why not the official SDK (@alpacahq/alpaca-trade-api): it decides retries, timeouts and rate limiting
 * internally (and differently per version), so a timed-out order submission could be re-sent or surfaced as
 * a generic failure; it does not share a rate budget with other adapters; and it parses JSON ids and numbers
 * with JSON.parse, so a trade id beyond 2^53 is silently changed. Each of those decides money.
 *
 * Endpoint groups for rate limiting: every call takes a token from the account bucket (Alpaca's limit is per
 * account); queries also take one from the `queries` bucket, which is smaller, so catch-up and reconciliation
 * can never use up the budget order entry needs.
 */

export interface AlpacaRestOptions extends Omit<HttpClientOptions, 'venue' | 'baseUrl'> {
  readonly tradingUrl: string;
  readonly dataUrl: string;
  /** Taken by queries in addition to the account bucket. */
  readonly queryBucket?: TokenBucket;
}

export interface BarsQuery {
  readonly symbols: readonly string[];
  /** Alpaca timeframe, e.g. "1Min", "1Day". */
  readonly timeframe: string;
  readonly start: string;
  readonly end?: string;
  readonly limit?: number;
  readonly feed?: string;
  /** Crypto symbols use the crypto endpoint. */
  readonly crypto?: boolean;
}

const DUPLICATE_CLIENT_ID = /client_order_id.*(unique|exists|duplicate)|duplicate.*client_order_id/i;

/** A 422 (or 409) saying the client order id is taken: the order exists, this request did not make a second one. */
export function isDuplicateClientOrderId(e: unknown): boolean {
  return e instanceof HttpError && e.kind === 'status' && (e.status === 422 || e.status === 409) && DUPLICATE_CLIENT_ID.test(e.venueMessage ?? '');
}

/**
 * @example
 * const rest = new AlpacaRest({ tradingUrl, dataUrl, headers: () => auth, buckets: [account] });
 * const order = await rest.submitOrder(body);
 */
export class AlpacaRest {
  readonly trading: HttpClient;
  readonly data: HttpClient;
  private readonly queryBuckets: readonly TokenBucket[];

  constructor(o: AlpacaRestOptions) {
    const { tradingUrl, dataUrl, queryBucket, ...http } = o;
    this.trading = new HttpClient({ ...http, venue: 'alpaca', baseUrl: tradingUrl });
    this.data = new HttpClient({ ...http, venue: 'alpaca data', baseUrl: dataUrl });
    this.queryBuckets = queryBucket ? [queryBucket] : [];
  }

  /**
   * POST /v2/orders. Retried on 429, 5xx and unsent connections (the unique client_order_id makes a resend
   * harmless) but never after a timeout: then the caller asks by client order id instead.
   */
  async submitOrder(body: AlpacaOrderBody, signal?: AbortSignal): Promise<AlpacaOrder> {
    const res = await this.trading.request<AlpacaOrder>({
      method: 'POST', path: '/v2/orders', body, signal, idempotent: true,
      isRetryable: (e) => e.kind === 'not-sent' || e.rateLimited || (e.kind === 'status' && (e.status ?? 0) >= 500),
    });
    return res.body;
  }

  /** GET /v2/orders:by_client_order_id; undefined when Alpaca has no such order (404). */
  async orderByClientId(clientOrderId: string, signal?: AbortSignal): Promise<AlpacaOrder | undefined> {
    try {
      const res = await this.trading.request<AlpacaOrder>({ method: 'GET', path: '/v2/orders:by_client_order_id', query: { client_order_id: clientOrderId }, buckets: this.queryBuckets, signal });
      return res.body;
    } catch (e) {
      if (e instanceof HttpError && e.status === 404) return undefined;
      throw e;
    }
  }

  /** GET /v2/orders/{id}. */
  async order(orderId: string, signal?: AbortSignal): Promise<AlpacaOrder | undefined> {
    try {
      return (await this.trading.request<AlpacaOrder>({ method: 'GET', path: `/v2/orders/${encodeURIComponent(orderId)}`, buckets: this.queryBuckets, signal })).body;
    } catch (e) {
      if (e instanceof HttpError && e.status === 404) return undefined;
      throw e;
    }
  }

  /**
   * GET /v2/orders: every order (status `all` by default) submitted after `after`, oldest first, following
   * pages (at most 500 per page) by moving `after` to the last one seen.
   */
  async orders(q: { status?: 'open' | 'closed' | 'all'; after?: string; symbols?: readonly string[] } = {}, signal?: AbortSignal): Promise<AlpacaOrder[]> {
    const out: AlpacaOrder[] = [];
    const seen = new Set<string>();
    let after = q.after;
    for (;;) {
      const res = await this.trading.request<AlpacaOrder[]>({
        method: 'GET', path: '/v2/orders', buckets: this.queryBuckets, signal,
        query: { status: q.status ?? 'all', limit: 500, direction: 'asc', after, symbols: q.symbols?.join(',') || undefined },
      });
      const page = res.body ?? [];
      let fresh = 0;
      for (const o of page) if (!seen.has(o.id)) { seen.add(o.id); out.push(o); fresh++; }
      if (page.length < 500 || fresh === 0) return out;
      after = page[page.length - 1].submitted_at ?? page[page.length - 1].created_at;
    }
  }

  /** DELETE /v2/orders/{id}: 204 when the cancel is accepted; the `canceled` event follows on the stream. */
  async cancelOrder(orderId: string, signal?: AbortSignal): Promise<void> {
    await this.trading.request({ method: 'DELETE', path: `/v2/orders/${encodeURIComponent(orderId)}`, signal });
  }

  /**
   * PATCH /v2/orders/{id}: the answer is the *new* order (new id); the old one becomes `replaced`. Not retried:
   * a lost answer is resolved by asking for the replacement's client order id.
   */
  async replaceOrder(orderId: string, body: AlpacaReplaceBody, signal?: AbortSignal): Promise<AlpacaOrder> {
    return (await this.trading.request<AlpacaOrder>({ method: 'PATCH', path: `/v2/orders/${encodeURIComponent(orderId)}`, body, signal, idempotent: false })).body;
  }

  async positions(signal?: AbortSignal): Promise<AlpacaPosition[]> {
    return (await this.trading.request<AlpacaPosition[]>({ method: 'GET', path: '/v2/positions', buckets: this.queryBuckets, signal })).body ?? [];
  }

  async account(signal?: AbortSignal): Promise<AlpacaAccount> {
    return (await this.trading.request<AlpacaAccount>({ method: 'GET', path: '/v2/account', buckets: this.queryBuckets, signal })).body;
  }

  async clock(signal?: AbortSignal): Promise<AlpacaClock> {
    return (await this.trading.request<AlpacaClock>({ method: 'GET', path: '/v2/clock', buckets: this.queryBuckets, signal })).body;
  }

  async asset(symbol: string, signal?: AbortSignal): Promise<AlpacaAsset | undefined> {
    try {
      return (await this.trading.request<AlpacaAsset>({ method: 'GET', path: `/v2/assets/${encodeURIComponent(symbol)}`, buckets: this.queryBuckets, signal })).body;
    } catch (e) {
      if (e instanceof HttpError && e.status === 404) return undefined;
      throw e;
    }
  }

  /**
   * GET /v2/account/activities/FILL after `after` (ISO time), oldest first, every page (page_token = the last
   * activity's id).
   */
  async fills(after: string, signal?: AbortSignal): Promise<AlpacaFillActivity[]> {
    const out: AlpacaFillActivity[] = [];
    let pageToken: string | undefined;
    for (;;) {
      const res = await this.trading.request<AlpacaFillActivity[]>({
        method: 'GET', path: '/v2/account/activities/FILL', buckets: this.queryBuckets, signal,
        query: { after, direction: 'asc', page_size: 100, page_token: pageToken },
      });
      const page = res.body ?? [];
      out.push(...page);
      if (page.length < 100) return out;
      pageToken = page[page.length - 1].id;
    }
  }

  /** Historical bars per symbol (stocks: /v2/stocks/bars; crypto: /v1beta3/crypto/us/bars), every page. */
  async bars(q: BarsQuery, signal?: AbortSignal): Promise<Record<string, AlpacaBar[]>> {
    const out: Record<string, AlpacaBar[]> = {};
    let pageToken: string | undefined;
    for (;;) {
      const res = await this.data.request<{ bars: Record<string, AlpacaBar[]> | null; next_page_token?: string | null }>({
        method: 'GET', path: q.crypto ? '/v1beta3/crypto/us/bars' : '/v2/stocks/bars', buckets: this.queryBuckets, signal,
        query: { symbols: q.symbols.join(','), timeframe: q.timeframe, start: q.start, end: q.end, limit: q.limit ?? 10_000, feed: q.crypto ? undefined : q.feed, page_token: pageToken },
      });
      for (const [sym, bars] of Object.entries(res.body?.bars ?? {})) (out[sym] ??= []).push(...bars);
      pageToken = res.body?.next_page_token ?? undefined;
      if (!pageToken) return out;
    }
  }
}
