import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMarketData } from '../../src/data/index.ts';
import { parseMoney, type Bar } from '../../src/model/index.ts';
import { BUILT_IN_STRATEGIES } from '../../src/strategy/index.ts';
import { runBacktest } from '../../src/backtest/index.ts';
import { parseAlpacaConfig, symbolMappings } from '../../src/venues/index.ts';
import { EngineMetrics, alertsConfigSchema } from '../../src/ops/index.ts';
import { loadExpectedPath, startAlerting, type EngineHandle } from '../../src/runtime/index.ts';
import { ORCL } from '../helpers/cli.ts';
import { alpacaConfig, openSqliteJournal, startAlpacaVenue, startPaperSession, stepBars } from '../helpers/alpaca-paper.ts';

const UNITS = 20_000; // ~$45k of ORCL in 1995: enough for two strategies' paths to part visibly
const BARS = 70;

/** A loopback webhook sink: every POST body, by path. */
async function sink(): Promise<{ url: string; got: (path: string) => Array<{ key: string; state: string; title: string }>; server: Server }> {
  const bodies: Array<{ path: string; body: { key: string; state: string; title: string } }> = [];
  const server = createServer((req, res) => {
    let b = '';
    req.on('data', (d) => { b += d; });
    req.on('end', () => { bodies.push({ path: req.url ?? '', body: JSON.parse(b) }); res.end('ok'); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, got: (p) => bodies.filter((x) => x.path === p).map((x) => x.body), server };
}

/** The backtest of the venue's first `bars` bars with sma-cross `params`, as its equity curve. */
function backtestCurve(instrumentFrom: Parameters<typeof alpacaConfig>[0], params: { fast: number; slow: number }, bars: number): { times: number[]; equity: number[] } {
  const data = loadMarketData(ORCL);
  if (data.kind !== 'bars') throw new Error('ORCL is bars');
  const instrument = symbolMappings(parseAlpacaConfig(alpacaConfig(instrumentFrom)))[0].instrument;
  const events: Bar[] = data.bars.slice(0, bars).map((b) => ({ ...b, instrumentId: instrument.id }));
  const run = runBacktest({
    strategyId: 'sma-cross', strategyClass: BUILT_IN_STRATEGIES['sma-cross'], params, instrument, events,
    initialCash: parseMoney('100000', 'cash'), sizing: { kind: 'units', units: UNITS },
  });
  return { times: [...run.recorder.times.subarray(0, run.events)], equity: [...run.recorder.equity.subarray(0, run.events)] };
}

test('built-in alert rules on a running engine: PnL off the expected path, acknowledgement latency and the venue reject rate reach a webhook', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-alert-feed-'));
  const server = await startAlpacaVenue({ untilBar: BARS + 40 });
  const hook = await sink();
  const stops: Array<() => Promise<unknown>> = [];
  try {
    // The expected paths: a backtest of the same strategy (as deployed) and one of other parameters, as files.
    const same = backtestCurve(server, { fast: 2, slow: 5 }, BARS);
    const other = backtestCurve(server, { fast: 5, slow: 20 }, BARS);
    writeFileSync(join(dir, 'result.json'), JSON.stringify({ equityCurve: { time: same.times.map((t) => new Date(t).toISOString()), equity: same.equity } }));
    writeFileSync(join(dir, 'other.csv'), ['Date,Equity', ...other.times.map((t, i) => `${new Date(t).toISOString()},${other.equity[i]}`)].join('\n'));
    const apart = Math.max(...same.equity.map((e, i) => (100 * Math.abs(e - other.equity[i])) / other.equity[i]));
    assert.ok(apart > 1, `the two backtests part by ${apart.toFixed(2)}%`);
    const threshold = apart / 2;

    const journal = await openSqliteJournal({ path: join(dir, 'journal.sqlite') });
    const metrics = new EngineMetrics({ defaultMetrics: false });
    let handle: EngineHandle | undefined;
    const session = await startPaperSession(server, journal, {}, { onHandle: (h) => { handle = h; }, metrics, sizing: { kind: 'units', units: UNITS } });
    // Stopped however the test ends (a failed assertion must not leave the engine running).
    stops.push(async () => { await session.stop().catch(() => undefined); await journal.close().catch(() => undefined); });
    const alerting = (name: string, rules: Record<string, unknown>, expectedPath?: string) => {
      const config = alertsConfigSchema.parse({ channels: [{ type: 'webhook', name, url: `${hook.url}/${name}`, minSeverity: 'info' }], rules });
      const a = startAlerting(handle!, config as never, () => {}, { metrics, everyMs: 25, expectedPath: expectedPath === undefined ? undefined : loadExpectedPath(join(dir, expectedPath)) });
      stops.push(a.stop);
      return a;
    };
    alerting('as-backtested', { pnlDeviationPct: threshold }, 'result.json');
    alerting('other-params', { pnlDeviationPct: threshold }, 'other.csv');
    alerting('latency', { ackLatencyMs: 0.001, minOrders: 1 });
    // The whole session is inside the window: the rate climbs from 0% as rejects replace fills.
    alerting('rejects', { rejectRatePct: 20, minOrders: 1, windowMs: 600_000 });

    await stepBars(server, session.venue, BARS, 30);
    // Later bars are past both paths' ends: no expectation there, so no alert either way.
    const deviation = hook.got('/other-params').filter((a) => a.state === 'firing');
    assert.equal(deviation.length, 1, JSON.stringify(hook.got('/other-params')));
    assert.equal(deviation[0].key, 'rule:pnl-deviation');
    assert.match(deviation[0].title, /pnl-deviation: equity \d+\.\d\d is \d+\.\d\d% (below|above) the expected path's \d+\.\d\d/);
    assert.deepEqual(hook.got('/as-backtested'), [], 'the run follows its own backtest: no alert');
    assert.ok(hook.got('/latency').some((a) => a.key === 'rule:ack-latency' && /order acknowledgement p99 [\d.]+ ms/.test(a.title)), JSON.stringify(hook.got('/latency')));
    assert.deepEqual(hook.got('/rejects'), [], 'nothing rejected yet');

    // The venue starts rejecting every order: the reject-rate rule fires.
    server.faults.set({ rejectProbability: 1 });
    for (let i = 0; i < 40 && !hook.got('/rejects').some((a) => a.state === 'firing'); i++) await stepBars(server, session.venue, 1, 30);
    const rejects = hook.got('/rejects');
    assert.equal(rejects[0]?.key, 'rule:reject-rate', JSON.stringify(rejects));
    assert.match(rejects[0].title, /venue reject rate (2\d|3\d)% \(threshold 20%\)/);
    assert.ok((await journal.orders()).some((o) => o.status === 'REJECTED'));
  } finally {
    for (const stop of stops.reverse()) await stop();
    hook.server.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
