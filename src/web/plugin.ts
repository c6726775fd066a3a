import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/**
 * The browser files: plain ES modules and CSS served as they are (no bundler, no build step: nothing to
 * forget to rebuild), plus lightweight-charts' standalone build from node_modules. Nothing is loaded from
 * outside the engine's own server, so the dashboard works on an isolated machine.
 */
const ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  'dashboard.js': { file: join(here, 'assets/dashboard.js'), type: 'text/javascript; charset=utf-8' },
  'backtest.js': { file: join(here, 'assets/backtest.js'), type: 'text/javascript; charset=utf-8' },
  'login.js': { file: join(here, 'assets/login.js'), type: 'text/javascript; charset=utf-8' },
  'dom.js': { file: join(here, 'assets/dom.js'), type: 'text/javascript; charset=utf-8' },
  'style.css': { file: join(here, 'assets/style.css'), type: 'text/css; charset=utf-8' },
  'lightweight-charts.js': { file: join(dirname(require.resolve('lightweight-charts/package.json')), 'dist/lightweight-charts.standalone.production.js'), type: 'text/javascript; charset=utf-8' },
};

/** Scripts only from this server; no inline script, no framing, no external connections. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The dashboard's routes on the API server: `/` (the running engine) and `/backtest` (a finished backtest's
 * result.json, opened in the browser), and `/assets/*`.
 *
 * @example await startApiServer({ engine, token, dashboard: dashboardPlugin });
 */
export async function dashboardPlugin(app: FastifyInstance): Promise<void> {
  const cache = new Map<string, Buffer>();
  const page = (name: string) => {
    const body = readFileSync(join(here, `assets/${name}.html`));
    return (_req: unknown, reply: { header(k: string, v: string): unknown; type(t: string): { send(b: Buffer): unknown } }) => {
      reply.header('content-security-policy', CSP);
      return reply.type('text/html; charset=utf-8').send(body);
    };
  };
  app.get('/', { schema: { hide: true } }, page('dashboard'));
  app.get('/backtest', { schema: { hide: true } }, page('backtest'));
  app.get('/login', { schema: { hide: true } }, page('login'));
  app.get('/assets/:name', { schema: { hide: true } }, async (req, reply) => {
    const name = (req.params as { name: string }).name;
    // Own keys only: `__proto__` or `constructor` must be a 404, not Object.prototype.
    const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (asset === undefined) return reply.code(404).send({ error: `no asset ${name}` });
    let body = cache.get(name);
    if (body === undefined) { body = readFileSync(asset.file); cache.set(name, body); }
    return reply.header('cache-control', 'no-cache').type(asset.type).send(body);
  });
}
