import { startAlpacaVenueServer, type AlpacaVenueServer, type AlpacaVenueServerOptions } from '../../../src/venues/alpaca-server/index.ts';
import { parseMoney } from '../../../src/model/index.ts';

export const ORCL = '../shared/data/daily/ORCL-1995-2014.csv';
export const BTC = '../shared/data/daily/BTCUSD-monthly-2012-2024.csv';
export const KEY = 'PKTEST1';
export const SECRET = 'sekret-do-not-leak-7f3a';

/** A venue on a manual market (bars move only with `step`), one key with 100000 cash unless overridden. */
export function startVenue(o: Partial<AlpacaVenueServerOptions> = {}): Promise<AlpacaVenueServer> {
  return startAlpacaVenueServer({
    dataPath: ORCL, barIntervalMs: 'manual', keys: [{ keyId: KEY, secret: SECRET }], initialCash: parseMoney('100000', 'cash'), seed: 7, ...o,
  });
}

export const AUTH = { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': SECRET };

export interface Res {
  status: number;
  body: any;
  headers: Headers;
}

/** One REST call with the test key (or `headers` instead). */
export async function api(venue: AlpacaVenueServer, method: string, path: string, body?: unknown, headers: Record<string, string> = AUTH): Promise<Res> {
  const r = await fetch(`${venue.url}${path}`, {
    method, headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text === '' ? undefined : JSON.parse(text), headers: r.headers };
}

/** A WebSocket client that records every message and can wait for one matching a predicate. */
export class WsClient {
  readonly ws: WebSocket;
  readonly messages: any[] = [];
  closed = false;
  private waiters: { pred: (m: any) => boolean; resolve: (m: any) => void }[] = [];

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.addEventListener('message', (e) => {
      const m = JSON.parse(String(e.data));
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => (w.pred(m) ? (w.resolve(m), false) : true));
    });
    this.ws.addEventListener('close', () => { this.closed = true; });
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState === WebSocket.OPEN) return resolve();
      this.ws.addEventListener('open', () => resolve(), { once: true });
      this.ws.addEventListener('error', () => reject(new Error('ws error')), { once: true });
    });
  }

  send(m: unknown): void {
    this.ws.send(JSON.stringify(m));
  }

  next(pred: (m: any) => boolean, timeoutMs = 2000): Promise<any> {
    const seen = this.messages.find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting; got ${JSON.stringify(this.messages).slice(0, 400)}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (m) => { clearTimeout(t); resolve(m); } });
    });
  }

  whenClosed(timeoutMs = 2000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('not closed')), timeoutMs);
      this.ws.addEventListener('close', () => { clearTimeout(t); resolve(); }, { once: true });
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** Connect to the trade_updates stream, authenticate and listen. */
export async function tradeStream(venue: AlpacaVenueServer): Promise<WsClient> {
  const c = new WsClient(`${venue.url.replace('http', 'ws')}/stream`);
  await c.opened();
  c.send({ action: 'auth', key: KEY, secret: SECRET });
  await c.next((m) => m.stream === 'authorization');
  c.send({ action: 'listen', data: { streams: ['trade_updates'] } });
  await c.next((m) => m.stream === 'listening');
  return c;
}

/** Trade updates received so far for one order id. */
export const updatesFor = (c: WsClient, orderId: string): any[] =>
  c.messages.filter((m) => m.stream === 'trade_updates' && m.data.order.id === orderId).map((m) => m.data);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
