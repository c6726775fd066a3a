import { fileURLToPath } from 'node:url';
import { startFailoverRig } from '../test/helpers/failover-rig.ts';
import { describeOutage, outagePlan, runOutageChain, type OutageResult } from '../test/helpers/failover-chain.ts';
import { MACHINE } from './machine.ts';

/**
 * Active/standby failover (issue 14): real `keel paper --role active|standby` processes, one real PostgreSQL
 * journal, the Alpaca-compatible venue, default lease settings (lease 3 s, renewed every 500 ms, standby polls
 * every 200 ms). A seeded chain of ≥ 30 outages (crash points, outside SIGKILLs, SIGSTOP/SIGCONT pauses):
 * each takeover is timed from the active's death or pause to the standby's start report (its first order
 * possible), each new active's start-up reconciliation must agree with the venue, a paused old active must
 * send no order after waking and step down, and at the end the journal's orders, fills and position must equal
 * the venue's (no order lost, none duplicated). Targets: takeover ≤ 5 s.
 *
 * Uses the test helpers' rig (test/helpers/failover-rig.ts) so that the tests and the benchmark run the same world.
 */
export async function failoverBench(machine: string, o: { points?: number; seed?: number; log?: (line: string) => void } = {}): Promise<{ points: number; p50Ms: number; maxMs: number; lost: number; failures: string[] }> {
  const points = o.points ?? Number(process.env.KEEL_BENCH_FAILOVER_POINTS ?? 30);
  const rig = await startFailoverRig({ leaseMs: 3000, renewMs: 500, pollMs: 200 });
  const failures: string[] = [];
  try {
    const plan = outagePlan(o.seed ?? 14, points);
    const results: OutageResult[] = await runOutageChain(rig, plan, (r, i) => {
      const what = describeOutage(r.outage);
      if (!r.reconciled) failures.push(`#${i + 1} ${what}: reconciliation did not agree`);
      if (r.outage.kind === 'pause' && (r.ordersAfterWake !== 0 || r.wokeExit !== 3)) failures.push(`#${i + 1} ${what}: ${r.ordersAfterWake} order(s) after waking, exit ${r.wokeExit}`);
      o.log?.(`  failover #${i + 1} ${what}: takeover ${r.takeoverMs} ms, ${r.reconciled ? 'reconciled in agreement' : 'NOT IN AGREEMENT'}${r.outage.kind === 'pause' ? `, ${r.ordersAfterWake} order(s) after waking, exit ${r.wokeExit}` : ''}`);
    });
    const differences = await rig.differences();
    failures.push(...differences);
    const ms = results.map((r) => r.takeoverMs).sort((a, b) => a - b);
    const r = { points: results.length, p50Ms: ms[Math.floor(ms.length / 2)], maxMs: ms[ms.length - 1], lost: differences.length, failures };
    o.log?.(`failover (postgres, lease 3 s / renew 500 ms / poll 200 ms): ${r.points} kill/pause points, takeover p50 ${r.p50Ms} ms, max ${r.maxMs} ms (target ≤ 5000), `
      + `journal vs venue ${differences.length === 0 ? 'equal' : `${differences.length} difference(s)`}, ${failures.length} failure(s) [${machine}]`);
    return r;
  } finally {
    await rig.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await failoverBench(MACHINE, { log: console.log });
  for (const f of r.failures) console.log(`  FAILED: ${f}`);
  process.exit(r.failures.length === 0 && r.maxMs <= 5000 ? 0 : 1);
}
