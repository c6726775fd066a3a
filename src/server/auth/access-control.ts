import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AUDIT_OK, auditDenied, requiresMfa, ROLES, rolesGrant, type AuditAction, type AuditRecorder, type AuditResult, type Permission, type UserDirectory,
} from '../../security/index.ts';
import { requireToken } from '../bearer-token.ts';
import { pathOf } from '../error-replies.ts';
import { FourEyesRearm } from './four-eyes.ts';
import { LoginThrottle, type Lockout, type ThrottleLimits } from './login-throttle.ts';
import { authenticate, ownOrigin, sessionCookieName, type RequestAuth } from './request-auth.ts';
import { accessFor, type RouteAccess } from './route-access.ts';
import { SessionStore, type SessionLimits } from './sessions.ts';

/** How the API authenticates (ApiServerOptions.auth). */
export interface AuthOptions {
  /** The users (security/users). With them every route but the probes and static files needs a user; without, the legacy token mode. */
  readonly users?: UserDirectory;
  readonly sessions?: Partial<SessionLimits>;
  readonly lockout?: Partial<ThrottleLimits>;
  /** Four-eyes re-arm: a second risk user must confirm within this many ms (needs users). */
  readonly fourEyesRearmMs?: number;
  /** A lockout: raise it (the engine's alerts; `keel paper` also raises a vault that became unreadable). Never given a secret. */
  readonly alert?: (title: string, detail: string) => void;
}

/** The header that carries a TOTP code for a dangerous action (kill, re-arm, limit and user changes). */
export const TOTP_HEADER = 'x-keel-totp';
/** The header that carries the session's CSRF token on every cookie-authenticated POST. */
export const CSRF_HEADER = 'x-keel-csrf';

/**
 * Authentication and authorisation for every route (docs/api.md, "Authentication"): the route table
 * (route-access.ts) is enforced as the first hook after the allow-list, so a request is authenticated and
 * authorised before its body is read; TOTP step-up runs after the body is validated (a typo does not burn a
 * single-use code). Every refusal is a one-line JSON 401/403/429 naming what is missing, a log line and an
 * audit record.
 *
 * Without users (legacy single-operator mode): reads are open and actions need KEEL_API_TOKEN, as before;
 * the bind rule keeps that mode on loopback.
 */
export class AccessControl {
  readonly users: UserDirectory | undefined;
  readonly sessions: SessionStore;
  readonly throttle: LoginThrottle;
  readonly fourEyes: FourEyesRearm | undefined;
  readonly cookieName: string;
  readonly tls: boolean;
  readonly #token: string | undefined;
  readonly #audit: AuditRecorder | undefined;
  readonly #log: (line: string) => void;
  readonly #alert: (title: string, detail: string) => void;

  constructor(o: { auth?: AuthOptions; token: string | undefined; tls: boolean; audit?: AuditRecorder; log: (line: string) => void }) {
    this.users = o.auth?.users;
    this.sessions = new SessionStore(o.auth?.sessions);
    this.throttle = new LoginThrottle(o.auth?.lockout);
    this.fourEyes = o.auth?.fourEyesRearmMs === undefined ? undefined : new FourEyesRearm(o.auth.fourEyesRearmMs);
    this.cookieName = sessionCookieName(o.tls);
    this.tls = o.tls;
    this.#token = o.token;
    this.#audit = o.audit;
    this.#log = o.log;
    this.#alert = o.auth?.alert ?? (() => {});
  }

  get mode(): 'users' | 'token' {
    return this.users === undefined ? 'token' : 'users';
  }

