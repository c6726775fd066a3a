/**
 * The venue's clock against ours. Venue timestamps (fills, order times) are what the journal stores; a local
 * clock that drifts from the venue's makes "fills since t" queries miss fills and DAY orders expire at the
 * wrong moment. Each response gives one sample: the venue's time, compared with the midpoint of when we sent
 * the request and when the answer came (the venue stamped it somewhere in between; the midpoint halves the
 * error). Samples are smoothed (exponential moving average), since one slow response says little.
 */

export interface ClockSkewOptions {
  /** Weight of a new sample in the average, 0 < alpha ≤ 1 (default 0.2). */
  readonly alpha?: number;
  /** Samples whose round trip took longer than this are ignored: their midpoint is too uncertain (default 2000 ms). */
  readonly maxRoundTripMs?: number;
}

/**
 * Smoothed venue clock offset (venue minus local, ms; positive: the venue is ahead).
 *
 * @example
 * skew.observe(sentAt, receivedAt, parseHttpDate(res.headers.get('date')), 1000);
 * skew.offsetMs // e.g. -35
 */
export class ClockSkew {
  private readonly alpha: number;
  private readonly maxRoundTripMs: number;
  private offset: number | undefined;
  private n = 0;

  constructor(o: ClockSkewOptions = {}) {
    this.alpha = o.alpha ?? 0.2;
    this.maxRoundTripMs = o.maxRoundTripMs ?? 2000;
  }

  /** The smoothed offset, undefined before the first usable sample. */
  get offsetMs(): number | undefined {
    return this.offset;
  }

  /** Samples taken into the average. */
  get samples(): number {
    return this.n;
  }

  /**
   * One sample. `venueTime` is the venue's stamp (epoch ms); `resolutionMs` is how coarse it is: an HTTP `Date`
   * header has whole seconds, truncated, so the true time lies in [stamp, stamp + 1000) and its middle is used.
   */
  observe(sentAt: number, receivedAt: number, venueTime: number | undefined, resolutionMs = 0): void {
    if (venueTime === undefined || !Number.isFinite(venueTime)) return;
    const rtt = receivedAt - sentAt;
    if (rtt < 0 || rtt > this.maxRoundTripMs) return;
    const sample = venueTime + resolutionMs / 2 - (sentAt + rtt / 2);
    this.offset = this.offset === undefined ? sample : this.offset + this.alpha * (sample - this.offset);
    this.n++;
  }

  /** The venue's time now by our clock and the measured offset. */
  venueNow(localNow: number = Date.now()): number {
    return localNow + Math.round(this.offset ?? 0);
  }
}

/**
 * Epoch ms of an HTTP `Date` header (RFC 7231, whole seconds), undefined when absent or unreadable.
 *
 * @example parseHttpDate('Tue, 15 Nov 1994 08:12:31 GMT') // 784887151000
 */
export function parseHttpDate(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const t = Date.parse(value);
  return Number.isFinite(t) ? t : undefined;
}
