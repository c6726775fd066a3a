import type { Dispatcher } from 'undici';
import { Backoff, type BackoffOptions } from './backoff.ts';
import { tlsDiagnosis } from './tls-trust.ts';

/**
 * A WebSocket that stays up: it notices a dead connection (heartbeat), reconnects with backoff, repeats the
 * owner's handshake (authenticate, subscribe) on every connection, and tells the owner which span of time it
 * was blind for (`onGap`) so the owner can fetch what it missed over REST. Messages received during the
 * handshake that the handshake does not consume are delivered afterwards, in order.
 *
 * Why an expected-message heartbeat and not pings: the WebSocket in Node (as in browsers) answers the server's
 * pings by itself and cannot send its own, so a half-open connection (a NAT dropped it, the venue hung) is
 * only visible as silence. After `silenceMs` without a message, the socket sends the owner's `probe` (a
 * message the venue answers, e.g. Alpaca's `listen`); without an answer in `timeoutMs` it reconnects.
 */

export interface SocketLink {
  send(text: string): void;
  /** The next message `accept` takes, within `timeoutMs`; rejects naming `what` otherwise. */
  waitFor(accept: (text: string) => boolean, timeoutMs: number, what: string): Promise<string>;
}

export interface ReconnectingSocketOptions {
  readonly url: string;
  /** Names the socket in reasons ("alpaca trade stream"). */
  readonly name: string;
  /** Authenticate and subscribe; runs on every connection; throwing fails this attempt. */
  readonly handshake?: (link: SocketLink) => Promise<void>;
  /** Every message after the handshake, as text (binary frames are decoded as UTF-8). */
  readonly onMessage: (text: string) => void;
  /**
   * After a reconnect: the socket heard nothing between `from` (the last message before the drop, or the drop
   * itself when nothing came) and `to` (the new connection is ready). Epoch ms.
   */
  readonly onGap?: (from: number, to: number) => void;
  /** Up after each handshake, down on each drop (with why). */
  readonly onState?: (up: boolean, reason: string) => void;
  /** Called once when it stops trying (`maxAttempts` failed connections in a row). */
  readonly onGiveUp?: (reason: string) => void;
  readonly heartbeat?: { readonly silenceMs: number; readonly timeoutMs: number; readonly probe?: () => string };
  readonly backoff?: BackoffOptions;
  /** Failed connection attempts in a row before giving up (default: never give up). */
  readonly maxAttempts?: number;
  /** Limit for connecting plus handshake (default 10 000 ms). */
  readonly connectTimeoutMs?: number;
  /** Injectable (default the global WebSocket). */
  readonly WebSocket?: typeof WebSocket;
  /** The undici dispatcher of the connection (`venueDispatcher`: a configured CA besides the public roots). */
  readonly dispatcher?: Dispatcher;
  /** The extra CA the dispatcher trusts, for naming a refused certificate (`tlsDiagnosis`). */
  readonly caPem?: string;
  readonly now?: () => number;
}

interface Waiter {
  accept(text: string): boolean;
  resolve(text: string): void;
}

/**
 * @example
 * const s = new ReconnectingSocket({ url, name: 'stream', onMessage, handshake: async (l) => { l.send(auth); await l.waitFor(isAuthorized, 5000, 'auth'); } });
 * s.start();
 */
export class ReconnectingSocket {
  private readonly o: ReconnectingSocketOptions;
  private readonly backoff: Backoff;
  private readonly now: () => number;
  private ws: WebSocket | undefined;
  private ready = false;
  private stopped = false;
  private everReady = false;
  private failures = 0;
  private lastHeard = 0;
  private droppedAt = 0;
  private silenceTimer: NodeJS.Timeout | undefined;
  private deadTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private waiters: Waiter[] = [];
  private held: string[] = [];
  private closed: Promise<void> = Promise.resolve();
  private connections = 0;
  private failure: string | undefined;

  constructor(o: ReconnectingSocketOptions) {
    this.o = o;
    this.backoff = new Backoff(o.backoff ?? { baseMs: 250, maxMs: 30_000 });
    this.now = o.now ?? Date.now;
  }

  /** Ready: connected and handshaken. */
  get connected(): boolean {
    return this.ready;
  }

  /** Connections made so far (the first included); a test's way to see a reconnect. */
  get connectionCount(): number {
    return this.connections;
  }

  start(): void {
    if (this.ws || this.stopped) return;
    this.connect();
  }

  /** Send when ready; false (nothing sent) otherwise. */
  send(text: string): boolean {
    if (!this.ready || this.ws?.readyState !== 1) return false;
    this.ws.send(text);
    return true;
  }

