import { MACHINE } from './machine.ts';
import { loadMarketData } from '../src/data/index.ts';
import { defineInstrument, parseMoney, tickForDecimals, type Bar } from '../src/model/index.ts';
import { BUILT_IN_STRATEGIES, resolveParams } from '../src/strategy/index.ts';
import { percentFee } from '../src/venues/index.ts';
import { buildResult, computeMetrics, runBacktest } from '../src/backtest/index.ts';
import { moneyToNumber } from '../src/model/index.ts';
import { generateBars } from './generate-bars.ts';
import { bareSmaCross } from './bare-loop.ts';
import { gateLatency, killLatency } from './risk-gate.ts';
import { everyLimit } from './risk-config.ts';
import type { RiskConfig } from '../src/risk/index.ts';

/**
 * `npm run bench`: SMA-cross over 1,000,000 bars generated from the real ORCL file, through the full engine
 * path (data → strategy → risk gate → OMS → sim venue → portfolio → equity curve → metrics), against a bare
 * hand-written loop of the same logic. Each line is one result; the machine is printed first. Then the journal,
 * restart, live path, venue server and capacity benchmarks (`--capacity` runs only the capacity run).
 */
const BARS = Number(process.env.KEEL_BENCH_BARS ?? 1_000_000);
const ROUNDS = 5;

const machine = MACHINE;
console.log(`machine: ${machine}`);

// `npm run bench -- --capacity` (or KEEL_BENCH=capacity) runs only the capacity run (bench/capacity.ts, ~3 minutes).
if (process.argv.includes('--capacity') || process.env.KEEL_BENCH === 'capacity') {
  const { capacityBench } = await import('./capacity.ts');
  await capacityBench(machine);
  process.exit(0);
}

const orcl = loadMarketData('../shared/data/daily/ORCL-1995-2014.csv');
if (orcl.kind !== 'bars') throw new Error('ORCL should load as bars');
const bars: Bar[] = generateBars(orcl.bars, BARS);
const instrument = defineInstrument({ id: orcl.instrumentId, priceTick: tickForDecimals(orcl.priceDecimals) });
const cls = BUILT_IN_STRATEGIES['sma-cross'];
const params = resolveParams(cls.params, { fast: 10, slow: 30 }, 'sma-cross');

function engineRun(risk?: RiskConfig) {
  const run = runBacktest({
    strategyId: 'sma-cross', strategyClass: cls, params, instrument, events: bars,
    initialCash: parseMoney('100000', 'cash'), sizing: { kind: 'units', units: 1000 }, fees: percentFee('0.1'), risk,
  });
  const metrics = computeMetrics({
    times: run.recorder.times, equity: run.recorder.equity, trades: run.booker.trips.closed.map((t) => ({ pnl: moneyToNumber(t.realized - t.fees) })),
    exposedPoints: run.recorder.exposedPoints,
  });
  return { run, metrics };
}

function best(label: string, fn: () => unknown): number {
  let bestMs = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    fn();
    bestMs = Math.min(bestMs, performance.now() - t0);
  }
  return bestMs;
}

