import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { stringify } from 'yaml';
import type { AlpacaVenueServer } from '../../src/venues/alpaca-server/index.ts';
import { openPostgresJournal } from '../../src/store/postgres/index.ts';
import { alpacaConfig, KEY, SECRET, startAlpacaVenue } from './alpaca-paper.ts';
import { spawnKeel, type KeelProcess } from './cli.ts';

/**
 * An active/standby pair's world on this machine, for the failover tests and bench/failover.ts: the
 * Alpaca-compatible venue (in this process, over real sockets, its market stepped every `barMs`), a
 * PostgreSQL journal in a schema of its own, and one run config both `keel paper --role ...` processes share.
 */
export const PG_URL = process.env.KEEL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface FailoverRig {
  readonly server: AlpacaVenueServer;
  readonly schema: string;
  readonly config: string;
  readonly dir: string;
  /** A node of the pair: `keel paper --config <config> --role <role>`, its crash point optional. */
  node(role: 'active' | 'standby', env?: NodeJS.ProcessEnv): KeelProcess;
  /** Every order the venue holds for the account (client order id, status, filled quantity). */
  venueOrders(): Promise<Array<{ clientOrderId: string; status: string; filledQty: string }>>;
  /** Journal vs venue: orders (ids and filled quantity) and the position; a list of differences, empty when equal. */
  differences(): Promise<string[]>;
  /** Epochs of the journal's order.submitted events by client order id. */
  submitEpochs(): Promise<Map<string, number | null>>;
  close(): Promise<void>;
}

export interface RigOptions {
  readonly leaseMs?: number;
  readonly renewMs?: number;
  readonly pollMs?: number;
  readonly barMs?: number;
  /** Extra top-level run-config sections (backup, escalation, api ...). */
  readonly extra?: Record<string, unknown>;
}

export async function startFailoverRig(o: RigOptions = {}): Promise<FailoverRig> {
  const server = await startAlpacaVenue({ barIntervalMs: 'manual' });
  const stepper = setInterval(() => server.step(1), o.barMs ?? 40);
  const dir = mkdtempSync(join(tmpdir(), 'keel-failover-'));
  const schema = `keel_ha_${process.pid}_${randomBytes(3).toString('hex')}`;
  const venue = { kind: 'alpaca', paper: true, ...alpacaConfig(server) };
  delete (venue as Record<string, unknown>).keyId;
  delete (venue as Record<string, unknown>).secret;
  const config = join(dir, 'keel.yaml');
  writeFileSync(config, stringify({
    account: 'paper', strategy: { name: 'sma-cross', params: { fast: 2, slow: 5 } }, venue, journal: PG_URL, journalSchema: schema, sizing: 'units:100', snapshotEvery: 7,
    ha: { lease: o.leaseMs ?? 1500, renewEvery: o.renewMs ?? 300, pollEvery: o.pollMs ?? 100 },
    ...o.extra,
  }));
  const env = { APCA_API_KEY_ID: KEY, APCA_API_SECRET_KEY: SECRET };
  const headers = { 'APCA-API-KEY-ID': KEY, 'APCA-API-SECRET-KEY': SECRET };
  const rig: FailoverRig = {
    server, schema, config, dir,
    node: (role, extraEnv = {}) => spawnKeel(['paper', '--config', config, '--role', role], { ...env, KEEL_CRASH_AT: '', ...extraEnv }),
    async venueOrders() {
      const r = await fetch(`${server.url}/v2/orders?status=all&limit=500&direction=asc`, { headers });
      const list = await r.json() as Array<{ client_order_id: string; status: string; filled_qty: string }>;
      return list.map((x) => ({ clientOrderId: x.client_order_id, status: x.status, filledQty: x.filled_qty }));
    },
    async differences() {
      const journal = await openPostgresJournal({ connection: { url: PG_URL }, schema, readOnly: true });
      try {
        const diffs: string[] = [];
        const venueOrders = await rig.venueOrders();
        const ids = venueOrders.map((v) => v.clientOrderId);
        if (new Set(ids).size !== ids.length) diffs.push(`duplicated client order ids at the venue: ${ids.join(', ')}`);
        const mine = new Map((await journal.orders()).map((x) => [x.clientOrderId, x]));
        for (const v of venueOrders) {
          const j = mine.get(v.clientOrderId);
          if (j === undefined) diffs.push(`${v.clientOrderId}: at the venue (${v.status}), not in the journal`);
          else if (String(j.filledQuantity) !== v.filledQty) diffs.push(`${v.clientOrderId}: filled ${j.filledQuantity} in the journal, ${v.filledQty} at the venue`);
        }
        const atVenue = new Set(ids);
        for (const [id, j] of mine) if (!atVenue.has(id) && j.status !== 'REJECTED') diffs.push(`${id}: in the journal (${j.status}), not at the venue`);
        const r = await fetch(`${server.url}/v2/positions`, { headers });
        const positions = await r.json() as Array<{ symbol: string; qty: string }>;
        const venueLots = Number(positions.find((p) => p.symbol === 'ORCL')?.qty ?? 0);
        const journalLots = (await journal.positions()).find((p) => p.instrument.startsWith('ORCL'))?.lots ?? 0;
        if (venueLots !== journalLots) diffs.push(`position: journal ${journalLots}, venue ${venueLots}`);
        return diffs;
      } finally {
        await journal.close();
      }
    },
    async submitEpochs() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        const r = await c.query<{ id: string; epoch: string | null }>(`SELECT payload::json->'order'->>'clientOrderId' AS id, epoch FROM ${schema}.events WHERE type = 'order.submitted'`);
        return new Map(r.rows.map((x) => [x.id, x.epoch === null ? null : Number(x.epoch)]));
      } finally {
        await c.end();
      }
    },
    async close() {
      clearInterval(stepper);
      await server.close();
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => c.end());
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return rig;
}

/**
 * Order requests (`POST /v2/orders`, logged with KEEL_DEBUG=1 when the answer comes) that left the node at or
 * after `at` (wall ms): the line's time minus the request's duration. A request sent just before a SIGSTOP
 * is answered, and logged, only after the SIGCONT; it left before the pause, its intent journaled under the
 * old epoch before the takeover, and is not one sent after waking.
 */
export function orderRequestsSentAfter(text: string, at: number): string[] {
  const out: string[] = [];
  for (const l of text.split('\n')) {
    let line: { time?: string; msg?: string };
    try { line = JSON.parse(l) as { time: string; msg: string }; } catch { continue; }
    const m = / POST \/v2\/orders \S+ (\d+)ms/.exec(line.msg ?? '');
    if (m && Date.parse(line.time!) - Number(m[1]) >= at) out.push(line.msg!);
  }
  return out;
}

/** Lines of a node's JSON log (stderr) whose message matches `re`. */
export function logLines(text: string, re: RegExp): string[] {
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => { try { return (JSON.parse(l) as { msg: string }).msg; } catch { return l; } }).filter((m) => re.test(m));
}
