import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadMarketData } from '../../src/data/index.ts';
import { buildResult, runBacktest } from '../../src/backtest/index.ts';
import { BUILT_IN_STRATEGIES, resolveParams } from '../../src/strategy/index.ts';
import { percentFee } from '../../src/venues/index.ts';
import { defineInstrument, parseMoney } from '../../src/model/index.ts';
import { ORCL } from '../helpers/cli.ts';

/**
 * An independent re-implementation of the documented rules, sharing no code with the engine: parse the CSV
 * by hand, prices as integer micro-dollars, SMAs as direct window means, decide on the close, fill at the
 * next open, all-in = the most whole shares whose cost plus a 0.1% fee (rounded half-up to the cent) fits.
 */
function independent(fast: number, slow: number) {
  const rows = readFileSync(ORCL, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const micros = (s: string) => BigInt(s.replace('.', '').replace(/^0+(?=\d)/, '')) * 10n ** BigInt(6 - (s.split('.')[1]?.length ?? 0));
  const open = rows.map((r) => micros(r[1]));
  const close = rows.map((r) => micros(r[4]));
  const closeF = rows.map((r) => Number(r[4]));
  // 0.1% of notional, in cents (10,000 micros), rounded half-up: cents = round(notional / 10^7)
  const fee = (notionalMicros: bigint) => ((notionalMicros + 5_000_000n) / 10_000_000n) * 10_000n;
  let cash = 100_000_000_000n; // micro-dollars
  let qty = 0n;
  let lastSign = 0;
  let pending: 'buy' | 'sell' | undefined;
  const trades: Array<{ entry: bigint; exit?: bigint; qty: bigint; entryDate: string; exitDate?: string }> = [];
  const mean = (i: number, n: number) => closeF.slice(i - n + 1, i + 1).reduce((s, x) => s + x, 0) / n;
  for (let i = 0; i < rows.length; i++) {
    if (pending === 'buy') {
      let lo = 0n, hi = cash / open[i];
      while (lo < hi) { const mid = (lo + hi + 1n) / 2n; if (mid * open[i] + fee(mid * open[i]) <= cash) lo = mid; else hi = mid - 1n; }
      qty = lo;
      cash -= qty * open[i] + fee(qty * open[i]);
      trades.push({ entry: open[i], qty, entryDate: rows[i][0] });
    } else if (pending === 'sell') {
      cash += qty * open[i] - fee(qty * open[i]);
      Object.assign(trades[trades.length - 1], { exit: open[i], exitDate: rows[i][0] });
      qty = 0n;
    }
    pending = undefined;
    if (i < slow - 1) continue;
    const d = mean(i, fast) - mean(i, slow);
    const sign = d > 0 ? 1 : d < 0 ? -1 : 0;
    if (sign === 0) continue;
    if (lastSign !== 0 && sign !== lastSign) pending = sign > 0 ? (qty === 0n ? 'buy' : undefined) : (qty > 0n ? 'sell' : undefined);
    lastSign = sign;
  }
  return { trades, equityMicros: cash + qty * close[close.length - 1] };
}

test('ORCL sma-cross 10/30, all-in, 0.1%: every trade and the final equity match an independent implementation to the micro-dollar', () => {
  const data = loadMarketData(ORCL);
  assert.equal(data.kind, 'bars');
  if (data.kind !== 'bars') return;
  const cls = BUILT_IN_STRATEGIES['sma-cross'];
  const params = resolveParams(cls.params, { fast: 10, slow: 30 }, 'sma-cross');
  const run = runBacktest({
    strategyId: 'sma-cross', strategyClass: cls, params, instrument: defineInstrument({ id: 'ORCL', priceTick: '0.000001' }),
    events: data.bars, initialCash: parseMoney('100000', 'cash'), sizing: { kind: 'all-in' }, fees: percentFee('0.1'),
  });
  const r = buildResult(run, { strategyName: 'sma-cross', params, dataSource: ORCL, dataLayout: data.layout, dataWarnings: 0, config: {} });
  const ref = independent(10, 30);
  const closed = ref.trades.filter((t) => t.exit !== undefined);
  assert.equal(r.trades.length, closed.length);
  for (let i = 0; i < closed.length; i++) {
    const t = r.trades[i];
    assert.equal(t.entryTime.slice(0, 10), closed[i].entryDate, `trade ${i} entry date`);
    assert.equal(t.exitTime.slice(0, 10), closed[i].exitDate, `trade ${i} exit date`);
    assert.equal(Math.round(t.entryPrice * 1e6), Number(closed[i].entry), `trade ${i} entry price`);
    assert.equal(Math.round(t.exitPrice * 1e6), Number(closed[i].exit), `trade ${i} exit price`);
    assert.equal(t.quantity, Number(closed[i].qty), `trade ${i} quantity`);
  }
  const micros = ref.equityMicros;
  assert.equal(r.ledger.equity, `${micros / 1_000_000n}.${(micros % 1_000_000n).toString().padStart(6, '0')}`);
  assert.equal(r.openPositions.length, ref.trades.length - closed.length);
});
