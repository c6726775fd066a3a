import type { FastifyRequest } from 'fastify';
import { apiTokenId, type Principal, type UserDirectory } from '../../security/index.ts';
import { bearerOf } from '../bearer-token.ts';
import type { Session, SessionStore } from './sessions.ts';

/** Who a request is, once authenticated: the principal, and whether it came with an API token or a session cookie. */
export interface RequestAuth {
  readonly principal: Principal;
  readonly via: 'token' | 'session';
  readonly session?: Session;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the access control (server/auth) for a request it authenticated; undefined on open routes. */
    keelAuth?: RequestAuth;
  }
}

/** The session cookie's name: `__Host-` over HTTPS, so a browser accepts it only Secure, for this host, on path / (RFC 6265bis). */
export function sessionCookieName(tls: boolean): string {
  return tls ? '__Host-keel_session' : 'keel_session';
}

/** One cookie's value from the Cookie header (the first of that name), else undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The outcome of authenticating: who, or why not (the 401's line). */
export type Authentication =
  | { readonly ok: true; readonly auth: RequestAuth }
  | { readonly ok: false; readonly reason: string; readonly error: string; readonly givenUser?: string };

/**
 * Authenticate against the user directory: `Authorization: Bearer keel_…` (a user's API token, compared by
 * hash; revoked tokens fail), else the session cookie (idle and absolute expiry). A request that sends a
 * token is judged by the token alone, never by a cookie it also carries.
 *
 * @example authenticate(req, users, sessions, 'keel_session', Date.now())
 */
export function authenticate(req: FastifyRequest, users: UserDirectory, sessions: SessionStore, cookieName: string, now: number): Authentication {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const bearer = bearerOf(header);
    if (bearer === undefined) {
      return { ok: false, reason: 'malformed Authorization header', error: 'Authorization: must be "Bearer keel_<id>_<secret>" (a token from keel users token NAME)' };
    }
    const principal = users.authenticateToken(bearer);
    if (principal !== undefined) return { ok: true, auth: { principal, via: 'token' } };
    const id = apiTokenId(bearer);
    return id === undefined
      ? { ok: false, reason: 'not a Keel user token', error: 'bearer token: is not a Keel user token (keel_…); KEEL_API_TOKEN is not accepted once users are configured: use keel users token NAME' }
      : { ok: false, reason: `unknown or revoked API token ${id}`, error: `API token ${id}: is unknown or revoked (keel users list shows tokens)` };
  }
  const sid = cookieValue(req.headers.cookie, cookieName);
  if (sid !== undefined) {
    const found = sessions.get(sid, now);
    if ('session' in found) return { ok: true, auth: { principal: found.session.principal, via: 'session', session: found.session } };
    const why = found.miss === 'idle' ? `idle for ${Math.round(sessions.limits.idleMs / 60_000)} min`
      : found.miss === 'expired' ? `older than ${Math.round(sessions.limits.maxMs / 60_000)} min` : 'unknown (signed out, or the engine restarted)';
    return { ok: false, reason: `session ${found.miss}`, error: `session: has ended (${why}): sign in again at /login` };
  }
  return {
    ok: false, reason: 'no credentials',
    error: 'authentication required: send Authorization: Bearer keel_… (keel users token NAME) or sign in at /login',
  };
}

/**
 * The origin a browser names when the page came from this server (`https://host:port`), for the CSRF and
 * cross-site WebSocket checks: the Host header as the browser sent it.
 */
export function ownOrigin(req: FastifyRequest): string {
  return `${req.protocol}://${req.headers.host ?? ''}`;
}
