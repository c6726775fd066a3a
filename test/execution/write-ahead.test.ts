import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineInstrument, type OrderEvent } from '../../src/model/index.ts';
import { Kernel, SimClock } from '../../src/kernel/index.ts';
import { RiskEngine } from '../../src/risk/index.ts';
import { ExecutionEngine, type VenueRequest, type WriteAheadLog } from '../../src/execution/index.ts';
import { SimVenue } from '../../src/venues/index.ts';
import { buildOrder } from '../../src/backtest/index.ts';
import { bar } from '../helpers/sim-harness.ts';

/** A journal whose commits the test releases by hand, recording what was written and what reached the venue. */
function setup() {
  const inst = defineInstrument({ id: 'TEST', priceTick: '0.01' });
  const clock = new SimClock(0);
  const kernel = new Kernel(clock);
  const log: string[] = [];
  const pending: Array<() => void> = [];
  const wal: WriteAheadLog = {
    beforeSend(r: VenueRequest, send) {
      log.push(`journal ${r.kind} ${r.kind === 'cancel' ? r.clientOrderId : r.event.type}`);
      pending.push(() => { log.push(`durable ${r.kind}`); send(); });
    },
    record(e: OrderEvent) { log.push(`journal ${e.type}`); },
  };
  const risk = new RiskEngine({ instruments: [inst], clock });
  const execution = new ExecutionEngine({ risk, clock, instruments: new Map([[inst.id, inst]]), writeAhead: wal });
  const venue = new SimVenue({ instruments: [inst], clock, queue: kernel.queue, sink: execution });
  execution.connectVenue({
    name: 'sim',
    submit(o) { log.push(`venue submit ${o.clientOrderId}`); venue.submit(o); },
    cancel(id) { log.push(`venue cancel ${id}`); venue.cancel(id); },
    replace(o) { log.push(`venue replace ${o.clientOrderId}`); venue.replace(o); },
  });
  kernel.addHandler(venue);
  const release = () => { while (pending.length) pending.shift()!(); };
  return { inst, clock, kernel, execution, log, release, pending };
}

test('write-ahead: nothing reaches the venue before its intent is durable; reports are journaled as they come', () => {
  const s = setup();
  s.kernel.run([[bar(0, 10, 10, 10, 10)]]);
  s.execution.submit(buildOrder(s.inst, { side: 'buy', quantity: 5, limitPrice: 9 }, 'a1', 'st', 0));
  assert.deepEqual(s.log, ['journal submit order.submitted'], 'journaled, not sent');
  assert.equal(s.execution.orders.get('a1')!.status, 'SUBMITTED');
  s.release();
  assert.deepEqual(s.log.slice(1), ['durable submit', 'venue submit a1']);
  s.kernel.run([[bar(1, 9, 9, 8, 9)]]);
  assert.deepEqual(s.log.slice(3), ['journal order.accepted', 'journal order.filled']);
});

test('write-ahead: cancels and replaces are journaled before they are sent; denials are journaled too', () => {
  const s = setup();
  s.kernel.run([[bar(0, 10, 10, 10, 10)]]);
  s.execution.submit(buildOrder(s.inst, { side: 'buy', quantity: 5, limitPrice: 9 }, 'a1', 'st', 0));
  s.release();
  s.kernel.run([[bar(1, 10, 10, 10, 10)]]);
  s.log.length = 0;
  s.execution.modify('a1', { limitPrice: 901 as never });
  s.execution.cancel('a1');
  assert.deepEqual(s.log, ['journal replace order.pending-update', 'journal cancel a1']);
  s.release();
  assert.deepEqual(s.log.slice(2), ['durable replace', 'venue replace a1', 'durable cancel', 'venue cancel a1']);
  s.log.length = 0;
  s.execution.submit(buildOrder(s.inst, { side: 'buy', quantity: 0 }, 'bad', 'st', 0));
  assert.deepEqual(s.log, ['journal order.denied'], 'a denial is journaled and nothing is sent');
});
