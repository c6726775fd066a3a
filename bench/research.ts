import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMarketData } from '../src/data/index.ts';
import { tickForDecimals } from '../src/model/index.ts';
import { loadStrategy } from '../src/strategy/index.ts';
import {
  buildTrialContext, createSearch, InlineExecutor, LocalPool, packSeries, parseConstraint, parseGrid, runSweep, seriesHash, type SweepSpec, type TrialExecutor,
} from '../src/backtest/optimize/index.ts';
import { MACHINE } from './machine.ts';

/**
 * Research throughput (issue 15): trials per second of SMA-cross over the ORCL daily file (5,036 bars, each
 * trial the full engine plus metrics, return moments and CSCV blocks) in this thread, on one worker thread
 * and on one per core; the speed-up of two local queue workers (real `keel worker` processes on the
 * machine's Redis) over one; and a 1,000-trial `keel optimize` end to end (process start, data load, trials,
 * diagnostics, report). Sweeps are timed best of 3 after a warm-up sweep. The load average is printed with each figure: on a shared machine it matters.
 */
const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const ORCL = resolve(ROOT, '../shared/data/daily/ORCL-1995-2014.csv');
const GRID = 'fast=2..40:2,slow=50..200:15';

const load = (): string => `load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`;

export async function researchBench(machine: string, out: { log: (line: string) => void }): Promise<void> {
  const data = loadMarketData(ORCL);
  if (data.kind !== 'bars') throw new Error('ORCL should load as bars');
  const strategy = await loadStrategy('sma-cross');
  const spec: SweepSpec = {
    strategy: { ref: 'sma-cross', codeHash: strategy.codeHash }, objective: { kind: 'metric', name: 'sharpe' }, fixedParams: {},
    instrument: { id: 'ORCL', priceTick: tickForDecimals(data.priceDecimals) },
    settings: { cash: '100000', sizing: { kind: 'all-in' }, fees: { kind: 'percent', percent: '0.1', minimum: '0' }, slippage: { kind: 'none' }, latencyMs: 0, jitterMs: 0, seed: 1, participation: 1, limitFill: 'through', riskFreeRate: 0 },
    blocks: 16,
  };
  const space = parseGrid(GRID, strategy.cls.params, 'sma-cross');
  const constraints = [parseConstraint('fast<slow', ['fast', 'slow'])];
  const search = () => createSearch({ kind: 'grid', space, constraints, trials: 0, seed: 1 });
  const trials = search().planned;
  const series = packSeries(data.bars);
  const timed = async (executor: TrialExecutor): Promise<number> => {
    await runSweep({ search: search(), executor }); // warm-up: threads started, JIT
    let best = Infinity;
    for (let round = 0; round < 3; round++) {
      const t0 = performance.now();
      await runSweep({ search: search(), executor });
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  };
  const rate = (ms: number): string => `${Math.round(trials / (ms / 1000)).toLocaleString('en-US')} trials/s (${trials} trials in ${ms.toFixed(0)} ms)`;

  const ctx = await buildTrialContext(spec, data.bars);
  out.log(`research, sma-cross over ORCL daily (${data.bars.length} bars), in this thread:       ${rate(await timed(new InlineExecutor(ctx)))} [${load()}] [${machine}]`);
  const cores = availableParallelism();
  for (const threads of [...new Set([1, cores])]) {
    const pool = new LocalPool(spec, series, threads);
    try {
      out.log(`research, same, ${threads} worker thread${threads === 1 ? ' ' : 's'} (${threads === 1 ? 'one core' : 'all cores'}):          ${rate(await timed(pool))} [${load()}] [${machine}]`);
    } finally {
      await pool.close();
    }
  }

  const { openQueueExecutor } = await import('../src/backtest/queue/index.ts');
  try {
    const queueName = `keel-bench-${randomUUID()}`;
    const byWorkers = new Map<number, number>();
    for (const n of [1, 2]) {
      const workers: ChildProcess[] = [];
      for (let i = 0; i < n; i++) workers.push(spawn(process.execPath, [resolve(ROOT, 'bin/keel.js'), 'worker', '--queue', 'redis://127.0.0.1:6379', '--queue-name', queueName, '--quiet'], { cwd: ROOT, stdio: 'ignore' }));
      const executor = await openQueueExecutor({ url: 'redis://127.0.0.1:6379', queueName, spec, series, seriesHash: seriesHash(series) });
      try {
        byWorkers.set(n, await timed(executor));
      } finally {
        await executor.close();
        for (const w of workers) w.kill('SIGTERM');
      }
      await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.on('exit', r)))));
    }
    const one = byWorkers.get(1)!;
    const two = byWorkers.get(2)!;
    out.log(`research, queue (Redis), 1 keel worker process:                ${rate(one)} [${load()}] [${machine}]`);
    out.log(`research, queue (Redis), 2 keel worker processes:              ${rate(two)}, speed-up ${(one / two).toFixed(2)}x [${load()}] [${machine}]`);
  } catch (err) {
    out.log(`research, queue: skipped (${(err as Error).message.split('\n')[0]}) [${machine}]`);
  }

  const dir = mkdtempSync(join(tmpdir(), 'keel-bench-sweep-'));
  try {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [resolve(ROOT, 'bin/keel.js'), 'optimize', '--strategy', 'sma-cross', '--data', ORCL, '--commission-pct', '0.1',
      '--grid', 'fast=2..80:2,slow=20..260:8', '--constraint', 'fast<slow', '--out', dir, '--quiet'], { cwd: ROOT, encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(r.stderr);
    const rows = spawnSync('wc', ['-l', join(dir, 'trials.csv')], { encoding: 'utf8' }).stdout.trim().split(' ')[0];
    out.log(`research, keel optimize end to end, ${Number(rows) - 1} trials, all cores, report included: ${(ms / 1000).toFixed(1)} s [${load()}] [${machine}]`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`machine: ${MACHINE}`);
  await researchBench(MACHINE, { log: (line) => console.log(line) });
}
