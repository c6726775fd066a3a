import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';
import { KeelError } from '../../model/index.ts';
import { AlpacaApiError, rateLimited, unauthorized } from './api-error.ts';
import { accountFor, setRequestAccount, type VenueContext } from './context.ts';
import { FaultControl, type FaultCounts } from './faults.ts';
import type { AlpacaVenueServerOptions } from './options.ts';
import { adminRoutes } from './routes-admin.ts';
import { dataRoutes } from './routes-data.ts';
import { tradingRoutes } from './routes-trading.ts';
import { serveDataStream } from './data-stream.ts';
import { serveTradeStream } from './trade-stream.ts';
import { buildVenueState, readStateFile, stateVersion, writeStateFile, type VenueState } from './venue-state.ts';

export interface AlpacaVenueServerStats {
  readonly barsReplayed: number;
  readonly ended: boolean;
  readonly accounts: number;
  readonly orders: number;
  readonly fills: number;
  readonly requests: number;
  readonly unauthorized: number;
  readonly streamMessages: number;
  readonly openStreams: number;
  readonly restarts: number;
  readonly faults: Readonly<FaultCounts>;
}

export interface AlpacaVenueServer {
  readonly port: number;
  /** `http://host:port`: the REST base; the streams are at `ws://host:port/stream` and `/v2/{feed}`. */
  readonly url: string;
  /** Switch faults at run time (also `PUT /admin/faults`). */
  readonly faults: FaultControl;
  /** Replay the next `count` bars now (a `manual` market moves only this way); returns how many. */
  step(count?: number): number;
  stats(): AlpacaVenueServerStats;
  /**
   * Stop listening, close every connection, wait `downMs`, listen again on the same port. The books stay in
   * memory (default), are rebuilt from the state file (`reload`, as a process restart would), or start over
   * (`reset`). The market keeps replaying while the server is down, as a real venue keeps trading.
   */
  restart(o?: { downMs?: number; reload?: boolean; reset?: boolean }): Promise<void>;
  /** Save the state file now (when one is configured). */
  saveState(): void;
  close(): Promise<void>;
}

const STREAM_PATHS = new Set(['/stream', '/v2/iex', '/v2/sip', '/v2/test', '/v2/delayed_sip', '/v1beta3/crypto/us']);
/** How often the state file is refreshed when something changed. */
const SAVE_EVERY_MS = 200;

function isApi(url: string): boolean {
  return url.startsWith('/v2/') || url.startsWith('/v1beta3/');
}

/**
 * Start a local venue that speaks Alpaca's trading and market data APIs (REST and both WebSocket streams) over
 * the sim matching engine and a replayed CSV, with seeded, switchable faults.
 *
 * @example
 * const venue = await startAlpacaVenueServer({
 *   dataPath: '../shared/data/daily/ORCL-1995-2014.csv', barIntervalMs: 50,
 *   keys: [{ keyId: 'PKTEST', secret: 's3cret' }],
 * });
 * await fetch(`${venue.url}/v2/account`, { headers: { 'APCA-API-KEY-ID': 'PKTEST', 'APCA-API-SECRET-KEY': 's3cret' } });
 */
