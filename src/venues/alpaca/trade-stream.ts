import type { Dispatcher } from 'undici';
import { ReconnectingSocket, parseJsonKeepingIds, type BackoffOptions, type Credentials, type SocketLink } from '../net/index.ts';
import type { AlpacaTradeUpdate } from './wire.ts';

/**
 * Alpaca's order updates stream (`/stream`, channel `trade_updates`) over the reconnecting socket. After a
 * reconnect the owner's `catchUp(from, to)` fetches by REST what happened while the stream was down; live
 * updates that arrive meanwhile are held and handed over after it, so the owner sees events in order (its
 * order tracker drops what catch-up already reported, by execution id).
 */

export interface TradeStreamOptions {
  readonly url: string;
  readonly credentials: Credentials;
  readonly onUpdate: (u: AlpacaTradeUpdate) => void;
  /** REST catch-up for the blind span [from, to] (epoch ms). */
  readonly catchUp: (from: number, to: number) => Promise<void>;
  readonly onState?: (up: boolean, reason: string) => void;
  readonly onGiveUp?: (reason: string) => void;
  /** Something went wrong that the engine should know (a catch-up failed: reconcile). */
  readonly onError?: (message: string) => void;
  readonly heartbeat?: { readonly silenceMs: number; readonly timeoutMs: number };
  readonly backoff?: BackoffOptions;
  readonly maxAttempts?: number;
  readonly connectTimeoutMs?: number;
  /** TLS: the dispatcher trusting the venue's CA, and that CA (for naming a refused certificate). */
  readonly tls?: { readonly dispatcher: Dispatcher; readonly caPem: string };
}

const LISTEN = JSON.stringify({ action: 'listen', data: { streams: ['trade_updates'] } });

interface StreamMessage {
  readonly stream?: string;
  readonly data?: Record<string, unknown>;
}

/**
 * @example
 * const s = new AlpacaTradeStream({ url, credentials, onUpdate, catchUp: (from) => venue.catchUp(from) });
 * s.start();
 */
export class AlpacaTradeStream {
  private readonly o: TradeStreamOptions;
  private readonly socket: ReconnectingSocket;
  private holding = false;
  private held: AlpacaTradeUpdate[] = [];
  private catchUps: Promise<void> = Promise.resolve();

  constructor(o: TradeStreamOptions) {
    this.o = o;
    this.socket = new ReconnectingSocket({
      url: o.url,
      name: 'alpaca trade stream',
      handshake: (link) => this.handshake(link),
      onMessage: (text) => this.onText(text),
      onGap: (from, to) => this.onGap(from, to),
      onState: o.onState,
      onGiveUp: o.onGiveUp,
      heartbeat: o.heartbeat ? { ...o.heartbeat, probe: () => LISTEN } : undefined,
      backoff: o.backoff,
      maxAttempts: o.maxAttempts,
      connectTimeoutMs: o.connectTimeoutMs,
      dispatcher: o.tls?.dispatcher,
      caPem: o.tls?.caPem,
    });
  }

  /** Why the stream's last connection attempt failed (for the connect error). */
  get lastFailure(): string | undefined {
    return this.socket.lastFailure;
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  get connectionCount(): number {
    return this.socket.connectionCount;
  }

  start(): void {
    this.socket.start();
  }

  /** Resolves when the catch-up in progress (if any) is done and held updates were handed over. */
  settled(): Promise<void> {
    return this.catchUps;
  }

  /** Drop the connection as if it died (it reconnects and catches up). */
  drop(reason?: string): void {
    this.socket.drop(reason);
  }

  close(): Promise<void> {
    return this.socket.close();
  }

  private async handshake(link: SocketLink): Promise<void> {
    link.send(JSON.stringify({ action: 'auth', key: this.o.credentials.keyId, secret: this.o.credentials.secret.reveal() }));
    const auth = parse(await link.waitFor((t) => parse(t).some((m) => m.stream === 'authorization'), 10_000, 'authorization answer'))
      .find((m) => m.stream === 'authorization');
    if (auth?.data?.status !== 'authorized') throw new Error(`not authorized (${String(auth?.data?.status ?? 'no status')})`);
    link.send(LISTEN);
    await link.waitFor((t) => parse(t).some((m) => m.stream === 'listening'), 10_000, 'listening answer');
  }

  private onText(text: string): void {
    let messages: StreamMessage[];
    try {
      messages = parse(text);
    } catch {
      return this.o.onError?.('alpaca trade stream sent a message that is not JSON');
    }
    for (const m of messages) {
      if (m.stream !== 'trade_updates' || !m.data) continue;
      const u = m.data as unknown as AlpacaTradeUpdate;
      if (this.holding) this.held.push(u);
      else this.o.onUpdate(u);
    }
  }

  private onGap(from: number, to: number): void {
    this.holding = true;
    this.catchUps = this.catchUps.then(async () => {
      try {
        await this.o.catchUp(from, to);
      } catch (e) {
        this.o.onError?.(`catch-up after reconnect failed, reconcile the venue: ${(e as Error).message}`);
      }
      this.holding = false;
      const held = this.held;
      this.held = [];
      for (const u of held) this.o.onUpdate(u);
    });
  }
}

function parse(text: string): StreamMessage[] {
  const v = parseJsonKeepingIds(text);
  return (Array.isArray(v) ? v : [v]) as StreamMessage[];
}
