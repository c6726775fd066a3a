import { SeededRandom } from '../../src/kernel/index.ts';
import type { KeelProcess } from './cli.ts';
import { logLines, orderRequestsSentAfter, type FailoverRig } from './failover-rig.ts';
import { until } from './wait.ts';

const POINTS = ['intent-journaled', 'request-sent', 'report-received', 'report-applied', 'market-event', 'snapshot-captured'] as const;

/**
 * One way the active goes away: killed by itself at a named crash point (its n-th pass, counted from the
 * moment it became active), SIGKILLed from outside after some ms of trading, or paused (SIGSTOP) and woken
 * up (SIGCONT) once the standby has taken over.
 */
export type Outage =
  | { readonly kind: 'crash'; readonly point: (typeof POINTS)[number]; readonly hit: number }
  | { readonly kind: 'kill'; readonly afterMs: number }
  | { readonly kind: 'pause'; readonly afterMs: number };

/** A seeded list of `n` outages, every kind and crash point represented. */
export function outagePlan(seed: number, n: number): Outage[] {
  const rnd = new SeededRandom(seed);
  return Array.from({ length: n }, (_, i): Outage => {
    const r = rnd.next();
    if (i % 4 === 1 || r < 0.15) return { kind: 'pause', afterMs: 300 + Math.floor(rnd.next() * 700) };
    if (r < 0.3) return { kind: 'kill', afterMs: 300 + Math.floor(rnd.next() * 700) };
    const point = POINTS[Math.floor(rnd.next() * POINTS.length)];
    // The first snapshot is taken at start-up, before trading: a crash there would be a second outage in one.
    return { kind: 'crash', point, hit: (point === 'snapshot-captured' ? 2 : 1) + Math.floor(rnd.next() * (point === 'market-event' ? 20 : 3)) };
  });
}

export function describeOutage(o: Outage): string {
  return o.kind === 'crash' ? `crash at ${o.point}:${o.hit}` : o.kind === 'kill' ? `SIGKILL after ${o.afterMs} ms` : `SIGSTOP after ${o.afterMs} ms, SIGCONT after the takeover`;
}

export interface OutageResult {
  readonly outage: Outage;
  /** Wall ms from the active's death (or pause) to the standby's start report (its first order possible). */
  readonly takeoverMs: number;
  /** The new active's start-up reconciliation agreed with the venue. */
  readonly reconciled: boolean;
  /** The new active's start report (what reconciliation found). */
  readonly report: string;
  /** For a pause: order requests (POST /v2/orders) the old active made after it woke up (must be 0), and its exit code (3: stepped down). */
  readonly ordersAfterWake?: number;
  readonly wokeExit?: number | null;
}

/**
 * Run `plan` as a chain on one rig: an active and a standby; each outage takes the current active away, the
 * standby takes over, and a fresh standby is started for the next one. Every node logs its venue requests
 * (KEEL_DEBUG=1), so an order request after a pause would show. Ends with the last active stopped cleanly.
 */
export async function runOutageChain(rig: FailoverRig, plan: readonly Outage[], onStep?: (r: OutageResult, i: number) => void): Promise<OutageResult[]> {
  const nodes: KeelProcess[] = [];
  const start = (role: 'active' | 'standby', outage?: Outage) => {
    const p = rig.node(role, { KEEL_DEBUG: '1', KEEL_CRASH_AT: outage?.kind === 'crash' ? `${outage.point}:${outage.hit}` : '' });
    nodes.push(p);
    return p;
  };
  const results: OutageResult[] = [];
  try {
    let active = start('active', plan[0]);
    await until('the first active trading', () => /verdict:/.test(active.out()), 30_000);
    for (let i = 0; i < plan.length; i++) {
      const outage = plan[i];
      const standby = start('standby', plan[i + 1]);
      // Following the active, or (when the active died before the standby looked) already taking over.
      let activeGone = false;
      void active.exit.then(() => { activeGone = true; });
      await until('the standby following', () => activeGone || /standby: node \S+ is active|standby: no active holds the lease|failover: node/.test(standby.err()), 20_000);
      let goneAt = 0;
      let pausedAt = 0;
      const exited = active.exit.then((c) => { goneAt ||= Date.now(); return c; });
      if (outage.kind === 'crash') {
        // Bounded, and said plainly: a crash point the active never reaches would otherwise hang until the test's timeout.
        const died = await Promise.race([exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 45_000))]);
        if (!died) throw new Error(`outage ${i + 1} (${describeOutage(outage)}): the active never reached its crash point in 45 s; its log ends:\n${active.err().slice(-3000)}`);
      } else {
        await new Promise((r) => setTimeout(r, outage.afterMs));
        goneAt = Date.now();
        active.child.kill(outage.kind === 'kill' ? 'SIGKILL' : 'SIGSTOP');
        pausedAt = goneAt;
      }
      await until('the takeover', () => /verdict:/.test(standby.out()), 30_000);
      const takeoverMs = Date.now() - goneAt;
      const reconciled = /verdict: in agreement/.test(standby.out());
      let result: OutageResult = { outage, takeoverMs, reconciled, report: standby.out() };
      if (outage.kind === 'pause') {
        active.child.kill('SIGCONT');
        const code = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
        result = { ...result, ordersAfterWake: orderRequestsSentAfter(active.err(), pausedAt + 1).length, wokeExit: code };
      } else {
        await exited;
      }
      results.push(result);
      onStep?.(result, i);
      active = standby;
    }
    // Let the last active trade a little, then stop it cleanly.
    const fills = logLines(active.err(), /filled/).length;
    await until('the last active filling', () => logLines(active.err(), /filled/).length > fills, 30_000).catch(() => {});
    active.child.kill('SIGTERM');
    await active.exit;
    return results;
  } finally {
    for (const n of nodes) { n.child.kill('SIGCONT'); n.child.kill('SIGKILL'); }
  }
}
