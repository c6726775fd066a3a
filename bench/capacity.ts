import { MACHINE } from './machine.ts';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadRunConfig, type RunConfig } from '../src/runtime/index.ts';
import { parseAlpacaConfig } from '../src/venues/index.ts';
import { runCapacityStep, type CapacityMeasure, type CapacityStep } from './capacity-step.ts';
import { livePathBench } from './live-path.ts';

/**
 * Capacity run (`npm run bench -- --capacity` alone, or last in `npm run bench`; `node bench/capacity.ts`):
 * how many times today's example load one node holds before a latency or error target breaks, and what
 * saturates first. Real processes and sockets on loopback: the Alpaca-compatible venue servers as child
 * processes (`keel venue --api alpaca`, one per instrument, enforcing Alpaca's 200 requests/min per account
 * with 429s), and in this process the paper engines (risk gate, OMS, portfolio, the Alpaca adapter, one shared
 * journal and rate budget). See docs/capacity.md.
 *
 * The example load is examples/keel.yaml (strategy, parameters, sizing, risk limits, one symbol) at the bar
 * rate of the README's paper demo (`keel venue --api alpaca --speed 50`: a bar every 50 ms). Two ladders,
 * each stopped at its first step that misses a target:
 * - the node: more strategies × instruments, each strategy on an account of its own at the example's bar
 *   rate: the last step that held is the headroom;
 * - one account: the example's single strategy at a faster bar rate, where Alpaca's per-account rate limit
 *   (the adapter's rate budget) is the ceiling.
 */
const EXAMPLE_CONFIG = fileURLToPath(new URL('../examples/keel.yaml', import.meta.url));
/** README: `keel venue --api alpaca --data ../shared/data/daily/ORCL-1995-2014.csv --port 7401 --speed 50`. */
const EXAMPLE_BAR_MS = 50;
const DATA = ['ORCL-1995-2014.csv', 'GOOG-2004-2013.csv'].map((f) => fileURLToPath(new URL(`../../shared/data/daily/${f}`, import.meta.url)));

/** The targets a load level must meet (a step that misses one is past the node's capacity). */
export const CAPACITY_TARGETS = {
  /** Market event → order handed to the adapter, µs (DESIGN.md's target for one path on a quiet machine is 200). */
  eventToOrderP99Us: 2_000,
  /** Order handed to the adapter → the venue's acceptance, ms (loopback's round trip is a few ms: more is queueing). */
  ackP99Ms: 250,
  /** How late the engines' event loop may run, ms (market data and reports wait meanwhile). */
  loopDelayP99Ms: 20,
  /** Share of the bars the venues sent that the engines received and handled. */
  barsKept: 0.95,
} as const;

const node = (perInstrument: number, instruments: number): CapacityStep => ({ perInstrument, instruments, barMs: EXAMPLE_BAR_MS });
const NODE_LADDER: readonly CapacityStep[] = [node(1, 1), node(1, 2), node(2, 2), node(4, 2), node(8, 2), node(16, 2), node(32, 2), node(64, 2)];
const ACCOUNT_LADDER: readonly CapacityStep[] = [
  { perInstrument: 1, instruments: 1, barMs: EXAMPLE_BAR_MS / 1.5 },
  { perInstrument: 1, instruments: 1, barMs: EXAMPLE_BAR_MS / 2 },
  { perInstrument: 1, instruments: 1, barMs: EXAMPLE_BAR_MS / 4 },
];

/** Times the example load: strategies × bar rate relative to the example's. */
export function loadFactor(s: CapacityStep): number {
  return s.perInstrument * s.instruments * (EXAMPLE_BAR_MS / s.barMs);
}

/** The targets `m` misses, one phrase each (empty: the step held). */
export function missedTargets(m: CapacityMeasure): string[] {
  const t = CAPACITY_TARGETS;
  const out: string[] = [];
  if (m.failed.length > 0) out.push(`engines failed (${m.failed.join('; ')})`);
  if (m.eventToOrder.p99 > t.eventToOrderP99Us) out.push(`market event → order p99 ${fmt(m.eventToOrder.p99)} µs > ${fmt(t.eventToOrderP99Us)}`);
  if (m.ack.p99 > t.ackP99Ms) out.push(`order ack p99 ${m.ack.p99.toFixed(0)} ms > ${t.ackP99Ms}`);
  if (m.loopDelayP99Ms > t.loopDelayP99Ms) out.push(`event-loop delay p99 ${m.loopDelayP99Ms.toFixed(0)} ms > ${t.loopDelayP99Ms}`);
  if (m.barsKept < t.barsKept) out.push(`only ${(m.barsKept * 100).toFixed(0)}% of the bars handled`);
  if (errors(m) > 0) out.push(`${m.counts.rejected} rejects, ${m.counts.unknown} UNKNOWN, ${m.rateLimited} × 429, ${m.denied} denials`);
  return out;
}

