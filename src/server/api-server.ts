import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifyWebsocket from '@fastify/websocket';
import { timingSafeEqual } from 'node:crypto';
import type { ActionResult, EngineHandle, StreamEvent } from '../runtime/index.ts';

export interface ApiServerOptions {
  readonly engine: EngineHandle;
  /** Bearer token every action requires; without one, actions are refused (reads stay open). */
  readonly token: string | undefined;
  /** Default 127.0.0.1: the API controls real money. */
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Prometheus text for /metrics. */
  readonly metrics?: () => Promise<{ contentType: string; body: string }>;
  /** /readyz: market data older than this is not ready (default 60 s). */
  readonly maxDataAgeMs?: number;
  /** Registers the dashboard's routes (web/). */
  readonly dashboard?: (app: FastifyInstance) => Promise<void> | void;
  readonly log?: (line: string) => void;
}

export interface ApiServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const limitQuery = {
  type: 'object', additionalProperties: false,
  properties: { limit: { type: 'integer', minimum: 1, maximum: 10_000 }, open: { type: 'boolean' }, points: { type: 'integer', minimum: 2, maximum: 100_000 } },
} as const;
const actionReply = { type: 'object', properties: { ok: { type: 'boolean' }, message: { type: 'string' } }, required: ['ok', 'message'] } as const;
const reasonBody = { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason: { type: 'string', minLength: 1, maxLength: 500 }, flatten: { type: 'boolean' } } } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const;

/** Summaries on the stream at most this often. */
const SUMMARY_MS = 500;
/** A stream client this far behind (bytes queued) is dropped rather than buffered without bound. */
const MAX_BUFFERED = 1 << 20;

/**
 * The HTTP API (DESIGN.md `server/`; docs/api.md): read views of the running engine, operator actions behind
 * a bearer token, a WebSocket stream of events, health and readiness, Prometheus metrics, the OpenAPI
 * document, and the dashboard. It reads only the engine's `EngineHandle`.
 *
 * @example
 * const api = await startApiServer({ engine: handle, token: process.env.KEEL_API_TOKEN, port: 7070, metrics });
 * // curl -H "Authorization: Bearer $KEEL_API_TOKEN" -X POST localhost:7070/api/kill -d '{"reason":"drill","flatten":true}'
 */
export async function startApiServer(o: ApiServerOptions): Promise<ApiServer> {
  const host = o.host ?? '127.0.0.1';
  const app = Fastify({ logger: false });
  await app.register(fastifySwagger, { openapi: { info: { title: 'Keel API', version: '0.1.0' } } });
  await app.register(fastifyWebsocket);
  app.setErrorHandler((err: { validation?: unknown; statusCode?: number; message: string }, _req, reply) => {
    // Schema errors name the field and what it must be; anything else is one line, never a stack.
    const status = err.validation ? 400 : err.statusCode ?? 500;
    void reply.code(status).send({ error: err.message });
  });
  app.setNotFoundHandler((req, reply) => { void reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` }); });

  const engine = o.engine;
  const read = (url: string, fn: (q: { limit?: number; open?: boolean; points?: number }) => unknown) =>
    app.get(url, { schema: { querystring: limitQuery } }, async (req) => fn(req.query as { limit?: number; open?: boolean; points?: number }));
  read('/api/status', () => engine.status());
  read('/api/positions', () => engine.positions());
  read('/api/orders', (q) => engine.orders({ openOnly: q.open, limit: q.limit }));
  read('/api/fills', (q) => engine.fills(q.limit));
  read('/api/pnl', () => engine.pnl());
  read('/api/equity', (q) => engine.equityHistory(q.points));
  read('/api/risk', () => engine.risk());
  read('/api/alerts', (q) => engine.alerts(q.limit));

  const authorized = (req: FastifyRequest, reply: FastifyReply): boolean => {
    if (o.token === undefined || o.token === '') {
      void reply.code(403).send({ ok: false, message: 'actions are disabled: configure an API token (api.token or KEEL_API_TOKEN)' });
      return false;
    }
    const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
    const want = Buffer.from(o.token);
    if (given.length !== want.length || !timingSafeEqual(given, want)) {
      void reply.code(401).send({ ok: false, message: 'missing or wrong bearer token' });
      return false;
    }
    return true;
  };
  const action = (url: string, schema: object, fn: (req: FastifyRequest, actor: string) => ActionResult) =>
    app.post(url, { schema: { ...schema, response: { 200: actionReply, 409: actionReply } } }, async (req, reply) => {
      if (!authorized(req, reply)) return reply;
      const result = fn(req, `api:${req.ip}`);
      o.log?.(`${req.method} ${req.url} by api:${req.ip}: ${result.message}`);
      return reply.code(result.ok ? 200 : 409).send(result);
    });
  action('/api/orders/:id/cancel', { params: idParams }, (req, actor) => engine.cancelOrder((req.params as { id: string }).id, actor));
  action('/api/orders/cancel-all', {}, (_req, actor) => engine.cancelAll(actor));
  action('/api/kill', { body: reasonBody }, (req, actor) => {
    const b = req.body as { reason: string; flatten?: boolean };
    return engine.killSwitch({ flatten: b.flatten === true, reason: b.reason, actor });
  });
  action('/api/rearm', { body: reasonBody }, (req, actor) => engine.rearm({ reason: (req.body as { reason: string }).reason, actor }));
  action('/api/strategies/:id/pause', { params: idParams }, (req, actor) => engine.pauseStrategy((req.params as { id: string }).id, actor));
  action('/api/strategies/:id/resume', { params: idParams }, (req, actor) => engine.resumeStrategy((req.params as { id: string }).id, actor));

  const sockets = new Set<{ close(): void }>();
  app.get('/api/stream', { websocket: true }, (socket) => {
    sockets.add(socket);
    const send = (e: StreamEvent) => {
      if (socket.bufferedAmount > MAX_BUFFERED) { socket.terminate(); return; }
      socket.send(JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    };
    const unsubscribe = engine.subscribe(send);
    const timer = setInterval(() => send({ kind: 'summary', ts: engine.status().lastEventTs, pnl: engine.pnl(), positions: engine.positions() }), SUMMARY_MS);
    socket.on('close', () => { clearInterval(timer); unsubscribe(); sockets.delete(socket); });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const s = engine.status();
    const reasons: string[] = [];
    if (!s.journal.healthy) reasons.push('journal is not writable');
    if (!s.venueConnected) reasons.push(`venue ${s.venue} is disconnected`);
    const age = s.lastMarketEventAt === undefined ? Infinity : Date.now() - s.lastMarketEventAt;
    const maxAge = o.maxDataAgeMs ?? 60_000;
    if (age > maxAge) reasons.push(s.lastMarketEventAt === undefined ? 'no market data yet' : `market data is ${Math.round(age / 1000)} s old (limit ${maxAge / 1000} s)`);
    return reply.code(reasons.length === 0 ? 200 : 503).send({ ready: reasons.length === 0, reasons });
  });
  app.get('/metrics', async (_req, reply) => {
    if (!o.metrics) return reply.code(404).send({ error: 'metrics are not configured' });
    const m = await o.metrics();
    return reply.type(m.contentType).send(m.body);
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  if (o.dashboard) await o.dashboard(app);

  await app.listen({ host, port: o.port ?? 0 });
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1' && !o.token) {
    o.log?.(`warning: the API listens on ${host} with no token: anyone who reaches it can read the account`);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://${host}:${port}`, port,
    async close() {
      for (const s of sockets) s.close();
      await app.close();
    },
  };
}
