import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMarketData, validateMarketData, type LoadedData, type LoadOptions } from '../../src/data/index.ts';
import { tempCsv } from './temp-files.ts';

/**
 * The loader reads well-formed rows from bytes and any other row through the string path. Quoting a field
 * sends its row down the string path, so a file and its fully quoted twin must load the same, and every
 * problem must be reported the same wherever it sits in a file read in chunks.
 */

function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Rows of a random but mostly sane file of `layout`: [header, rows as field lists]. */
function randomFile(seed: number, layout: 'ohlcv' | 'date-time' | 'trades' | 'quotes', faults: boolean): [string, string[][]] {
  const rnd = random(seed);
  const fault = (p: number) => faults && rnd() < p;
  const rows: string[][] = [];
  let t = Date.UTC(2006, 2, 10, 5);
  let price = 20 + rnd() * 80;
  const decimals = Math.floor(rnd() * 7);
  const step = [1, 250, 60_000, 3_600_000, 86_400_000][Math.floor(rnd() * 5)];
  for (let i = 0; i < 400; i++) {
    t += fault(0.05) ? -step : rnd() < 0.05 ? 40 * step : rnd() < 0.02 ? 0 : step;
    price *= 1 + (rnd() - 0.5) * (rnd() < 0.02 ? 1 : 0.01);
    const d = new Date(t);
    const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    const stamp = step < 1000 ? `${date}T${time}.${pad(d.getUTCMilliseconds(), 3)}Z` : `${date} ${time}`;
    const p = () => (price * (1 + (rnd() - 0.5) * 0.01)).toFixed(decimals);
    const vol = fault(0.02) ? '-5' : String(Math.floor(rnd() * 1e6));
    if (layout === 'trades') rows.push([stamp, p(), vol]);
    else if (layout === 'quotes') { const bid = p(); rows.push([stamp, bid, (Number(bid) + rnd() * (fault(0.03) ? -1 : 0.05)).toFixed(decimals + 2)]); }
    else {
      const o = p(), c = p();
      const h = fault(0.03) ? p() : String(Math.max(Number(o), Number(c), Number(p())));
      const l = fault(0.03) ? p() : String(Math.min(Number(o), Number(c), Number(p())));
      rows.push(layout === 'date-time' ? [date, time, o, h, l, c, vol] : [stamp, o, h, l, c, vol]);
    }
  }
  const header = { ohlcv: 'Date,Open,High,Low,Close,Volume', 'date-time': 'Date,Time,Open,High,Low,Close,Volume', trades: 'Datetime,Price,Size', quotes: 'Timestamp,Bid,Ask' }[layout];
  return [header, rows];
}

/** Everything a load gives, as comparable JSON (the events array included, `from` left out). */
function snapshot(d: LoadedData): string {
  const { from: _from, events: _events, ...rest } = d;
  return JSON.stringify(rest);
}

/** The load, or its error with the file's path taken out (the twins have different names). */
function loadOrError(path: string, opts: LoadOptions): string {
  try {
    return snapshot(loadMarketData(path, { instrumentId: 'X', ...opts }));
  } catch (e) {
    return `error: ${(e as Error).message.replaceAll(path, 'FILE')}`;
  }
}

test('a file and its fully quoted twin (every row on the string path) load and validate identically', () => {
  for (const [i, layout] of (['ohlcv', 'date-time', 'trades', 'quotes'] as const).entries()) {
    for (const [timeZone, faults] of [['UTC', true], ['UTC', false], ['America/New_York', false]] as const) {
      const [header, rows] = randomFile(100 + i, layout, faults);
      const plain = tempCsv(`plain-${layout}-${i}.csv`, [header, ...rows.map((r) => r.join(','))].join('\n') + '\n');
      const quoted = tempCsv(`quoted-${layout}-${i}.csv`, [header, ...rows.map((r) => r.map((f) => `"${f}"`).join(','))].join('\n') + '\n');
      const report = validateMarketData(plain, { timeZone });
      assert.deepEqual(report, validateMarketData(quoted, { timeZone }), `${layout} ${timeZone}`);
      assert.equal(report.errors.length > 0, faults, 'faults make errors, else only warnings');
      assert.equal(loadOrError(plain, { timeZone }), loadOrError(quoted, { timeZone }), `${layout} ${timeZone}`);
    }
  }
});

test('rows the byte path declines mid-file are read by the string path in place, with the same values and lines', () => {
  for (const faults of [true, false]) {
  const [header, rows] = randomFile(7, 'ohlcv', faults);
  const same = rows.map((r) => r.slice());
  same[10] = same[10].map((f) => ` ${f}\t`); // padded: the string path trims
  same[20][5] = same[20][5].replace(/^(\d)(\d*)$/, (_, a: string, b: string) => `${a}.${b}e${b.length}`); // an exponent: same number
  same[30][4] = `"${same[30][4]}"`; // one quoted field
  same[40][0] = `\t${same[40][0]}`;
  const write = (name: string, r: string[][]) => tempCsv(name, [header, ...r.map((f) => f.join(','))].join('\r\n'));
  const original = write('original.csv', rows);
  const declined = write('declined.csv', same);
  assert.deepEqual(validateMarketData(declined), validateMarketData(original));
  assert.equal(loadOrError(declined, {}), loadOrError(original, {}));
  }
});

test('line numbers and errors stay exact across 4 MB read chunks, blank lines and a line longer than a chunk', () => {
  const header = 'Date,Open,High,Low,Close,Volume';
  const lines: string[] = [header];
  const want: Array<[number, string]> = [];
  let t = Date.UTC(2001, 0, 1);
  for (let i = 0; lines.length < 130_000; i++) {
    t += 60_000;
    const d = new Date(t).toISOString();
    const stamp = `${d.slice(0, 10)} ${d.slice(11, 19)}`;
    const n = lines.length + 1; // the line number this row will have
    if (i % 9973 === 17) { lines.push(`${stamp},10,11,9,abc,100`); want.push([n, 'NOT_A_NUMBER']); continue; }
    if (i % 7919 === 5) { lines.push(''); continue; }
    if (i === 60_000) {
      lines.push(`${stamp},10,11,9,10,100,${'x'.repeat(5 << 20)}`); // 5 MB: more than a read chunk
      want.push([n, 'WRONG_FIELD_COUNT']);
      continue;
    }
    lines.push(`${stamp},10.5,11.25,9.75,10.125,${i}`);
  }
  const path = tempCsv('chunks.csv', lines.join('\n'));
  const report = validateMarketData(path);
  assert.deepEqual(report.errors.map((e) => [e.line, e.code]), want);
  assert.equal(report.rows, lines.filter((l) => l !== '').length - 1);
  assert.equal(report.lastTs, t, 'the last line, without a final newline, is read');
});
