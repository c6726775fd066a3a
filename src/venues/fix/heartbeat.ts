/**
 * FIX liveness for one logged-on session: a Heartbeat after `heartbeatSeconds` of our silence, a TestRequest
 * after 1.2× that of theirs, and `onDead` when the TestRequest goes unanswered for another interval.
 *
 * @example
 * const hb = new HeartbeatMonitor({ seconds: 30, heartbeat: () => send('0'), testRequest: (id) => send('1', id), onDead: drop });
 * hb.start(); hb.heard(); hb.sent(); hb.answered(id);
 */
export interface HeartbeatOptions {
  readonly seconds: number;
  readonly heartbeat: () => void;
  readonly testRequest: (testReqId: string) => void;
  readonly onDead: (why: string) => void;
  readonly now?: () => number;
}

export class HeartbeatMonitor {
  private readonly o: HeartbeatOptions;
  private readonly now: () => number;
  private lastIn = 0;
  private lastOut = 0;
  private pending: string | undefined;
  private pendingAt = 0;
  private n = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(o: HeartbeatOptions) {
    this.o = o;
    this.now = o.now ?? Date.now;
  }

  start(): void {
    this.stop();
    this.lastIn = this.now();
    const hb = this.o.seconds * 1000;
    this.timer = setInterval(() => {
      const t = this.now();
      if (t - this.lastOut >= hb) this.o.heartbeat();
      if (this.pending === undefined && t - this.lastIn >= hb * 1.2) {
        this.pending = `TEST-${++this.n}`;
        this.pendingAt = t;
        this.o.testRequest(this.pending);
      } else if (this.pending !== undefined && t - this.pendingAt >= hb) {
        const id = this.pending;
        this.stop();
        this.o.onDead(`no answer to TestRequest ${id} within ${this.o.seconds} s`);
      }
    }, Math.min(1000, Math.max(50, hb / 4)));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  /** Any message from the counterparty. */
  heard(): void { this.lastIn = this.now(); }
  /** Any message of ours. */
  sent(): void { this.lastOut = this.now(); }
  /** A Heartbeat carrying TestReqID (112). */
  answered(testReqId: string | undefined): void {
    if (testReqId !== undefined && testReqId === this.pending) this.pending = undefined;
  }
}
