import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pathOf } from './error-replies.ts';
import { auditDenied, type AuditRecorder } from '../security/index.ts';

/** What the operator must do when no token is configured (the 403 message). */
export const NO_TOKEN_MESSAGE = 'operator actions are disabled: configure an API token (set KEEL_API_TOKEN) and restart';

/**
 * Whether `given` is the configured token, in time that does not depend on where they differ or on their
 * lengths: both sides are hashed to 32 bytes first, so an attacker timing the answer learns nothing about the
 * token's prefix or length.
 *
 * @example
 * tokenMatches('s3cret', 's3cret'); // true
 */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header (the scheme is case-insensitive, RFC 9110). */
export function bearerOf(header: string | undefined): string | undefined {
  const m = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return m?.[1];
}

/**
 * An `onRequest` hook that lets an operator action through only with the configured bearer token: 403 when no
 * token is configured (actions are off, not open), 401 when the header is missing or wrong. It runs before the
 * body is parsed or validated, so an unauthenticated caller learns nothing about the route's input.
 *
 * @example
 * app.post('/api/kill', { onRequest: requireToken(o.token, log) }, handler);
 */
export function requireToken(token: string | undefined, log: (line: string) => void, audit?: AuditRecorder) {
  const configured = token !== undefined && token !== '' ? token : undefined;
  // A refused attempt at an operator action is a failed sign-in: who tried, from where, at what.
  const refused = (req: FastifyRequest, why: string) => audit?.record({
    actor: 'anonymous', origin: `ip:${req.ip}`, action: 'login.failed', target: `${req.method} ${pathOf(req)}`, result: auditDenied(why),
  });
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    // Answering from an async hook: send, then return the reply so that fastify stops here.
    if (configured === undefined) {
      refused(req, 'operator actions are disabled (no API token configured)');
      return reply.code(403).send({ error: NO_TOKEN_MESSAGE });
    }
    const given = bearerOf(req.headers.authorization);
    if (given === undefined || !tokenMatches(given, configured)) {
      const why = given === undefined ? 'no bearer token' : 'wrong bearer token';
      // Never log the header: a wrong token is often the right one for another system.
      log(`refused ${req.method} ${pathOf(req)} from api:${req.ip}: ${why}`);
      refused(req, why);
      return reply.code(401).send({ error: given === undefined ? 'missing bearer token (send Authorization: Bearer <token>)' : 'wrong bearer token' });
    }
    return undefined;
  };
}
