import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** The whole machine's CPU counters (Linux /proc/stat, clock ticks): every process, other benchmarks and helpers included. */
export interface MachineCpu {
  readonly busy: number;
  readonly total: number;
}

export function machineCpu(): MachineCpu {
  // "cpu  user nice system idle iowait irq softirq steal ..."
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - f[4], total };
}

/**
 * Cores the machine kept busy between two readings (2 = both cores of a 2-core machine).
 *
 * @example const t0 = machineCpu(); work(); const busy = coresBusy(t0, machineCpu());
 */
export function coresBusy(before: MachineCpu, after: MachineCpu): number {
  const total = after.total - before.total;
  return total > 0 ? ((after.busy - before.busy) / total) * cpus().length : 0;
}
