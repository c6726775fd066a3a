import type { EngineStatus } from '../runtime/index.ts';

/** Market data older than this means not ready, unless configured (`readiness.maxDataAgeMs`). */
export const DEFAULT_MAX_DATA_AGE_MS = 60_000;

export interface Readiness {
  readonly ready: boolean;
  /** Why not, one line each; empty when ready. */
  readonly reasons: string[];
}

/**
 * Whether the engine can trade safely now (`GET /readyz`): the journal accepts writes (write-ahead: no journal,
 * no orders), the venue is connected, and market data is fresher than `maxDataAgeMs` (a strategy deciding on
 * stale prices is the failure DESIGN.md principle 5 guards against). A load balancer or supervisor sends no
 * traffic, or pages someone, while this says no.
 *
 * @example
 * readiness(engine.status(), Date.now(), 60_000); // { ready: false, reasons: ['venue alpaca is disconnected'] }
 */
export function readiness(s: EngineStatus, nowMs: number, maxDataAgeMs: number = DEFAULT_MAX_DATA_AGE_MS): Readiness {
  const reasons: string[] = [];
  if (!s.journal.healthy) reasons.push(`journal (${s.journal.kind} ${s.journal.location}) is not healthy`);
  if (!s.venueConnected) reasons.push(`venue ${s.venue} is disconnected`);
  if (s.lastMarketEventAt === undefined) {
    reasons.push('no market data yet');
  } else {
    const age = nowMs - s.lastMarketEventAt;
    if (age > maxDataAgeMs) reasons.push(`market data is stale: last event ${formatAge(age)} ago (limit ${formatAge(maxDataAgeMs)})`);
  }
  return { ready: reasons.length === 0, reasons };
}

function formatAge(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
}
