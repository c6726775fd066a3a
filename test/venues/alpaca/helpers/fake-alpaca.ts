import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A scripted Alpaca-shaped server on 127.0.0.1: REST (orders, activities, positions, account, clock) and the
 * trade_updates WebSocket. Tests script faults one request at a time (`fault`), push stream events, drop
 * sockets, and read back every request it saw (to assert e.g. that only one order was ever created).
 */

export const KEY = 'PKTESTKEY123';
export const SECRET = 'sk-very-secret-value-0123456789';

type Json = Record<string, unknown>;
export type FaultAction =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Never answer. `process: true` acts on the request first (the order is created; the answer is lost). */
  | { kind: 'hang'; process?: boolean };

export interface SeenRequest { method: string; path: string; query: URLSearchParams; at: number; headers: IncomingMessage['headers'] }

export class FakeAlpaca {
  readonly requests: SeenRequest[] = [];
  readonly orders = new Map<string, Json>();
  readonly activities: Json[] = [];
  positions: Json[] = [];
  cash = '100000.25';
  authorizedStreams = 0;
  private server!: Server;
  private wss!: WebSocketServer;
  private clients = new Set<WebSocket>();
  private sockets = new Set<Socket>();
  private faults: Array<{ method: string; path: RegExp; action: FaultAction }> = [];
  private afterHooks: Array<{ method: string; path: RegExp; then: () => void }> = [];
  private seq = 0;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); });
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => this.wss.handleUpgrade(req, socket, head, (ws) => this.onWs(ws)));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  get url(): string { return `http://127.0.0.1:${this.port}`; }
  get wsUrl(): string { return `ws://127.0.0.1:${this.port}/stream`; }

  async stop(): Promise<void> {
    for (const c of this.clients) c.terminate();
    for (const s of this.sockets) s.destroy();
    this.wss.close();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** The next request matching method + path gets `action` instead of the normal answer (one-shot). */
  fault(method: string, path: RegExp, action: FaultAction): void {
    this.faults.push({ method, path, action });
  }

  /** Run `then` right after the next request matching method + path is answered (one-shot): the account moving mid-read. */
  afterAnswer(method: string, path: RegExp, then: () => void): void {
    this.afterHooks.push({ method, path, then });
  }

  count(method: string, path: string | RegExp): number {
    return this.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path))).length;
  }

  /** Send a trade_updates event to every connected stream client. */
  push(event: string, order: Json, extra: Json = {}): void {
    const text = JSON.stringify({ stream: 'trade_updates', data: { event, order, timestamp: new Date().toISOString(), ...extra } });
    for (const c of this.clients) c.send(Buffer.from(text)); // Alpaca sends binary frames
  }

  /** Cut every stream connection (no close handshake). */
  dropStreams(): void {
    for (const c of this.clients) c.terminate();
    this.clients.clear();
  }

  get streamClients(): number { return this.clients.size; }

  /**
   * Fill `qty` of an order at `price`: updates the order, records a FILL activity and (unless `silent`) pushes
   * the trade update. `executionId` may be a raw JSON integer literal (e.g. beyond 2^53) via `rawId`.
   */
  fill(orderId: string, qty: string, price: string, o: { executionId: string; silent?: boolean; rawId?: boolean }): void {
    const order = this.orders.get(orderId)!;
    const filled = Number(order.filled_qty) + Number(qty);
    const total = Number(order.qty);
    order.filled_qty = String(filled);
    order.status = filled >= total ? 'filled' : 'partially_filled';
    order.updated_at = new Date().toISOString();
    const type = filled >= total ? 'fill' : 'partial_fill';
    const at = new Date().toISOString();
    this.activities.push({
      id: `${at.replace(/\D/g, '').slice(0, 17)}::${o.executionId}`, activity_type: 'FILL', transaction_time: at, type, price, qty,
      side: order.side, symbol: order.symbol, leaves_qty: String(total - filled), order_id: orderId, cum_qty: String(filled), order_status: order.status,
    });
    if (o.silent) return;
    const text = JSON.stringify({ stream: 'trade_updates', data: { event: type, execution_id: '__ID__', order, timestamp: at, price, qty } })
      .replace('"__ID__"', o.rawId ? o.executionId : JSON.stringify(o.executionId));
    for (const c of this.clients) c.send(text);
  }

  orderByClientId(id: string): Json | undefined {
    return [...this.orders.values()].find((o) => o.client_order_id === id);
  }

  private onWs(ws: WebSocket): void {
    let authed = false;
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw)) as Json;
      if (m.action === 'auth') {
        authed = m.key === KEY && m.secret === SECRET;
        ws.send(JSON.stringify({ stream: 'authorization', data: { status: authed ? 'authorized' : 'unauthorized', action: 'authenticate' } }));
        if (authed) this.authorizedStreams++;
      } else if (m.action === 'listen' && authed) {
        this.clients.add(ws);
        ws.send(JSON.stringify({ stream: 'listening', data: { streams: ['trade_updates'] } }));
      }
    });
    ws.on('close', () => this.clients.delete(ws));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: u.pathname, query: u.searchParams, at: Date.now(), headers: req.headers });
    let text = '';
    for await (const chunk of req) text += chunk;
    const body = text ? JSON.parse(text) as Json : {};
    const send = (status: number, value?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(value === undefined ? '' : JSON.stringify(value));
    };
    if (req.headers['apca-api-key-id'] !== KEY || req.headers['apca-api-secret-key'] !== SECRET) return send(401, { code: 40110000, message: 'request is not authorized' });
    const i = this.faults.findIndex((f) => f.method === method && f.path.test(u.pathname));
    if (i >= 0) {
      const { action } = this.faults.splice(i, 1)[0];
      if (action.kind === 'status') return send(action.status, action.body ?? { message: `scripted ${action.status}` }, action.headers);
      if (action.process) this.route(method, u, body, () => {});
      return; // never answer
    }
    this.route(method, u, body, send);
    const h = this.afterHooks.findIndex((f) => f.method === method && f.path.test(u.pathname));
    if (h >= 0) this.afterHooks.splice(h, 1)[0].then();
  }

  private route(method: string, u: URL, body: Json, send: (status: number, value?: unknown) => void): void {
    const p = u.pathname;
    const now = new Date().toISOString();
    if (method === 'POST' && p === '/v2/orders') {
      if (this.orderByClientId(String(body.client_order_id))) return send(422, { code: 40010001, message: 'client_order_id must be unique' });
      const id = `ord-${++this.seq}`;
      const order: Json = {
        id, client_order_id: body.client_order_id, created_at: now, updated_at: now, submitted_at: now, symbol: body.symbol, qty: body.qty ?? null,
        notional: body.notional ?? null, filled_qty: '0', type: body.type, side: body.side, time_in_force: body.time_in_force,
        limit_price: body.limit_price ?? null, stop_price: body.stop_price ?? null, status: 'accepted', replaced_by: null, replaces: null,
      };
      this.orders.set(id, order);
      return send(200, order);
    }
    if (method === 'GET' && p === '/v2/orders:by_client_order_id') {
      const o = this.orderByClientId(u.searchParams.get('client_order_id') ?? '');
      return o ? send(200, o) : send(404, { code: 40410000, message: 'order not found' });
    }
    if (method === 'GET' && p === '/v2/orders') {
      const status = u.searchParams.get('status') ?? 'open';
      const final = new Set(['filled', 'canceled', 'expired', 'rejected', 'replaced']);
      return send(200, [...this.orders.values()].filter((o) => status === 'all' || (status === 'open') === !final.has(String(o.status))));
    }
    const m = /^\/v2\/orders\/(.+)$/.exec(p);
    if (m) {
      const o = this.orders.get(m[1]);
      if (!o) return send(404, { code: 40410000, message: 'order not found' });
      if (method === 'GET') return send(200, o);
      if (method === 'DELETE') {
        if (['filled', 'canceled', 'expired', 'replaced'].includes(String(o.status))) return send(422, { code: 42210000, message: 'order is not cancelable' });
        o.status = 'canceled';
        o.updated_at = now;
        send(204);
        this.push('canceled', o);
        return;
      }
      if (method === 'PATCH') {
        if (this.orderByClientId(String(body.client_order_id))) return send(422, { code: 40010001, message: 'client_order_id must be unique' });
        const id = `ord-${++this.seq}`;
        const next: Json = { ...o, ...Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'client_order_id')), id, client_order_id: body.client_order_id, filled_qty: '0', status: 'new', replaces: o.id, created_at: now, updated_at: now };
        o.status = 'replaced';
        o.replaced_by = id;
        this.orders.set(id, next);
        send(200, next);
        this.push('replaced', o);
        this.push('new', next);
        return;
      }
    }
    if (method === 'GET' && p === '/v2/account/activities/FILL') {
      const after = Date.parse(u.searchParams.get('after') ?? '1970-01-01T00:00:00Z');
      return send(200, this.activities.filter((a) => Date.parse(String(a.transaction_time)) > after));
    }
    if (method === 'GET' && p === '/v2/positions') return send(200, this.positions);
    if (method === 'GET' && p === '/v2/account') return send(200, { id: 'acct', status: 'ACTIVE', currency: 'USD', cash: this.cash });
    if (method === 'GET' && p === '/v2/clock') return send(200, { timestamp: now, is_open: true });
    send(404, { message: `no route ${method} ${p}` });
  }
}