function errors(m: CapacityMeasure): number {
  return m.counts.rejected + m.counts.unknown + m.rateLimited + m.denied;
}

/**
 * What gave out (or is nearest to), read from the figures: the adapter's rate budget when requests waited for
 * tokens or the venue answered 429; the engine's event loop when its delay or the event-to-order latency broke
 * (with its CPU, and the other processes' share of the machine, which a shared machine's figures need); a
 * venue process's CPU; journal commits.
 */
export function saturation(m: CapacityMeasure, cores: number): string {
  const t = CAPACITY_TARGETS;
  const venue = Math.max(...m.venueCpu);
  const keel = m.engineCpu + m.venueCpu.reduce((a, b) => a + b, 0);
  const others = Math.max(0, m.machineCores - keel);
  const journal = m.journal.commitBusy + m.journal.readModelBusy;
  const machine = `the machine had ${m.machineCores.toFixed(2)} of ${cores} cores busy, ${others.toFixed(2)} of them other processes'`;
  if (m.budget.maxQueued > 0 || m.rateLimited > 0) {
    return `the adapter's rate budget (${m.ordersPerSecond.toFixed(1)} orders/s on ${m.engines} account(s); up to ${m.budget.maxQueued} requests waited for a token, ${m.rateLimited} × 429)`;
  }
  if (venue > 0.8) return `a venue process's CPU (${pct(venue)} of a core); ${machine}`;
  if (m.journal.kind === 'postgres' && m.loopDelayP99Ms < t.loopDelayP99Ms * 0.5 && m.eventToOrder.p99 > t.eventToOrderP99Us * 0.5) {
    return `the write-ahead round trip to PostgreSQL (an event commit takes ${m.journal.msPerCommit.toFixed(2)} ms on average; the order waits for it); ${machine}`;
  }
  if (m.loopDelayP99Ms > t.loopDelayP99Ms * 0.5 || m.eventToOrder.p99 > t.eventToOrderP99Us * 0.5) {
    const perInstrument = m.step.perInstrument;
    return `the engine's one event loop (${pct(m.engineCpu)} CPU on average, but each bar reaches the ${perInstrument} strategies of an instrument at the same `
      + `instant, and they are handled back to back: delay p99 ${m.loopDelayP99Ms.toFixed(0)} ms); ${machine}; journal commits ${pct(journal)} of the wall time`;
  }
  if (journal > 0.3) return `journal commits (${pct(journal)} of the wall time); ${machine}`;
  return `nothing near its limit: engine ${pct(m.engineCpu)}, venues ${m.venueCpu.map(pct).join('+')}, journal ${pct(journal)}; ${machine}`;
}

export function describeStep(m: CapacityMeasure): string {
  const s = m.step;
  return `${String(m.engines).padStart(3)} strategies (${s.perInstrument} × ${s.instruments} instruments) at ${fmt(1000 / s.barMs)} bars/s = ${String(loadFactor(s)).padStart(4)}× example: `
    + `${fmt(m.barsPerSecond)} bars/s, ${m.ordersPerSecond.toFixed(1)} orders/s; event→order p50 ${fmt(m.eventToOrder.p50)} µs p99 ${fmt(m.eventToOrder.p99)} µs (${m.eventToOrder.n} orders); `
    + `ack p50 ${m.ack.p50.toFixed(1)} ms p99 ${m.ack.p99.toFixed(1)} ms; loop delay p99 ${m.loopDelayP99Ms.toFixed(1)} ms; `
    + `CPU engine ${pct(m.engineCpu)} venues ${m.venueCpu.map(pct).join('+')} machine ${m.machineCores.toFixed(2)} cores; `
    + `journal ${fmt(m.journal.commitsPerSecond)} commits/s of ${m.journal.msPerCommit.toFixed(2)} ms, busy ${pct(m.journal.commitBusy + m.journal.readModelBusy)}; `
    + `rate budget max queued ${m.budget.maxQueued}; errors ${errors(m)}`;
}

export interface CapacityResult {
  readonly node: CapacityMeasure[];
  readonly account: CapacityMeasure[];
  /** Largest load factor the node held (0: not even the example load). */
  readonly headroom: number;
}

/**
 * Run both ladders; one line per step, then the headroom and what saturates.
 *
 * @example await capacityBench(MACHINE, { log: console.log });
 */
