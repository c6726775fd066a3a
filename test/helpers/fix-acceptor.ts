import { createServer, type Server, type Socket } from 'node:net';
import { FixFramer, encodeFix, fixTime, type FixField, type FixMessage } from '../../src/venues/fix/index.ts';

/**
 * A small FIX acceptor for the cases QuickFIX's executor cannot produce: gaps (an ExecutionReport numbered but
 * never sent), resends and gap-fills, a disconnect mid-order, partial fills, DoneForDay, cancels, replaces and
 * status answers. It keeps its own sequence numbers across connections (as a real counterparty does) and
 * records every message it received, raw, so tests can look at the wire.
 */
export interface AcceptorOrder {
  clOrdId: string;
  origClOrdIds: string[];
  orderId: string;
  symbol: string;
  side: string;
  qty: number;
  cum: number;
  price: string;
  /** OrdType (40) as received. */
  ordType: string;
  status: string;
}

export interface AcceptorBehaviour {
  /** What to do with a NewOrderSingle (default: ack New, then fill in full at its price). */
  onOrder?: (a: FixAcceptor, o: AcceptorOrder, m: FixMessage) => void;
  /** Answer ResendRequests for these of our sequence numbers with a gap-fill instead of the message (truly lost). */
  lose?: Set<number>;
  /** Answer OrderStatusRequest (default true); false: BusinessMessageReject like the executor. */
  status?: boolean;
}

export class FixAcceptor {
  readonly received: FixMessage[] = [];
  readonly orders = new Map<string, AcceptorOrder>();
  nextOut = 1;
  nextIn = 1;
  /** Our application messages by sequence number (for resends). */
  readonly sent = new Map<number, FixField[] & { msgType?: string }>();
  /** Sequence numbers to number but not send (the message is lost on the wire until resent). */
  readonly skip = new Set<number>();
  socket: Socket | undefined;
  /** Stop answering anything (heartbeats included): a hung counterparty. */
  silent = false;
  /** Close the connection right after the next NewOrderSingle arrives (its reports are numbered, not sent). */
  dropAfterNextOrder = false;
  /** Called right after that drop (e.g. to fall silent for the next logons). */
  afterDrop: (() => void) | undefined;
  logons = 0;
  /** Reject the next NewOrderSingle (ExecType 8). */
  rejectNextOrder = false;
  /** Arrival times of every order-entry message (D, F, G). */
  readonly arrivals: number[] = [];
  private server: Server;
  private nextOrderId = 1;
  private nextExecId = 1;
  private readonly b: AcceptorBehaviour;
  private begin = 'FIX.4.2';

  private constructor(server: Server, b: AcceptorBehaviour) {
    this.server = server;
    this.b = b;
  }

