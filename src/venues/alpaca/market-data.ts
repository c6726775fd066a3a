import type { Dispatcher } from 'undici';
import { roundToTicks, ticksToPrice, type Bar, type Instrument, type Quote, type TradeTick } from '../../model/index.ts';
import { ReconnectingSocket, idString, parseJsonKeepingIds, type BackoffOptions, type Credentials, type SocketLink } from '../net/index.ts';
import { parseVenueTime, type SymbolMapping } from './mapping.ts';
import type { AlpacaRest } from './rest-client.ts';
import type { AlpacaBar, AlpacaQuoteMessage, AlpacaTradeMessage } from './wire.ts';

/**
 * Alpaca market data: the data WebSocket (`/v2/{feed}` for stocks, `/v1beta3/crypto/us` for crypto; messages
 * are arrays of `{"T":"b"|"q"|"t", …}`) turned into Keel bars, quotes and trades, and REST bars for warm-up.
 * Prices are observations (floats, as everywhere in Keel's market data) snapped to the instrument's tick grid;
 * trades repeated after a reconnect are dropped by their id (kept exact as a string: crypto ids pass 2^53).
 */

export interface MarketDataOptions {
  /** e.g. wss://stream.data.alpaca.markets/v2/iex */
  readonly url: string;
  readonly credentials: Credentials;
  readonly symbols: readonly SymbolMapping[];
  readonly channels?: { readonly bars?: boolean; readonly quotes?: boolean; readonly trades?: boolean };
  readonly onBar?: (bar: Bar) => void;
  readonly onQuote?: (quote: Quote) => void;
  readonly onTrade?: (trade: TradeTick) => void;
  readonly onState?: (up: boolean, reason: string) => void;
  readonly onGiveUp?: (reason: string) => void;
  readonly onError?: (message: string) => void;
  readonly heartbeat?: { readonly silenceMs: number; readonly timeoutMs: number };
  readonly backoff?: BackoffOptions;
  readonly maxAttempts?: number;
  readonly connectTimeoutMs?: number;
  /** TLS: the dispatcher trusting the venue's CA, and that CA (for naming a refused certificate). */
  readonly tls?: { readonly dispatcher: Dispatcher; readonly caPem: string };
}

const RECENT_TRADE_IDS = 2048;

/**
 * @example
 * const md = new AlpacaMarketData({ url: 'wss://stream.data.alpaca.markets/v2/iex', credentials, symbols, onBar });
 * md.start();
 */
export class AlpacaMarketData {
  private readonly o: MarketDataOptions;
  private readonly socket: ReconnectingSocket;
  private readonly bySymbol: Map<string, Instrument>;
  private readonly recentTrades = new Set<string>();

