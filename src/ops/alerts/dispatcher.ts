import { headline, type Alert, type AlertChannel } from './channels.ts';

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
  /**
   * Collect what a channel is sent for this long after the first alert, then send it as one message
   * (default 0: every alert goes out at once). Channels with `groups: false` (PagerDuty) always get each
   * alert at once.
   */
  readonly groupWaitMs?: number;
  /** Attempts per message on failure (5xx, timeouts), default 3. */
  readonly attempts?: number;
  readonly retryBaseMs?: number;
  readonly now?: () => number;
  /** Delivery failures after every attempt (logs). Never includes URLs or tokens. */
  readonly onError?: (channel: string, alert: Alert, error: Error) => void;
}

const RANK = { info: 0, warning: 1, critical: 2 } as const;

/** One channel's rate-limit minute. */
interface RateWindow { start: number; count: number; suppressed: number }

/** Alerts waiting for one channel's group window to close, one per alert key. */
interface PendingGroup {
  readonly alerts: Map<string, Alert>;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * One message standing for several alerts: keyed by its members' keys, as severe as the worst of them,
 * firing while any of them is, stamped with the latest, and listing each member on its own line.
 *
 * @example alertGroup([drawdown, staleData]).title // "2 alerts: 2 firing"
 */
export function alertGroup(members: readonly Alert[]): Alert {
  const firing = members.filter((m) => m.state === 'firing').length;
  const resolved = members.length - firing;
  const counts = [firing > 0 ? `${firing} firing` : '', resolved > 0 ? `${resolved} resolved` : ''].filter((c) => c !== '').join(', ');
  return {
    key: `group:${members.map((m) => m.key).sort().join(',')}`,
    severity: members.reduce<Alert['severity']>((s, m) => (RANK[m.severity] > RANK[s] ? m.severity : s), 'info'),
    title: `${members.length} alerts: ${counts}`,
    detail: members.map(memberLine).join('\n'),
    ts: members.reduce((t, m) => Math.max(t, m.ts), -Infinity),
    state: firing > 0 ? 'firing' : 'resolved',
    members,
  };
}

/** "• [CRITICAL] drawdown: 12% — drawdown 12.00% (threshold 10%)": a group stays one line per member. */
function memberLine(m: Alert): string {
  const first = m.detail.split('\n', 1)[0];
  return first === '' ? `• ${headline(m)}` : `• ${headline(m)} — ${first}`;
}

/** How many alerts a message stands for. */
const size = (a: Alert | undefined): number => (a === undefined ? 0 : a.members?.length ?? 1);

/** The part of a message that still goes out over the rate limit: its resolves (one, several as a group, or none). */
function resolvesOnly(alert: Alert): Alert | undefined {
  const members = alert.members ?? [alert];
  const resolved = members.filter((m) => m.state === 'resolved');
  if (resolved.length === members.length) return alert;
  if (resolved.length <= 1) return resolved[0];
  return alertGroup(resolved);
}

/**
 * Delivers alerts: routed by severity, deduplicated (a firing alert is not re-sent until it resolves or the
 * repeat interval passes), optionally grouped per channel (`groupWaitMs`), rate limited per channel (excess
 * is summarised in the next message that goes out, never silently dropped), retried with backoff when a
 * channel fails, and resolved once. With grouping on, call `flush()` at shutdown so no group is left behind.
 *
 * @example
 * const d = new AlertDispatcher({ routes: [{ channel: slack, minSeverity: 'warning' }] });
 * await d.raise({ key: 'drawdown', severity: 'critical', title: 'drawdown 12%', detail: '…', ts: Date.now(), state: 'firing' });
 */
export class AlertDispatcher {
  private readonly o: DispatcherOptions;
  private readonly firing = new Map<string, { alert: Alert; sentAt: number }>();
  private readonly windows = new Map<string, RateWindow>();
  private readonly pending = new Map<AlertChannel, PendingGroup>();
  private readonly inFlight = new Set<Promise<void>>();
  readonly sent: Array<{ channel: string; alert: Alert }> = [];

  constructor(o: DispatcherOptions) {
    this.o = o;
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  /**
   * Raise (or re-raise) an alert; resolves once every channel took it or gave up, or, for a channel that
   * groups, once it joined that channel's pending group (`flush()` waits for those).
   */
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

  /**
   * Send every pending group now and wait until all group deliveries finished. Call it at shutdown: group
   * timers do not keep the process alive, so a group still collecting would otherwise never go out.
   */
  async flush(): Promise<void> {
    for (const channel of [...this.pending.keys()]) this.release(channel);
    await Promise.all([...this.inFlight]);
  }

  get firingKeys(): string[] {
    return [...this.firing.keys()];
  }

  private async deliver(alert: Alert): Promise<void> {
    const routes = this.o.routes.filter((r) => RANK[alert.severity] >= RANK[r.minSeverity]);
    await Promise.all(routes.map(async (r) => (this.groups(r.channel) ? this.collect(r.channel, alert) : this.toChannel(r.channel, alert))));
  }

  private groups(channel: AlertChannel): boolean {
    return (this.o.groupWaitMs ?? 0) > 0 && channel.groups !== false;
  }

  /** Add the alert to the channel's open group; the first alert opens the group and starts its window. */
  private collect(channel: AlertChannel, alert: Alert): void {
    let g = this.pending.get(channel);
    if (g === undefined) {
      const timer = setTimeout(() => this.release(channel), this.o.groupWaitMs);
      // A group waiting to go out must not hold a finished process open; shutdown sends it with flush().
      timer.unref();
      g = { alerts: new Map(), timer };
      this.pending.set(channel, g);
    }
    // One line per condition: one that fired and cleared inside the window is reported where it ended up.
    g.alerts.delete(alert.key);
    g.alerts.set(alert.key, alert);
  }

  /** Close the channel's group: a single alert goes out as itself, several as one grouped message. */
  private release(channel: AlertChannel): void {
    const g = this.pending.get(channel);
    if (g === undefined) return;
    this.pending.delete(channel);
    clearTimeout(g.timer);
    const members = [...g.alerts.values()];
    const delivery = this.toChannel(channel, members.length === 1 ? members[0] : alertGroup(members));
    this.inFlight.add(delivery);
    const done = (): void => { this.inFlight.delete(delivery); };
    delivery.then(done, done);
  }

  private async toChannel(channel: AlertChannel, alert: Alert): Promise<void> {
    const message = this.admit(channel.name, alert);
    if (message === undefined) return;
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

  /**
   * The channel's per-minute limit, counting a grouped message as one. Over the limit firing alerts are held
   * back and named in the next message that goes out; resolves still go, or the receiver would keep showing
   * a cleared condition as open. Returns what to send, or undefined.
   */
  private admit(channel: string, alert: Alert): Alert | undefined {
    const now = this.now();
    let w = this.windows.get(channel);
    if (w === undefined || now - w.start >= 60_000) { w = { start: now, count: 0, suppressed: w?.suppressed ?? 0 }; this.windows.set(channel, w); }
    let out: Alert | undefined = alert;
    if (w.count >= (this.o.perMinute ?? 20)) {
      out = resolvesOnly(alert);
      w.suppressed += size(alert) - size(out);
      if (out === undefined) return undefined;
    }
    w.count++;
    const extra = w.suppressed > 0 ? `\n…and ${w.suppressed} more alert(s) held back by this channel's rate limit` : '';
    w.suppressed = 0;
    return extra ? { ...out, detail: out.detail + extra } : out;
  }
}
