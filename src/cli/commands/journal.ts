import { KeelError, formatMoney, type Instrument } from '../../model/index.ts';
import type { Journal, JournalRecord } from '../../store/index.ts';
import { openJournalArg } from '../journal-arg.ts';
import { Strategy } from '../../strategy/index.ts';
import { SocketVenue } from '../../venues/index.ts';
import { parseSizing } from '../../backtest/index.ts';
import { runPaperEngine } from '../../runtime/index.ts';
import { numberFlag, parseFlags, required } from '../args.ts';
import { parseExternal } from './paper.ts';

export const JOURNAL_HELP = `keel state --journal FILE [--events N]      positions, open orders and the last events of a journal
keel reconcile --journal FILE --venue HOST:PORT [--account ID] [--external flag|adopt]
                                            replay the journal, compare with the venue, journal the corrections
                                            and print the report (the engine must not be running); --external
                                            adopt books orders placed outside Keel under strategy "external"
`;

function openExisting(path: string, schema: string | undefined, readOnly = false): Promise<Journal> {
  return openJournalArg(path, { schema, mustExist: true, readOnly });
}

export async function stateCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, { journal: { type: 'string' }, 'journal-schema': { type: 'string' }, events: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const, 'state');
  if (v.help) { process.stdout.write(JOURNAL_HELP); return 0; }
  // Read-only: `keel state` may look at the journal of a running engine.
  const journal = await openExisting(required(v.journal, '--journal', 'e.g. --journal run/journal.sqlite'), v['journal-schema'], true);
  try {
    const n = numberFlag(v.events ?? '10', '--events', { integer: true, min: 0 })!;
    const last = await journal.lastSeq();
    const out: string[] = [`journal ${journal.location}: ${last} events`];
    const positions = (await journal.positions()).filter((p) => p.lots !== 0);
    out.push('positions:', ...(positions.length ? positions.map((p) => `  ${p.account} ${p.instrument} ${p.lots} lots`) : ['  none']));
    const open = await journal.orders({ openOnly: true });
    out.push('open orders:', ...(open.length ? open.map((o) => `  ${o.clientOrderId} ${o.side} ${o.quantity} lots ${o.type} ${o.instrument}: ${o.status}, filled ${o.filledQuantity}`) : ['  none']));
    const balances = await journal.balances();
    if (balances.length) out.push('balances:', ...balances.map((b) => `  ${b.account} cash ${formatMoney(BigInt(b.cash), b.currency)} ${b.currency}`));
    const events = await lastEngineEvents(journal, last, n);
    out.push(`last ${events.length} events${events.length > 0 && events[0].seq < last - n + 1 ? ' (recorded market data not shown)' : ''}:`, ...events.map((e) => `  #${e.seq} ${new Date(e.ts).toISOString()} ${e.type}${summarize(e.payload)}`));
    process.stdout.write(out.join('\n') + '\n');
    return 0;
  } finally {
    await journal.close();
  }
}

function summarize(payload: unknown): string {
  if (payload === null || typeof payload !== 'object') return '';
  const p = payload as Record<string, unknown>;
  const id = (p.order as { clientOrderId?: string } | undefined)?.clientOrderId ?? p.clientOrderId;
  const reason = typeof p.reason === 'string' ? `: ${p.reason}` : '';
  return id ? ` ${id}${reason}` : reason;
}

/** Built only to host the engine's books during a reconciliation; it never trades. */
class Idle extends Strategy<{}> {
  static override params = {};
}

export async function reconcileCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, { journal: { type: 'string' }, 'journal-schema': { type: 'string' }, venue: { type: 'string' }, account: { type: 'string' }, external: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const, 'reconcile');
  if (v.help) { process.stdout.write(JOURNAL_HELP); return 0; }
  const external = parseExternal(v.external);
  const journal = await openExisting(required(v.journal, '--journal', 'e.g. --journal run/journal.sqlite'), v['journal-schema']);
  const venueArg = required(v.venue, '--venue', 'e.g. --venue 127.0.0.1:7400');
  const m = /^([^:]+):(\d+)$/.exec(venueArg);
  try {
    if (!m) throw new KeelError('BAD_ARGUMENT', 'must be HOST:PORT', { field: '--venue', value: venueArg });
    let venue: SocketVenue;
    try {
      venue = await SocketVenue.connect(m[1], Number(m[2]), v.account ?? 'paper');
    } catch (err) {
      throw new KeelError('VENUE_UNREACHABLE', `cannot be reached: ${(err as Error).message}`, { field: '--venue', value: venueArg });
    }
    try {
      const instrument: Instrument = venue.instrument;
      const summary = await runPaperEngine({
        account: v.account ?? 'paper', strategyId: 'reconcile', strategyClass: Idle, params: {}, strategyVersion: 'keel reconcile',
        instrument, initialCash: 0n, sizing: parseSizing('units:1'), journal, venue, reconcileOnly: true, external,
      });
      process.stdout.write(summary.reconciliation.lines.join('\n') + '\n');
      return summary.reconciliation.verdict === 'ACTIVE' ? 0 : 1;
    } finally {
      await venue.close();
    }
  } finally {
    await journal.close();
  }
}

/**
 * The last `n` events that are not recorded market data (`market.*`: one per bar the engine saw, kept for
 * post-trade analysis), reading backwards in growing pages.
 */
async function lastEngineEvents(journal: Journal, last: number, n: number): Promise<JournalRecord[]> {
  let found: JournalRecord[] = [];
  let to = last;
  for (let step = Math.max(n, 100); found.length < n && to >= 1; step *= 2) {
    const from = Math.max(1, to - step + 1);
    const page = await journal.read({ fromSeq: from, limit: to - from + 1 });
    found = [...page.filter((e) => !e.type.startsWith('market.')), ...found];
    to = from - 1;
  }
  return n === 0 ? [] : found.slice(-n);
}
