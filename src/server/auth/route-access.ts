import type { Permission } from '../../security/index.ts';

/**
 * Who may call a route: anyone (`open`, with the reason it may be), anyone signed in (`signed-in`: the
 * session routes), or a user holding `permission`. The server refuses to register a route that has no line
 * here (`accessFor` throws at start-up), so a new route cannot be open by forgetting it.
 */
export type RouteAccess =
  | { readonly kind: 'open'; readonly why: string }
  | { readonly kind: 'signed-in' }
  | { readonly kind: 'permission'; readonly permission: Permission };

const open = (why: string): RouteAccess => ({ kind: 'open', why });
const needs = (permission: Permission): RouteAccess => ({ kind: 'permission', permission });

/**
 * Every route of the API and the dashboard, `METHOD /path` as registered (HEAD is its GET). Probes and static
 * files are open; every view, the stream and /metrics need `read`; each action its own permission
 * (security/users/roles.ts). docs/api.md prints this table.
 */
export const ROUTE_ACCESS: Readonly<Record<string, RouteAccess>> = Object.freeze({
  'GET /healthz': open('liveness probes (kubelet, load balancers) carry no credentials; it says only that the process answers'),
  'GET /readyz': open('readiness probes carry no credentials; it says ready or not and why (journal, venue connection, data age), no account data'),
  'GET /openapi.json': open('the API contract: routes and schemas, no account data'),
  'GET /': open('the dashboard page holds no data: it reads the API, which asks it to sign in'),
  'GET /login': open('the sign-in page'),
  'GET /backtest': open('opens a result file from the browser\'s own disk; reads nothing from the engine'),
  'GET /assets/:name': open('the dashboard\'s scripts and styles, a fixed list of files'),
  'POST /api/login': open('signing in (rate-limited, locked out after repeated failures)'),
  'POST /api/logout': { kind: 'signed-in' },
  'GET /api/session': { kind: 'signed-in' },
  'GET /api/status': needs('read'),
  'GET /api/positions': needs('read'),
  'GET /api/orders': needs('read'),
  'GET /api/fills': needs('read'),
  'GET /api/pnl': needs('read'),
  'GET /api/equity': needs('read'),
  'GET /api/risk': needs('read'),
  'GET /api/alerts': needs('read'),
  'GET /api/stream': needs('read'),
  'GET /metrics': needs('read'),
  'POST /api/orders/:id/cancel': needs('trade.cancel'),
  'POST /api/orders/cancel-all': needs('trade.cancel'),
  'POST /api/strategies/:id/pause': needs('trade.pause'),
  'POST /api/strategies/:id/resume': needs('trade.pause'),
  'POST /api/kill': needs('risk.kill'),
  'POST /api/rearm': needs('risk.rearm'),
  'POST /api/risk/limits': needs('risk.limits'),
  // A rollout changes which code trades and at what size: the risk desk's call, like limits.
  'GET /api/rollout': needs('read'),
  'POST /api/rollout/shadow': needs('strategy.deploy'),
  'POST /api/rollout/promote': needs('strategy.deploy'),
  'POST /api/rollout/rollback': needs('strategy.deploy'),
});

/**
 * The access rule of a route; throws (a bug, at start-up) for a route the table does not list.
 *
 * @example accessFor('POST', '/api/kill') // { kind: 'permission', permission: 'risk.kill' }
 */
export function accessFor(method: string, url: string): RouteAccess {
  const key = `${method === 'HEAD' ? 'GET' : method} ${url}`;
  const rule = Object.hasOwn(ROUTE_ACCESS, key) ? ROUTE_ACCESS[key] : undefined;
  if (rule === undefined) throw new Error(`route ${key} has no access rule in server/auth/route-access.ts: every route must say who may call it`);
  return rule;
}
