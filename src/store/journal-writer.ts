import type { OrderEvent, RiskEvent } from '../model/index.ts';
import type { VenueRequest, WriteAheadLog } from '../execution/index.ts';
import type { RiskEventListener } from '../risk/index.ts';
import type { Journal, JournalStream, NewJournalEvent } from './journal.ts';

export interface JournalWriterOptions {
  readonly journal: Journal;
  readonly account: string;
  /** The audit version (code hash + parameters) of each strategy, journaled with its events. */
  readonly versionOf?: (strategyId: string) => string | undefined;
  /**
   * Called once when an append fails: the engine can no longer write ahead, so it must stop opening risk
   * (fail safe). Requests waiting for that append are never sent.
   */
  readonly onFailure: (error: Error) => void;
}

/**
 * The engine's side of the journal: implements the execution engine's write-ahead port (a venue request is
 * sent only after its intent is durable) and records every order and risk event behind it. Appends are
 * fired in call order; the journal's group commit batches them without reordering.
 *
 * On a journal with synchronous commits (`appendNow`, SQLite), the first intent of a task (one callback of
 * the event loop: a market event, a venue report) commits at once, with everything queued before it, and its
 * request leaves before `beforeSend` returns: the market-event-to-order path then holds one commit and no
 * wait for the end of the loop turn. Later intents of the same task, and any intent while an earlier one
 * still waits for its commit, take the group commit as before, so a burst (the kill switch's cancels, many
 * strategies on one bar) still costs one commit, and requests leave in the order they were made.
 */
export class JournalWriter implements WriteAheadLog, RiskEventListener {
  private readonly journal: Journal;
  private readonly account: string;
  private readonly versionOf: (strategyId: string) => string | undefined;
  private readonly onFailure: (error: Error) => void;
  /**
   * Strategy, instrument and strategy version of each order, for the events that carry only the order id: a
   * report or fill carries the version its order was submitted under, even after a new version took over.
   */
  private readonly orderStreams = new Map<string, { strategy: string; instrument: string; version: string | undefined }>();
  private inFlight = new Set<Promise<unknown>>();
  private failed: Error | undefined;
  /** Sequence of the last event handed over, once durable. */
  private lastWrite: Promise<number> | undefined;
  /** Intents whose group commit is still pending (their requests have not left). */
  private waitingIntents = 0;
  /** An intent committed at once in the current task (reset by a microtask when the task ends). */
  private committedNowThisTask = false;
  private readonly endOfTask = (): void => { this.committedNowThisTask = false; };
  /** Events handed over so far (for the snapshot cadence). */
  handedOver = 0;

  constructor(o: JournalWriterOptions) {
    this.journal = o.journal;
    this.account = o.account;
    this.versionOf = o.versionOf ?? (() => undefined);
    this.onFailure = o.onFailure;
  }

  /** An append failed: nothing more is written or sent (the engine went HALTED). */
  get hasFailed(): boolean {
    return this.failed !== undefined;
  }

  /** Appends not yet durable. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Teach the writer an order it did not see submitted (recovered from the journal after a restart). */
  knowOrder(clientOrderId: string, strategy: string, instrument: string, version?: string): void {
    this.orderStreams.set(clientOrderId, { strategy, instrument, version: version ?? this.versionOf(strategy) });
  }

  beforeSend(request: VenueRequest, send: () => void): void {
    const event = request.kind === 'cancel'
      ? { type: 'order.cancel-requested', ts: request.ts, clientOrderId: request.clientOrderId, reason: request.reason }
      : request.event;
    if (request.kind === 'submit') {
      const o = request.event.order;
      this.orderStreams.set(o.clientOrderId, { strategy: o.strategyId, instrument: o.instrumentId, version: this.versionOf(o.strategyId) });
    }
    this.write(this.orderEvent(event), send);
  }

  record(event: OrderEvent): void {
    this.write(this.orderEvent(event));
  }

  onRiskEvent(event: RiskEvent): void {
    this.write({ ts: event.ts, stream: { account: this.account }, type: event.type, payload: event });
  }

  /** Anything else the engine journals (lifecycle, balances, reconciliation results). */
  recordEvent(event: NewJournalEvent): void {
    this.write(event);
  }

  /** Resolves when everything handed over so far is durable. */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    if (this.failed) throw this.failed;
  }

  /**
   * The journal sequence of the last event handed over so far, once it is durable (undefined when this
   * writer wrote nothing). A snapshot taken synchronously before this call covers exactly the events up to it.
   */
  async lastSeqHandedOver(): Promise<number | undefined> {
    const last = this.lastWrite;
    if (last === undefined) return undefined;
    const seq = await last;
    if (this.failed) throw this.failed;
    return seq;
  }

  private orderEvent(event: { type: string; ts: number; clientOrderId?: string } & object): NewJournalEvent {
    let stream: JournalStream = { account: this.account };
    let version: string | undefined;
    const order = 'order' in event ? (event as { order: { clientOrderId: string; strategyId: string; instrumentId: string } }).order : undefined;
    const id = order?.clientOrderId ?? event.clientOrderId;
    const remembered = id !== undefined ? this.orderStreams.get(id) : undefined;
    const known = remembered ?? (order ? { strategy: order.strategyId, instrument: order.instrumentId, version: this.versionOf(order.strategyId) } : undefined);
    if (known) {
      stream = { account: this.account, strategy: known.strategy, instrument: known.instrument };
      version = known.version;
    }
    return version === undefined ? { ts: event.ts, stream, type: event.type, payload: event } : { ts: event.ts, stream, type: event.type, payload: event, version };
  }

  private write(event: NewJournalEvent, then?: () => void): void {
    if (this.failed) return; // write-ahead is broken: nothing more goes out
    this.handedOver++;
    if (then !== undefined && this.journal.appendNow !== undefined && this.waitingIntents === 0 && !this.committedNowThisTask) {
      this.committedNowThisTask = true;
      queueMicrotask(this.endOfTask);
      let seq: number;
      try {
        seq = this.journal.appendNow([event])[0];
      } catch (err) {
        this.fail(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      this.lastWrite = Promise.resolve(seq);
      then();
      return;
    }
    const appended = this.journal.append([event]);
    this.lastWrite = appended.then((seqs) => seqs[0]);
    this.lastWrite.catch(() => {}); // reported once, through onFailure below
    if (then !== undefined) this.waitingIntents++;
    const p = appended.then(
      () => {
        if (then !== undefined) this.waitingIntents--;
        if (!this.failed) then?.();
      },
      (err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err))),
    );
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = error;
    this.onFailure(error);
  }
}
