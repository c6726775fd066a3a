import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { parseMoney } from '../src/model/index.ts';
import { BUILT_IN_STRATEGIES, resolveParams } from '../src/strategy/index.ts';
import { parseSizing } from '../src/backtest/index.ts';
import { openSqliteJournal, type Journal } from '../src/store/index.ts';
import { openPostgresJournal } from '../src/store/postgres/index.ts';
import { createAlpacaVenue, parseAlpacaConfig, symbolMappings, type AlpacaVenue } from '../src/venues/index.ts';
import { RateBudget } from '../src/venues/net/index.ts';
import { runPaperEngine, type PaperRunSummary, type RunConfig } from '../src/runtime/index.ts';
import { percentiles, type Percentiles } from './latency.ts';
import { VenueTimer, type VenueCounts } from './timed-venue.ts';
import { startVenueProcess, type VenueProcess } from './venue-process.ts';
import { coresBusy, machineCpu } from './machine-cpu.ts';

/** One load level: `perInstrument` engines (each one strategy, its own account) on each of `instruments` venues, `barMs` per bar. */
export interface CapacityStep {
  readonly perInstrument: number;
  readonly instruments: number;
  readonly barMs: number;
}

export interface CapacityMeasure {
  readonly step: CapacityStep;
  readonly engines: number;
  readonly seconds: number;
  /** Market events handed to the engines, per second (all engines). */
  readonly barsPerSecond: number;
  /** Share of the bars the venues should have sent that the engines got (below 1: someone fell behind). */
  readonly barsKept: number;
  readonly ordersPerSecond: number;
  /** µs */
  readonly eventToOrder: Percentiles;
  /** ms */
  readonly ack: Percentiles;
  readonly loopDelayP99Ms: number;
  readonly counts: VenueCounts;
  readonly rateLimited: number;
  readonly denied: number;
  /** Engines that stopped before the end, or never traded, with why. */
  readonly failed: readonly string[];
  /** CPU used per second of wall time (1 = one core busy). */
  readonly engineCpu: number;
  readonly venueCpu: readonly number[];
  /** Cores the whole machine kept busy meanwhile, other processes (other benchmarks, other work) included. */
  readonly machineCores: number;
  readonly journal: {
    readonly kind: 'sqlite' | 'postgres';
    readonly commitsPerSecond: number;
    /** Mean time of an event commit, ms (PostgreSQL: the round trip included). */
    readonly msPerCommit: number;
    /** Share of the wall time spent in event commits and in read-model commits. */
    readonly commitBusy: number;
    readonly readModelBusy: number;
  };
  /** Largest number of requests waiting for a rate-budget token at any sample, and the fewest tokens seen. */
  readonly budget: { readonly maxQueued: number; readonly minAvailable: number };
}

export interface CapacityRun {
  /** The example run config (examples/keel.yaml), already loaded. */
  readonly config: RunConfig;
  /** Data files of the instruments, in order (the first is the example's). */
  readonly dataFiles: readonly string[];
  readonly seconds: number;
  readonly journal: 'sqlite' | 'postgres';
  readonly postgresUrl?: string;
}

const SECRET = (i: number, k: number) => `capacity-secret-${i}-${k}`;
const KEY = (i: number, k: number) => `PKCAP${i}N${k}`;
/** Alpaca's published limit, enforced by the venue (429 past it) as Alpaca does: 200 requests per minute per account. */
const VENUE_RATE_LIMIT = '200/60000';
/** Event-loop delay sampling period, ms: the histogram's values include it, so it is subtracted. */
const LOOP_RESOLUTION_MS = 2;
const CONNECT_AT_ONCE = 16;

/**
 * Run one load level for real: the venue servers as child processes (`keel venue --api alpaca`, one per
 * instrument), and in this process one paper engine per strategy and account (risk gate, OMS, portfolio,
 * the Alpaca adapter over loopback HTTP and WebSockets, all sharing one journal and one rate budget, as a
 * node does), trading the example's strategy. Measures `seconds` of trading after everyone is trading.
 */
