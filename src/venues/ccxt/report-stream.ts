import type { Order as CcxtOrder, Trade as CcxtTrade } from 'ccxt';
import { Backoff, sleepMs } from '../net/index.ts';
import type { Exchange } from './exchange.ts';
import type { RequestGate } from './request-gate.ts';
import type { OrderTracker, TrackedOrder } from './order-tracker.ts';
import type { MarketBinding } from './market-grid.ts';
import { classifyCcxtError } from './errors.ts';

export interface ReportStreamContext {
  readonly ex: Exchange;
  readonly gate: RequestGate;
  readonly tracker: OrderTracker;
  readonly markets: readonly MarketBinding[];
  readonly pollIntervalMs: number;
  readonly streaming: boolean;
  readonly signal: AbortSignal;
  /** Wall time at which each order was sent (bounds the trade history fetched). */
  readonly sentAt: ReadonlyMap<string, number>;
  log(line: string, error?: unknown): void;
  /** The stream failed for good (credentials refused): the session is lost. */
  lost(reason: string): void;
}

/** Consecutive WebSocket failures after which the adapter falls back to polling. */
const WS_FAILURES_BEFORE_POLLING = 5;

/**
 * Execution reports from the exchange: pushed by ccxt pro's `watchOrders` / `watchMyTrades` when the
 * exchange has them, else pulled by polling `fetchOpenOrders` / `fetchOrder` / `fetchMyTrades` for markets
 * with working orders. WebSocket messages are treated as news, not as the book: a pushed order that shows
 * more filled than booked, or a pushed trade without an id (Alpaca's ccxt `watchMyTrades` gives one
 * cumulative trade per order, no execution id), triggers a REST sync of that market, and fills are booked
 * from `fetchMyTrades` by trade id. Polling continues, slower, under a WebSocket as a safety net.
 */
export class ReportStream {
  private readonly c: ReportStreamContext;
  private readonly syncing = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private wsFailures = 0;

  constructor(c: ReportStreamContext) {
    this.c = c;
  }

  start(): void {
    const { ex } = this.c;
    if (this.c.streaming && ex.has['watchOrders'] === true) void this.watch('watchOrders', () => ex.watchOrders(), (orders) => this.onOrders(orders as CcxtOrder[]));
    if (this.c.streaming && ex.has['watchMyTrades'] === true) void this.watch('watchMyTrades', () => ex.watchMyTrades(), (trades) => this.onTrades(trades as CcxtTrade[]));
    void this.poll();
  }

  /**
   * Bring one market's orders and fills up to date by REST (deduplicated: concurrent calls share one run,
   * and a call during a run schedules one more).
   *
   * @example await stream.sync(btc)
   */
  sync(b: MarketBinding): Promise<void> {
    const running = this.syncing.get(b.symbol);
    if (running !== undefined) {
      this.again.add(b.symbol);
      return running;
    }
    const run = (async () => {
      try {
        do {
          this.again.delete(b.symbol);
          await this.syncOnce(b);
        } while (this.again.has(b.symbol) && !this.c.signal.aborted);
      } finally {
        this.syncing.delete(b.symbol);
      }
    })();
    this.syncing.set(b.symbol, run);
    return run;
  }

  /**
   * Look an order up by its exchange client order id among open and recent closed orders.
   *
   * @example const order = await stream.findByClientId(tracked)
   */
  async findByClientId(t: TrackedOrder): Promise<CcxtOrder | undefined> {
    const { ex, gate } = this.c;
    const symbol = t.binding.symbol;
    const match = (list: CcxtOrder[]) => list.find((o) => o.clientOrderId === t.exchangeClientId);
    const open = match(await gate.call('fetchOpenOrders', () => ex.fetchOpenOrders(symbol), true));
    if (open !== undefined) return open;
    const since = (this.c.sentAt.get(t.order.clientOrderId) ?? Date.now()) - 60_000;
    if (ex.has['fetchClosedOrders']) return match(await gate.call('fetchClosedOrders', () => ex.fetchClosedOrders(symbol, since), true));
    if (ex.has['fetchOrders']) return match(await gate.call('fetchOrders', () => ex.fetchOrders(symbol, since), true));
    return undefined;
  }

