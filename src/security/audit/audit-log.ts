import { KeelError } from '../../model/index.ts';
import type { AuditTable } from '../../store/index.ts';
import { checkAuditEvent, type AuditEvent, type AuditRecord } from './audit-event.ts';
import { genesisHash, sealFor, toAuditRecord } from './chain.ts';
import { ChainWalk, type AuditHead, type AuditVerdict } from './verify-chain.ts';

/** Rows per read while verifying or exporting: a trail of any length is walked in bounded memory. */
const PAGE = 5000;

/** A time bound: a Date or UTC epoch ms. */
export type AuditTime = Date | number;

/**
 * The audit trail of one journal (docs/security.md): tamper-evident records of who did what, from where,
 * with which result. One implementation over both journal databases (the store's `AuditTable`).
 *
 * @example
 * const audit = await openAuditLog({ journal: 'run/journal.sqlite' });
 * await audit.record({ actor: 'cli:alice', origin: 'cli', action: 'user.add', target: 'bob', result: AUDIT_OK, details: { roles: ['viewer'] } });
 * const verdict = await audit.verify(); // { ok: true, records: 1, head: { seq: 1, hash: '…', chainId: '…' } }
 * await audit.close();
 */
export interface AuditLog {
  /** Where the trail is (the journal's location, without secrets). */
  readonly location: string;
  /**
   * Append an event to the chain and resolve with the stored record once it is committed (per the journal's
   * durability). Rejects with BAD_AUDIT_EVENT for an event that cannot be recorded (nothing is written), or
   * with the database's error. Appends from every process are serialised: the chain never forks.
   */
  record(event: AuditEvent): Promise<AuditRecord>;
  /** Records with `from <= ts < to` (either bound optional), in chain order. */
  read(from?: AuditTime, to?: AuditTime): Promise<AuditRecord[]>;
  /**
   * Walk the whole chain and name the first bad record: edited, inserted or deleted records are found; with
   * `expectHead` (a head recorded earlier) so is a cut-off tail or a chain rewritten from scratch.
   */
  verify(options?: { readonly expectHead?: { readonly seq: number; readonly hash: string } }): Promise<AuditVerdict>;
  /** The last record's seq and hash, and the chain id (not verified: see `verify`). */
  head(): Promise<AuditHead>;
  close(): Promise<void>;
}

/** The AuditLog over a journal's audit table. */
export class ChainedAuditLog implements AuditLog {
  private readonly table: AuditTable;
  private readonly now: () => number;

  /** `now` is the clock of record times (default Date.now; tests inject one). */
  constructor(table: AuditTable, o: { now?: () => number } = {}) {
    this.table = table;
    this.now = o.now ?? Date.now;
  }

  get location(): string {
    return this.table.location;
  }

  async record(event: AuditEvent): Promise<AuditRecord> {
    const checked = checkAuditEvent(event);
    return toAuditRecord(await this.table.append(sealFor(checked, this.now)));
  }

  async read(from?: AuditTime, to?: AuditTime): Promise<AuditRecord[]> {
    const fromTs = toMs(from, 'from');
    const toTs = toMs(to, 'to');
    const out: AuditRecord[] = [];
    for (let fromSeq = 1; ;) {
      const page = await this.table.rows({ fromSeq, limit: PAGE, fromTs, toTs });
      for (const r of page) out.push(toAuditRecord(r));
      if (page.length < PAGE) return out;
      fromSeq = page[page.length - 1].seq + 1;
    }
  }

  async verify(options: { readonly expectHead?: { readonly seq: number; readonly hash: string } } = {}): Promise<AuditVerdict> {
    const walk = new ChainWalk(await this.table.chainId(), options.expectHead);
    for (let fromSeq = 1; ;) {
      const page = await this.table.rows({ fromSeq, limit: PAGE });
      let going = true;
      for (const row of page) if (!(going = walk.push(row))) break;
      if (!going || page.length < PAGE) return walk.verdict();
      fromSeq = page[page.length - 1].seq + 1;
    }
  }

  async head(): Promise<AuditHead> {
    const chainId = await this.table.chainId();
    const last = await this.table.last();
    return last === undefined ? { chainId, seq: 0, hash: genesisHash(chainId) } : { chainId, seq: last.seq, hash: last.hash };
  }

  close(): Promise<void> {
    return this.table.close();
  }
}

function toMs(t: AuditTime | undefined, field: string): number | undefined {
  if (t === undefined) return undefined;
  const ms = t instanceof Date ? t.getTime() : t;
  if (!Number.isSafeInteger(ms)) throw new KeelError('BAD_AUDIT_QUERY', 'must be a date or UTC epoch milliseconds', { field, value: String(t) });
  return ms;
}
