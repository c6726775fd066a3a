import { connect as netConnect, type Socket } from 'node:net';
import { defineInstrument, type Bar, type Instrument, type OrderRequest, type VenueReport } from '../model/index.ts';
import type { ApprovedOrder } from '../risk/index.ts';
import type { VenueReportSink } from '../execution/index.ts';
import type { Clock } from '../kernel/index.ts';
import type { Venue, VenueCapabilities } from './venue.ts';
// The protocol and framing only, not the server: an engine that loads this adapter does not load the venue.
import { DUPLICATE_ORDER_REASON, type ClientMessage, type ServerMessage, type VenueState, type VenueWelcome } from './sim-server/protocol.ts';
import { LineSplitter, decodeLine, encodeLine } from './sim-server/wire.ts';

export { DUPLICATE_ORDER_REASON };
export type { VenueState, VenueWelcome, VenueFill, VenueOpenOrder, VenueOrderRecord } from './sim-server/protocol.ts';

export interface SocketVenueOptions {
  /** Where execution reports go (the execution engine); or register handlers with `onReport`. */
  readonly sink?: VenueReportSink;
  /**
   * The venue refused a submit because it already has that client order id. Not passed on as
   * `order.rejected`: the order it names exists at the venue (working or finished), and rejecting it in the
   * engine's books would be false. The engine learns its real state by reconciling.
   */
  readonly onDuplicate?: (clientOrderId: string) => void;
  /** A message the venue could not act on (malformed, unknown op). */
  readonly onError?: (message: string) => void;
  /** Time stamped on the reports the adapter makes itself (requests refused while disconnected); default the wall clock. */
  readonly clock?: Clock;
  /** Limit for the handshake and for each query (default 5000 ms). */
  readonly timeoutMs?: number;
  readonly name?: string;
}

interface PendingQuery {
  resolve(state: VenueState): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

const NOT_CONNECTED = 'not connected to the venue: the request was not sent';

/**
 * The engine's adapter for the simulated venue server (`sim-server/`): order entry over a local socket. The
 * engine's core calls `submit`, `cancel` and `replace` synchronously; they only write to the socket. Reports
 * and bars arrive on the event loop and are handed to the sink, the `onReport` and `onMarket` handlers one
 * message at a time. Reports that arrive before anyone listens wait for the first listener; bars do not
 * (a bar is only worth something when it is new).
 *
 * A request made while disconnected never leaves: a submit is answered `order.rejected` and a replace
 * `order.update-rejected` (both true: the venue never saw them), a cancel is dropped and the order stays
 * pending until the engine reconciles. Requests written just before a connection drops have an unknown
 * outcome; `query` after reconnecting settles them.
 *
 * @example
 * const venue = await SocketVenue.connect('127.0.0.1', port, 'A', { sink: execution });
 * execution.connectVenue(venue);
 * venue.onMarket((bar) => strategyHost.onMarketEvent(bar));
 * venue.start();
 * await venue.ended;
 */
export class SocketVenue implements Venue {
  readonly name: string;
  readonly capabilities: VenueCapabilities = {
    orderTypes: ['market', 'limit', 'stop', 'stop_limit'], timeInForce: ['GTC', 'DAY', 'IOC', 'FOK'], shorting: true, notionalOrders: true,
  };
  readonly account: string;
  /** The venue's greeting: its instrument, pace and progress when this connection began. */
  readonly welcome: VenueWelcome;
  /** The instrument the venue trades, on the venue's grid. */
  readonly instrument: Instrument;
  private readonly socket: Socket;
  private readonly o: SocketVenueOptions;
  private readonly timeoutMs: number;
  private readonly pending = new Map<number, PendingQuery>();
  /** Orders sent and not known to be finished: the answer `openOrders()` can give without a round trip. */
  private readonly working = new Map<string, OrderRequest>();
  private readonly reportHandlers: Array<(report: VenueReport) => void> = [];
  private readonly marketHandlers: Array<(bar: Bar) => void> = [];
  private readonly disconnectHandlers: Array<(reason: string) => void> = [];
  /** Reports that came before any sink or handler. */
  private unheard: VenueReport[] = [];
  private queryId = 0;
  private open = true;
  private marketEnded = false;
  private endedSignal!: { resolve: () => void; reject: (e: Error) => void };
  /** Resolves when the venue's market replayed its last bar; rejects if the connection is lost first. */
  readonly ended: Promise<void>;
  private readonly closedSignal: Promise<void>;