export async function capacityBench(machineName: string, o: { log?: (line: string) => void; seconds?: number; journal?: 'sqlite' | 'postgres'; maxEngines?: number } = {}): Promise<CapacityResult> {
  const log = o.log ?? console.log;
  const seconds = o.seconds ?? Number(process.env.KEEL_BENCH_CAPACITY_SECONDS ?? 8);
  const journal = o.journal ?? (process.env.KEEL_BENCH_CAPACITY_JOURNAL === 'postgres' ? 'postgres' : 'sqlite');
  const maxEngines = o.maxEngines ?? Number(process.env.KEEL_BENCH_CAPACITY_MAX_ENGINES ?? 128);
  const config: RunConfig = loadRunConfig(EXAMPLE_CONFIG);
  const venue = config.venue as { symbols?: Array<{ symbol: string }> } & Record<string, unknown>;
  const { kind: _kind, ...section } = venue;
  const { perMinute, burst } = parseAlpacaConfig({ ...section, keyId: 'x', secret: 'x' }).rateLimit;
  const orderBudget = Math.max(1, perMinute - burst) / 60;
  const cores = cpus().length;
  log(`capacity: example load = examples/keel.yaml (${config.strategy.name} ${JSON.stringify(config.strategy.params)} on ${venue.symbols?.[0]?.symbol}, sizing ${config.sizing}, its risk limits) `
    + `at the README demo's ${1000 / EXAMPLE_BAR_MS} bars/s, one account; journal ${journal}; ${seconds} s per step; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} [${machineName}]`);
  log(`capacity: targets: event→order p99 ≤ ${fmt(CAPACITY_TARGETS.eventToOrderP99Us)} µs, ack p99 ≤ ${CAPACITY_TARGETS.ackP99Ms} ms, event-loop delay p99 ≤ ${CAPACITY_TARGETS.loopDelayP99Ms} ms, `
    + `≥ ${CAPACITY_TARGETS.barsKept * 100}% of bars handled, no reject, UNKNOWN order, 429 or risk denial`);
  // JIT the engine's path first (risk gate, OMS, journal), so the first steps do not measure cold code.
  await livePathBench(machineName, { bars: 3000 });
  const run = { config, dataFiles: DATA, seconds, journal, postgresUrl: process.env.KEEL_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' } as const;
  const ladder = async (steps: readonly CapacityStep[], name: string): Promise<CapacityMeasure[]> => {
    const out: CapacityMeasure[] = [];
    for (const step of steps) {
      if (step.perInstrument * step.instruments > maxEngines) break;
      const m = await runCapacityStep(run, step);
      out.push(m);
      const missed = missedTargets(m);
      log(`capacity ${name}: ${describeStep(m)}${missed.length ? ` — MISSED: ${missed.join('; ')}` : ' — held'} [${machineName}]`);
      if (missed.length > 0) break;
    }
    return out;
  };
  const nodeRun = await ladder(NODE_LADDER, 'node');
  const held = nodeRun.filter((m) => missedTargets(m).length === 0);
  const last = held.at(-1);
  const broke = nodeRun.find((m) => missedTargets(m).length > 0);
  const headroom = last ? loadFactor(last.step) : 0;
  log(`capacity: the node held ${headroom}× the example load (${last?.engines ?? 0} strategies at ${1000 / EXAMPLE_BAR_MS} bars/s each)`
    + (last ? `; nearest its limit there: ${saturation(last, cores)}` : '')
    + (broke ? `; at ${loadFactor(broke.step)}× it missed ${missedTargets(broke).join('; ')}, nearest its limit: ${saturation(broke, cores)}` : '; the ladder ended before a target broke')
    + ` [${machineName}]`);
  const account = await ladder(ACCOUNT_LADDER, 'one account');
  const accountBroke = account.find((m) => missedTargets(m).length > 0);
  log(`capacity: one account ${accountBroke ? `missed its targets at ${loadFactor(accountBroke.step)}× the example's bar rate (nearest its limit: ${saturation(accountBroke, cores)})` : 'held every rate of its ladder'}; `
    + `the example sends ${nodeRun[0] ? nodeRun[0].ordersPerSecond.toFixed(1) : '?'} orders/s, the adapter's order budget is ${orderBudget.toFixed(2)}/s per account (Alpaca: ${perMinute} requests/min, burst ${burst}) [${machineName}]`);
  return { node: nodeRun, account, headroom };
}

function fmt(x: number): string {
  return Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—';
}

function pct(x: number): string {
  return `${(x * 100).toFixed(0)}%`;
}

if (import.meta.main) {
  console.log(`machine: ${MACHINE}`);
  await capacityBench(MACHINE);
}
