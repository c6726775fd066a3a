/**
 * Four-eyes re-arm (run config `security.rearm.fourEyes`): after a halt, one risk user asks to trade again
 * and a *different* risk user confirms within `windowMs`; only then does the engine re-arm. The same user
 * twice is refused (it would be two eyes); an expired request is forgotten and the next asker starts anew.
 */
export interface RearmRequest {
  readonly user: string;
  readonly reason: string;
  readonly at: number;
}

/** What a re-arm attempt comes to: wait for a second user, refused (same user), or confirmed by a second. */
export type FourEyesStep =
  | { readonly kind: 'requested'; readonly request: RearmRequest; readonly expiresAt: number }
  | { readonly kind: 'same-user'; readonly request: RearmRequest; readonly expiresAt: number }
  | { readonly kind: 'confirmed'; readonly request: RearmRequest; readonly confirmedBy: string };

/**
 * @example
 * const fourEyes = new FourEyesRearm(10 * 60_000);
 * fourEyes.attempt('alice', 'books checked', now);   // { kind: 'requested', … }
 * fourEyes.attempt('carol', 'agreed', now + 60_000); // { kind: 'confirmed', request: { user: 'alice', … }, confirmedBy: 'carol' }
 */
export class FourEyesRearm {
  readonly windowMs: number;
  #pending: RearmRequest | undefined;

  constructor(windowMs: number) {
    this.windowMs = windowMs;
  }

  /** The request waiting for a second user, if one is still within its window. */
  pending(now: number): RearmRequest | undefined {
    if (this.#pending && now - this.#pending.at >= this.windowMs) this.#pending = undefined;
    return this.#pending;
  }

  attempt(user: string, reason: string, now: number): FourEyesStep {
    const p = this.pending(now);
    if (p === undefined) {
      this.#pending = { user, reason, at: now };
      return { kind: 'requested', request: this.#pending, expiresAt: now + this.windowMs };
    }
    if (p.user === user) return { kind: 'same-user', request: p, expiresAt: p.at + this.windowMs };
    this.#pending = undefined;
    return { kind: 'confirmed', request: p, confirmedBy: user };
  }

  /** Forget a request (the engine re-armed some other way, or refused). */
  clear(): void {
    this.#pending = undefined;
  }
}