export async function runCapacityStep(run: CapacityRun, step: CapacityStep): Promise<CapacityMeasure> {
  const venues: VenueProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'keel-capacity-'));
  const schema = `keel_capacity_${randomBytes(4).toString('hex')}`;
  let journal: Journal | undefined;
  const adapters: AlpacaVenue[] = [];
  const stop = new AbortController();
  const runs: Array<Promise<PaperRunSummary | Error>> = [];
  const failed: string[] = [];
  try {
    const starting = Array.from({ length: step.instruments }, (_, i) => {
      const keys = Array.from({ length: step.perInstrument }, (_, k) => `${KEY(i, k)}:${SECRET(i, k)}:${run.config.cash}`);
      return startVenueProcess(['--data', run.dataFiles[i], '--keys', keys.join(','), '--speed', String(step.barMs), '--fault-rate-limit', VENUE_RATE_LIMIT, '--seed', String(i + 1)]);
    });
    for (const v of await Promise.allSettled(starting)) if (v.status === 'fulfilled') venues.push(v.value);
    if (venues.length < starting.length) throw new Error('a venue server did not start');
    journal = run.journal === 'postgres'
      ? await openPostgresJournal({ connection: { url: run.postgresUrl! }, schema })
      : await openSqliteJournal({ path: join(dir, 'journal.sqlite') });
    const budget = new RateBudget();
    const timer = new VenueTimer();
    const cls = BUILT_IN_STRATEGIES[run.config.strategy.name];
    const params = resolveParams(cls.params, run.config.strategy.params as Record<string, string | number | boolean>, run.config.strategy.name);
    const trading: Array<Promise<void>> = [];
    const slots = Array.from({ length: step.instruments }, (_, i) => Array.from({ length: step.perInstrument }, (_, k) => [i, k] as const)).flat();
    const configs = slots.map(([i, k]) => adapterConfig(run.config, venues[i].url, KEY(i, k), SECRET(i, k), symbolOf(run.dataFiles[i])));
    // Connected a few at a time (each opens two WebSockets and asks for the account), as a node's start would.
    for (let n = 0; n < configs.length; n += CONNECT_AT_ONCE) {
      const connected = await Promise.allSettled(configs.slice(n, n + CONNECT_AT_ONCE).map((c) => createAlpacaVenue(c, { budget, log: () => {} })));
      for (const c of connected) {
        if (c.status === 'rejected') throw c.reason;
        adapters.push(c.value);
      }
    }
    for (const [n, [i, k]] of slots.entries()) {
      let isTrading: () => void = () => {};
      trading.push(new Promise<void>((res) => { isTrading = res; }));
      runs.push(runPaperEngine({
        account: KEY(i, k), strategyId: `${run.config.strategy.name}-${i}-${k}`, strategyClass: cls, params, strategyVersion: 'capacity',
        instrument: symbolMappings(parseAlpacaConfig(configs[n]))[0].instrument, initialCash: parseMoney(run.config.cash, 'cash'),
        sizing: parseSizing(run.config.sizing), risk: run.config.risk, journal, venue: timer.wrap(adapters[n]), signal: stop.signal,
        snapshotEvery: run.config.snapshotEvery, onTrading: () => isTrading(),
      }).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
    }
    const startedAll = await Promise.race([Promise.all(trading).then(() => true), delay(60_000, true).then(() => false)]);
    if (!startedAll) failed.push('not every engine was trading within 60 s');
    await delay(1000); // warm-up: JIT, first bars, connections settled

    const before = await sample(journal, venues);
    const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    loop.enable();
    let maxQueued = 0;
    let minAvailable = Infinity;
    const watch = setInterval(() => {
      for (const b of budget.headroom()) {
        maxQueued = Math.max(maxQueued, b.queued);
        minAvailable = Math.min(minAvailable, b.available);
      }
    }, 50);
    timer.start();
    const t0 = performance.now();
    await delay(run.seconds * 1000);
    timer.recording = false;
    const wall = (performance.now() - t0) / 1000;
    clearInterval(watch);
    loop.disable();
    const after = await sample(journal, venues);

    stop.abort();
    for (const [n, r] of (await Promise.all(runs)).entries()) if (r instanceof Error) failed.push(`engine ${n}: ${r.message.split('\n')[0]}`);
    const denied = (await journal.read({ types: ['order.denied'] })).length;
    const engines = step.instruments * step.perInstrument;
    const st = (k: 'commits' | 'commitMs' | 'readModelMs') => (after.journal[k] - before.journal[k]);
    return {
      step, engines, seconds: wall,
      barsPerSecond: timer.counts.bars / wall,
      barsKept: timer.counts.bars / (engines * wall * (1000 / step.barMs)),
      ordersPerSecond: timer.counts.orders / wall,
      eventToOrder: percentiles(timer.eventToOrder, 0), ack: percentiles(timer.ack, 0),
      loopDelayP99Ms: Math.max(0, loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS),
      counts: { ...timer.counts },
      rateLimited: after.rateLimited - before.rateLimited,
      denied, failed,
      engineCpu: cpuSeconds(after.engineCpu, before.engineCpu) / wall,
      venueCpu: after.venueCpu.map((c, i) => (c - before.venueCpu[i]) / wall),
      machineCores: coresBusy(before.machine, after.machine),
      journal: {
        kind: run.journal, commitsPerSecond: st('commits') / wall, msPerCommit: st('commitMs') / Math.max(1, st('commits')),
        commitBusy: st('commitMs') / 1000 / wall, readModelBusy: st('readModelMs') / 1000 / wall,
      },
      budget: { maxQueued, minAvailable: Number.isFinite(minAvailable) ? minAvailable : 0 },
    };
  } finally {
    stop.abort();
    await Promise.allSettled(runs);
    await Promise.allSettled(adapters.map((a) => a.close()));
    await journal?.close();
    await Promise.allSettled(venues.map((v) => v.close()));
    rmSync(dir, { recursive: true, force: true });
    if (run.journal === 'postgres') await dropSchema(run.postgresUrl!, schema);
  }
}

