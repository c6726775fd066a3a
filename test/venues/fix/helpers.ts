import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrderRequest, VenueReport } from '../../../src/model/index.ts';
import { markApproved, type ApprovedOrder } from '../../../src/risk/approved-order.ts';
import { createFixVenue, type FixConfigInput, type FixVenue } from '../../../src/venues/fix/index.ts';

export const SECRET = 'fix-pass-7c41d9e0';

/** A venue against a local counterparty, with every report and log line collected. */
export interface Harness {
  venue: FixVenue;
  reports: VenueReport[];
  logs: string[];
}

export function storePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'keel-fix-')), 'session.json');
}

export async function fixVenue(port: number, store: string, extra: Partial<FixConfigInput> = {}, target = 'ACCEPTOR'): Promise<Harness> {
  const logs: string[] = [];
  const reports: VenueReport[] = [];
  const venue = await createFixVenue({
    host: '127.0.0.1', port, senderCompId: 'KEEL', targetCompId: target, store, symbols: ['ORCL'], password: SECRET, username: 'keel',
    trace: true, heartbeatSeconds: 30, reconnect: { baseMs: 20, maxMs: 100 }, timeouts: { statusMs: 2000 }, ...extra,
  }, { log: (l) => logs.push(l) });
  venue.onReport((r) => reports.push(r));
  return { venue, reports, logs };
}

let n = 0;
export function limit(side: 'buy' | 'sell', qty: number, priceCents: number, id = `t-${++n}`): ApprovedOrder {
  return markApproved({ type: 'limit', clientOrderId: id, strategyId: 't', instrumentId: 'ORCL', side, quantity: qty, limitPrice: priceCents, timeInForce: 'DAY', reduceOnly: false, createdAt: 0, tag: undefined } as OrderRequest);
}

export function market(side: 'buy' | 'sell', qty: number, id = `t-${++n}`): ApprovedOrder {
  return markApproved({ type: 'market', clientOrderId: id, strategyId: 't', instrumentId: 'ORCL', side, quantity: qty, notional: undefined, timeInForce: 'DAY', reduceOnly: false, createdAt: 0, tag: undefined } as OrderRequest);
}

export function types(h: Harness, id: string): string[] {
  return h.reports.filter((r) => r.clientOrderId === id).map((r) => r.type);
}
