import type { BreakerConfig } from '../config.ts';

type Config = NonNullable<BreakerConfig['venueDisconnect']>;

/**
 * A venue connection down for longer than the grace period (reconnects within it are normal). A grace of
 * zero means no tolerance: the disconnect itself trips.
 */
export class VenueDisconnectBreaker {
  readonly name = 'venue-disconnect';
  readonly action;
  private readonly graceMs: number;
  private readonly down = new Map<string, { since: number; reason: string }>();

  constructor(config: Config) {
    this.graceMs = config.graceMs;
    this.action = config.action;
  }

  onConnection(venue: string, connected: boolean, ts: number, reason: string): void {
    if (connected) this.down.delete(venue);
    else if (!this.down.has(venue)) this.down.set(venue, { since: ts, reason });
  }

  check(now: number): string | undefined {
    if (this.down.size === 0) return undefined; // every market event asks: keep the common case free
    for (const [venue, d] of this.down) {
      const downMs = now - d.since;
      if (downMs > this.graceMs || this.graceMs === 0) {
        return `venue ${venue} disconnected for ${downMs / 1000} s (${d.reason}), grace ${this.graceMs / 1000} s`;
      }
    }
    return undefined;
  }

  rearm(): void {}
}