  static async start(b: AcceptorBehaviour = {}): Promise<FixAcceptor> {
    const server = createServer();
    const a = new FixAcceptor(server, b);
    server.on('connection', (s) => a.accept(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return a;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    this.socket?.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Received application messages of one type. */
  got(msgType: string): FixMessage[] {
    return this.received.filter((m) => m.msgType === msgType);
  }

  /** Send (or, when its number is in `skip`, only number) an application message. */
  sendApp(msgType: string, body: FixField[]): number {
    const seq = this.nextOut++;
    const stored = Object.assign([...body], { msgType });
    this.sent.set(seq, stored);
    if (!this.skip.has(seq)) this.write(msgType, body, seq);
    return seq;
  }

  /** An ExecutionReport for an order. */
  report(o: AcceptorOrder, execType: string, fill?: { qty: number; px: string }, extra: FixField[] = []): number {
    if (fill) o.cum += fill.qty;
    const body: FixField[] = [[37, o.orderId], [11, o.clOrdId], [17, String(this.nextExecId++)], [20, '0'], [150, execType], [39, o.status],
      [55, o.symbol], [54, o.side], [38, String(o.qty)], [14, String(o.cum)], [151, String(Math.max(0, o.qty - o.cum))], [6, o.price]];
    if (fill) body.push([32, String(fill.qty)], [31, fill.px]);
    if (o.origClOrdIds.length > 0) body.push([41, o.origClOrdIds[o.origClOrdIds.length - 1]]);
    return this.sendApp('8', [...body, ...extra]);
  }

  private accept(s: Socket): void {
    this.socket?.destroy();
    this.socket = s;
    const framer = new FixFramer((m) => this.receive(m), () => {});
    s.on('data', (d: Buffer) => framer.push(d));
    s.on('error', () => {});
    s.on('close', () => { if (this.socket === s) this.socket = undefined; });
  }

  private write(msgType: string, body: readonly FixField[], seq: number, possDup = false): void {
    const h: FixField[] = [[35, msgType], [49, 'ACCEPTOR'], [56, 'KEEL'], [34, String(seq)]];
    if (possDup) h.push([43, 'Y'], [122, fixTime(Date.now())]);
    h.push([52, fixTime(Date.now())]);
    this.socket?.write(Buffer.from(encodeFix(this.begin, [...h, ...body]), 'latin1'));
  }

  private admin(msgType: string, body: FixField[]): void {
    this.write(msgType, body, this.nextOut++);
  }

  private receive(m: FixMessage): void {
    if (this.silent) return;
    this.received.push(m);
    if (m.msgType === 'D' || m.msgType === 'F' || m.msgType === 'G') this.arrivals.push(Date.now());
    this.begin = m.get(8) ?? this.begin;
    if (m.msgType === 'A') {
      this.logons++;
      if (m.get(141) === 'Y') { this.nextIn = 1; this.nextOut = 1; }
      this.admin('A', [[98, '0'], [108, m.get(108) ?? '30']]);
    }
    if (m.msgType === '4' && m.get(123) === 'Y') { this.nextIn = Number(m.get(36)); return; }
    if (m.seqNum > this.nextIn) { this.admin('2', [[7, String(this.nextIn)], [16, '0']]); }
    if (m.seqNum >= this.nextIn) this.nextIn = m.seqNum + 1;
    switch (m.msgType) {
      case '1': this.admin('0', [[112, m.get(112) ?? '']]); break;
      case '2': this.resend(Number(m.get(7)), Number(m.get(16))); break;
      case '5': this.admin('5', []); this.socket?.end(); break;
      case 'D': {
        if (m.get(43) === 'Y' && this.orders.has(m.get(11)!)) break;
        const o: AcceptorOrder = { clOrdId: m.get(11)!, origClOrdIds: [], orderId: `O${this.nextOrderId++}`, symbol: m.get(55)!, side: m.get(54)!, qty: Number(m.get(38)), cum: 0, price: m.get(44) ?? '0', ordType: m.get(40) ?? '?', status: '0' };
        this.orders.set(o.clOrdId, o);
        if (this.rejectNextOrder) { this.rejectNextOrder = false; o.status = '8'; this.report(o, '8', undefined, [[58, 'rejected by the acceptor: outside the price band'], [103, '0']]); break; }
        const drop = this.dropAfterNextOrder;
        if (drop) { this.dropAfterNextOrder = false; this.skip.add(this.nextOut); this.skip.add(this.nextOut + 1); }
        if (this.b.onOrder) this.b.onOrder(this, o, m);
        else { this.report(o, '0'); o.status = '2'; this.report(o, '2', { qty: o.qty, px: o.price }); }
        if (drop) { this.socket?.destroy(); this.afterDrop?.(); }
        break;
      }
      case 'F': {
        const o = this.find(m.get(41)!);
        if (!o) { this.sendApp('9', [[11, m.get(11)!], [41, m.get(41)!], [37, 'NONE'], [39, '8'], [434, '1'], [102, '1'], [58, 'unknown order']]); break; }
        o.origClOrdIds.push(o.clOrdId); o.clOrdId = m.get(11)!; o.status = '4';
        this.report(o, '4');
        break;
      }
      case 'G': {
        const o = this.find(m.get(41)!);
        const qty = Number(m.get(38));
        if (!o || qty < o.cum) { this.sendApp('9', [[11, m.get(11)!], [41, m.get(41)!], [37, o?.orderId ?? 'NONE'], [39, o?.status ?? '8'], [434, '2'], [102, '0'], [58, 'too late to replace']]); break; }
        o.origClOrdIds.push(o.clOrdId); o.clOrdId = m.get(11)!; o.qty = qty; o.price = m.get(44) ?? o.price; o.status = o.cum > 0 ? '1' : '0';
        this.report(o, '5');
        break;
      }
      case 'H': {
        if (this.b.status === false) { this.sendApp('j', [[45, String(m.seqNum)], [372, 'H'], [380, '3'], [58, 'Unsupported Message Type']]); break; }
        const o = this.find(m.get(11)!);
        if (!o) { this.sendApp('8', [[37, 'NONE'], [11, m.get(11)!], [17, '0'], [20, '3'], [150, 'I'], [39, '8'], [103, '5'], [55, m.get(55)!], [54, m.get(54)!], [14, '0'], [151, '0'], [6, '0'], [58, 'unknown order']]); break; }
        this.sendApp('8', [[37, o.orderId], [11, o.clOrdId], [17, '0'], [20, '3'], [150, 'I'], [39, o.status], [55, o.symbol], [54, o.side], [38, String(o.qty)], [14, String(o.cum)], [151, String(o.qty - o.cum)], [6, o.price]]);
        break;
      }
      default: break;
    }
  }

  find(clOrdId: string): AcceptorOrder | undefined {
    for (const o of this.orders.values()) if (o.clOrdId === clOrdId || o.origClOrdIds.includes(clOrdId)) return o;
    return undefined;
  }

  /** Answer a ResendRequest: stored application messages again (PossDup), gap-fills for admin and lost ones. */
  private resend(begin: number, end: number): void {
    const last = this.nextOut - 1;
    const to = end === 0 || end > last ? last : end;
    let gapFrom: number | undefined;
    const flushGap = (upTo: number) => {
      if (gapFrom !== undefined) { this.write('4', [[123, 'Y'], [36, String(upTo)]], gapFrom, true); gapFrom = undefined; }
    };
    for (let seq = begin; seq <= to; seq++) {
      const m = this.sent.get(seq);
      if (!m || this.b.lose?.has(seq)) { gapFrom ??= seq; continue; }
      flushGap(seq);
      this.skip.delete(seq);
      this.write(m.msgType!, m, seq, true);
    }
    flushGap(to + 1);
  }
}
