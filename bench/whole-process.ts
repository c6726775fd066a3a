import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMarketData } from '../src/data/index.ts';
import { MACHINE } from './machine.ts';
import { writeBarsCsv } from './write-bars-csv.ts';

/**
 * Whole-process backtest (issue 12): the real `keel backtest ... --out r.json` as a child process over a
 * generated intraday CSV, timed from spawn to exit, with the child's peak RSS. Cold: the CSV is parsed
 * (and its columnar cache written); warm: the same command again, reading the cache. 1M bars always; 10M
 * with KEEL_BENCH_10M=1 (a ~600 MB CSV, about a minute in all). Run alone: `node bench/whole-process.ts`.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ORCL = resolve(ROOT, '../shared/data/daily/ORCL-1995-2014.csv');
const RSS_PROBE = resolve(ROOT, 'bench/peak-rss-probe.ts');
const ROUNDS = 3;

interface Timing { readonly ms: number; readonly peakRssMb: number }

/** One `keel backtest` run: wall time from spawn to exit and the child's peak RSS (its own getrusage). */
function backtest(csv: string, out: string, cacheDir: string, rssFile: string): Timing {
  const args = [
    '--import', RSS_PROBE, resolve(ROOT, 'bin/keel.js'), 'backtest', '--strategy', 'sma-cross', '--params', 'fast=10,slow=30',
    '--data', csv, '--cash', '100000', '--commission-pct', '0.1', '--sizing', 'units:1000', '--out', out, '--quiet',
  ];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { env: { ...process.env, KEEL_CACHE_DIR: cacheDir, KEEL_PEAK_RSS_FILE: rssFile }, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`keel backtest failed (${r.status}): ${r.stderr}`);
  return { ms, peakRssMb: Number(readFileSync(rssFile, 'utf8')) / 1024 };
}

function best(runs: Timing[]): Timing {
  return runs.reduce((a, b) => (b.ms < a.ms ? b : a));
}

/** Cold and warm whole-process figures for a generated CSV of `bars` bars; prints one line each. */
export function wholeProcessBench(bars: number, log: (line: string) => void = console.log, rounds = ROUNDS): void {
  const dir = mkdtempSync(join(tmpdir(), 'keel-whole-'));
  try {
    const orcl = loadMarketData(ORCL);
    if (orcl.kind !== 'bars') throw new Error('ORCL should load as bars');
    const csv = join(dir, `orcl-${bars}.csv`);
    writeBarsCsv(orcl.bars, bars, csv);
    const cacheDir = join(dir, 'cache');
    const rss = join(dir, 'rss');
    const out = join(dir, 'r.json');
    backtest(csv, out, cacheDir, rss); // warm the OS file cache and Node's compile cache
    const cold: Timing[] = [];
    const warm: Timing[] = [];
    let identical = true;
    for (let r = 0; r < rounds; r++) {
      rmSync(cacheDir, { recursive: true, force: true });
      cold.push(backtest(csv, out, cacheDir, rss));
      const coldJson = readFileSync(out);
      warm.push(backtest(csv, out, cacheDir, rss));
      identical &&= coldJson.equals(readFileSync(out));
    }
    const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
    const mb = (path: string) => (statSync(path).size / 1e6).toFixed(0);
    const n = bars.toLocaleString('en-US');
    for (const [label, t] of [['cold (CSV)', best(cold)], ['warm (cache)', best(warm)]] as const) {
      log(`whole process ${n} bars, ${label.padEnd(12)}: ${fmt(bars / (t.ms / 1000))} bars/s end to end (${fmt(t.ms)} ms, peak RSS ${fmt(t.peakRssMb)} MB; CSV ${mb(csv)} MB, result.json ${mb(out)} MB, cached = uncached bytes: ${identical ? 'yes' : 'NO'}) [${MACHINE}]`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  console.log(`machine: ${MACHINE}`);
  wholeProcessBench(Number(process.env.KEEL_BENCH_WHOLE_BARS ?? 1_000_000));
  if (process.env.KEEL_BENCH_10M === '1') wholeProcessBench(10_000_000, console.log, 1);
}