  private async syncOnce(b: MarketBinding): Promise<void> {
    const { ex, gate, tracker } = this.c;
    const working = tracker.working().filter((t) => t.binding === b && t.venueOrderId !== undefined && !t.unknown);
    if (working.length === 0) return;
    const open = await gate.call('fetchOpenOrders', () => ex.fetchOpenOrders(b.symbol), true);
    const seen = new Set<string>();
    for (const o of open) {
      if (o.id) seen.add(o.id);
      tracker.onOrder(o);
    }
    const gone = working.filter((t) => !seen.has(t.venueOrderId!));
    for (const t of gone) {
      if (!ex.has['fetchOrder']) break;
      try {
        tracker.onOrder(await gate.call('fetchOrder', () => ex.fetchOrder(t.venueOrderId!, b.symbol), true));
      } catch (e) {
        if (classifyCcxtError(e) !== 'not-found') throw e;
      }
    }
    const since = Math.min(...working.map((t) => this.c.sentAt.get(t.order.clientOrderId) ?? Date.now())) - 60_000;
    const trades = await gate.call('fetchMyTrades', () => ex.fetchMyTrades(b.symbol, since), true);
    for (const trade of [...trades].sort((x, y) => (x.timestamp ?? 0) - (y.timestamp ?? 0))) tracker.onTrade(trade);
  }

  private onOrders(orders: readonly CcxtOrder[]): void {
    const stale = new Set<MarketBinding>();
    for (const o of orders) {
      if (this.c.tracker.onOrder(o)) {
        const b = this.c.markets.find((m) => m.symbol === o.symbol);
        if (b !== undefined) stale.add(b);
      }
    }
    for (const b of stale) this.syncSoon(b);
  }

  private onTrades(trades: readonly CcxtTrade[]): void {
    for (const t of trades) {
      const b = this.c.markets.find((m) => m.symbol === t.symbol);
      if (b === undefined) continue;
      if (typeof t.id !== 'string' || t.id === '') this.syncSoon(b);
      else if (!this.c.tracker.booked(t.id)) this.c.tracker.onTrade(t);
    }
  }

  private syncSoon(b: MarketBinding): void {
    this.sync(b).catch((e: unknown) => this.c.log(`sync of ${b.symbol} failed; the next poll retries`, e));
  }

  private async watch(what: string, next: () => Promise<unknown>, handle: (items: unknown) => void): Promise<void> {
    const backoff = new Backoff({ baseMs: 250, maxMs: 15_000 });
    while (!this.c.signal.aborted && this.wsFailures < WS_FAILURES_BEFORE_POLLING) {
      try {
        const items = await next();
        backoff.reset();
        this.wsFailures = 0;
        handle(items);
      } catch (e) {
        if (this.c.signal.aborted) return;
        if (classifyCcxtError(e) === 'auth') return this.c.lost(`${this.c.ex.id} refused the credentials on ${what}`);
        this.wsFailures++;
        this.c.log(`${what} failed (${this.wsFailures}/${WS_FAILURES_BEFORE_POLLING}); reconnecting`, e);
        await sleepMs(backoff.next(), this.c.signal).catch(() => {});
      }
    }
    if (!this.c.signal.aborted) this.c.log(`${what} keeps failing: reports now come from REST polling only`);
  }

  private async poll(): Promise<void> {
    while (!this.c.signal.aborted) {
      const wsHealthy = this.c.streaming && this.c.ex.has['watchOrders'] === true && this.wsFailures < WS_FAILURES_BEFORE_POLLING;
      await sleepMs(this.c.pollIntervalMs * (wsHealthy ? 5 : 1), this.c.signal).catch(() => {});
      if (this.c.signal.aborted) return;
      for (const b of this.c.markets) {
        try {
          await this.sync(b);
        } catch (e) {
          if (classifyCcxtError(e) === 'auth') return this.c.lost(`${this.c.ex.id} refused the credentials while polling`);
          this.c.log(`polling ${b.symbol} failed; retrying next interval`, e);
        }
      }
    }
  }
}
