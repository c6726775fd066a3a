import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMarketData } from '../../src/data/index.ts';
import { buildCompactResult, buildResult, expandResult, runBacktest, writeResultJson, type BacktestRun } from '../../src/backtest/index.ts';
import { JsonFileWriter } from '../../src/backtest/json-bytes.ts';
import { isoTime } from '../../src/backtest/iso-time.ts';
import { BUILT_IN_STRATEGIES, resolveParams } from '../../src/strategy/index.ts';
import { percentFee } from '../../src/venues/index.ts';
import { defineInstrument, parseMoney } from '../../src/model/index.ts';
import { ORCL } from '../helpers/cli.ts';

/**
 * result.json is streamed from the run's typed arrays; it must be exactly what JSON.stringify made of the
 * whole result before: the same bytes, not just the same JSON.
 */

const dir = mkdtempSync(join(tmpdir(), 'keel-result-json-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
}

/** What the writer puts in a file for one list nested two deep. */
function written(write: (w: JsonFileWriter) => void): string {
  const path = join(dir, 'list.json');
  const w = JsonFileWriter.create(path);
  w.text('{\n  "a": {\n    "b": ');
  write(w);
  w.text('\n  }\n}');
  w.close();
  return readFileSync(path, 'utf8');
}

test('number lists are the bytes JSON.stringify writes: integers, amounts, float noise, -0, NaN, extremes, repeats', () => {
  const rnd = random(3);
  const values = [0, -0, 1, -1, 0.1, 0.5, 0.001, 0.0005, 1e-7, 5e-324, 1e21, 1e15, 999999999999.999, -123456.789, 0.1 + 0.2, 102164.44099999999,
    NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 31), 2 ** 31, 100000, 100000, 100000, -0.0015287736032371102, 1 / 3];
  for (let i = 0; i < 50_000; i++) {
    const r = rnd();
    values.push(r < 0.3 ? Math.round((rnd() - 0.2) * 1e9) / 1000 : r < 0.5 ? Math.round(rnd() * 1e6) : r < 0.6 ? values[values.length - 1] : (rnd() - 0.7) * 10 ** (rnd() * 30 - 15));
  }
  const list = Float64Array.from(values);
  assert.equal(written((w) => w.numberList(list, 2)), JSON.stringify({ a: { b: Array.from(list) } }, null, 2));
  assert.equal(written((w) => w.numberList(new Float64Array(0), 2)), JSON.stringify({ a: { b: [] } }, null, 2));
});

test('time lists and isoTime are exactly toISOString: minutes, days, before 1970, years past 9999, fractions of a ms', () => {
  const rnd = random(5);
  const times = [0, -1, 1, 1.5, -86_400_000, Date.UTC(2024, 1, 29, 23, 59, 59, 999), 253402300799999, 253402300800000, -62167219200001, 8.64e15];
  for (let i = 0; i < 50_000; i++) times.push(rnd() < 0.5 ? Date.UTC(2000, 0, 3) + i * 60_000 : Math.floor((rnd() - 0.3) * 4e12));
  const list = Float64Array.from(times);
  assert.equal(written((w) => w.timeList(list, 2)), JSON.stringify({ a: { b: times.map((t) => new Date(t).toISOString()) } }, null, 2));
  for (const t of times) assert.equal(isoTime(t), new Date(t).toISOString(), String(t));
  assert.throws(() => isoTime(NaN), RangeError, 'an invalid time fails as Date does');
});

function orclRun(params: Record<string, unknown> = {}): BacktestRun {
  const data = loadMarketData(ORCL);
  const cls = BUILT_IN_STRATEGIES['sma-cross'];
  return runBacktest({
    strategyId: 'sma-cross', strategyClass: cls, params: { ...resolveParams(cls.params, { fast: 10, slow: 30 }, 'sma-cross'), ...params },
    instrument: defineInstrument({ id: 'ORCL', priceTick: '0.000001' }), events: data.events, initialCash: parseMoney('100000', 'cash'),
    sizing: { kind: 'all-in' }, fees: percentFee('0.1'),
  });
}

test('writeResultJson writes JSON.stringify(buildResult(...), null, 2) byte for byte, whatever the strings hold', () => {
  // A parameter that spells the writer's placeholder, and text JSON escapes or leaves as UTF-8.
  const meta = {
    strategyName: 'sma-cross', params: { note: '\u0000keel:equity-curve\u0000', text: 'crème "brûlée"\n\t✓ \ud83d\ude00' },
    dataSource: ORCL, dataLayout: 'yahoo', dataWarnings: 0, config: { cash: '100000', equityCurve: 'not the curve' },
  };
  const run = orclRun();
  const path = join(dir, 'result.json');
  writeResultJson(path, buildCompactResult(run, meta));
  const expected = JSON.stringify(buildResult(run, meta), null, 2) + '\n';
  assert.equal(readFileSync(path, 'utf8'), expected);
  assert.ok(expected.length > 300_000, 'a real curve (5,036 points)');
  assert.deepEqual(expandResult(buildCompactResult(run, meta)), buildResult(run, meta));
});

test('a run with no events writes empty lists as JSON.stringify does', () => {
  const cls = BUILT_IN_STRATEGIES['buy-and-hold'];
  const run = runBacktest({
    strategyId: 'b', strategyClass: cls, params: resolveParams(cls.params, {}, 'buy-and-hold'), instrument: defineInstrument({ id: 'X', priceTick: '0.01' }),
    events: [], initialCash: parseMoney('1000', 'cash'), sizing: { kind: 'all-in' },
  });
  const meta = { strategyName: 'b', params: {}, dataSource: 'none', dataLayout: 'none', dataWarnings: 0, config: {} };
  const path = join(dir, 'empty.json');
  writeResultJson(path, buildCompactResult(run, meta));
  assert.equal(readFileSync(path, 'utf8'), JSON.stringify(buildResult(run, meta), null, 2) + '\n');
});

test('a backtest over events made on demand from columns equals one over the array of bars', () => {
  const data = loadMarketData(ORCL);
  assert.ok(data.kind === 'bars');
  const cls = BUILT_IN_STRATEGIES['sma-cross'];
  const spec = {
    strategyId: 'sma-cross', strategyClass: cls, params: resolveParams(cls.params, { fast: 10, slow: 30 }, 'sma-cross'),
    instrument: defineInstrument({ id: 'ORCL', priceTick: '0.000001' }), initialCash: parseMoney('100000', 'cash'), sizing: { kind: 'all-in' as const },
    fees: percentFee('0.1'),
  };
  const meta = { strategyName: 'sma-cross', params: spec.params, dataSource: ORCL, dataLayout: 'yahoo', dataWarnings: 0, config: {} };
  const onDemand = buildResult(runBacktest({ ...spec, events: data.events }), meta);
  const array = buildResult(runBacktest({ ...spec, events: data.bars }), meta);
  assert.deepEqual(onDemand, array);
  assert.ok(onDemand.trades.length > 10);
});
