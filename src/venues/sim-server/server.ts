import { createServer, type AddressInfo, type Socket } from 'node:net';
import {
  KeelError, defineInstrument, tickForDecimals, type Instrument, type InstrumentSpec, type Money, type OrderRequest,
} from '../../model/index.ts';
import { loadMarketData } from '../../data/index.ts';
import type { ApprovedOrder } from '../../risk/index.ts';
import { SimVenue, latencyModel, type FeeModel, type LimitFillRule, type SlippageModel } from '../sim/index.ts';
import { SimAccount } from './account.ts';
import { MarketReplay } from './market.ts';
import { asOrder, orderProblem } from './order-check.ts';
import { DUPLICATE_ORDER_REASON, type ServerMessage, type VenueState, type VenueWelcome } from './protocol.ts';
import { LineSplitter, decodeLine, encodeLine } from './wire.ts';

export interface SimVenueServerOptions {
  /** CSV file of bars (any layout `loadMarketData` reads). */
  readonly dataPath: string;
  /**
   * The instrument id (default: from the file name, also when the spec's id is empty), or a spec; the tick
   * defaults to the file's finest price, the lot to 1.
   */
  readonly instrument?: string | InstrumentSpec;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1: the simulated venue is for local processes only. */
  readonly host?: string;
  /** Wall time between two bars once started. */
  readonly barIntervalMs: number;
  /** Replay bars [0, untilBar) only; default the whole file. */
  readonly untilBar?: number;
  /** Cash of every account at its first `hello`. */
  readonly initialCash: Money;
  readonly fees?: FeeModel;
  readonly slippage?: SlippageModel;
  /** Order latency in simulated (data) time, as in a backtest; default 0. */
  readonly latencyMs?: number;
  readonly limitFill?: LimitFillRule;
  readonly participationRate?: number;
  /** The venue's name: prefix of its venue order ids and trade ids (default `sim`, as the in-process venue). */
  readonly name?: string;
  /** Called once the data is used up (the last bar replayed); the CLI says so, since nothing else will. */
  readonly onReplayEnd?: (barsReplayed: number) => void;
}

export interface SimVenueServerStats {
  readonly barsReplayed: number;
  readonly started: boolean;
  readonly ended: boolean;
  readonly accounts: number;
  readonly connectedAccounts: number;
  readonly orders: number;
  readonly fills: number;
  /** Submits refused as duplicates, all accounts: the crash tests require 0. */
  readonly duplicateSubmits: number;
}

export interface SimVenueServer {
  readonly port: number;
  readonly instrument: Instrument;
  stats(): SimVenueServerStats;
  close(): Promise<void>;
}

interface Session {
  readonly socket: Socket;
  account: SimAccount | undefined;
}

interface AccountSlot {
  readonly account: SimAccount;
  readonly venue: SimVenue;
}

/**
 * A simulated venue as a separate service: the in-process SimVenue's matching behind a TCP socket speaking
 * the protocol in `protocol.ts`, with its own market clock and the account books an engine reconciles
 * against after a restart. Paper trading and the crash tests run an engine against it in another process.
 *
 * @example
 * const venue = await startSimVenueServer({ dataPath: '../shared/data/daily/ORCL-1995-2014.csv', barIntervalMs: 5, initialCash: parseMoney('100000', 'cash') });
 * console.log(venue.port); // connect a SocketVenue to 127.0.0.1:port
 */
