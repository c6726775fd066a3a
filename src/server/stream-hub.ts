import type { EngineHandle, StreamEvent } from '../runtime/index.ts';

/** Summaries (PnL, positions) go out at most this often. */
export const SUMMARY_EVERY_MS = 500;
/** A client with this many bytes queued and unsent is too slow to follow the engine, and is dropped. */
export const MAX_BUFFERED_BYTES = 1 << 20;
/** How long `close()` waits for clients to answer the close frame before cutting them off. */
const CLOSE_GRACE_MS = 1000;

/** WebSocket's OPEN ready state. */
const OPEN = 1;
/** Close codes (RFC 6455): the server is going away; the client could not keep up. */
const GOING_AWAY = 1001;

/** The part of a `ws` WebSocket the hub uses (a fake in tests). */
export interface StreamSocket {
  readonly readyState: number;
  /** Bytes queued but not yet handed to the network: grows while the client reads slower than we write. */
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: 'close' | 'error', listener: (...args: unknown[]) => void): unknown;
}

export interface StreamHubOptions {
  readonly summaryEveryMs?: number;
  readonly maxBufferedBytes?: number;
  readonly log?: (line: string) => void;
}

/**
 * The fan-out behind `GET /api/stream`: one subscription to the engine however many clients, each event
 * serialized once, and one summary timer. It runs only while someone listens, so an engine nobody watches
 * pays nothing. The engine's listener runs on the engine's own path, so it never waits for a client: a client
 * whose unsent bytes pass `maxBufferedBytes` is cut off (it reconnects and re-reads the REST views) instead of
 * growing the process's memory without bound.
 *
 * @example
 * const hub = new StreamHub(engine, { log });
 * app.get('/api/stream', { websocket: true }, (socket, req) => hub.add(socket, `api:${req.ip}`));
 * await hub.close();
 */
export class StreamHub {
  private readonly engine: EngineHandle;
  private readonly summaryEveryMs: number;
  private readonly maxBufferedBytes: number;
  private readonly log: (line: string) => void;
  /** Each client and who it is (for the log line when it is dropped). */
  private readonly clients = new Map<StreamSocket, string>();
  private unsubscribe: (() => void) | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private closing = false;

  constructor(engine: EngineHandle, o: StreamHubOptions = {}) {
    this.engine = engine;
    this.summaryEveryMs = o.summaryEveryMs ?? SUMMARY_EVERY_MS;
    this.maxBufferedBytes = o.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
    this.log = o.log ?? (() => {});
  }

  /** Clients connected now. */
  get size(): number {
    return this.clients.size;
  }

  /** Follow a newly connected client until it closes. */
  add(socket: StreamSocket, peer: string): void {
    if (this.closing) {
      socket.close(GOING_AWAY, 'server shutting down');
      return;
    }
    this.clients.set(socket, peer);
    socket.on('close', () => this.remove(socket));
    // A socket error (reset by the peer) is followed by 'close'; without a listener it would crash the process.
    socket.on('error', () => this.remove(socket));
    if (this.clients.size === 1) this.start();
  }

  /** Send every client a close frame, wait briefly for them to go, cut off the rest. */
  async close(graceMs: number = CLOSE_GRACE_MS): Promise<void> {
    this.closing = true;
    this.stop();
    const sockets = [...this.clients.keys()];
    if (sockets.length === 0) return;
    const gone = Promise.all(sockets.map((s) => new Promise<void>((resolve) => {
      if (s.readyState > OPEN) resolve();
      else s.on('close', () => resolve());
    })));
    for (const s of sockets) s.close(GOING_AWAY, 'server shutting down');
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([gone, new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs); })]);
    clearTimeout(timer);
    for (const s of this.clients.keys()) s.terminate();
    this.clients.clear();
  }

  private start(): void {
    this.unsubscribe = this.engine.subscribe((e) => this.broadcast(e));
    this.timer = setInterval(() => {
      // A timer callback that throws would take the whole process (and the engine) down.
      try {
        this.broadcast(this.summary());
      } catch (e) {
        this.log(`stream: no summary: ${(e as Error).message}`);
      }
    }, this.summaryEveryMs);
    this.timer.unref();
  }

  private stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private remove(socket: StreamSocket): void {
    if (!this.clients.delete(socket)) return;
    if (this.clients.size === 0) this.stop();
  }

  private summary(): StreamEvent {
    return { kind: 'summary', ts: this.engine.status().lastEventTs, pnl: this.engine.pnl(), positions: this.engine.positions() };
  }

  private broadcast(e: StreamEvent): void {
    const text = toJson(e);
    for (const [socket, peer] of this.clients) {
      if (socket.readyState !== OPEN) continue;
      if (socket.bufferedAmount > this.maxBufferedBytes) {
        this.log(`stream: dropped ${peer}: ${socket.bufferedAmount} bytes unsent (a client must keep up, then re-read the REST views)`);
        this.remove(socket);
        socket.terminate();
        continue;
      }
      socket.send(text);
    }
  }
}

/** Journal payloads may carry bigints (exact money); JSON has no bigint, so they go out as decimal strings. */
function toJson(e: StreamEvent): string {
  return JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}
