import type { LeaderLease } from '../../store/postgres/index.ts';
import type { HaStatus, StandbyView } from '../engine-handle.ts';
import type { HaConfig } from '../run-config-ops.ts';

export interface LeaseKeeperOptions {
  readonly lease: LeaderLease;
  readonly epoch: number;
  readonly config: HaConfig;
  /** Where this node's API listens, for the standby's view of who is active. */
  readonly api?: string;
  /** The lease moved to another node: stop at once (no order of this epoch can be written any more). */
  readonly onLost: (reason: string) => void;
  /** A standby fell behind or went silent (standby_lag); called once per episode. */
  readonly onStandbyLag: (standby: StandbyView, why: string) => void;
  readonly log: (line: string) => void;
}

/**
 * The active's side of the lease: renews it every `renewEvery`, reports this node in `ha_nodes`, and reads the
 * standbys' progress for /api/status, the dashboard and the standby_lag alert. A renewal that finds the epoch
 * moved on means another node took over while this one was paused or cut off: `onLost`, once. Renewals run
 * one after another (never two in flight), so a slow database delays them instead of piling them up.
 *
 * @example
 * const keeper = new LeaseKeeper({ lease, epoch, config, onLost: (why) => stepDown(why), onStandbyLag, log });
 * keeper.start(); … await keeper.stop();
 */
export class LeaseKeeper {
  private readonly o: LeaseKeeperOptions;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private lost = false;
  private renewedAt: number | undefined;
  private lastSeq = 0;
  private standbys: StandbyView[] = [];
  private readonly lagging = new Set<string>();
  private failures = 0;
  /** Monotonic ms until which this node may act on the venue: its last renewal's start + lease − one renewal interval. */
  private validUntil = 0;

  constructor(o: LeaseKeeperOptions) {
    this.o = o;
  }

  /** `acquiredAt`: performance.now() taken before the lease was acquired (the lease runs from no earlier). */
  start(acquiredAt: number): void {
    this.renewedAt = Date.now();
    this.validUntil = acquiredAt + this.o.config.lease - this.o.config.renewEvery;
    this.schedule();
  }

  /**
   * Why this node must not send anything to the venue now, or undefined. Its own monotonic clock says how
   * long its lease can still be running, counted from before the last renewal that succeeded and short of
   * the lease by one renewal interval: a node that was paused (SIGSTOP, a long GC, a frozen VM) finds, on
   * waking, that it may no longer be the active before the lease keeper has even asked the database.
   */
  leaseProblem(): string | undefined {
    if (this.lost) return `node ${this.o.lease.node} lost the leader lease (epoch ${this.o.epoch})`;
    const late = performance.now() - this.validUntil;
    return late > 0 ? `node ${this.o.lease.node}'s lease (epoch ${this.o.epoch}) may have expired ${Math.round(late)} ms ago (not renewed in time: paused or cut off)` : undefined;
  }

  /** What /api/status shows. */
  status(): HaStatus {
    return {
      node: this.o.lease.node, role: this.lost ? 'stepped-down' : 'active', epoch: this.o.epoch, leaseMs: this.o.config.lease,
      renewedAgoMs: this.renewedAt === undefined ? null : Date.now() - this.renewedAt, lastSeq: this.lastSeq, standbys: this.standbys,
    };
  }

  /** Stop renewing; `release` gives the lease up so that the standby takes over at once (a clean stop). */
  async stop(o: { release: boolean }): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    if (o.release && !this.lost) await this.o.lease.release(this.o.epoch).catch(() => {});
    // Not 'standby': a node that stopped is nobody's standby (the active would page about its silence).
    if (!this.lost) await this.o.lease.report('stepped-down', this.o.epoch, this.lastSeq).catch(() => {});
  }

  private schedule(): void {
    if (this.stopped || this.lost) return;
    this.timer = setTimeout(() => { this.running = this.beat().finally(() => { this.running = undefined; this.schedule(); }); }, this.o.config.renewEvery);
  }

  private async beat(): Promise<void> {
    const { lease, epoch, config } = this.o;
    const started = performance.now();
    try {
      const renewed = await lease.renew(epoch, config.lease, this.o.api);
      if (!renewed) {
        this.lost = true;
        const now = await lease.state().catch(() => undefined);
        await lease.report('stepped-down', epoch, this.lastSeq).catch(() => {});
        this.o.onLost(now === undefined ? `the lease's epoch is no longer ${epoch}`
          : `node ${now.holder ?? '(none)'} holds the lease at epoch ${now.epoch}; this node's epoch ${epoch} is fenced`);
        return;
      }
      if (this.failures > 0) this.o.log(`ha: lease renewed again after ${this.failures} failed attempt(s)`);
      this.failures = 0;
      this.renewedAt = Date.now();
      this.validUntil = started + config.lease - config.renewEvery;
      this.lastSeq = await lease.lastSeq();
      await lease.report('active', epoch, this.lastSeq, this.o.api);
      this.standbys = (await lease.nodes()).filter((n) => n.role === 'standby' && n.node !== lease.node).map((n) => ({
        node: n.node, seenSeq: n.seenSeq, lagEvents: Math.max(0, this.lastSeq - n.seenSeq), heartbeatAgoMs: n.heartbeatAgoMs, api: n.api,
      }));
      for (const s of this.standbys) this.checkLag(s);
    } catch (err) {
      // The database is away from this node: the lease runs out unless it comes back; the journal's own
      // appends fail (or are fenced) meanwhile, so nothing is sent blind.
      this.failures++;
      if (this.failures === 1 || this.failures % 10 === 0) this.o.log(`ha: lease renewal failed (${this.failures}x): ${(err as Error).message.split('\n')[0]}`);
    }
  }

  private checkLag(s: StandbyView): void {
    const { maxLagEvents, maxSilence } = this.o.config;
    const why = s.lagEvents > maxLagEvents ? `${s.lagEvents} events behind the active (limit ${maxLagEvents})`
      : s.heartbeatAgoMs > maxSilence ? `silent for ${s.heartbeatAgoMs} ms (limit ${maxSilence} ms)` : undefined;
    if (why === undefined) { this.lagging.delete(s.node); return; }
    if (this.lagging.has(s.node)) return;
    this.lagging.add(s.node);
    this.o.onStandbyLag(s, why);
  }
}
