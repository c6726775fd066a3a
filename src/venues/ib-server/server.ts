import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Bar } from '../../model/index.ts';
import { FrameReader, OUT, frame, type Field } from './wire.ts';
import * as msg from './messages.ts';
import { TwsBook, dec, keyOf, roundTo, str, twsTime, wireOf, working, type BookExecution, type BookOrder } from './book.ts';
import { matchOnBar } from './matching.ts';

/** A contract the fake TWS trades. */
export interface TwsContractSpec {
  readonly symbol: string;
  readonly secType?: string;
  readonly exchange?: string;
  readonly currency?: string;
  readonly conId?: number;
  /** Where market orders fill when the test fills them by hand (default: the last bar's close). */
  readonly price?: string;
  /** Execution prices are rounded to this grid (default 0.01). */
  readonly tick?: string;
}

export interface TwsServerOptions {
  readonly contracts: readonly TwsContractSpec[];
  readonly port?: number;
  readonly host?: string;
  /** The account TWS reports (managedAccounts); a paper account's id starts with DU. */
  readonly account?: string;
  readonly cash?: string;
  /** Bars to replay as real-time bars of the first contract; `manual` moves only with `step()`. */
  readonly bars?: { readonly data: readonly Bar[]; readonly intervalMs: number | 'manual' };
  /** `auto`: working orders trade against each bar (paper runs); `manual`: only `fill()` fills (tests). */
  readonly matching?: 'auto' | 'manual';
  /** TWS's pacing limit: more client messages than this within a second get error 100. */
  readonly maxMessagesPerSecond?: number;
  readonly log?: (line: string) => void;
}

interface Connection {
  readonly socket: Socket;
  readonly reader: FrameReader;
  clientId: number | undefined;
  readonly arrivals: number[];
  readonly bars: Map<number, number>;
}

/** A running fake TWS / IB Gateway on loopback. */
export interface TwsServer {
  readonly port: number;
  readonly host: string;
  readonly account: string;
  readonly book: TwsBook;
  /** Arrival times of order entry messages (placeOrder, cancelOrder). */
  readonly orderMessageTimes: number[];
  /** Orders whose orderRef is `ref`, in placement order. */
  ordersByRef(ref: string): BookOrder[];
  /** Fill the working order with orderRef `ref` in `parts` executions at the market (or its limit) price. */
  fill(ref: string, parts?: number): BookExecution[];
  /** The next new order is rejected (error 201). */
  rejectNext(reason?: string): void;
  /** Cancel the working order with orderRef `ref` at the venue (as a trader in TWS, or IB at the close would). */
  cancelAtVenue(ref: string): void;
  /** Set the working order with orderRef `ref` Inactive with an error message (as IB does to a suspended order). */
  inactivate(ref: string, code: number, text: string): void;
  /** Cut every client and refuse connections for `downMs`; `whileDown` runs meanwhile. */
  outage(downMs: number, whileDown?: () => void | Promise<void>): Promise<void>;
  /** Replay the next bar(s) of a manual market. */
  step(count?: number): number;
  close(): Promise<void>;
}

const STOPS = new Set(['STP', 'STP LMT']);
const TYPES = new Set(['MKT', 'LMT', 'STP', 'STP LMT']);

/**
 * Start a local stand-in for TWS / IB Gateway speaking the TWS socket API (V100+ framing, server version
 * 176): the handshake, nextValidId and managedAccounts, order entry and modification, cancel, open orders,
 * executions with commission reports, positions, account values, real-time bars and TWS's error messages
 * (103 duplicate order id, 201 rejected, 202 canceled, 326 client id in use, 100 pacing).
 *
 * @example
 * const tws = await startTwsServer({ contracts: [{ symbol: 'AAPL', price: '187.25' }] });
 * // connect an IB client to 127.0.0.1:tws.port, then tws.fill('my-order-ref') fills its order
 */
