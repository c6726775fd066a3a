import Fastify, { type FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifyWebsocket from '@fastify/websocket';
import { KeelError } from '../model/index.ts';
import { bindWarning } from './bind-warning.ts';
import { requireToken } from './bearer-token.ts';
import { frameworkErrorReply, installErrorReplies, MAX_PARAM_LENGTH } from './error-replies.ts';
import type { ApiServer, ApiServerOptions } from './options.ts';
import { alertRoutes } from './routes/alerts.ts';
import { fillRoutes } from './routes/fills.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { openApiRoutes } from './routes/openapi.ts';
import { orderRoutes } from './routes/orders.ts';
import { portfolioRoutes } from './routes/portfolio.ts';
import { riskRoutes } from './routes/risk.ts';
import type { RouteContext } from './routes/route-context.ts';
import { statusRoutes } from './routes/status.ts';
import { strategyRoutes } from './routes/strategies.ts';
import { streamRoutes } from './routes/stream.ts';
import { StreamHub } from './stream-hub.ts';
import { VIEW_SCHEMAS } from './view-schemas.ts';

/** The API's own version (the contract the dashboard is built against), not the package's. */
const API_VERSION = '1.0.0';
/** Stream clients only listen; anything bigger than this from them is abuse. */
const MAX_CLIENT_MESSAGE_BYTES = 4096;

/**
 * The HTTP API (DESIGN.md `server/`, docs/api.md) over a running engine's `EngineHandle`: read views, operator
 * actions behind a bearer token, a WebSocket stream of events, health and readiness probes, Prometheus
 * metrics, the OpenAPI document, and the dashboard's routes. Every route has request and response schemas;
 * bad input is a 400 naming the field and value.
 *
 * @example
 * const api = await startApiServer({ engine: handle, token: process.env.KEEL_API_TOKEN, port: 7070, log: console.log });
 * // curl -X POST -H "Authorization: Bearer $KEEL_API_TOKEN" -H 'content-type: application/json' \
 * //   -d '{"flatten":true,"reason":"drill"}' http://127.0.0.1:7070/api/kill
 * await api.close();
 */
export async function startApiServer(o: ApiServerOptions): Promise<ApiServer> {
  const host = o.host ?? '127.0.0.1';
  const port = o.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new KeelError('BAD_OPTION', 'must be an integer from 0 to 65535', { field: 'api.port', value: port, hint: '0 picks a free port' });
  }
  const maxDataAgeMs = o.readiness?.maxDataAgeMs;
  if (maxDataAgeMs !== undefined && !(maxDataAgeMs > 0 && Number.isFinite(maxDataAgeMs))) {
    throw new KeelError('BAD_OPTION', 'must be a number of milliseconds > 0', { field: 'readiness.maxDataAgeMs', value: maxDataAgeMs });
  }
  const log = o.log ?? (() => {});

  const app = await buildApp(log);
  const hub = new StreamHub(o.engine, { log });
  const ctx: RouteContext = { engine: o.engine, requireToken: requireToken(o.token, log), log };
  statusRoutes(app, ctx);
  portfolioRoutes(app, ctx);
  orderRoutes(app, ctx);
  fillRoutes(app, ctx);
  riskRoutes(app, ctx);
  alertRoutes(app, ctx);
  strategyRoutes(app, ctx);
  streamRoutes(app, hub);
  healthRoutes(app, ctx, maxDataAgeMs);
  metricsRoutes(app, o.metrics);
  openApiRoutes(app);
  if (o.dashboard) await o.dashboard(app);

  try {
    await app.listen({ host, port });
  } catch (e) {
    await app.close();
    throw e;
  }
  const warning = bindWarning(host, o.token);
  if (warning !== undefined) log(warning);
  const address = app.server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    port: bound,
    close() {
      // Stream sockets first: an upgraded socket is not an HTTP request, so app.close() would not end it.
      closing ??= hub.close().then(() => app.close());
      return closing;
    },
  };
}

/** Fastify with the API's conventions: one-line JSON errors, strict schemas, OpenAPI, WebSocket, shared view schemas. */
async function buildApp(log: (line: string) => void): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkErrorReply,
    // Refuse unknown query parameters and body fields (fastify's default silently strips them).
    ajv: { customOptions: { removeAdditional: false } },
  });
  installErrorReplies(app, log);
  acceptEmptyJsonBodies(app);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Keel engine API', version: API_VERSION,
        description: 'Views of a running Keel engine, operator actions (bearer token), a WebSocket event stream, health and metrics. See docs/api.md.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'KEEL_API_TOKEN' } } },
    },
    // Name the components after the views (`#/components/schemas/PositionView`), not `def-0`.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_CLIENT_MESSAGE_BYTES } });
  for (const schema of VIEW_SCHEMAS) app.addSchema(schema);
  return app;
}

/**
 * An action without a body sent with `content-type: application/json` (curl -H, many HTTP clients) is not an
 * error: its body is simply absent. Everything else goes to fastify's own JSON parser, which refuses
 * `__proto__` and `constructor` keys (prototype poisoning).
 */
function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (body === '') {
      done(null, undefined);
      return;
    }
    parseJson(req, body as string, done);
  });
}