engineRun(); // warm-up: JIT the whole path once
const engineMs = best('engine', engineRun);
const bareMs = best('bare', () => bareSmaCross(bars, 10, 30, 100_000, 0.001, 1000));
const bare = bareSmaCross(bars, 10, 30, 100_000, 0.001, 1000);
const { run } = engineRun();
const allLimits = everyLimit(instrument.id);
engineRun(allLimits);
const gatedMs = best('gated', () => engineRun(allLimits));
const gated = engineRun(allLimits).run;
const resultMs = best('result', () => buildResult(run, { strategyName: 'sma-cross', params, dataSource: 'generated', dataLayout: 'generated', dataWarnings: 0, config: {} }));

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
console.log(`backtest sma-cross, full engine path: ${fmt(BARS / (engineMs / 1000))} bars/s (${BARS.toLocaleString('en-US')} bars in ${engineMs.toFixed(0)} ms, ${run.booker.fills.length} fills) [${machine}]`);
console.log(`bare hand-written loop, same logic:   ${fmt(BARS / (bareMs / 1000))} bars/s (${bareMs.toFixed(0)} ms) [${machine}]`);
console.log(`engine / bare loop time ratio:        ${(engineMs / bareMs).toFixed(1)}x (same round trips: ${bare.trades === run.booker.trips.closed.length ? 'yes' : 'NO'}, ${bare.trades}) [${machine}]`);
console.log(`same, every risk check and breaker on:  ${fmt(BARS / (gatedMs / 1000))} bars/s (${gatedMs.toFixed(0)} ms, ${((gatedMs / engineMs - 1) * 100).toFixed(1)}% slower; same fills: ${gated.booker.fills.length === run.booker.fills.length ? 'yes' : 'NO'}, ${gated.riskLog.denialsTotal} denials) [${machine}]`);
const lat = gateLatency(1_000_000);
console.log(`pre-trade check, every check on:      p50 ${(lat.p50 / 1000).toFixed(2)} µs, p99 ${(lat.p99 / 1000).toFixed(2)} µs, p99.9 ${(lat.p999 / 1000).toFixed(2)} µs (1,000,000 orders, ${lat.approved.toLocaleString('en-US')} approved) [${machine}]`);
for (const n of [10, 1000]) {
  const k = killLatency(n, 21);
  console.log(`kill switch → ${String(n).padStart(4)} cancels handed to venue: median ${k.medianUs.toFixed(0)} µs, best ${k.bestUs.toFixed(0)} µs [${machine}]`);
}
console.log(`result JSON object (1M-point curve):  ${resultMs.toFixed(0)} ms [${machine}]`);

// Journal append throughput (issue 4): SQLite always; PostgreSQL when the local server answers.
const { journalBench } = await import('./journal.ts');
await journalBench(machine, { log: (line) => console.log(line) });
const { postgresJournalBench } = await import('./journal-postgres.ts');
try {
  await postgresJournalBench(machine, { log: (line) => console.log(line) });
} catch (err) {
  console.log(`postgres journal: skipped (${(err as Error).message.split('\n')[0]}) [${machine}]`);
}

// The audit trail (issue 13): one record's latency and verify throughput, SQLite.
const { auditBench } = await import('./audit.ts');
await auditBench(machine, { log: (line) => console.log(line) });

// Active/standby failover over real processes and PostgreSQL (~3 minutes for 30 points; KEEL_BENCH_FAILOVER_POINTS=N).
const { failoverBench } = await import('./failover.ts');
await failoverBench(machine, { log: (line) => console.log(line) });

// Restart to reconciled with a 1,000,000-event journal, with and without a snapshot (issue 4).
const { restartBench } = await import('./restart.ts');
await restartBench(machine, { log: (line) => console.log(line) });

// The live path (issue 5): market event → order handed to the venue adapter, journal write-ahead included;
// and the Alpaca-compatible venue server's throughput over loopback HTTP.
const { livePathBench } = await import('./live-path.ts');
await livePathBench(machine, { log: (line) => console.log(line) });
try {
  await livePathBench(machine, { log: (line) => console.log(line), journal: 'postgres', bars: 5_000 });
} catch (err) {
  console.log(`live path, postgres journal: skipped (${(err as Error).message.split('\n')[0]}) [${machine}]`);
}
const { benchAlpacaVenue } = await import('./alpaca-venue.ts');
console.log(await benchAlpacaVenue());

// The whole process (issue 12): `keel backtest --out` as a child over a generated 1M-bar CSV, cold (CSV)
// and warm (columnar cache); KEEL_BENCH_10M=1 adds the 10M-bar file.
const { wholeProcessBench } = await import('./whole-process.ts');
wholeProcessBench(1_000_000, (line) => console.log(line));
if (process.env.KEEL_BENCH_10M === '1') wholeProcessBench(10_000_000, (line) => console.log(line), 1);

// Research at scale (issue 15): trials per second locally and over the Redis queue, a 1,000-trial sweep end to end.
const { researchBench } = await import('./research.ts');
await researchBench(machine, { log: (line) => console.log(line) });

// Capacity (issue 12): how many times the example load one node holds, and what saturates first.
const { capacityBench } = await import('./capacity.ts');
await capacityBench(machine);
