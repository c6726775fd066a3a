import { KeelError } from '../../model/index.ts';
import type { LeaderLease, LeaseState } from '../../store/postgres/index.ts';
import type { HaConfig } from '../run-config-ops.ts';

/** How a node came to be active. */
export interface Leadership {
  readonly epoch: number;
  /** The lease as it was just before this node took it (holder null: a fresh pair, or a released lease). */
  readonly previous: LeaseState;
  /** Wall ms between the previous holder's last renewal and this takeover (null: nobody held it). */
  readonly afterMs: number | null;
}

/**
 * `--role active`: take the lease. A lease held by a live holder is waited for at most one lease length (the
 * same node restarting right after a crash); past that another active is running, and this one is refused.
 *
 * @example const { epoch } = await becomeActive(lease, config);
 */
export async function becomeActive(lease: LeaderLease, config: HaConfig, api?: string): Promise<Leadership> {
  const deadline = Date.now() + config.lease + config.pollEvery;
  for (;;) {
    const won = await lease.acquire(config.lease, api);
    if (won) return { epoch: won.epoch, previous: won.previous, afterMs: won.previous.renewedAgoMs };
    if (Date.now() > deadline) {
      const s = await lease.state();
      throw new KeelError('LEASE_HELD', `is held by node ${s.holder} (epoch ${s.epoch}, renewed ${s.renewedAgoMs} ms ago): another active is running`, {
        field: '--role', value: 'active', hint: 'start this node with --role standby, or stop the other active first',
      });
    }
    await sleep(config.pollEvery);
  }
}

export interface StandbyOptions {
  readonly config: HaConfig;
  readonly api?: string;
  readonly signal?: AbortSignal;
  readonly log: (line: string) => void;
  /** Called right before each attempt to acquire (the lease's validity is counted from then). */
  readonly onAttempt?: () => void;
}

/**
 * `--role standby`: follow the journal's tail and the lease until the lease expires (the active was killed,
 * paused or cut off, or stopped and released it), then take it over with the next epoch. Reports this node
 * and how far it has seen the journal every `pollEvery`, so the active can show its lag. Resolves undefined
 * when `signal` aborts first (the standby was stopped).
 *
 * @example const won = await standBy(lease, { config, log }); if (won) startEngine(won.epoch);
 */
export async function standBy(lease: LeaderLease, o: StandbyOptions): Promise<Leadership | undefined> {
  let following: string | null | undefined;
  while (!o.signal?.aborted) {
    const state = await lease.state();
    const seq = await lease.lastSeq();
    await lease.report('standby', null, seq, o.api);
    if (state.holder !== following) {
      following = state.holder;
      o.log(state.holder === null ? `standby: no active holds the lease (epoch ${state.epoch}); taking it`
        : `standby: node ${state.holder} is active at epoch ${state.epoch}; following the journal from seq ${seq}`);
    }
    if (state.holder === null || (state.expiresInMs !== null && state.expiresInMs <= 0)) {
      o.onAttempt?.();
      const won = await lease.acquire(o.config.lease, o.api);
      if (won) return { epoch: won.epoch, previous: won.previous, afterMs: won.previous.renewedAgoMs };
    }
    await sleep(o.config.pollEvery, o.signal);
  }
  return undefined;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}
