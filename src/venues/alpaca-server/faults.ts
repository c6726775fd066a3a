import { SeededRandom } from '../../kernel/index.ts';

/**
 * What can go wrong between a client and the venue, switchable at run time. Every random decision draws from
 * its own seeded stream (one per kind of fault), so the same seed and the same sequence of requests give the
 * same faults, and turning one fault on does not shift the dice of another.
 */
export interface FaultSettings {
  /** Added before every REST response (API routes, not admin). */
  latencyMs: number;
  /** Plus a uniform random extra in [0, jitterMs). */
  jitterMs: number;
  /** Requests per key per window before 429 (with Retry-After); undefined = no limit. */
  rateLimit: { requests: number; windowMs: number } | undefined;
  /** Chance that the venue rejects a new order (it is booked `rejected`, `rejected` is streamed). */
  rejectProbability: number;
  /** Chance that one match is reported as several executions (`partial_fill`s then `fill`). */
  partialFillProbability: number;
  /** Cut every stream connection when it is about to send its (N+1)th message; undefined = never. */
  wsDropAfterMessages: number | undefined;
  /** Chance, per stream message, that the connection is cut instead of the message sent. */
  wsDropProbability: number;
  /** Chance that an order request (POST, PATCH, DELETE) is carried out but its response never sent. */
  lostAckProbability: number;
  /**
   * Chance that a trade update is lost while its stream stays up (a silent feed: nothing tells the client
   * it missed something; only its own timeouts and lookups can).
   */
  lostUpdateProbability: number;
}

/** Faults that can be armed for the next N occurrences, whatever the probabilities say. */
export type FaultKind = 'reject' | 'partialFill' | 'lostAck' | 'wsDrop' | 'rateLimit' | 'lostUpdate';

export const FAULT_KINDS: readonly FaultKind[] = ['reject', 'partialFill', 'lostAck', 'wsDrop', 'rateLimit', 'lostUpdate'];

export const NO_FAULTS: Readonly<FaultSettings> = Object.freeze({
  latencyMs: 0, jitterMs: 0, rateLimit: undefined, rejectProbability: 0, partialFillProbability: 0,
  wsDropAfterMessages: undefined, wsDropProbability: 0, lostAckProbability: 0, lostUpdateProbability: 0,
});

/** Counters of faults injected, for `stats()` and the tests. */
export interface FaultCounts {
  delayed: number;
  rateLimited: number;
  rejected: number;
  splitFills: number;
  wsDrops: number;
  lostAcks: number;
  lostUpdates: number;
}

interface Window {
  start: number;
  count: number;
}

/** Why a settings object cannot be applied, or undefined when it can. */
export function faultSettingsProblem(s: Partial<FaultSettings>): string | undefined {
  const prob = (k: keyof FaultSettings) => {
    const v = s[k];
    return v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1) ? `${k} must be a probability in [0, 1]` : undefined;
  };
  const nonNeg = (k: keyof FaultSettings) => {
    const v = s[k];
    return v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0) ? `${k} must be a number ≥ 0` : undefined;
  };
  for (const k of Object.keys(s)) if (!(k in NO_FAULTS)) return `unknown fault setting ${k}`;
  const rl = s.rateLimit;
  if (rl !== undefined && rl !== null && !(Number.isInteger(rl.requests) && rl.requests >= 1 && rl.windowMs > 0)) {
    return 'rateLimit must be { requests: integer ≥ 1, windowMs: > 0 }';
  }
  const d = s.wsDropAfterMessages;
  if (d !== undefined && d !== null && !(Number.isInteger(d) && d >= 0)) return 'wsDropAfterMessages must be an integer ≥ 0';
  return prob('rejectProbability') ?? prob('partialFillProbability') ?? prob('wsDropProbability') ?? prob('lostAckProbability') ?? prob('lostUpdateProbability')
    ?? nonNeg('latencyMs') ?? nonNeg('jitterMs');
}

/**
 * The venue's fault switchboard: settings, armed one-shot faults and the seeded dice.
 *
 * @example
 * const faults = new FaultControl(42, { rejectProbability: 0.1 });
 * faults.arm('lostAck');        // the next order request is processed but never answered
 * faults.set({ latencyMs: 200 }); // from now on, every response waits 200 ms
 */
export class FaultControl {
  private current: FaultSettings;
  private readonly armed = new Map<FaultKind, number>();
  private readonly dice: Record<'latency' | FaultKind, SeededRandom>;
  private readonly windows = new Map<string, Window>();
  readonly counts: FaultCounts = { delayed: 0, rateLimited: 0, rejected: 0, splitFills: 0, wsDrops: 0, lostAcks: 0, lostUpdates: 0 };

