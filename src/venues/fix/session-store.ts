import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { KeelError } from '../../model/index.ts';

/** An order as the FIX adapter remembers it across restarts (terms as JSON, state as the venue last said). */
export interface StoredOrder {
  /** The Keel order request (JSON; a notional, never used over FIX, would be a string). */
  request: Record<string, unknown>;
  /** The ClOrdID of the latest request for this order (NewOrderSingle, then each cancel/replace's). */
  fixId: string;
  /** Every ClOrdID this order has gone by, oldest first. */
  fixIds: string[];
  /** Keel's status as the venue last stated it (SUBMITTED until the first ExecutionReport). */
  status: string;
  venueOrderId?: string;
  /** Cumulative filled quantity, as the venue's decimal text (exact). */
  cumQty: string;
  reason?: string;
  /** Sequence number of the NewOrderSingle (to match a session-level Reject). */
  seq: number;
  /** A cancel/replace in flight: its ClOrdID and the new terms. */
  pendingReplace?: { fixId: string; request: Record<string, unknown>; seq: number };
  pendingCancel?: { fixId: string; seq: number };
  /** Next suffix for cancel/replace ClOrdIDs. */
  n: number;
}

/** One execution the venue reported, kept for reconciliation (positions, cash, fills since a time). */
export interface StoredFill {
  readonly tradeId: string;
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: string;
  readonly price: string;
  readonly ts: number;
  /** The fee from Commission (12), exact Money as a decimal integer string; absent: none. */
  readonly fee?: string;
}

interface StoreFile {
  readonly version: 1;
  /** "FIX.4.2:KEEL->EXECUTOR": a store belongs to one session. */
  readonly session: string;
  nextOut: number;
  nextIn: number;
  /** Application messages sent, by sequence number, for answering ResendRequest (admin messages are gap-filled). */
  sent: Array<[number, string]>;
  orders: Record<string, StoredOrder>;
  fills: StoredFill[];
  /** The account's cash when the store was created, decimal text. */
  cash: string;
}

/** How many sent application messages are kept for resends. */
const KEEP_SENT = 5000;

/**
 * The FIX session's durable state in one JSON file: sequence numbers both ways, the application messages
 * sent (for resends), the orders sent and the executions received. Every change is written before the
 * message it belongs to goes out (write-ahead) or right after an incoming one is handled, by writing a
 * temporary file and renaming it over the old one: a crash leaves the previous or the new state, never half.
 *
 * @example
 * const store = SessionStore.open('run/fix-KEEL-EXECUTOR.json', 'FIX.4.2:KEEL->EXECUTOR', '100000');
 * store.nextOut // 1 on a new store
 */
export class SessionStore {
  readonly path: string;
  private s: StoreFile;

  private constructor(path: string, s: StoreFile) {
    this.path = path;
    this.s = s;
  }

  static open(path: string, session: string, cash: string): SessionStore {
    if (!existsSync(path)) {
      const fresh: StoreFile = { version: 1, session, nextOut: 1, nextIn: 1, sent: [], orders: {}, fills: [], cash };
      const store = new SessionStore(path, fresh);
      try {
        mkdirSync(dirname(path), { recursive: true });
        store.flush();
      } catch (e) {
        throw new KeelError('BAD_CONFIG', `cannot be written: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { field: 'fix.store', value: path });
      }
      return store;
    }
    let s: StoreFile;
    try {
      s = JSON.parse(readFileSync(path, 'utf8')) as StoreFile;
    } catch (e) {
      throw new KeelError('BAD_CONFIG', `is not a readable FIX session store: ${(e as Error).message}`, { field: 'fix.store', value: path });
    }
    if (s.session !== session) {
      throw new KeelError('BAD_CONFIG', `belongs to the FIX session ${s.session}, not ${session}`, { field: 'fix.store', value: path, hint: 'give each session (BeginString, SenderCompID, TargetCompID) its own store' });
    }
    return new SessionStore(path, s);
  }

  get nextOut(): number { return this.s.nextOut; }
  get nextIn(): number { return this.s.nextIn; }
  get cash(): string { return this.s.cash; }

  /** Take the next outgoing sequence number; an application message is kept for resends. Durable on return. */
  takeOut(raw: (seq: number) => string, keep: boolean): string {
    const seq = this.s.nextOut;
    const msg = raw(seq);
    this.s.nextOut = seq + 1;
    if (keep) {
      this.s.sent.push([seq, msg]);
      if (this.s.sent.length > KEEP_SENT) this.s.sent.splice(0, this.s.sent.length - KEEP_SENT);
    }
    this.flush();
    return msg;
  }

  /** The next sequence number expected from the counterparty. */
  setNextIn(n: number): void {
    if (n === this.s.nextIn) return;
    this.s.nextIn = n;
    this.flush();
  }

  /** Both sequence numbers back to 1 (a logon with ResetSeqNumFlag, or a new trading day's session). */
  resetSequences(): void {
    this.s.nextOut = 1;
    this.s.nextIn = 1;
    this.s.sent = [];
    this.flush();
  }

  /** Stored application messages with begin ≤ seq ≤ end, in order. */
  sentBetween(begin: number, end: number): Array<[number, string]> {
    return this.s.sent.filter(([seq]) => seq >= begin && seq <= end);
  }

  order(clientOrderId: string): StoredOrder | undefined {
    return this.s.orders[clientOrderId];
  }

  orders(): StoredOrder[] {
    return Object.values(this.s.orders);
  }

  /** The order a ClOrdID (the original or a cancel/replace's) belongs to. */
  orderByFixId(fixId: string): StoredOrder | undefined {
    const direct = this.s.orders[fixId];
    if (direct) return direct;
    const base = fixId.replace(/~[cr]\d+$/, '');
    const o = this.s.orders[base];
    return o && (o.fixIds.includes(fixId) || o.pendingReplace?.fixId === fixId || o.pendingCancel?.fixId === fixId) ? o : undefined;
  }

  putOrder(o: StoredOrder): void {
    this.s.orders[String(o.request.clientOrderId)] = o;
  }

  hasFill(tradeId: string): boolean {
    return this.s.fills.some((f) => f.tradeId === tradeId);
  }

  addFill(f: StoredFill): void {
    this.s.fills.push(f);
  }

  fills(): readonly StoredFill[] {
    return this.s.fills;
  }

  /** Write the state (temp file + rename). */
  flush(): void {
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.s));
    renameSync(tmp, this.path);
  }
}
