import Fastify, { type FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifyWebsocket from '@fastify/websocket';
import { KeelError } from '../model/index.ts';
import { checkBindRule, type AllowList } from '../security/index.ts';
import { AccessControl } from './auth/access-control.ts';
import { sessionRoutes } from './auth/session-routes.ts';
import { frameworkErrorReply, installErrorReplies, MAX_PARAM_LENGTH, pathOf } from './error-replies.ts';
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
import { rolloutRoutes } from './routes/rollout.ts';
import { strategyRoutes } from './routes/strategies.ts';
import { streamRoutes } from './routes/stream.ts';
import { StreamHub } from './stream-hub.ts';
import { VIEW_SCHEMAS } from './view-schemas.ts';

/** The API's own version (the contract the dashboard is built against), not the package's. */
const API_VERSION = '1.0.0';
/** The largest request body the API reads (413 beyond it, said in one line). */
export const MAX_BODY_BYTES = 64 * 1024;
/** Stream clients only listen; anything bigger than this from them is abuse. */
const MAX_CLIENT_MESSAGE_BYTES = 4096;

/**
 * The HTTP API (DESIGN.md `server/`, docs/api.md) over a running engine's `EngineHandle`: read views, operator
 * actions, a WebSocket stream of events, health and readiness probes, Prometheus metrics, the OpenAPI
 * document, the sign-in routes and the dashboard's. With `auth.users` every route is authenticated and
 * authorised by role (server/auth); without, the legacy mode (actions behind `token`, loopback only). Every
 * route has request and response schemas; bad input is a 400 naming the field and value.
 *
 * @example
 * const api = await startApiServer({ engine: handle, token: undefined, auth: { users }, port: 7070, log: console.log });
 * // curl -X POST -H "Authorization: Bearer $(cat rita.token)" -H 'x-keel-totp: 123456' -H 'content-type: application/json' \
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
  const users = o.auth?.users;
  if (o.auth?.fourEyesRearmMs !== undefined && users === undefined) {
    throw new KeelError('BAD_OPTION', 'needs users: a second risk user confirms a re-arm, and without users there is no second user', { field: 'security.rearm.fourEyes', hint: 'keel users add NAME --role risk (twice)' });
  }
  // Before anything listens: beyond loopback, the API needs TLS and users (the shared token is for loopback only).
  checkBindRule({ host, tls: o.tls !== undefined, token: o.token !== undefined && o.token !== '', usersConfigured: users !== undefined && users.users().length > 0, field: 'api.host' });

  const app = await buildApp(log, o.tls);
  if (o.allow) refuseOutsiders(app, o.allow, log);
  const access = new AccessControl({ auth: o.auth, token: o.token, tls: o.tls !== undefined, audit: o.audit, log });
  access.install(app);
  const hub = new StreamHub(o.engine, { log });
  const ctx: RouteContext = { engine: o.engine, access, log };
  statusRoutes(app, ctx);
  portfolioRoutes(app, ctx);
  orderRoutes(app, ctx);
  fillRoutes(app, ctx);
  riskRoutes(app, ctx);
  alertRoutes(app, ctx);
  strategyRoutes(app, ctx);
  rolloutRoutes(app, ctx);
  streamRoutes(app, hub, access);
  sessionRoutes(app, access);
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
  const address = app.server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  let closing: Promise<void> | undefined;
  return {
    url: `${o.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    port: bound,
    close() {
      // Stream sockets first: an upgraded socket is not an HTTP request, so app.close() would not end it.
      closing ??= hub.close().then(() => app.close());
      return closing;
    },
  };
}

/**
 * The allow-list (`api.allow`) as the first hook of every request, the WebSocket upgrade included: an address
 * outside it gets a 403 before a route, a body parser or the token check runs. `req.ip` is the socket's peer:
 * no proxy header is trusted (docs/security.md).
 */
function refuseOutsiders(app: FastifyInstance, allow: AllowList, log: (line: string) => void): void {
  app.addHook('onRequest', async (req, reply) => {
    if (allow.allows(req.ip)) return undefined;
    log(`refused ${req.method} ${pathOf(req)} from ${req.ip}: not in the allow-list`);
    return reply.code(403).send({ error: `${req.ip} is not in this API's allow-list (api.allow)` });
  });
}

/** Fastify with the API's conventions: one-line JSON errors, strict schemas, OpenAPI, WebSocket, shared view schemas; HTTPS with `tls`. */
async function buildApp(log: (line: string) => void, tls: ApiServerOptions['tls']): Promise<FastifyInstance> {
  // Typed as the plain HTTP instance: the routes never touch the server, and HTTPS changes nothing they use.
  const app = Fastify({
    ...(tls ? { https: { cert: tls.cert, key: tls.key, ...(tls.ca === undefined ? {} : { ca: tls.ca }), minVersion: 'TLSv1.2' as const } } : {}),
    logger: false,
    // Actions carry a reason of at most 500 characters: 64 KiB is plenty, and a bigger body is a 413 before it is read.
    bodyLimit: MAX_BODY_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkErrorReply,
    // Refuse unknown query parameters and body fields (fastify's default silently strips them).
    ajv: { customOptions: { removeAdditional: false } },
  }) as unknown as FastifyInstance;
  installErrorReplies(app, log);
  acceptEmptyJsonBodies(app);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Keel engine API', version: API_VERSION,
        description: 'Views of a running Keel engine, operator actions (bearer token), a WebSocket event stream, health and metrics. See docs/api.md.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'a user\'s API token (keel users token NAME), or KEEL_API_TOKEN when no users are configured' },
          session: { type: 'apiKey', in: 'cookie', name: 'keel_session', description: 'the dashboard\'s session (POST /api/login); POSTs also need x-keel-csrf' },
        },
      },
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
