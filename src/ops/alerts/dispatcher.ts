import type { Alert, AlertChannel } from './channels.ts';

export interface Route {
  readonly channel: AlertChannel;
  /** Lowest severity this channel hears (info < warning < critical). */
  readonly minSeverity: Alert['severity'];
}

export interface DispatcherOptions {
  readonly routes: readonly Route[];
  /** A firing alert is sent again after this long while it keeps firing (a reminder), default 1 h. */
  readonly repeatIntervalMs?: number;
  /** At most this many messages per channel per minute; the rest are counted and summarised. Default 20. */
  readonly perMinute?: number;
  /** Attempts per message on failure (5xx, timeouts), default 3. */
  readonly attempts?: number;
  readonly retryBaseMs?: number;
  readonly now?: () => number;
  /** Delivery failures after every attempt (logs). Never includes URLs or tokens. */
  readonly onError?: (channel: string, alert: Alert, error: Error) => void;
}

const RANK = { info: 0, warning: 1, critical: 2 } as const;

/**
 * Delivers alerts: routed by severity, deduplicated (a firing alert is not re-sent until it resolves or the
 * repeat interval passes), rate limited per channel (excess is summarised in the next message that goes out,
 * never silently dropped), retried with backoff when a channel fails, and resolved once.
 *
 * @example
 * const d = new AlertDispatcher({ routes: [{ channel: slack, minSeverity: 'warning' }] });
 * await d.raise({ key: 'drawdown', severity: 'critical', title: 'drawdown 12%', detail: '…', ts: Date.now(), state: 'firing' });
 */
export class AlertDispatcher {
  private readonly o: DispatcherOptions;
  private readonly firing = new Map<string, { alert: Alert; sentAt: number }>();
  private readonly windows = new Map<string, { start: number; count: number; suppressed: number }>();
  readonly sent: Array<{ channel: string; alert: Alert }> = [];

  constructor(o: DispatcherOptions) {
    this.o = o;
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  /** Raise (or re-raise) an alert; resolves once every channel took it or gave up. */
  async raise(alert: Alert): Promise<void> {
    if (alert.state === 'resolved') return this.resolve(alert.key, alert.ts);
    const known = this.firing.get(alert.key);
    if (known && this.now() - known.sentAt < (this.o.repeatIntervalMs ?? 3_600_000)) return;
    this.firing.set(alert.key, { alert, sentAt: this.now() });
    await this.deliver(alert);
  }

  /** The condition behind `key` cleared: send a resolve message once, if it was firing. */
  async resolve(key: string, ts = this.now()): Promise<void> {
    const f = this.firing.get(key);
    if (f === undefined) return;
    this.firing.delete(key);
    await this.deliver({ ...f.alert, state: 'resolved', ts });
  }

  get firingKeys(): string[] {
    return [...this.firing.keys()];
  }

  private async deliver(alert: Alert): Promise<void> {
    await Promise.all(this.o.routes.filter((r) => RANK[alert.severity] >= RANK[r.minSeverity]).map((r) => this.toChannel(r.channel, alert)));
  }

  private async toChannel(channel: AlertChannel, alert: Alert): Promise<void> {
    const now = this.now();
    let w = this.windows.get(channel.name);
    if (w === undefined || now - w.start >= 60_000) { w = { start: now, count: 0, suppressed: w?.suppressed ?? 0 }; this.windows.set(channel.name, w); }
    if (w.count >= (this.o.perMinute ?? 20) && alert.state === 'firing') { w.suppressed++; return; }
    w.count++;
    const extra = w.suppressed > 0 ? `\n…and ${w.suppressed} more alert(s) held back by this channel's rate limit` : '';
    const message = extra ? { ...alert, detail: alert.detail + extra } : alert;
    w.suppressed = 0;
    const attempts = this.o.attempts ?? 3;
    for (let i = 1; ; i++) {
      try {
        await channel.send(message);
        this.sent.push({ channel: channel.name, alert: message });
        return;
      } catch (e) {
        if (i >= attempts) { this.o.onError?.(channel.name, alert, e as Error); return; }
        await new Promise((r) => setTimeout(r, (this.o.retryBaseMs ?? 500) * 2 ** (i - 1)));
      }
    }
  }
}