  constructor(seed: number, initial: Partial<FaultSettings> = {}) {
    const s = seed >>> 0;
    // Distinct streams per fault kind: odd multipliers of the golden ratio keep the seeds far apart.
    const stream = (i: number) => new SeededRandom((s + Math.imul(0x9e3779b9, i + 1)) >>> 0);
    this.dice = { latency: stream(0), reject: stream(1), partialFill: stream(2), lostAck: stream(3), wsDrop: stream(4), rateLimit: stream(5), lostUpdate: stream(6) };
    this.current = { ...NO_FAULTS };
    this.set(initial);
  }

  get settings(): Readonly<FaultSettings> {
    return this.current;
  }

  /** Change some settings (the others keep their values); throws on a bad value. */
  set(changes: Partial<FaultSettings>): void {
    const problem = faultSettingsProblem(changes);
    if (problem !== undefined) throw new RangeError(problem);
    const next = { ...this.current } as Record<string, unknown>;
    for (const [k, v] of Object.entries(changes)) next[k] = v === null ? undefined : v;
    this.current = next as unknown as FaultSettings;
    if (changes.rateLimit !== undefined) this.windows.clear();
  }

  /** Back to no faults, nothing armed. */
  reset(): void {
    this.current = { ...NO_FAULTS };
    this.armed.clear();
    this.windows.clear();
  }

  /** Make the next `count` occurrences of `kind` fault for sure. */
  arm(kind: FaultKind, count = 1): void {
    this.armed.set(kind, (this.armed.get(kind) ?? 0) + count);
  }

  armedCount(kind: FaultKind): number {
    return this.armed.get(kind) ?? 0;
  }

  private fire(kind: FaultKind, probability: number): boolean {
    const n = this.armed.get(kind) ?? 0;
    if (n > 0) {
      if (n === 1) this.armed.delete(kind); else this.armed.set(kind, n - 1);
      return true;
    }
    // No draw when the fault is off: switching a fault on later starts its stream at the same point.
    return probability > 0 && this.dice[kind].next() < probability;
  }

  /** Milliseconds to hold this response back (0 when no latency is set). */
  responseDelayMs(): number {
    const { latencyMs, jitterMs } = this.current;
    if (latencyMs <= 0 && jitterMs <= 0) return 0;
    this.counts.delayed++;
    return latencyMs + (jitterMs > 0 ? this.dice.latency.next() * jitterMs : 0);
  }

  /**
   * Count a request against the key's window: milliseconds until the window resets when over the limit,
   * else undefined. `limit`/`remaining`/`resetAt` feed Alpaca's X-RateLimit headers.
   */
  checkRate(keyId: string, now: number): { retryAfterMs: number | undefined; limit: number; remaining: number; resetAt: number } | undefined {
    const rl = this.current.rateLimit;
    const forced = this.fire('rateLimit', 0);
    if (rl === undefined && !forced) return undefined;
    const limit = rl?.requests ?? 1;
    const windowMs = rl?.windowMs ?? 1000;
    let w = this.windows.get(keyId);
    if (w === undefined || now - w.start >= windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(keyId, w);
    }
    const resetAt = w.start + windowMs;
    if (forced || w.count >= limit) {
      this.counts.rateLimited++;
      return { retryAfterMs: Math.max(1, resetAt - now), limit, remaining: 0, resetAt };
    }
    w.count++;
    return { retryAfterMs: undefined, limit, remaining: limit - w.count, resetAt };
  }

  shouldReject(): boolean {
    const yes = this.fire('reject', this.current.rejectProbability);
    if (yes) this.counts.rejected++;
    return yes;
  }

  shouldLoseAck(): boolean {
    const yes = this.fire('lostAck', this.current.lostAckProbability);
    if (yes) this.counts.lostAcks++;
    return yes;
  }

  /** Whether a trade update is silently lost (the connection stays up). */
  shouldLoseUpdate(): boolean {
    const yes = this.fire('lostUpdate', this.current.lostUpdateProbability);
    if (yes) this.counts.lostUpdates++;
    return yes;
  }

  /** Whether a stream connection that already sent `sent` messages is cut instead of sending one more. */
  shouldDropStream(sent: number): boolean {
    const after = this.current.wsDropAfterMessages;
    const yes = (after !== undefined && sent >= after) || this.fire('wsDrop', this.current.wsDropProbability);
    if (yes) this.counts.wsDrops++;
    return yes;
  }

  /**
   * How one match of `lots` is reported: `[lots]`, or 2 to 4 executions of at least one lot each that add up
   * to `lots` exactly.
   */
  splitFill(lots: number): number[] {
    if (lots < 2 || !this.fire('partialFill', this.current.partialFillProbability)) return [lots];
    this.counts.splitFills++;
    const r = this.dice.partialFill;
    const pieces = Math.min(lots, 2 + r.int(3));
    const out: number[] = [];
    let left = lots;
    for (let i = pieces; i > 1; i--) {
      // Leave at least one lot for each piece still to come.
      const take = 1 + r.int(left - i + 1);
      out.push(take);
      left -= take;
    }
    out.push(left);
    return out;
  }
}
