/**
 * Failed sign-ins and TOTP codes, counted per user name and per source address: after `attempts` failures
 * within `lockMs` a user name is locked out for `lockMs` (and an address after `addressAttempts`), even for
 * the right password. Without it a 6-digit TOTP code falls to guessing (a million codes, three valid at any
 * moment) and a password to a dictionary. In memory: a restart clears it, as it forgets sessions.
 */
export interface ThrottleLimits {
  /** Failures of one user name before it is locked out (default 5). */
  readonly attempts: number;
  /** Failures from one address, whatever the names, before it is locked out (default 20). */
  readonly addressAttempts: number;
  /** How long failures are remembered and a lockout lasts, ms (default 15 min). */
  readonly lockMs: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = Object.freeze({ attempts: 5, addressAttempts: 20, lockMs: 15 * 60_000 });

/** Counters kept at most: beyond this, the oldest are forgotten (a bound on memory under a flood). */
const MAX_ENTRIES = 10_000;

interface Counter {
  failures: number;
  firstAt: number;
  lockedUntil: number | undefined;
}

/** What is locked: the user name or the address, and until when (epoch ms). */
export interface Lockout {
  readonly scope: 'user' | 'address';
  readonly key: string;
  readonly until: number;
}

/**
 * @example
 * const t = new LoginThrottle();
 * if (t.lockedOut('alice', '10.0.0.7', Date.now())) return 429;
 * const locked = t.fail('alice', '10.0.0.7', Date.now()); // Lockout[] that began with this failure
 */
export class LoginThrottle {
  readonly limits: ThrottleLimits;
  readonly #users = new Map<string, Counter>();
  readonly #addresses = new Map<string, Counter>();

  constructor(limits: Partial<ThrottleLimits> = {}) {
    this.limits = { ...DEFAULT_THROTTLE, ...limits };
  }

  /** The lockout in force for this user name or address, if any. */
  lockedOut(user: string | undefined, address: string, now: number): Lockout | undefined {
    const u = user === undefined ? undefined : this.#active(this.#users, user, now);
    if (u?.lockedUntil !== undefined) return { scope: 'user', key: user!, until: u.lockedUntil };
    const a = this.#active(this.#addresses, address, now);
    if (a?.lockedUntil !== undefined) return { scope: 'address', key: address, until: a.lockedUntil };
    return undefined;
  }

  /** Count a failure; returns the lockouts it started (empty when none did). */
  fail(user: string | undefined, address: string, now: number): Lockout[] {
    const started: Lockout[] = [];
    if (user !== undefined && this.#count(this.#users, user, this.limits.attempts, now)) started.push({ scope: 'user', key: user, until: now + this.limits.lockMs });
    if (this.#count(this.#addresses, address, this.limits.addressAttempts, now)) started.push({ scope: 'address', key: address, until: now + this.limits.lockMs });
    return started;
  }

  /** A success clears the user's failures (not the address's: one good password does not excuse the guesses). */
  succeed(user: string): void {
    this.#users.delete(user);
  }

  #active(map: Map<string, Counter>, key: string, now: number): Counter | undefined {
    const c = map.get(key);
    if (c === undefined) return undefined;
    const over = c.lockedUntil !== undefined ? now >= c.lockedUntil : now - c.firstAt >= this.limits.lockMs;
    if (over) {
      map.delete(key);
      return undefined;
    }
    return c;
  }

  /** Whether this failure locks the key (it reached the limit now). */
  #count(map: Map<string, Counter>, key: string, limit: number, now: number): boolean {
    let c = this.#active(map, key, now);
    if (c === undefined) {
      if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
      c = { failures: 0, firstAt: now, lockedUntil: undefined };
      map.set(key, c);
    }
    if (c.lockedUntil !== undefined) return false;
    c.failures++;
    if (c.failures < limit) return false;
    c.lockedUntil = now + this.limits.lockMs;
    return true;
  }
}
