import { hostname } from 'node:os';
import { KeelError } from '../../model/index.ts';
import { becomeActive, LeaseKeeper, standBy, type EngineView, type HaConfig, type Leadership, type RunConfig } from '../../runtime/index.ts';
import { LeaderLease } from '../../store/postgres/index.ts';
import type { Logger } from '../../ops/index.ts';

/** `--role`: this process's part in an active/standby pair. */
export type Role = 'active' | 'standby';

export function parseRole(value: string | undefined): Role | undefined {
  if (value === undefined || value === 'active' || value === 'standby') return value;
  throw new KeelError('BAD_ARGUMENT', 'must be active or standby', { field: '--role', value });
}

/** The defaults of the `ha:` section, for `--role` without one. */
const HA_DEFAULTS: HaConfig = { lease: 3000, renewEvery: 500, pollEvery: 200, maxLagEvents: 1000, maxSilence: 5000 };

/** A node of the pair once it is active: its epoch, the lease it keeps, and whether it took over from another. */
export interface ActiveNode {
  readonly node: string;
  readonly epoch: number;
  readonly leadership: Leadership;
  readonly lease: LeaderLease;
  readonly config: HaConfig;
  /** Set when another node took the lease over while this one ran: it stepped down. */
  steppedDown: string | undefined;
  keeper: LeaseKeeper | undefined;
  /** What the engine does on losing the lease, and on a lagging standby (set once it has a handle). */
  onLost: ((reason: string) => void) | undefined;
  onStandbyLag: ((standby: string, why: string) => void) | undefined;
}

/**
 * Before the engine starts: with `--role` (or an `ha:` section) and a PostgreSQL journal, become the active
 * (take the lease) or the standby (follow the lease and the journal's tail until it expires, then take it).
 * Undefined: a single engine (no lease, the journal's writer lock). 'stopped': a standby stopped (SIGTERM,
 * Ctrl-C) before it had to take over. A SQLite journal is refused: it is single-node.
 */
export async function enterRole(cfg: RunConfig, journal: string, role: Role | undefined, log: Logger, api: string | undefined): Promise<ActiveNode | 'stopped' | undefined> {
  if (role === undefined && cfg.ha === undefined) return undefined;
  if (!/^postgres(ql)?:\/\//.test(journal)) {
    throw new KeelError('HA_NEEDS_POSTGRES', `is refused: the journal ${journal} is SQLite, which is single-node (one file on one machine, written by one process under a file lock), so a second node could neither tail it nor be fenced; active/standby needs a PostgreSQL journal both nodes reach`, {
      field: role === undefined ? `${cfg.source}: ha` : '--role', value: role ?? 'ha', hint: 'set journal: postgres://user@host:5432/db in the run config, or run one engine without --role',
    });
  }
  const config = cfg.ha ?? HA_DEFAULTS;
  const node = config.node ?? `${hostname()}-${process.pid}`;
  const lease = await LeaderLease.open({ connection: { url: journal }, schema: cfg.journalSchema ?? 'keel', node });
  try {
    let leadership: Leadership | undefined;
    let asked = performance.now();
    if (role === 'standby') {
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      try {
        log.info(`standby ${node}: watching the leader lease in ${lease.location} (lease ${config.lease} ms, polling every ${config.pollEvery} ms)`);
        leadership = await standBy(lease, { config, api, signal: stop.signal, log: (l) => log.info(l), onAttempt: () => { asked = performance.now(); } });
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
      if (leadership === undefined) {
        await lease.report('standby', null, await lease.lastSeq()).catch(() => {});
        await lease.close();
        log.info(`standby ${node}: stopped without taking over`);
        return 'stopped';
      }
    } else {
      asked = performance.now();
      leadership = await becomeActive(lease, config, api);
    }
    const prev = leadership.previous;
    if (prev.holder !== null) {
      log.warn(`failover: node ${node} took over the lease at epoch ${leadership.epoch} from node ${prev.holder} (epoch ${prev.epoch}, last renewed ${prev.renewedAgoMs} ms ago); replaying the journal and reconciling with the venue`);
    } else {
      log.info(`ha: node ${node} is active at epoch ${leadership.epoch}`);
    }
    // Renewed from now on, not only once the engine is up: replaying a long journal can outlast the lease.
    const active: ActiveNode = { node, epoch: leadership.epoch, leadership, lease, config, steppedDown: undefined, keeper: undefined, onLost: undefined, onStandbyLag: undefined };
    const keeper = new LeaseKeeper({
      lease, epoch: leadership.epoch, config, api, log: (l) => log.warn(l),
      onLost: (reason) => {
        active.steppedDown = reason;
        log.error(`stepping down: node ${node} lost the leader lease (${reason}); not one more order leaves this node`);
        active.onLost?.(reason);
      },
      onStandbyLag: (st, why) => active.onStandbyLag?.(st.node, why),
    });
    active.keeper = keeper;
    keeper.start(asked);
    return active;
  } catch (err) {
    await lease.close();
    throw err;
  }
}

/**
 * Once the engine has a handle: show the lease in /api/status, raise the failover alert if this node took
 * over, and on losing the lease alert and stop the engine (it is fenced already: nothing it writes lands).
 */
export function attachLease(active: ActiveNode, handle: EngineView, stop: () => void): void {
  const { leadership, node } = active;
  if (leadership.previous.holder !== null) {
    handle.addAlert('critical', 'failover', `failover: ${node} took over from ${leadership.previous.holder} at epoch ${active.epoch}`,
      `node ${leadership.previous.holder} stopped renewing the lease (last renewal ${leadership.previous.renewedAgoMs} ms before the takeover); ${node} replayed the journal and reconciled with the venue before trading`);
  }
  active.onLost = (reason) => {
    handle.addAlert('critical', 'failover', `${node} stepped down: it lost the lease at epoch ${active.epoch}`, reason);
    stop();
  };
  if (active.steppedDown !== undefined) active.onLost(active.steppedDown);
  active.onStandbyLag = (standby, why) => handle.addAlert('warning', 'standby_lag', `standby ${standby} is behind`, why);
  const keeper = active.keeper!;
  handle.setHaStatus(() => keeper.status());
}

/** After the engine stopped: a clean stop gives the lease up (the standby takes over at once). */
export async function leaveRole(active: ActiveNode | undefined): Promise<void> {
  if (active === undefined) return;
  await active.keeper?.stop({ release: active.steppedDown === undefined });
  await active.lease.close();
}
