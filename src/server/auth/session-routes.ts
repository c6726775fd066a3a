import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AUDIT_OK, PERMISSIONS } from '../../security/index.ts';
import { ref } from '../view-schemas.ts';
import { permissionsNow, type AccessControl } from './access-control.ts';
import { cookieValue, ownOrigin } from './request-auth.ts';

const loginBody = {
  type: 'object', additionalProperties: false, required: ['user', 'password', 'totp'],
  properties: {
    user: { type: 'string', minLength: 1, maxLength: 128 },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
    totp: { type: 'string', minLength: 1, maxLength: 16, description: 'the current code of the user\'s authenticator app' },
  },
} as const;

const sessionView = {
  type: 'object', required: ['mode'],
  properties: {
    mode: { type: 'string', enum: ['users', 'token'], description: 'users: signed-in users and roles; token: the legacy single-operator KEEL_API_TOKEN' },
    user: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
    permissions: { type: 'array', items: { type: 'string' } },
    via: { type: 'string', enum: ['token', 'session'] },
    csrf: { type: 'string', description: 'send it back as x-keel-csrf with every POST made with the session cookie' },
    idleExpiresAt: { type: 'integer' },
    expiresAt: { type: 'integer' },
    fourEyesRearm: { type: 'boolean' },
  },
} as const;

const errors = { 401: ref('ErrorReply'), 403: ref('ErrorReply'), 429: ref('ErrorReply'), 503: ref('ErrorReply') };

/**
 * The dashboard's sign-in: `POST /api/login` (user name, password and TOTP code; sets the session cookie),
 * `GET /api/session` (who is signed in, their permissions and the CSRF token), `POST /api/logout`.
 * Failures are counted per user name and address and locked out after the limit (login-throttle.ts).
 *
 * @example sessionRoutes(app, access); // curl -X POST -d '{"user":"alice","password":"…","totp":"123456"}' …/api/login
 */
export function sessionRoutes(app: FastifyInstance, access: AccessControl): void {
  app.post<{ Body: { user: string; password: string; totp: string } }>('/api/login', {
    schema: {
      tags: ['session'], summary: 'Sign in with a user name, password and TOTP code: sets an HttpOnly session cookie',
      body: loginBody, response: { 200: { ...sessionView, description: 'signed in' }, 400: ref('ErrorReply'), 404: ref('ErrorReply'), ...errors },
    },
  }, async (req, reply) => login(access, req, reply));

  app.get('/api/session', {
    schema: { tags: ['session'], summary: 'Who is signed in, with which permissions (and the CSRF token)', response: { 200: sessionView, ...errors } },
  }, async (req) => describeSession(access, req));

  app.post('/api/logout', {
    schema: { tags: ['session'], summary: 'End this session', response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } }, ...errors } },
  }, async (req, reply) => {
    const sid = cookieValue(req.headers.cookie, access.cookieName);
    if (sid !== undefined && req.keelAuth?.via === 'session') {
      access.sessions.delete(sid);
      access.audit(req, 'logout', AUDIT_OK, { target: req.keelAuth.principal.user });
    }
    void reply.header('set-cookie', cookie(access, '', 0));
    return { ok: true };
  });
}

async function login(access: AccessControl, req: FastifyRequest<{ Body: { user: string; password: string; totp: string } }>, reply: FastifyReply) {
  const users = access.users;
  if (users === undefined) return reply.code(404).send({ error: 'sign-in: no users are configured (keel users add NAME; docs/security.md); actions take KEEL_API_TOKEN' });
  const now = Date.now();
  const { user, password, totp } = req.body;
  const target = user;
  // A sign-in form posted from another site (login CSRF) is refused before any password is checked.
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== ownOrigin(req)) {
    return access.refuse(req, reply, { status: 403, action: 'login.failed', reason: `Origin ${origin} is another site`, error: `csrf: Origin ${origin} is not this server`, missing: 'csrf', user, target });
  }
  const locked = access.throttle.lockedOut(user, req.ip, now);
  if (locked) return access.refuseLocked(req, reply, locked, 'login.failed', now, target);
  const principal = await users.verifyPassword(user, password);
  // The code is checked only after the password, and a wrong one of either says the same (nothing to tell a guesser).
  const ok = principal !== undefined && users.verifyTotp(user, totp.trim(), now);
  if (!ok) {
    access.failed(req, user, now);
    return access.refuse(req, reply, {
      status: 401, action: 'login.failed', reason: principal === undefined ? 'wrong user name or password' : 'wrong or reused TOTP code', user, target,
      error: 'sign-in: wrong user name, password or TOTP code', missing: 'authentication',
    });
  }
  access.throttle.succeed(user);
  const { id, session } = access.sessions.create(principal, now);
  req.keelAuth = { principal, via: 'session', session };
  access.audit(req, 'login', AUDIT_OK, { target: user, details: { via: 'password' } });
  void reply.header('set-cookie', cookie(access, id, Math.floor(access.sessions.limits.maxMs / 1000)));
  return describeSession(access, req);
}

/** `Set-Cookie` for the session: HttpOnly (no script reads it), SameSite=Strict (no other site sends it), Secure over TLS. */
function cookie(access: AccessControl, value: string, maxAgeSeconds: number): string {
  return `${access.cookieName}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${access.tls ? '; Secure' : ''}`;
}

function describeSession(access: AccessControl, req: FastifyRequest) {
  const auth = req.keelAuth;
  if (access.users === undefined || auth === undefined) return { mode: access.mode, fourEyesRearm: false };
  const u = access.users.user(auth.principal.user);
  const s = auth.session;
  return {
    mode: 'users' as const, user: auth.principal.user, roles: [...(u?.roles ?? [])], permissions: permissionsNow(access.users, auth, PERMISSIONS),
    via: auth.via, fourEyesRearm: access.fourEyes !== undefined,
    ...(s ? { csrf: s.csrf, idleExpiresAt: access.sessions.expiries(s).idleAt, expiresAt: access.sessions.expiries(s).maxAt } : {}),
  };
}