  constructor(o: MarketDataOptions) {
    this.o = o;
    this.bySymbol = new Map(o.symbols.map((m) => [m.symbol, m.instrument]));
    this.socket = new ReconnectingSocket({
      url: o.url,
      name: 'alpaca market data',
      handshake: (link) => this.handshake(link),
      onMessage: (text) => this.onText(text),
      onState: o.onState,
      onGiveUp: o.onGiveUp,
      heartbeat: o.heartbeat ? { ...o.heartbeat, probe: () => this.subscribeMessage() } : undefined,
      backoff: o.backoff,
      maxAttempts: o.maxAttempts,
      connectTimeoutMs: o.connectTimeoutMs,
      dispatcher: o.tls?.dispatcher,
      caPem: o.tls?.caPem,
    });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  start(): void {
    this.socket.start();
  }

  drop(reason?: string): void {
    this.socket.drop(reason);
  }

  close(): Promise<void> {
    return this.socket.close();
  }

  private subscribeMessage(): string {
    const syms = [...this.bySymbol.keys()];
    const c = this.o.channels ?? { bars: true };
    return JSON.stringify({ action: 'subscribe', bars: c.bars ? syms : [], quotes: c.quotes ? syms : [], trades: c.trades ? syms : [] });
  }

  private async handshake(link: SocketLink): Promise<void> {
    const isControl = (t: string, msg: string) => asArray(t).some((m) => (m.T === 'success' && m.msg === msg) || m.T === 'error');
    const check = (t: string) => {
      const err = asArray(t).find((m) => m.T === 'error');
      if (err) throw new Error(`alpaca data stream refused: ${String(err.code ?? '')} ${String(err.msg ?? '')}`.trim());
    };
    check(await link.waitFor((t) => isControl(t, 'connected'), 10_000, 'connected greeting'));
    link.send(JSON.stringify({ action: 'auth', key: this.o.credentials.keyId, secret: this.o.credentials.secret.reveal() }));
    check(await link.waitFor((t) => isControl(t, 'authenticated'), 10_000, 'authentication answer'));
    link.send(this.subscribeMessage());
    check(await link.waitFor((t) => asArray(t).some((m) => m.T === 'subscription' || m.T === 'error'), 10_000, 'subscription answer'));
  }

  private onText(text: string): void {
    let messages: Array<Record<string, unknown>>;
    try {
      messages = asArray(text);
    } catch {
      return this.o.onError?.('alpaca data stream sent a message that is not JSON');
    }
    for (const m of messages) {
      const inst = typeof m.S === 'string' ? this.bySymbol.get(m.S) : undefined;
      if (!inst) continue;
      try {
        if (m.T === 'b') this.o.onBar?.(barOf(m as unknown as AlpacaBar, inst));
        else if (m.T === 'q') this.o.onQuote?.(quoteOf(m as unknown as AlpacaQuoteMessage, inst));
        else if (m.T === 't') this.onTradeMessage(m as unknown as AlpacaTradeMessage, inst);
      } catch (e) {
        this.o.onError?.(`alpaca data stream: ${(e as Error).message}`);
      }
    }
  }

  private onTradeMessage(m: AlpacaTradeMessage, inst: Instrument): void {
    if (m.i !== undefined) {
      const id = `${m.S}:${idString(m.i)}`;
      if (this.recentTrades.has(id)) return;
      this.recentTrades.add(id);
      if (this.recentTrades.size > RECENT_TRADE_IDS) this.recentTrades.delete(this.recentTrades.values().next().value as string);
    }
    this.o.onTrade?.({ type: 'trade', instrumentId: inst.id, ts: parseVenueTime(m.t, 'trade.t'), price: snap(inst, m.p), size: m.s });
  }
}

/**
 * An Alpaca bar → a Keel bar (ts = the bar's open time, prices on the instrument's grid).
 *
 * @example barOf({ t: '2022-02-28T05:00:00Z', o: 163.02, h: 165.42, l: 162.43, c: 165.12, v: 90552883 }, aapl)
 */
export function barOf(b: AlpacaBar, inst: Instrument): Bar {
  return {
    type: 'bar', instrumentId: inst.id, ts: parseVenueTime(b.t, 'bar.t'),
    open: snap(inst, b.o), high: snap(inst, b.h), low: snap(inst, b.l), close: snap(inst, b.c), volume: b.v ?? 0,
  };
}

export function quoteOf(q: AlpacaQuoteMessage, inst: Instrument): Quote {
  return { type: 'quote', instrumentId: inst.id, ts: parseVenueTime(q.t, 'quote.t'), bid: snap(inst, q.bp), ask: snap(inst, q.ap), bidSize: q.bs ?? 0, askSize: q.as ?? 0 };
}

/**
 * Historical bars for warm-up, all symbols merged in time order.
 *
 * @example const bars = await warmUpBars(rest, symbols, { timeframe: '1Min', start: '2024-01-02T14:30:00Z' });
 */
export async function warmUpBars(rest: AlpacaRest, symbols: readonly SymbolMapping[], q: { timeframe: string; start: string; end?: string; feed?: string }): Promise<Bar[]> {
  const out: Bar[] = [];
  for (const crypto of [false, true]) {
    const group = symbols.filter((m) => (m.instrument.assetClass === 'crypto') === crypto);
    if (group.length === 0) continue;
    const bars = await rest.bars({ symbols: group.map((m) => m.symbol), ...q, crypto });
    for (const m of group) for (const b of bars[m.symbol] ?? []) out.push(barOf(b, m.instrument));
  }
  return out.sort((a, b) => a.ts - b.ts);
}

function snap(inst: Instrument, price: number): number {
  return ticksToPrice(inst, roundToTicks(inst, price, 'nearest'));
}

function asArray(text: string): Array<Record<string, unknown>> {
  const v = parseJsonKeepingIds(text);
  return (Array.isArray(v) ? v : [v]) as Array<Record<string, unknown>>;
}
