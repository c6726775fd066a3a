import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { defineInstrument, type OrderRequest } from '../../src/model/index.ts';
import { SimClock } from '../../src/kernel/index.ts';
import * as risk from '../../src/risk/index.ts';
import { ExecutionEngine, type VenueGateway } from '../../src/execution/index.ts';
import { buildOrder } from '../../src/backtest/index.ts';

const SRC = join(import.meta.dirname, '../../src');

function* files(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) yield* files(join(dir, e.name));
    else if (e.name.endsWith('.ts')) yield join(dir, e.name);
  }
}

// `npm test` type-checks this file but never calls this function. If a plain order ever became
// acceptable to a venue, the expect-error directive below would be unused, which tsc reports as an error.
function venueTakesOnlyApprovedOrders(venue: VenueGateway, plain: OrderRequest, engine: risk.RiskEngine): void {
  // @ts-expect-error an OrderRequest that did not pass the risk gate is not an ApprovedOrder
  venue.submit(plain);
  // @ts-expect-error nor is a replacement that did not pass it
  venue.replace(plain);
  const decision = engine.evaluate(plain);
  if (decision.approved) venue.submit(decision.order);
  const replacement = engine.evaluateModification(plain, { ...plain, quantity: plain.quantity });
  if (replacement.approved) venue.replace(replacement.order);
}

test('the only way to an ApprovedOrder is the risk engine: markApproved is not exported from risk/', () => {
  assert.equal('markApproved' in risk, false);
  const offenders = [...files(SRC)].filter((f) => !relative(SRC, f).startsWith('risk/') && /approved-order\.ts/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders, [], 'only risk/ may import approved-order.ts');
  assert.equal(typeof venueTakesOnlyApprovedOrders, 'function');
});

test('an order the gate refused is never handed to a venue', () => {
  const inst = defineInstrument({ id: 'ACME', priceTick: '0.01' });
  const clock = new SimClock(0);
  const engine = new risk.RiskEngine({ instruments: [inst], clock });
  const execution = new ExecutionEngine({ risk: engine, clock, instruments: new Map([[inst.id, inst]]) });
  const submitted: string[] = [];
  execution.connectVenue({ name: 'rec', submit: (o) => { submitted.push(o.clientOrderId); }, cancel() {}, replace() {} });
  const offGrid = execution.submit(buildOrder(inst, { side: 'buy', quantity: 1, limitPrice: 10.005 }, 'x1', 's', 0));
  const fine = execution.submit(buildOrder(inst, { side: 'buy', quantity: 1, limitPrice: 10.01 }, 'x2', 's', 0));
  assert.equal(offGrid.status, 'DENIED');
  assert.match(offGrid.reason!, /not on ACME's tick grid/);
  assert.equal(fine.status, 'SUBMITTED');
  assert.deepEqual(submitted, ['x2']);
});
