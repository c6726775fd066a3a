import { defineInstrument, type Bar, type Instrument } from '../src/model/index.ts';
import { Kernel, SimClock } from '../src/kernel/index.ts';
import { RiskEngine } from '../src/risk/index.ts';
import { ExecutionEngine } from '../src/execution/index.ts';
import { SimVenue } from '../src/venues/index.ts';
import { buildOrder } from '../src/backtest/index.ts';
import { everyLimit } from './risk-config.ts';

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Latency of one pre-trade evaluation with every check enabled: a stream of varied limit and market
 * orders against a book with a position and working orders, timed one by one (hrtime adds ~30-60 ns).
 */
export function gateLatency(samples: number): { p50: number; p99: number; p999: number; approved: number } {
  const inst = defineInstrument({ id: 'ORCL', priceTick: '0.01' });
  const clock = new SimClock(Date.UTC(2024, 0, 2, 15));
  const risk = new RiskEngine({ instruments: [inst], clock, config: everyLimit('ORCL'), account: { cash: () => 10n ** 20n, equity: () => 1e8 } });
  risk.onMarketEvent({ type: 'trade', instrumentId: 'ORCL', ts: clock.now(), price: 45.34, size: 100 });
  const working = buildOrder(inst, { side: 'buy', quantity: 500, limitPrice: 44 }, 'w1', 'sma-cross', clock.now());
  risk.onOrderEvent({ type: 'order.submitted', ts: clock.now(), order: working });
  const orders = Array.from({ length: 4096 }, (_, i) => buildOrder(inst, {
    side: i % 2 ? 'buy' : 'sell', quantity: 1 + (i % 300), limitPrice: i % 5 === 0 ? undefined : 45 + (i % 60) / 100,
  }, `o${i}`, 'sma-cross', clock.now()));
  const times = new Float64Array(samples);
  let approved = 0;
  for (let round = 0; round < 2; round++) { // first round warms the JIT
    for (let i = 0; i < samples; i++) {
      clock.advanceTo(clock.now() + 1);
      const o = orders[i & 4095];
      const t0 = process.hrtime.bigint();
      const d = risk.evaluate(o);
      times[i] = Number(process.hrtime.bigint() - t0);
      if (d.approved) approved++;
    }
  }
  times.sort();
  return { p50: percentile(times, 50), p99: percentile(times, 99), p999: percentile(times, 99.9), approved: approved / 2 };
}

/** Time from the kill command to every cancel handed to the venue, with `working` orders open. */
export function killLatency(working: number, rounds: number): { bestUs: number; medianUs: number } {
  const runs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const inst: Instrument = defineInstrument({ id: 'ORCL', priceTick: '0.01' });
    const clock = new SimClock(0);
    const kernel = new Kernel(clock);
    const risk = new RiskEngine({ instruments: [inst], clock });
    const execution = new ExecutionEngine({ risk, clock, instruments: new Map([[inst.id, inst]]) });
    const venue = new SimVenue({ instruments: [inst], clock, queue: kernel.queue, sink: execution });
    execution.connectVenue(venue);
    const bar: Bar = { type: 'bar', instrumentId: 'ORCL', ts: 0, open: 45, high: 46, low: 44, close: 45, volume: 1e6 };
    kernel.addHandler(venue);
    kernel.addHandler(risk);
    kernel.run([[bar]]);
    for (let i = 0; i < working; i++) execution.submit(buildOrder(inst, { side: 'buy', quantity: 1, limitPrice: 40 - (i % 100) / 100 }, `o${i}`, 's', 0));
    const t0 = process.hrtime.bigint();
    const ev = risk.activateKillSwitch({ by: 'bench', reason: 'bench', flatten: false });
    runs.push(Number(process.hrtime.bigint() - t0) / 1000);
    if (ev.canceled.length !== working) throw new Error(`expected ${working} cancels, got ${ev.canceled.length}`);
  }
  runs.sort((a, b) => a - b);
  return { bestUs: runs[0], medianUs: runs[Math.floor(runs.length / 2)] };
}
