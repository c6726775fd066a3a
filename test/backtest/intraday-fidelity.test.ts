import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMarketData } from '../../src/data/index.ts';
import type { Bar } from '../../src/model/index.ts';
import { generateBars } from '../../bench/generate-bars.ts';
import { ORCL, keel } from '../helpers/cli.ts';

/**
 * Issue 12: on one-minute bars built from real ORCL days, an independent engine with the same fill rules
 * closed 20 fewer trades than `keel backtest`. The cause was the crossover rule on bars where the two
 * averages are exactly equal (once per replayed period of the source). These tests pin both rules against
 * trades worked out by hand and against an independent reference loop, through the whole CLI path (CSV
 * loading and validation included).
 */

const dir = mkdtempSync(join(tmpdir(), 'keel-fidelity-'));

interface Trade { entryTime: string; entryPrice: number; exitTime: string; exitPrice: number; quantity: number; pnl: number }

function writeBars(path: string, bars: readonly Bar[]): void {
  const lines = ['Date,Open,High,Low,Close,Volume'];
  for (const b of bars) lines.push(`${new Date(b.ts).toISOString().slice(0, 19).replace('T', ' ')},${b.open},${b.high},${b.low},${b.close},${b.volume}`);
  writeFileSync(path, `${lines.join('\n')}\n`);
}

