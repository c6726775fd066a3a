import { KeelError } from '../../model/index.ts';
import { computeMetrics, loadEquityCurve } from '../../backtest/index.ts';
import { numberFlag, parseFlags, required } from '../args.ts';
import { checkTimeZone, writeOutput } from './backtest.ts';

export const ANALYZE_HELP = `keel analyze FILE: the backtest metrics for any equity curve (e.g. a broker statement export)

  FILE                      CSV with a date column and an equity column (default headers Date,Equity;
                            NAV, Balance, Value and Portfolio Value are recognised too)
  --columns time=..,equity=..   other column names
  --timezone ZONE           IANA zone of timestamps without an offset (default UTC)
  --risk-free R             annual risk-free rate, e.g. 0.02 (default 0)
  --periods-per-year N      override the frequency inferred from the dates
  --out metrics.json        write the metrics as JSON
`;

const OPTIONS = {
  columns: { type: 'string' }, timezone: { type: 'string' }, 'risk-free': { type: 'string' }, 'periods-per-year': { type: 'string' },
  out: { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

export function analyzeCommand(argv: string[]): number {
  const { values: v, positionals } = parseFlags(argv, OPTIONS, 'analyze', 1);
  if (v.help) { process.stdout.write(ANALYZE_HELP); return 0; }
  if (v.timezone !== undefined) checkTimeZone(v.timezone);
  const file = required(positionals[0], 'FILE', 'keel analyze equity.csv --out metrics.json');
  const columns = v.columns ? parseEquityColumns(v.columns) : undefined;
  const curve = loadEquityCurve(file, { timeZone: v.timezone, columns });
  const metrics = computeMetrics({
    times: curve.times, equity: curve.equity, trades: [],
    riskFreeRate: numberFlag(v['risk-free'] ?? '0', '--risk-free', { min: -1, max: 1 }),
    periodsPerYear: numberFlag(v['periods-per-year'], '--periods-per-year', { min: 0, exclusiveMin: true }),
  });
  const json = JSON.stringify({ source: file, points: curve.times.length, firstTime: new Date(curve.times[0]).toISOString(), lastTime: new Date(curve.times[curve.times.length - 1]).toISOString(), metrics }, null, 2) + '\n';
  if (v.out) {
    writeOutput(v.out, json, '--out');
    process.stdout.write(`metrics: ${v.out}\n`);
  } else {
    process.stdout.write(json);
  }
  return 0;
}

function parseEquityColumns(text: string): { time?: string; equity?: string } {
  const out: { time?: string; equity?: string } = {};
  for (const part of text.split(',')) {
    const [k, ...rest] = part.split('=');
    const key = k.trim();
    const val = rest.join('=').trim();
    if ((key !== 'time' && key !== 'equity') || !val) {
      throw new KeelError('BAD_COLUMNS', 'expected time=NAME,equity=NAME', { field: '--columns', value: part });
    }
    out[key] = val;
  }
  return out;
}
