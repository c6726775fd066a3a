import { readFileSync } from 'node:fs';
import { loadEquityCurve } from '../backtest/index.ts';
import { KeelError } from '../model/index.ts';
import { ExpectedPath } from '../ops/index.ts';

/**
 * Load the equity path a run should follow (`alerts.expectedPath`): a Keel backtest's `result.json` (its
 * `equityCurve`) or an equity CSV with Date and Equity columns (a paper run's export, another tool's). Every
 * problem names the file and what is wrong with it.
 *
 * @example const path = loadExpectedPath('out/orcl/result.json'); // → ExpectedPath over its bars
 */
export function loadExpectedPath(file: string, field = 'alerts.expectedPath'): ExpectedPath {
  if (!/\.json$/i.test(file)) {
    const curve = loadEquityCurve(file);
    return new ExpectedPath({ times: curve.times, equity: curve.equity, source: file });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new KeelError('BAD_EXPECTED_PATH', `cannot be read as JSON: ${why}`, { field, value: file });
  }
  const curve = (doc as { equityCurve?: { time?: unknown; equity?: unknown } } | null)?.equityCurve;
  if (!curve || !Array.isArray(curve.time) || !Array.isArray(curve.equity) || curve.time.length !== curve.equity.length) {
    throw new KeelError('BAD_EXPECTED_PATH', 'has no equityCurve with matching time and equity lists (is it a keel backtest result.json?)', { field, value: file });
  }
  const times = curve.time.map((t, i) => {
    const ms = typeof t === 'string' ? Date.parse(t) : NaN;
    if (Number.isNaN(ms)) throw new KeelError('BAD_EXPECTED_PATH', `equityCurve.time[${i}] is not an ISO time: ${JSON.stringify(t)}`, { field, value: file });
    return ms;
  });
  const equity = curve.equity.map((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new KeelError('BAD_EXPECTED_PATH', `equityCurve.equity[${i}] is not a number: ${JSON.stringify(v)}`, { field, value: file });
    return v;
  });
  try {
    return new ExpectedPath({ times, equity, source: file });
  } catch (err) {
    throw new KeelError('BAD_EXPECTED_PATH', (err as Error).message.replace(`${file}: `, ''), { field, value: file });
  }
}