  /** Close for good (no reconnect); resolves once closed. */
  close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.clearHeartbeat();
    const ws = this.ws;
    if (ws && ws.readyState !== 3) ws.close(1000, 'closed by client');
    return this.closed;
  }

  /** Drop the current connection as if it died (tests, and a caller that knows better). It reconnects. */
  drop(reason = 'dropped by client'): void {
    this.ws?.close(4000, reason.slice(0, 100));
  }

  private connect(): void {
    const WS = this.o.WebSocket ?? WebSocket;
    let ws: WebSocket;
    try {
      // The global WebSocket is undici's: its second argument may carry the dispatcher.
      ws = this.o.dispatcher ? new (WS as unknown as new (url: string, init: object) => WebSocket)(this.o.url, { dispatcher: this.o.dispatcher }) : new WS(this.o.url);
    } catch (e) {
      return this.lost(`cannot open ${this.o.name}: ${(e as Error).message}`);
    }
    this.connections++;
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    let reason = `${this.o.name} closed`;
    let signalClosed!: () => void;
    this.closed = new Promise((resolve) => { signalClosed = resolve; });
    const limit = setTimeout(() => this.abandon(ws, `${this.o.name}: no connection and handshake within ${this.o.connectTimeoutMs ?? 10_000} ms`), this.o.connectTimeoutMs ?? 10_000);
    let opened = false;
    ws.addEventListener('open', () => {
      opened = true;
      this.lastHeard = this.now();
      this.handshake(ws).then(() => {
        clearTimeout(limit);
        if (this.ws !== ws || ws.readyState !== 1) return;
        this.becameReady();
      }, (e: unknown) => {
        clearTimeout(limit);
        reason = `${this.o.name} handshake failed: ${(e as Error)?.message ?? String(e)}`;
        ws.close();
      });
    });
    ws.addEventListener('message', (ev: MessageEvent) => this.onData(ws, ev.data));
    ws.addEventListener('error', () => { /* 'close' follows with the reason */ });
    ws.addEventListener('close', (ev: CloseEvent) => {
      clearTimeout(limit);
      signalClosed();
      if (this.ws !== ws) return;
      this.ws = undefined;
      const why = ev.reason ? `${reason} (${ev.code} ${ev.reason})` : `${reason} (${ev.code})`;
      if (opened || !/^wss:/i.test(this.o.url)) return this.lost(why);
      // Refused before it opened: a certificate problem shows only as 1006, so ask a TLS handshake of our own.
      void tlsDiagnosis(this.o.url, this.o.caPem).then((problem) => {
        this.lost(problem === undefined ? why : `${this.o.name}: the TLS certificate of ${new URL(this.o.url).host} was refused: ${problem}`);
      });
    });
  }

  private handshake(ws: WebSocket): Promise<void> {
    if (!this.o.handshake) return Promise.resolve();
    const link: SocketLink = {
      send: (text) => { if (ws.readyState === 1) ws.send(text); },
      waitFor: (accept, timeoutMs, what) => new Promise<string>((resolve, reject) => {
        const w: Waiter = { accept, resolve: (t) => { clearTimeout(timer); resolve(t); } };
        const timer = setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          reject(new Error(`no ${what} within ${timeoutMs} ms`));
        }, timeoutMs);
        // A message that arrived before the waiter (held) counts too.
        const i = this.held.findIndex((t) => accept(t));
        if (i >= 0) return w.resolve(this.held.splice(i, 1)[0]);
        this.waiters.push(w);
      }),
    };
    return this.o.handshake(link);
  }

  private onData(ws: WebSocket, data: unknown): void {
    if (this.ws !== ws) return;
    const text = typeof data === 'string' ? data : new TextDecoder().decode(data as ArrayBuffer);
    this.lastHeard = this.now();
    this.armHeartbeat();
    if (!this.ready) {
      const i = this.waiters.findIndex((w) => w.accept(text));
      if (i >= 0) return this.waiters.splice(i, 1)[0].resolve(text);
      this.held.push(text);
      return;
    }
    this.o.onMessage(text);
  }

  private becameReady(): void {
    this.ready = true;
    this.failures = 0;
    this.backoff.reset();
    const at = this.now();
    this.armHeartbeat();
    this.o.onState?.(true, `${this.o.name} connected`);
    if (this.everReady) this.o.onGap?.(this.droppedAt, at);
    this.everReady = true;
    const held = this.held;
    this.held = [];
    for (const t of held) this.o.onMessage(t);
  }

  /** Why the last connection attempt or connection failed (undefined before any did). */
  get lastFailure(): string | undefined {
    return this.failure;
  }

  private lost(reason: string): void {
    this.failure = reason;
    const wasReady = this.ready;
    this.ready = false;
    this.waiters = [];
    this.held = [];
    this.clearHeartbeat();
    if (wasReady) {
      // We know everything up to the last message we heard; the gap starts there.
      this.droppedAt = this.lastHeard || this.now();
      this.o.onState?.(false, reason);
    } else {
      this.failures++;
    }
    if (this.stopped) return;
    if (this.o.maxAttempts !== undefined && this.failures >= this.o.maxAttempts) {
      this.stopped = true;
      this.o.onGiveUp?.(`${reason}; gave up after ${this.failures} failed attempts`);
      return;
    }
    this.reconnectTimer = setTimeout(() => this.connect(), this.backoff.next());
  }

  private armHeartbeat(): void {
    const hb = this.o.heartbeat;
    if (!hb || !this.ready) return;
    clearTimeout(this.silenceTimer);
    clearTimeout(this.deadTimer);
    this.deadTimer = undefined;
    this.silenceTimer = setTimeout(() => {
      const ws = this.ws;
      if (!ws) return;
      const declareDead = () => this.abandon(ws, `${this.o.name}: silent for ${hb.silenceMs + (hb.probe ? hb.timeoutMs : 0)} ms (heartbeat)`);
      if (!hb.probe) return declareDead();
      if (ws.readyState === 1) ws.send(hb.probe());
      this.deadTimer = setTimeout(declareDead, hb.timeoutMs);
    }, hb.silenceMs);
  }

  /**
   * Give up on a connection now, without waiting for its close handshake: a half-open connection never
   * completes one, and the reconnect must not wait for it.
   */
  private abandon(ws: WebSocket, reason: string): void {
    if (this.ws !== ws) return;
    this.ws = undefined;
    try { ws.close(4001, 'heartbeat timeout'); } catch { /* already closing */ }
    this.lost(reason);
  }

  private clearHeartbeat(): void {
    clearTimeout(this.silenceTimer);
    clearTimeout(this.deadTimer);
    this.silenceTimer = undefined;
    this.deadTimer = undefined;
  }
}
