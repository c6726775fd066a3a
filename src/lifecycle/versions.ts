import type { StrategyIdentity, StrategyIdentityEvent, StrategyRole } from '../model/index.ts';
import type { Journal } from '../store/index.ts';

/** One run of one strategy version, as `keel versions` lists it. */
export interface VersionRun {
  /** Journal sequence of its `strategy.identity` event. */
  readonly seq: number;
  readonly account: string;
  /** When it started (engine time, epoch ms) and the last order event it produced (null: none yet). */
  readonly startedAt: number;
  readonly lastOrderAt: number | null;
  readonly role: StrategyRole;
  readonly reason: StrategyIdentityEvent['reason'];
  readonly identity: StrategyIdentity;
  /** Order intents (submitted) and fills journaled under this version during this run. */
  readonly orders: number;
  readonly fills: number;
}

/**
 * What ran when: every `strategy.identity` event of a journal, oldest first, with the order intents and fills
 * journaled under that version id until the same strategy id started again.
 *
 * @example
 * for (const run of await listVersions(journal)) console.log(run.identity.versionId, new Date(run.startedAt));
 */
export async function listVersions(journal: Journal): Promise<VersionRun[]> {
  const events = await journal.read({ types: ['strategy.identity', 'order.submitted', 'order.filled'] });
  const runs: Array<{ -readonly [K in keyof VersionRun]: VersionRun[K] }> = [];
  /** The latest run of each (account, strategy id), where its orders are counted. */
  const current = new Map<string, (typeof runs)[number]>();
  for (const e of events) {
    const key = `${e.stream.account}\u0000${e.stream.strategy ?? ''}`;
    if (e.type === 'strategy.identity') {
      const p = e.payload as StrategyIdentityEvent;
      const run = { seq: e.seq, account: e.stream.account, startedAt: e.ts, lastOrderAt: null, role: p.role, reason: p.reason, identity: p.identity, orders: 0, fills: 0 };
      runs.push(run);
      current.set(`${e.stream.account}\u0000${p.identity.strategyId}`, run);
      continue;
    }
    const run = current.get(key);
    if (run === undefined || e.version !== run.identity.versionId) continue;
    if (e.type === 'order.submitted') run.orders++;
    else run.fills++;
    run.lastOrderAt = e.ts;
  }
  return runs;
}

/** `keel versions` as a table: one line per run, widths fitted to the values. */
export function formatVersions(runs: readonly VersionRun[]): string {
  if (runs.length === 0) return 'no strategy.identity events in this journal (it was written before Keel journaled strategy versions)\n';
  const header = ['started', 'account', 'strategy', 'role', 'version', 'code', 'git', 'params', 'keel', 'config', 'orders', 'fills', 'last order'];
  const rows = runs.map((r) => [
    iso(r.startedAt), r.account, r.identity.strategyId, r.role, r.identity.versionId, r.identity.codeHash.slice(0, 12),
    r.identity.git === null ? '-' : `${r.identity.git.commit.slice(0, 10)}${r.identity.git.dirty ? '+dirty' : ''}`,
    JSON.stringify(r.identity.params), r.identity.keelVersion, r.identity.configHash === null ? '-' : r.identity.configHash.slice(0, 12),
    String(r.orders), String(r.fills), r.lastOrderAt === null ? '-' : iso(r.lastOrderAt),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

function iso(ts: number): string {
  return new Date(ts).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
