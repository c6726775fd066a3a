import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from '../../security/index.ts';

/**
 * Dashboard sessions: a random 256-bit id in an HttpOnly cookie, with an idle expiry (no request for
 * `idleMs`) and an absolute one (`maxMs` after sign-in, however busy). Kept in memory keyed by the id's
 * SHA-256 (the id itself is never stored or logged); a restart signs everyone out. Each session has its own
 * CSRF token, which the page sends back in a header with every action.
 */
export interface SessionLimits {
  readonly idleMs: number;
  readonly maxMs: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = Object.freeze({ idleMs: 30 * 60_000, maxMs: 12 * 3_600_000 });

export interface Session {
  readonly principal: Principal;
  readonly csrf: string;
  readonly createdAt: number;
  lastSeenAt: number;
  /** Set at logout or expiry: an open stream checks it. */
  ended: boolean;
}

/** Why a session cookie did not work. */
export type SessionMiss = 'unknown' | 'idle' | 'expired';

/**
 * @example
 * const sessions = new SessionStore({ idleMs: 15 * 60_000, maxMs: 8 * 3_600_000 });
 * const { id } = sessions.create(principal, Date.now());   // id goes in the cookie
 * sessions.get(id, Date.now());                              // { session } | { miss: 'idle' }
 */
export class SessionStore {
  readonly limits: SessionLimits;
  readonly #byDigest = new Map<string, Session>();

  constructor(limits: Partial<SessionLimits> = {}) {
    this.limits = { ...DEFAULT_SESSION_LIMITS, ...limits };
  }

  create(principal: Principal, now: number): { id: string; session: Session } {
    this.#prune(now);
    const id = randomBytes(32).toString('base64url');
    const session: Session = { principal, csrf: randomBytes(24).toString('base64url'), createdAt: now, lastSeenAt: now, ended: false };
    this.#byDigest.set(digest(id), session);
    return { id, session };
  }

  /** The live session for a cookie value, touched (its idle clock restarts), or why there is none. */
  get(id: string, now: number): { session: Session } | { miss: SessionMiss } {
    const key = digest(id);
    const s = this.#byDigest.get(key);
    if (s === undefined) return { miss: 'unknown' };
    const miss = this.#expired(s, now);
    if (miss !== undefined) {
      s.ended = true;
      this.#byDigest.delete(key);
      return { miss };
    }
    s.lastSeenAt = now;
    return { session: s };
  }

  /** Whether the session is still live, without touching it (an open stream checks this). */
  alive(session: Session, now: number): boolean {
    return !session.ended && this.#expired(session, now) === undefined;
  }

  /** When the session ends if unused (idle) and at the latest (absolute), epoch ms. */
  expiries(s: Session): { idleAt: number; maxAt: number } {
    return { idleAt: s.lastSeenAt + this.limits.idleMs, maxAt: s.createdAt + this.limits.maxMs };
  }

  delete(id: string): Session | undefined {
    const key = digest(id);
    const s = this.#byDigest.get(key);
    if (s) s.ended = true;
    this.#byDigest.delete(key);
    return s;
  }

  get size(): number {
    return this.#byDigest.size;
  }

  #expired(s: Session, now: number): SessionMiss | undefined {
    if (now >= s.createdAt + this.limits.maxMs) return 'expired';
    if (now >= s.lastSeenAt + this.limits.idleMs) return 'idle';
    return undefined;
  }

  #prune(now: number): void {
    for (const [k, s] of this.#byDigest) {
      if (this.#expired(s, now) === undefined) continue;
      s.ended = true;
      this.#byDigest.delete(k);
    }
  }
}

function digest(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}
