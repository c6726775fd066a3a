import type { Clock } from '../../kernel/index.ts';
import type { MarketEvent } from '../../model/index.ts';
import type { FeedEventHandler, FeedStatus, FeedStatusHandler, LiveFeed } from './feed.ts';
import type { TimerScheduler } from './timers.ts';

/** One step of a script: at local time `at`, deliver an event or a status change. */
export type ScriptStep =
  | { readonly at: number; readonly event: MarketEvent }
  | { readonly at: number; readonly status: FeedStatus };

export interface ScriptedFeedOptions {
  /** Steps played by `play(now)` (or by the timer when `timers` is given), in `at` order. */
  readonly script?: readonly ScriptStep[];
  /** With a clock and timers the feed plays its script by itself every `pollMs` (default 10 ms). */
  readonly clock?: Clock;
  readonly timers?: TimerScheduler;
  readonly pollMs?: number;
  /** Report `connected` on `start()` (default true); false to script the connection too. */
  readonly connectOnStart?: boolean;
}

/**
 * An in-memory LiveFeed for tests and demos: events and connection changes are pushed by hand
 * (`push`, `connect`, `disconnect`) or played from a script. Like a real adapter it delivers nothing
 * before `start()` or after `stop()`, nothing while disconnected, and only subscribed instruments (all of
 * them when `subscribe` was never called).
 *
 * @example
 * const feed = new ScriptedFeed('primary');
 * feed.onEvent((e) => console.log(e.ts));
 * feed.start();                     // reports connected
 * feed.push({ type: 'trade', instrumentId: 'ES', ts: 1, price: 4500, size: 1 });
 * feed.disconnect('socket closed'); // reports disconnected
 */
export class ScriptedFeed implements LiveFeed {
  readonly name: string;
  private readonly eventHandlers: FeedEventHandler[] = [];
  private readonly statusHandlers: FeedStatusHandler[] = [];
  private subscribed: Set<string> | undefined;
  private readonly script: ScriptStep[];
  private next = 0;
  private running = false;
  private connected = false;
  private readonly options: ScriptedFeedOptions;
  private cancelTimer: (() => void) | undefined;
  /** Events delivered to the handlers so far. */
  delivered = 0;

  constructor(name: string, options: ScriptedFeedOptions = {}) {
    this.name = name;
    this.options = options;
    this.script = (options.script ?? []).slice().sort((a, b) => a.at - b.at);
  }

  subscribe(instrumentIds: readonly string[]): void {
    this.subscribed = new Set(instrumentIds);
  }

  onEvent(handler: FeedEventHandler): void {
    this.eventHandlers.push(handler);
  }

  onStatus(handler: FeedStatusHandler): void {
    this.statusHandlers.push(handler);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.options.connectOnStart !== false) this.connect();
    const { clock, timers } = this.options;
    if (clock !== undefined && timers !== undefined) {
      this.cancelTimer = timers.every(this.options.pollMs ?? 10, () => this.play(clock.now()));
    }
  }

  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.running = false;
    this.connected = false;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Report a (re)connection. @example feed.connect() */
  connect(): void {
    if (!this.running || this.connected) return;
    this.connected = true;
    this.emitStatus({ state: 'connected' });
  }

  /** Report a lost connection; events pushed until `connect()` are lost, as on a real socket. @example feed.disconnect('timeout') */
  disconnect(reason: string): void {
    if (!this.running || !this.connected) return;
    this.connected = false;
    this.emitStatus({ state: 'disconnected', reason });
  }

  /** Deliver one event now (if running, connected and subscribed). Returns whether it was delivered. */
  push(event: MarketEvent): boolean {
    if (!this.running || !this.connected) return false;
    if (this.subscribed !== undefined && !this.subscribed.has(event.instrumentId)) return false;
    const hs = this.eventHandlers;
    for (let i = 0; i < hs.length; i++) hs[i](event);
    this.delivered++;
    return true;
  }

  /** Deliver every scripted step due at or before `now`. @example feed.play(clock.now()) */
  play(now: number): void {
    const s = this.script;
    while (this.next < s.length && s[this.next].at <= now) {
      const step = s[this.next++];
      if ('event' in step) this.push(step.event);
      else if (step.status.state === 'connected') this.connect();
      else this.disconnect(step.status.reason);
    }
  }

  private emitStatus(status: FeedStatus): void {
    for (const h of this.statusHandlers) h(status);
  }
}