  /**
   * Connect, sign in as `account` and wait for the venue's welcome. A second connection for the same account
   * replaces the first (the server closes the old one).
   */
  static connect(host: string, port: number, account: string, options: SocketVenueOptions = {}): Promise<SocketVenue> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host, port });
      socket.setEncoding('utf8');
      socket.setNoDelay(true);
      const lines = new LineSplitter();
      const fail = (e: Error) => { socket.destroy(); reject(e); };
      const timer = setTimeout(() => fail(new Error(`venue at ${host}:${port} did not welcome account ${account} within ${options.timeoutMs ?? 5000} ms`)), options.timeoutMs ?? 5000);
      const onError = (e: Error) => { clearTimeout(timer); fail(e); };
      const onClose = () => { clearTimeout(timer); reject(new Error(`venue at ${host}:${port} closed the connection before welcoming account ${account}`)); };
      const onData = (chunk: string) => {
        const got = lines.push(chunk);
        for (let i = 0; i < got.length; i++) {
          const m = decodeLine(got[i]) as ServerMessage;
          if (m.op === 'error') return onError(new Error(`venue refused hello: ${m.message}`));
          if (m.op !== 'welcome') continue;
          clearTimeout(timer);
          socket.off('error', onError).off('close', onClose).off('data', onData);
          const venue = new SocketVenue(socket, account, m, options, lines);
          resolve(venue);
          // Whatever followed the welcome in the same chunk belongs to the venue now.
          for (const line of got.slice(i + 1)) venue.onLine(line);
          return;
        }
      };
      socket.on('error', onError).on('close', onClose).on('data', onData);
      socket.once('connect', () => socket.write(encodeLine({ op: 'hello', account } satisfies ClientMessage)));
    });
  }

  private constructor(socket: Socket, account: string, welcome: VenueWelcome, o: SocketVenueOptions, lines: LineSplitter) {
    this.socket = socket;
    this.account = account;
    this.welcome = welcome;
    this.instrument = defineInstrument(welcome.instrument);
    this.o = o;
    this.name = o.name ?? `socket:${account}`;
    this.timeoutMs = o.timeoutMs ?? 5000;
    this.ended = new Promise<void>((resolve, reject) => { this.endedSignal = { resolve, reject }; });
    this.ended.catch(() => {}); // losing the connection is reported through onDisconnect too; awaiting is optional
    this.closedSignal = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: string) => { for (const line of lines.push(chunk)) this.onLine(line); });
    socket.on('error', () => {}); // 'close' follows
    socket.on('close', () => this.closed(this.open ? 'connection to the venue closed' : 'closed by the engine'));
  }

  get connected(): boolean {
    return this.open;
  }

  /** The venue's market has replayed its last bar (see `ended` to wait for it). */
  get hasEnded(): boolean {
    return this.marketEnded;
  }

  /** Also receive every report (after the sink). Reports held while nobody listened are delivered now. */
  onReport(handler: (report: VenueReport) => void): void {
    this.reportHandlers.push(handler);
    this.flushUnheard();
  }

  /** Receive each bar the venue replays while this connection is open. */
  onMarket(handler: (bar: Bar) => void): void {
    this.marketHandlers.push(handler);
  }

  /** Called once when the connection closes, unless the engine closed it. */
  onDisconnect(handler: (reason: string) => void): void {
    this.disconnectHandlers.push(handler);
  }

  /** Start the venue's market clock (the first `start` from any client wins). */
  start(): void {
    this.send({ op: 'start' });
  }

  submit(order: ApprovedOrder): void {
    if (!this.send({ op: 'submit', order })) {
      return this.later({ type: 'order.rejected', ts: this.now(), clientOrderId: order.clientOrderId, reason: NOT_CONNECTED });
    }
    this.working.set(order.clientOrderId, order);
  }

  cancel(clientOrderId: string): void {
    this.send({ op: 'cancel', clientOrderId });
  }

  replace(order: ApprovedOrder): void {
    if (!this.send({ op: 'replace', order })) {
      this.later({ type: 'order.update-rejected', ts: this.now(), clientOrderId: order.clientOrderId, reason: NOT_CONNECTED });
    }
  }

  /** Orders sent and not yet reported finished (refreshed from the venue by every `query`). */
  openOrders(): readonly OrderRequest[] {
    return [...this.working.values()];
  }

  /**
   * Everything the venue holds for the account (orders, fills, positions, cash): the sim venue keeps little
   * enough to send it all, so `since` is ignored. Rejects when the connection closes first or the venue does
   * not answer.
   */
  query(_since?: number): Promise<VenueState> {
    return this.queryState();
  }

  /** As `query`; `fillsAfter`: only fills with a larger venue sequence. */
  queryState(fillsAfter?: number): Promise<VenueState> {
    const id = ++this.queryId;
    return new Promise((resolve, reject) => {
      if (!this.send(fillsAfter === undefined ? { op: 'query', id } : { op: 'query', id, fillsAfter })) return reject(new Error(NOT_CONNECTED));
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`venue did not answer query ${id} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
  }

  /** Close the connection (the venue keeps the account and its orders); resolves once it is closed. */
  close(): Promise<void> {
    this.open = false;
    this.socket.end();
    return this.closedSignal;
  }

  private onLine(line: string): void {
    const m = decodeLine(line) as ServerMessage;
    switch (m.op) {
      case 'report': return this.receive(m.report);
      case 'market': for (const h of this.marketHandlers) h(m.event); return;
      case 'state': return this.onState(m);
      case 'end': this.marketEnded = true; return this.endedSignal.resolve();
      case 'error': return this.o.onError?.(m.message);
      case 'welcome': return; // only at the handshake
    }
  }

  private receive(r: VenueReport): void {
    if (r.type === 'order.rejected' && r.reason === DUPLICATE_ORDER_REASON) return this.o.onDuplicate?.(r.clientOrderId);
    this.track(r);
    this.deliver(r);
  }

  private deliver(r: VenueReport): void {
    if (this.o.sink === undefined && this.reportHandlers.length === 0) {
      this.unheard.push(r);
      return;
    }
    this.o.sink?.onVenueReport(r);
    for (const h of this.reportHandlers) h(r);
  }

  private flushUnheard(): void {
    const waiting = this.unheard;
    this.unheard = [];
    for (const r of waiting) this.deliver(r);
  }

  private onState(s: VenueState): void {
    this.working.clear();
    for (const { filledLots: _, ...order } of s.openOrders) this.working.set(order.clientOrderId, order as OrderRequest);
    const p = this.pending.get(s.id);
    if (p === undefined) return;
    this.pending.delete(s.id);
    clearTimeout(p.timer);
    p.resolve(s);
  }

  private track(r: VenueReport): void {
    if (r.type === 'order.updated') {
      if (this.working.has(r.clientOrderId)) this.working.set(r.clientOrderId, r.order);
    } else if (r.type === 'order.filled') {
      if (r.leavesQuantity === 0) this.working.delete(r.clientOrderId);
    } else if (r.type === 'order.rejected' || r.type === 'order.canceled' || r.type === 'order.expired') {
      this.working.delete(r.clientOrderId);
    }
  }

  /** Write one message; false when the connection is gone (nothing was sent). */
  private send(m: ClientMessage): boolean {
    if (!this.open || this.socket.destroyed) return false;
    this.socket.write(encodeLine(m));
    return true;
  }

  private now(): number {
    return this.o.clock?.now() ?? Date.now();
  }

  /** A report the adapter makes itself, delivered after the engine's call returns (as a venue's would be). */
  private later(r: VenueReport): void {
    queueMicrotask(() => this.deliver(r));
  }

  private closed(reason: string): void {
    const wasOpen = this.open;
    this.open = false;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error(`connection closed before query ${id} was answered`));
    }
    this.pending.clear();
    if (!this.marketEnded) this.endedSignal.reject(new Error(`the venue's market did not end: ${reason}`));
    if (wasOpen) for (const h of this.disconnectHandlers) h(reason);
  }
}