function backtest(file: string, params: string, extra: string[] = []): { trades: Trade[]; ledger: { cash: string; commissions: string }; openPositions: unknown[] } {
  const out = join(dir, `r-${Math.random().toString(36).slice(2)}.json`);
  const r = keel(['backtest', '--strategy', 'sma-cross', '--params', params, '--data', file, '--out', out, '--quiet', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(readFileSync(out, 'utf8'));
}

test('a bar where the averages tie: keep crosses on the next bar, break does not cross (trades worked out by hand)', () => {
  // fast=2, slow=3: fast − slow = (c[t-1] + c[t] − 2·c[t-2]) / 6, so the signs on bars 3..8 are
  // −, 0 (10 + 12 − 2·11), +, −, +, −. Opens are the previous close + 0.5 so each fill names its bar.
  const closes = [12, 11, 10, 12, 11, 9, 16, 1, 5];
  const t0 = Date.UTC(2024, 0, 2, 14, 30);
  const bars: Bar[] = closes.map((c, i) => {
    const open = i === 0 ? c : closes[i - 1] + 0.5;
    return { type: 'bar', instrumentId: 'X', ts: t0 + i * 60_000, open, high: Math.max(open, c), low: Math.min(open, c), close: c, volume: 1000 };
  });
  const file = join(dir, 'TIE-1m.csv');
  writeBars(file, bars);
  const at = (bar: number) => new Date(t0 + (bar - 1) * 60_000).toISOString();

  // keep: bar 5 (+ after −, 0) is an upward cross → buy at bar 6's open (11.5); bar 6 (−) → sell at bar 7's
  // open (9.5); bar 7 (+) → buy at bar 8's open (16.5); bar 8 (−) → sell at bar 9's open (1.5).
  const keep = backtest(file, 'fast=2,slow=3', ['--sizing', 'units:10']);
  assert.deepEqual(keep.trades.map((t) => [t.entryTime, t.entryPrice, t.exitTime, t.exitPrice, t.quantity, t.pnl]), [
    [at(6), 11.5, at(7), 9.5, 10, -20],
    [at(8), 16.5, at(9), 1.5, 10, -150],
  ]);
  assert.equal(keep.ledger.cash, '99830.00');

  // break: the tie on bar 4 ends the downward side, so bar 5 is no cross; bar 6's downward cross has nothing to
  // exit; bars 7 and 8 trade as above.
  const brk = backtest(file, 'fast=2,slow=3,ties=break', ['--sizing', 'units:10']);
  assert.deepEqual(brk.trades.map((t) => [t.entryTime, t.entryPrice, t.exitTime, t.exitPrice, t.quantity, t.pnl]), [
    [at(8), 16.5, at(9), 1.5, 10, -150],
  ]);
  assert.equal(brk.ledger.cash, '99850.00');
});

/**
 * An independent reference: windows summed afresh on every bar (no running sum), signal on the close,
 * market fill at the next bar's open, the whole position out on exit, fees 0.1% of notional rounded half-up
 * to the cent per fill, cash in exact micro-dollars.
 */
function reference(bars: readonly Bar[], ties: 'keep' | 'break', units: number): { trades: Omit<Trade, 'pnl'>[]; cash: string } {
  const fast = 10;
  const slow = 30;
  const micro = (p: number) => BigInt(Math.round(p * 1e6));
  const feeMicro = (notionalMicro: bigint) => ((notionalMicro * 2n + 10_000_000n) / 20_000_000n) * 10_000n; // 0.1%, half-up to cents
  let cash = 100_000_000_000n;
  let held = 0;
  let pending: 'buy' | 'sell' | undefined;
  let lastSign = 0;
  let entry: { time: string; price: number } | undefined;
  const trades: Omit<Trade, 'pnl'>[] = [];
  for (let i = 0; i < bars.length; i++) {
    const b = bars[i];
    if (pending !== undefined) {
      const notional = micro(b.open) * BigInt(units);
      if (pending === 'buy') {
        cash -= notional + feeMicro(notional);
        held = units;
        entry = { time: new Date(b.ts).toISOString(), price: b.open };
      } else {
        cash += notional - feeMicro(notional);
        held = 0;
        trades.push({ entryTime: entry!.time, entryPrice: entry!.price, exitTime: new Date(b.ts).toISOString(), exitPrice: b.open, quantity: units });
      }
      pending = undefined;
    }
    if (i + 1 < slow) continue;
    let f = 0;
    for (let k = i - fast + 1; k <= i; k++) f += bars[k].close;
    let s = 0;
    for (let k = i - slow + 1; k <= i; k++) s += bars[k].close;
    const diff = f / fast - s / slow;
    const sign = diff > 0 ? 1 : diff < 0 ? -1 : 0;
    if (sign === 0) {
      if (ties === 'break') lastSign = 0;
      continue;
    }
    const crossed = lastSign !== 0 && sign !== lastSign;
    lastSign = sign;
    if (!crossed) continue;
    if (sign > 0 && held === 0) pending = 'buy';
    else if (sign < 0 && held > 0) pending = 'sell';
  }
  assert.equal(held, 0, 'the reference expects the data to end flat');
  const whole = cash / 1_000_000n;
  // The ledger prints at least the currency's two decimals, and every further digit that is not zero.
  const frac = (cash % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '').padEnd(2, '0');
  return { trades, cash: `${whole}.${frac}` };
}

test('200,000 one-minute bars from real ORCL days, SMA 10/30, 1,000 units, 0.1%: the same trades and cash as the reference, for both tie rules', () => {
  const source = loadMarketData(ORCL);
  assert.equal(source.kind, 'bars');
  const bars = generateBars(source.kind === 'bars' ? source.bars : [], 200_000);
  const file = join(dir, 'ORCL-1m.csv');
  writeBars(file, bars);
  const counts: Record<string, number> = {};
  for (const ties of ['keep', 'break'] as const) {
    const ref = reference(bars, ties, 1000);
    const got = backtest(file, `fast=10,slow=30,ties=${ties}`, ['--cash', '100000', '--commission-pct', '0.1', '--sizing', 'units:1000']);
    assert.equal(got.openPositions.length, 0);
    assert.equal(got.trades.length, ref.trades.length, `${ties}: trade count`);
    for (let i = 0; i < ref.trades.length; i++) {
      const g = got.trades[i];
      const r = ref.trades[i];
      assert.deepEqual([g.entryTime, g.entryPrice, g.exitTime, g.exitPrice, g.quantity], [r.entryTime, r.entryPrice, r.exitTime, r.exitPrice, r.quantity], `${ties}: trade ${i}`);
    }
    assert.equal(got.ledger.cash, ref.cash, `${ties}: cash to the micro-dollar`);
    counts[ties] = got.trades.length;
  }
  // The averages tie on 20 bars of this file (once per replayed period of the source); under `break` each of
  // them skips one round trip, which is the gap the issue measured against the other engine.
  assert.equal(counts.keep - counts.break, 20);
});