export async function startTwsServer(o: TwsServerOptions): Promise<TwsServer> {
  const account = o.account ?? 'DU1234567';
  const book = new TwsBook(o.cash ?? '100000', '0.005', '1');
  const contracts = o.contracts.map((c, i) => ({
    spec: c,
    wire: { conId: c.conId ?? 265598 + i, symbol: c.symbol, secType: c.secType ?? 'STK', exchange: c.exchange ?? 'SMART', currency: c.currency ?? 'USD', localSymbol: c.symbol, tradingClass: c.secType === 'CASH' ? c.symbol : 'NMS', multiplier: '' },
  }));
  const connections = new Set<Connection>();
  const orderMessageTimes: number[] = [];
  const nextIds = new Map<number, number>();
  let permSeq = 1_880_000_000;
  let rejectReason: string | undefined;
  let refusing = false;
  let barIndex = 0;
  let lastBar: Bar | undefined;
  let timer: NodeJS.Timeout | undefined;
  const limit = o.maxMessagesPerSecond ?? 50;
  // A replayed market's clock is the replay's: executions and currentTime are stamped in bar time.
  const now = () => (o.matching === 'auto' && o.bars ? (lastBar ?? o.bars.data[0])?.ts ?? Date.now() : Date.now());
  const log = (line: string) => o.log?.(line);

  const send = (c: Connection, fields: Field[]) => { if (!c.socket.destroyed) c.socket.write(frame(fields)); };
  const owner = (ord: BookOrder) => [...connections].find((c) => c.clientId === ord.clientId);
  const tell = (ord: BookOrder, withOpenOrder = false) => {
    const c = owner(ord);
    if (!c) return;
    if (withOpenOrder) send(c, msg.openOrder(wireOf(ord)));
    send(c, msg.orderStatus(wireOf(ord)));
  };
  const tellExecution = (ord: BookOrder, e: BookExecution) => {
    const c = owner(ord);
    if (!c) return;
    send(c, msg.executionDetails(-1, wireOf(ord), e));
    send(c, msg.orderStatus(wireOf(ord)));
    send(c, msg.commissionReport(e));
  };
  const priceOf = (ord: BookOrder) => {
    const spec = contracts.find((c) => c.wire.conId === ord.contract.conId)!.spec;
    if (ord.orderType === 'LMT' && ord.lmtPrice !== undefined) return ord.lmtPrice;
    return spec.price ?? (lastBar ? roundTo(lastBar.close, spec.tick ?? '0.01') : '100');
  };
  const onBar = (bar: Bar) => {
    lastBar = bar;
    for (const c of connections) for (const [reqId] of c.bars) send(c, msg.realTimeBar(reqId, Math.floor(bar.ts / 1000), bar.open, bar.high, bar.low, bar.close, bar.volume));
    if (o.matching !== 'auto') return;
    const tick = contracts[0].spec.tick ?? '0.01';
    for (const ord of book.orders.values()) {
      if (!working(ord) || ord.contract.conId !== contracts[0].wire.conId) continue;
      const price = matchOnBar(ord, bar, tick);
      if (price === undefined) continue;
      const e = book.execute(ord, str(dec(ord.totalQuantity) - ord.filledUnits), price, bar.ts);
      tellExecution(ord, e);
    }
  };
  const step = (count = 1) => {
    let n = 0;
    while (n < count && o.bars && barIndex < o.bars.data.length) {
      onBar(o.bars.data[barIndex++]);
      n++;
    }
    return n;
  };

  const handle = (c: Connection, f: readonly string[]) => {
    const id = Number(f[0]);
    if (id === OUT.START_API) {
      const clientId = Number(f[2]);
      if ([...connections].some((x) => x !== c && x.clientId === clientId)) {
        send(c, msg.errorMessage(-1, 326, 'Unable to connect as the client id is already in use. Retry with a unique client id.'));
        c.socket.end();
        return;
      }
      c.clientId = clientId;
      send(c, msg.nextValidId(nextIds.get(clientId) ?? 1));
      send(c, msg.managedAccounts([account]));
      send(c, msg.errorMessage(-1, 2104, 'Market data farm connection is OK:usfarm'));
      return;
    }
    if (c.clientId === undefined) return; // nothing before START_API
    const clientId = c.clientId;
    // TWS's pacing: more than `limit` messages in a second is refused with error 100.
    const t = Date.now();
    c.arrivals.push(t);
    while (c.arrivals.length > 0 && c.arrivals[0] <= t - 1000) c.arrivals.shift();
    if (c.arrivals.length > limit) {
      send(c, msg.errorMessage(-1, 100, `Max rate of messages per second has been exceeded:max=${limit} rec=${c.arrivals.length}`));
      return;
    }
    switch (id) {
      case OUT.PLACE_ORDER: return place(c, clientId, f);
      case OUT.CANCEL_ORDER: {
        orderMessageTimes.push(t);
        const orderId = Number(f[2]);
        const ord = book.orders.get(keyOf(clientId, orderId));
        if (!ord || !working(ord)) return send(c, msg.errorMessage(orderId, 10147, `OrderId ${orderId} that needs to be cancelled is not found.`));
        ord.status = 'Cancelled';
        ord.updatedAt = now();
        tell(ord);
        return send(c, msg.errorMessage(orderId, 202, 'Order Canceled - reason:'));
      }
      case OUT.REQ_OPEN_ORDERS: case OUT.REQ_ALL_OPEN_ORDERS: {
        for (const ord of book.orders.values()) {
          if (!working(ord) || (id === OUT.REQ_OPEN_ORDERS && ord.clientId !== clientId)) continue;
          send(c, msg.openOrder(wireOf(ord)));
          send(c, msg.orderStatus(wireOf(ord)));
        }
        return send(c, msg.openOrderEnd());
      }
      case OUT.REQ_EXECUTIONS: {
        const reqId = Number(f[2]);
        const [fClient, fAcct, fTime] = [f[3], f[4], f[5]];
        const since = parseFilterTime(fTime ?? '');
        for (const e of book.executions) {
          const ord = book.orders.get(e.key)!;
          if (fClient !== undefined && fClient !== '' && Number(fClient) !== 0 && Number(fClient) !== ord.clientId) continue;
          if (fAcct && fAcct !== ord.account) continue;
          if (since !== undefined && e.at < since) continue;
          send(c, msg.executionDetails(reqId, wireOf(ord), e));
          send(c, msg.commissionReport(e));
        }
        return send(c, msg.executionEnd(reqId));
      }
      case OUT.REQ_POSITIONS: {
        for (const p of book.positions.values()) {
          const avg = p.units === 0n ? '0' : str((p.costUnits * 10n ** 8n) / p.units);
          send(c, msg.position(account, p.contract, str(p.units), avg));
        }
        return send(c, msg.positionEnd());
      }
      case OUT.REQ_ACCOUNT_DATA: {
        if (f[2] !== '1') return;
        const cash = str(book.cashUnits);
        let held = 0n;
        for (const p of book.positions.values()) held += (p.units * (lastBar ? dec(roundTo(lastBar.close, '0.01')) : 0n)) / 10n ** 8n;
        for (const key of ['TotalCashValue', 'CashBalance', 'AvailableFunds']) send(c, msg.accountValue(key, cash, 'USD', account));
        send(c, msg.accountValue('NetLiquidation', str(book.cashUnits + held), 'USD', account));
        send(c, msg.accountValue('AccountType', 'INDIVIDUAL', '', account));
        return send(c, msg.accountDownloadEnd(account));
      }
      case OUT.REQ_IDS: return send(c, msg.nextValidId(nextIds.get(clientId) ?? 1));
      case OUT.REQ_CURRENT_TIME: return send(c, msg.currentTime(Math.floor(now() / 1000)));
      case OUT.REQ_MANAGED_ACCTS: return send(c, msg.managedAccounts([account]));
      case OUT.REQ_REAL_TIME_BARS: {
        c.bars.set(Number(f[2]), Number(f[3]));
        return;
      }
      case OUT.CANCEL_REAL_TIME_BARS: { c.bars.delete(Number(f[2])); return; }
      default: log(`tws: message ${id} not served`);
    }
  };

  /** PLACE_ORDER at server version 176: fields after the id are orderId, the contract, then the order. */
  const place = (c: Connection, clientId: number, f: readonly string[]) => {
    orderMessageTimes.push(Date.now());
    const orderId = Number(f[1]);
    const [symbol, secType, currency] = [f[3], f[4], f[11]];
    const [action, totalQuantity, orderType, lmtPrice, auxPrice, tif, , acct, , , orderRef] = f.slice(16, 27);
    const existing = book.orders.get(keyOf(clientId, orderId));
    if (existing) {
      // The same order id again is a modification of that order.
      if (!working(existing)) return send(c, msg.errorMessage(orderId, 104, 'Cannot modify a filled order.'));
      if (dec(totalQuantity) < existing.filledUnits) return send(c, msg.errorMessage(orderId, 201, 'Order rejected - reason:The quantity is below the filled quantity'));
      Object.assign(existing, { totalQuantity, lmtPrice: lmtPrice || undefined, auxPrice: auxPrice || undefined, updatedAt: now() });
      return tell(existing, true);
    }
    if (orderId < (nextIds.get(clientId) ?? 1)) return send(c, msg.errorMessage(orderId, 103, 'Duplicate order id'));
    nextIds.set(clientId, orderId + 1);
    const contract = contracts.find((k) => k.wire.symbol === symbol && k.wire.secType === secType && k.wire.currency === currency);
    if (!contract) return send(c, msg.errorMessage(orderId, 200, 'No security definition has been found for the request'));
    const ord: BookOrder = {
      clientId, orderId, permId: ++permSeq, contract: contract.wire, action: action === 'SELL' ? 'SELL' : 'BUY', totalQuantity, orderType,
      lmtPrice: lmtPrice || undefined, auxPrice: auxPrice || undefined, tif, account: acct || account, orderRef, status: 'Submitted',
      filledUnits: 0n, notionalUnits: 0n, lastFillPrice: '0', updatedAt: now(),
    };
    if (!TYPES.has(orderType)) {
      ord.status = 'Inactive';
      book.orders.set(keyOf(clientId, orderId), ord);
      send(c, msg.errorMessage(orderId, 387, `Unsupported order type for this exchange and security type: ${orderType}`));
      return tell(ord);
    }
    if (rejectReason !== undefined) {
      ord.status = 'Inactive';
      book.orders.set(keyOf(clientId, orderId), ord);
      send(c, msg.errorMessage(orderId, 201, `Order rejected - reason:${rejectReason}`));
      rejectReason = undefined;
      return tell(ord);
    }
    if (STOPS.has(orderType)) ord.status = 'PreSubmitted'; // held by IB until the stop triggers
    book.orders.set(keyOf(clientId, orderId), ord);
    tell(ord, true);
  };

  const server: Server = createServer((socket) => {
    if (refusing) return void socket.destroy();
    socket.setNoDelay(true);
    const c: Connection = { socket, reader: new FrameReader(), clientId: undefined, arrivals: [], bars: new Map() };
    connections.add(c);
    socket.on('data', (data) => {
      for (const m of c.reader.push(data)) {
        if (m.kind === 'garbage') {
          log(`tws: ${m.reason}`);
          socket.destroy();
          return;
        }
        if (m.kind === 'hello') {
          if (m.maxVersion < msg.SERVER_VERSION) {
            log(`tws: client supports up to ${m.maxVersion}, this server speaks ${msg.SERVER_VERSION}`);
            socket.destroy();
            return;
          }
          send(c, [msg.SERVER_VERSION, twsTime(Date.now()).replace(' UTC', ' GMT')]);
          continue;
        }
        try {
          handle(c, m.fields);
        } catch (e) {
          log(`tws: bad message ${m.fields.slice(0, 3).join('|')}: ${(e as Error).message}`);
        }
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => connections.delete(c));
  });
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, o.host ?? '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  if (o.bars && o.bars.intervalMs !== 'manual') {
    const every = o.bars.intervalMs;
    timer = setInterval(() => { if (step(1) === 0 && timer) clearInterval(timer); }, every);
  }

  return {
    port: address.port, host: address.address, account, book, orderMessageTimes,
    ordersByRef: (ref) => [...book.orders.values()].filter((x) => x.orderRef === ref),
    fill(ref, parts = 1) {
      const ord = [...book.orders.values()].find((x) => x.orderRef === ref && working(x));
      if (!ord) throw new Error(`no working order with orderRef ${ref}`);
      const left = dec(ord.totalQuantity) - ord.filledUnits;
      const unit = 10n ** 8n;
      const made: BookExecution[] = [];
      let done = 0n;
      for (let i = 0; i < parts; i++) {
        // Whole shares per part; the last part takes the rest.
        const share = i === parts - 1 ? left - done : ((left / unit) / BigInt(parts - i)) * unit || unit;
        if (share <= 0n) break;
        done += share;
        const e = book.execute(ord, str(share), priceOf(ord), now() + i);
        made.push(e);
        tellExecution(ord, e);
      }
      return made;
    },
    rejectNext(reason = 'The account has insufficient buying power') { rejectReason = reason; },
    cancelAtVenue(ref) {
      const ord = [...book.orders.values()].find((x) => x.orderRef === ref && working(x));
      if (!ord) throw new Error(`no working order with orderRef ${ref}`);
      ord.status = 'Cancelled';
      ord.updatedAt = now();
      tell(ord);
    },
    inactivate(ref, code, text) {
      const ord = [...book.orders.values()].find((x) => x.orderRef === ref && working(x));
      if (!ord) throw new Error(`no working order with orderRef ${ref}`);
      const c = owner(ord);
      if (c) send(c, msg.errorMessage(ord.orderId, code, text));
      ord.status = 'Inactive';
      ord.updatedAt = now();
      tell(ord);
    },
    async outage(downMs, whileDown) {
      refusing = true;
      for (const c of connections) c.socket.destroy();
      const back = new Promise((r) => setTimeout(r, downMs));
      await whileDown?.();
      await back;
      refusing = false;
    },
    step,
    async close() {
      if (timer) clearInterval(timer);
      for (const c of connections) c.socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** reqExecutions' time filter: "yyyymmdd-hh:mm:ss" (UTC) or "yyyymmdd hh:mm:ss[ zone]"; epoch ms. */
function parseFilterTime(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})[- ]+(\d{2}):(\d{2}):(\d{2})/.exec(s.trim());
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : undefined;
}