export async function startAlpacaVenueServer(o: AlpacaVenueServerOptions): Promise<AlpacaVenueServer> {
  if (o.keys.length === 0) throw new KeelError('NO_KEYS', 'needs at least one API key', { field: 'keys', hint: 'e.g. --keys PKTEST:secret' });
  const pace = o.barIntervalMs ?? 1000;
  if (pace !== 'manual' && !(typeof pace === 'number' && pace >= 0 && Number.isFinite(pace))) {
    throw new KeelError('BAD_OPTION', 'must be a number of milliseconds ≥ 0 or "manual"', { field: 'barIntervalMs', value: pace });
  }
  const faults = new FaultControl(o.seed ?? 1, o.faults ?? {});
  const ctx: VenueContext = {
    state: buildVenueState(o, faults, readStateFile(o.stateFile, o.dataPath)),
    keys: new Map(o.keys.map((k) => [k.keyId, k])),
    faults,
    counters: { requests: 0, unauthorized: 0, ordersSubmitted: 0, streamMessages: 0 },
    adminToken: o.adminToken,
  };
  const watchReplayEnd = (): void => {
    const market = ctx.state.market;
    if (o.onReplayEnd !== undefined) market.onEnd(() => o.onReplayEnd?.(market.replayed));
  };
  watchReplayEnd();
  const host = o.host ?? '127.0.0.1';
  let port = o.port ?? 0;
  let app: FastifyInstance | undefined;
  let restarts = 0;
  let closed = false;
  const tradeWss = new WebSocketServer({ noServer: true });
  const dataWss = new WebSocketServer({ noServer: true });
  tradeWss.on('connection', (ws) => serveTradeStream(ws, ctx));
  dataWss.on('connection', (ws) => serveDataStream(ws, ctx));

  const saveState = (): void => {
    if (o.stateFile !== undefined) writeStateFile(o.stateFile, o.dataPath, ctx.state);
  };
  let savedVersion = stateVersion(ctx.state);
  const saver = o.stateFile === undefined ? undefined : setInterval(() => {
    const v = stateVersion(ctx.state);
    if (v !== savedVersion) {
      savedVersion = v;
      saveState();
    }
  }, SAVE_EVERY_MS);
  saver?.unref();

  const stats = (): AlpacaVenueServerStats => {
    let orders = 0, fills = 0;
    for (const a of ctx.state.accounts.values()) {
      orders += a.orders.length;
      fills += a.ledger.fillCount;
    }
    return {
      barsReplayed: ctx.state.market.replayed, ended: ctx.state.market.replay.ended, accounts: ctx.state.accounts.size, orders, fills,
      requests: ctx.counters.requests, unauthorized: ctx.counters.unauthorized, streamMessages: ctx.counters.streamMessages,
      openStreams: tradeWss.clients.size + dataWss.clients.size, restarts, faults: { ...faults.counts },
    };
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (req.url ?? '').split('?')[0];
    if (!STREAM_PATHS.has(path)) {
      socket.destroy();
      return;
    }
    const wss = path === '/stream' ? tradeWss : dataWss;
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };

  const listen = async (): Promise<void> => {
    // HTTPS and WSS with `tls` (tests of the adapters' certificate checks); the routes are the same.
    const a = (o.tls ? Fastify({ logger: false, forceCloseConnections: true, https: { cert: o.tls.cert, key: o.tls.key } }) : Fastify({ logger: false, forceCloseConnections: true })) as unknown as FastifyInstance;
    a.setErrorHandler((err, req, reply) => {
      if (err instanceof AlpacaApiError) return reply.code(err.status).send(err.body);
      const e = err as { statusCode?: number; message?: string };
      const status = e.statusCode;
      // Fastify's own client errors (bad JSON, wrong content type) in Alpaca's shape: status then 10000.
      if (typeof status === 'number' && status >= 400 && status < 500) return reply.code(status).send({ code: status * 100000 + 10000, message: String(e.message) });
      o.log?.(`error ${req.method} ${req.url.split('?')[0]}: ${String(e.message)}`);
      return reply.code(500).send({ code: 50010000, message: 'internal server error' });
    });
    a.setNotFoundHandler((_req, reply) => reply.code(404).send({ code: 40410000, message: 'endpoint not found' }));
    a.addHook('onRequest', async (req, reply) => {
      if (!isApi(req.url)) return;
      ctx.counters.requests++;
      const found = accountFor(ctx, req.headers['apca-api-key-id'], req.headers['apca-api-secret-key']);
      if (found === undefined) {
        ctx.counters.unauthorized++;
        throw unauthorized();
      }
      setRequestAccount(req, found.account);
      const rate = faults.checkRate(found.keyId, Date.now());
      if (rate !== undefined) {
        reply.header('X-RateLimit-Limit', rate.limit).header('X-RateLimit-Remaining', rate.remaining).header('X-RateLimit-Reset', Math.ceil(rate.resetAt / 1000));
        if (rate.retryAfterMs !== undefined) {
          reply.header('Retry-After', Math.ceil(rate.retryAfterMs / 1000));
          throw rateLimited();
        }
      }
    });
    a.addHook('onSend', async (req, _reply, payload) => {
      if (!isApi(req.url)) return payload;
      const delay = faults.responseDelayMs();
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      return payload;
    });
    if (o.log !== undefined) {
      const log = o.log;
      a.addHook('onResponse', async (req, reply) => {
        // Method, path without the query, status and time: never headers (they hold the keys) nor bodies.
        log(`${req.method} ${req.url.split('?')[0]} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms`);
      });
    }
    tradingRoutes(a, ctx);
    dataRoutes(a, ctx);
    adminRoutes(a, ctx, { stats, restart: (r) => server.restart(r) });
    a.server.on('upgrade', onUpgrade);
    await a.listen({ port, host });
    port = (a.server.address() as AddressInfo).port;
    app = a;
  };

  const stopListening = async (): Promise<void> => {
    const a = app;
    app = undefined;
    for (const ws of [...tradeWss.clients, ...dataWss.clients]) ws.terminate();
    if (a !== undefined) await a.close();
  };

  await listen();
  if (o.autoStart !== false) ctx.state.market.start();

  const server: AlpacaVenueServer = {
    get port() { return port; },
    get url() { return `${o.tls ? 'https' : 'http'}://${host}:${port}`; },
    faults,
    step: (count = 1) => ctx.state.market.step(count),
    stats,
    async restart(r = {}) {
      if (closed) return;
      if (r.reload === true && o.stateFile === undefined) throw new KeelError('NO_STATE_FILE', 'a reload needs a state file', { field: 'stateFile' });
      await stopListening();
      if (r.reset === true || r.reload === true) {
        if (r.reload === true) saveState();
        ctx.state.market.stop();
        const saved = r.reload === true ? readStateFile(o.stateFile, o.dataPath) : undefined;
        ctx.state = buildVenueState(o, faults, saved) as VenueState;
        watchReplayEnd();
        if (o.autoStart !== false) ctx.state.market.start();
      }
      if ((r.downMs ?? 0) > 0) await new Promise((res) => setTimeout(res, r.downMs));
      restarts++;
      await listen();
    },
    saveState,
    async close() {
      if (closed) return;
      closed = true;
      if (saver !== undefined) clearInterval(saver);
      ctx.state.market.stop();
      await stopListening();
      saveState();
      tradeWss.close();
      dataWss.close();
    },
  };
  return server;
}