/** The example's venue section, pointed at the local venue child with this account's key. */
function adapterConfig(cfg: RunConfig, url: string, keyId: string, secret: string, symbol: string): Record<string, unknown> {
  const { kind: _kind, symbols: _symbols, ...section } = cfg.venue as Record<string, unknown>;
  const ws = url.replace(/^http/, 'ws');
  return { ...section, keyId, secret, tradingUrl: url, dataUrl: url, streamUrl: `${ws}/stream`, dataStreamUrl: ws, symbols: [{ symbol, priceTick: '0.000001' }] };
}

/** "…/ORCL-1995-2014.csv" → "ORCL" (the venue server names the instrument after the file's symbol). */
function symbolOf(file: string): string {
  return /([A-Z]+)-[^/]*$/.exec(resolve(file))![1];
}

async function sample(journal: Journal, venues: readonly VenueProcess[]) {
  const stats = (journal as unknown as { stats(): { commits: number; commitMs: number; readModelMs: number } }).stats();
  const venueStats = await Promise.all(venues.map((v) => v.stats()));
  return {
    journal: { commits: stats.commits, commitMs: stats.commitMs, readModelMs: stats.readModelMs },
    rateLimited: venueStats.reduce((n, s) => n + s.faults.rateLimited, 0),
    engineCpu: process.cpuUsage(),
    venueCpu: venues.map((v) => v.cpuSeconds()),
    machine: machineCpu(),
  };
}

function cpuSeconds(after: NodeJS.CpuUsage, before: NodeJS.CpuUsage): number {
  return (after.user - before.user + after.system - before.system) / 1e6;
}

/** `weak`: the timer does not keep the process alive (a deadline, not a wait). */
function delay(ms: number, weak = false): Promise<void> {
  return new Promise((r) => { const t = setTimeout(r, ms); if (weak) t.unref(); });
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await c.end();
  }
}