export async function startSimVenueServer(o: SimVenueServerOptions): Promise<SimVenueServer> {
  if (!(o.barIntervalMs > 0)) throw new KeelError('BAD_OPTION', 'must be a positive number of milliseconds', { field: 'barIntervalMs', value: o.barIntervalMs });
  const spec = typeof o.instrument === 'string' ? { id: o.instrument } : o.instrument;
  // An empty id keeps the file's default (its name), so a spec may give only the tick or the lot.
  const data = loadMarketData(o.dataPath, spec?.id ? { instrumentId: spec.id } : {});
  if (data.kind !== 'bars') {
    throw new KeelError('BAD_DATA_KIND', `holds ${data.kind}; the venue server replays bars`, { field: 'dataPath', value: o.dataPath });
  }
  const given = Object.fromEntries(Object.entries(spec ?? {}).filter(([, v]) => v !== undefined)) as Partial<InstrumentSpec>;
  const instrumentSpec: InstrumentSpec & { id: string } = { priceTick: tickForDecimals(data.priceDecimals), lotSize: '1', ...given, id: data.instrumentId };
  const instrument = defineInstrument(instrumentSpec);
  const instruments = new Map([[instrument.id, instrument]]);
  const accounts = new Map<string, AccountSlot>();
  const sessions = new Map<string, Session>();
  const sockets = new Set<Socket>();

  const send = (s: Session, m: ServerMessage): void => {
    if (!s.socket.destroyed) s.socket.write(encodeLine(m));
  };
  const market = new MarketReplay({
    bars: data.bars, untilBar: o.untilBar, barIntervalMs: o.barIntervalMs,
    onBar: (bar) => { for (const s of sessions.values()) send(s, { op: 'market', event: bar }); },
    onEnd: () => {
      for (const s of sessions.values()) send(s, { op: 'end' });
      o.onReplayEnd?.(market.nextBar);
    },
  });

  const sendError = (slot: AccountSlot, message: string): void => {
    const s = sessions.get(slot.account.name);
    if (s !== undefined) send(s, { op: 'error', message });
  };

  const slotFor = (name: string): AccountSlot => {
    let slot = accounts.get(name);
    if (slot === undefined) {
      const account = new SimAccount(name, o.initialCash, instruments);
      // One matching engine per account: client order ids are the account's own namespace.
      const venue = new SimVenue({
        name: o.name ?? 'sim', instruments: [instrument], clock: market.clock, queue: market.queue, sink: account,
        fees: o.fees, slippage: o.slippage, latency: latencyModel(o.latencyMs ?? 0), limitFill: o.limitFill, participationRate: o.participationRate,
      });
      market.addVenue(venue);
      slot = { account, venue };
      accounts.set(name, slot);
    }
    return slot;
  };

  const hello = (s: Session, name: unknown): void => {
    if (typeof name !== 'string' || name === '') return send(s, { op: 'error', message: 'hello needs an account name' });
    if (s.account !== undefined) return send(s, { op: 'error', message: `already signed in as ${s.account.name}` });
    const { account } = slotFor(name);
    // The newest connection owns the account: a restarted engine takes over from its dead predecessor.
    const old = sessions.get(name);
    if (old !== undefined) {
      old.account = undefined;
      old.socket.destroy();
    }
    s.account = account;
    sessions.set(name, s);
    account.forwardTo((report) => send(s, { op: 'report', report }));
    const welcome: VenueWelcome = {
      op: 'welcome', account: name, barIntervalMs: o.barIntervalMs, nextBar: market.nextBar, started: market.started, ended: market.ended, instrument: instrumentSpec,
    };
    send(s, welcome);
    if (market.ended) send(s, { op: 'end' });
  };

  const submit = (slot: AccountSlot, raw: unknown): void => {
    const ts = market.clock.now();
    const problem = orderProblem(raw);
    if (problem !== undefined) {
      const id = (raw as { clientOrderId?: unknown } | null)?.clientOrderId;
      // A malformed order uses up no id (the client may send it again, corrected). A report must not name an
      // id the account already has: the engine would apply it to that order.
      if (typeof id === 'string' && id !== '' && !slot.account.has(id)) return slot.account.tell({ type: 'order.rejected', ts, clientOrderId: id, reason: problem });
      return sendError(slot, `submit refused: ${problem}`);
    }
    const order = asOrder(raw);
    if (slot.account.has(order.clientOrderId)) {
      slot.account.duplicateSubmits++;
      return slot.account.tell({ type: 'order.rejected', ts, clientOrderId: order.clientOrderId, reason: DUPLICATE_ORDER_REASON });
    }
    slot.account.received(order);
    // The engine's risk gate approved it before it was sent; the venue is outside the engine and takes the
    // wire's word, as a broker does. This cast is the process boundary, not a way around the gate.
    slot.venue.submit(order as ApprovedOrder);
    market.drainDue();
  };

  const replace = (slot: AccountSlot, raw: unknown): void => {
    const ts = market.clock.now();
    const problem = orderProblem(raw);
    const id = (raw as { clientOrderId?: unknown } | null)?.clientOrderId;
    if (problem !== undefined) {
      if (typeof id === 'string' && slot.account.has(id)) return slot.account.tell({ type: 'order.update-rejected', ts, clientOrderId: id, reason: problem });
      return sendError(slot, `replace refused: ${problem}`);
    }
    const order: OrderRequest = asOrder(raw);
    if (!slot.account.has(order.clientOrderId)) {
      return slot.account.tell({ type: 'order.update-rejected', ts, clientOrderId: order.clientOrderId, reason: 'unknown client order id' });
    }
    slot.venue.replace(order as ApprovedOrder); // see submit: the gate ran in the engine
    market.drainDue();
  };

  const cancel = (slot: AccountSlot, id: unknown): void => {
    // An id the account never used is ignored, as the SimVenue ignores a cancel that finds nothing: there
    // is no order to report on (and passing it on would cancel a later order that reuses the id on arrival).
    if (typeof id !== 'string' || !slot.account.has(id)) return;
    slot.venue.cancel(id);
    market.drainDue();
  };

  const state = (account: SimAccount, id: unknown, fillsAfter: unknown): VenueState => ({
    op: 'state', id: typeof id === 'number' ? id : 0, openOrders: account.openOrders(), positions: account.positions(), cash: account.cash,
    fills: account.fills(typeof fillsAfter === 'number' ? fillsAfter : 0), orders: account.orderRecords(), lastBar: market.lastBar,
    ts: market.clock.now(), nextBar: market.nextBar, ended: market.ended, duplicateSubmits: account.duplicateSubmits,
  });

  const handle = (s: Session, line: string): void => {
    let m: Record<string, unknown>;
    try {
      const v = decodeLine(line);
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new SyntaxError('not an object');
      m = v as Record<string, unknown>;
    } catch (e) {
      return send(s, { op: 'error', message: `not a JSON object: ${(e as Error).message}` });
    }
    if (m.op === 'hello') return hello(s, m.account);
    if (s.account === undefined) return send(s, { op: 'error', message: `say hello first (got ${String(m.op)})` });
    const slot = accounts.get(s.account.name)!;
    switch (m.op) {
      case 'start': return market.start();
      case 'submit': return submit(slot, m.order);
      case 'cancel': return cancel(slot, m.clientOrderId);
      case 'replace': return replace(slot, m.order);
      case 'query': return send(s, state(slot.account, m.id, m.fillsAfter));
      default: return send(s, { op: 'error', message: `unknown op ${String(m.op)}` });
    }
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    const session: Session = { socket, account: undefined };
    const lines = new LineSplitter();
    socket.on('data', (chunk: string) => { for (const line of lines.push(chunk)) handle(session, line); });
    socket.on('error', () => {}); // a client that vanished: 'close' follows and cleans up
    socket.on('close', () => {
      sockets.delete(socket);
      const a = session.account;
      if (a !== undefined && sessions.get(a.name) === session) {
        sessions.delete(a.name);
        a.forwardTo(undefined);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port, instrument,
    stats() {
      let orders = 0, fills = 0, duplicateSubmits = 0;
      for (const { account } of accounts.values()) {
        orders += account.orderCount;
        fills += account.fillCount;
        duplicateSubmits += account.duplicateSubmits;
      }
      return {
        barsReplayed: market.nextBar, started: market.started, ended: market.ended, accounts: accounts.size, connectedAccounts: sessions.size,
        orders, fills, duplicateSubmits,
      };
    },
    close() {
      market.stop();
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