  /** The route table check at registration, and the hooks every request goes through. */
  install(app: FastifyInstance): void {
    const routes = new Map<string, RouteAccess>();
    app.decorateRequest('keelAuth', undefined);
    // Fail closed at start-up: a route without a rule would otherwise be open.
    app.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) routes.set(`${m} ${r.url}`, accessFor(m, r.url));
    });
    const legacyAction = requireToken(this.#token, this.#log, this.#audit);
    app.addHook('onRequest', async (req, reply) => {
      const url = req.routeOptions.url;
      if (url === undefined) return undefined; // no such route: the 404 handler answers
      const access = routes.get(`${req.method} ${url}`) ?? accessFor(req.method, url);
      if (access.kind === 'open') return undefined;
      if (this.users === undefined) {
        return access.kind === 'permission' && access.permission !== 'read' ? legacyAction(req, reply) : undefined;
      }
      return this.#authorise(req, reply, this.users, access);
    });
    app.addHook('preHandler', async (req, reply) => {
      const url = req.routeOptions.url;
      if (this.users === undefined || url === undefined || req.keelAuth === undefined) return undefined;
      const access = routes.get(`${req.method} ${url}`);
      if (access?.kind !== 'permission' || !requiresMfa(access.permission)) return undefined;
      return this.#stepUp(req, reply, this.users, req.keelAuth);
    });
  }

  /** Whether an open stream's principal may still read (session live, user and token still valid). */
  stillAllowed(auth: RequestAuth | undefined, now = Date.now()): boolean {
    if (this.users === undefined || auth === undefined) return true;
    if (auth.session !== undefined && !this.sessions.alive(auth.session, now)) return false;
    return this.users.hasPermission(auth.principal, 'read');
  }

  /** Record an audit event for this request (who: the signed-in user, else anonymous). */
  audit(req: FastifyRequest, action: AuditAction, result: AuditResult, o: { target?: string; details?: Record<string, string | number | boolean>; user?: string } = {}): void {
    const user = o.user ?? req.keelAuth?.principal.user;
    this.#audit?.record({
      actor: user === undefined ? 'anonymous' : `user:${user}`, origin: `ip:${req.ip}`, action, result,
      target: o.target ?? `${req.method} ${pathOf(req)}`, ...(o.details ? { details: o.details } : {}),
    });
  }

  /** Refuse with a one-line body; log and audit it. */
  refuse(req: FastifyRequest, reply: FastifyReply, r: { status: 401 | 403 | 429 | 503; error: string; missing?: string; action: AuditAction; reason: string; user?: string; target?: string }): FastifyReply {
    // The actor is who authenticated; a name merely typed at sign-in is the target, not the actor.
    const who = r.user ?? req.keelAuth?.principal.user;
    this.#log(`refused ${req.method} ${pathOf(req)} from ${req.ip}${who ? ` (user ${who})` : ''}: ${r.reason}`);
    this.audit(req, r.action, auditDenied(r.reason), { target: r.target });
    if (r.status === 401) void reply.header('www-authenticate', 'Bearer realm="keel"');
    return reply.code(r.status).send({ error: r.error, ...(r.missing ? { missing: r.missing } : {}) });
  }

  /** A failed password or TOTP code: count it, and audit and alert any lockout it starts. */
  failed(req: FastifyRequest, user: string | undefined, now: number): void {
    for (const l of this.throttle.fail(user, req.ip, now)) this.#lockedOut(req, l);
  }

  /** The 429 for a lockout in force (audited as a refused sign-in or TOTP code). */
  refuseLocked(req: FastifyRequest, reply: FastifyReply, l: Lockout, action: AuditAction, now: number, target?: string): FastifyReply {
    const minutes = Math.max(1, Math.ceil((l.until - now) / 60_000));
    void reply.header('retry-after', String(Math.ceil((l.until - now) / 1000)));
    const what = l.scope === 'user' ? `user ${l.key}` : `address ${l.key}`;
    return this.refuse(req, reply, {
      status: 429, action, reason: `${what} is locked out`, user: l.scope === 'user' ? l.key : undefined, missing: 'lockout', target,
      error: `${what}: is locked out after ${l.scope === 'user' ? this.throttle.limits.attempts : this.throttle.limits.addressAttempts} failed attempts; try again in ${minutes} min`,
    });
  }

  #lockedOut(req: FastifyRequest, l: Lockout): void {
    const what = l.scope === 'user' ? `user ${l.key}` : `address ${l.key}`;
    const until = new Date(l.until).toISOString();
    this.#log(`LOCKOUT ${what} until ${until}: too many failed sign-ins or TOTP codes`);
    this.#audit?.record({
      actor: 'anonymous', origin: `ip:${req.ip}`, action: 'lockout', target: l.scope === 'user' ? l.key : `ip:${l.key}`,
      result: AUDIT_OK, details: { scope: l.scope, until },
    });
    this.#alert(`${what} locked out`, `too many failed sign-ins or TOTP codes from ${req.ip}; locked until ${until}`);
  }

  async #authorise(req: FastifyRequest, reply: FastifyReply, users: UserDirectory, access: RouteAccess): Promise<FastifyReply | undefined> {
    const now = Date.now();
    const dir = users.status();
    if (dir.state === 'unavailable') {
      return this.refuse(req, reply, {
        status: 503, action: 'login.failed', reason: 'user directory unavailable',
        error: `users: cannot be read (${dir.error.message.split('\n')[0]}): every request is refused until the vault can be read`,
      });
    }
    const a = authenticate(req, users, this.sessions, this.cookieName, now);
    if (!a.ok) {
      // The pages asking "who am I?" with no credentials at all is not an attempt at anything: no record.
      if (a.reason === 'no credentials' && access.kind === 'signed-in' && req.method === 'GET') {
        return reply.code(401).header('www-authenticate', 'Bearer realm="keel"').send({ error: a.error, missing: 'authentication' });
      }
      return this.refuse(req, reply, { status: 401, action: 'login.failed', reason: a.reason, error: a.error, missing: 'authentication' });
    }
    req.keelAuth = a.auth;
    const p = a.auth.principal;
    if (a.auth.via === 'session') {
      const bad = this.#crossSite(req, a.auth);
      if (bad) return this.refuse(req, reply, { status: 403, action: 'access.denied', reason: `CSRF: ${bad}`, error: `csrf: ${bad}`, missing: 'csrf' });
    }
    const current = users.user(p.user);
    if (current === undefined) return this.refuse(req, reply, { status: 401, action: 'login.failed', reason: 'user removed', error: `user ${p.user}: no longer exists`, missing: 'authentication' });
    if (access.kind !== 'permission') return undefined;
    if (users.hasPermission(p, access.permission)) return undefined;
    const holders = ROLES.filter((r) => rolesGrant([r], access.permission));
    const roles = current ? current.roles.join(', ') : 'no longer a user';
    return this.refuse(req, reply, {
      status: 403, action: 'access.denied', reason: `needs permission ${access.permission}`, missing: access.permission,
      error: `user ${p.user} (${roles}) may not ${req.method} ${pathOf(req)}: it needs permission ${access.permission} (role ${holders.join(' or ')})`,
    });
  }

  /** Why a cookie-authenticated request may come from another site, or undefined if it cannot. */
  #crossSite(req: FastifyRequest, auth: RequestAuth): string | undefined {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== ownOrigin(req)) return `Origin ${origin} is not this server (${ownOrigin(req)})`;
    if (req.method === 'GET' || req.method === 'HEAD') return undefined;
    const given = req.headers[CSRF_HEADER];
    if (typeof given !== 'string') return `the ${CSRF_HEADER} header is missing (the dashboard sends the token GET /api/session gives)`;
    const a = Buffer.from(given);
    const b = Buffer.from(auth.session!.csrf);
    return a.length === b.length && timingSafeEqual(a, b) ? undefined : `the ${CSRF_HEADER} header is not this session's token`;
  }

  async #stepUp(req: FastifyRequest, reply: FastifyReply, users: UserDirectory, auth: RequestAuth): Promise<FastifyReply | undefined> {
    const now = Date.now();
    const user = auth.principal.user;
    const action = `${req.method} ${pathOf(req)}`;
    const locked = this.throttle.lockedOut(user, req.ip, now);
    if (locked) return this.refuseLocked(req, reply, locked, 'mfa.failed', now);
    const code = req.headers[TOTP_HEADER];
    if (typeof code !== 'string' || code === '') {
      return this.refuse(req, reply, {
        status: 401, action: 'mfa.failed', reason: 'no TOTP code', target: action, missing: 'totp',
        error: `${action} needs a TOTP code: send ${TOTP_HEADER}: <6 digits> from ${user}'s authenticator app`,
      });
    }
    if (users.verifyTotp(user, code.trim(), now)) return undefined;
    this.failed(req, user, now);
    return this.refuse(req, reply, {
      status: 401, action: 'mfa.failed', reason: 'wrong or reused TOTP code', target: action, missing: 'totp',
      error: `${TOTP_HEADER}: is not ${user}'s current code, or was already used (each code works once: wait for the next one)`,
    });
  }
}

/** The permissions a principal holds now, for GET /api/session. */
export function permissionsNow(users: UserDirectory, auth: RequestAuth, all: readonly Permission[]): Permission[] {
  return all.filter((p) => users.hasPermission(auth.principal, p));
}
