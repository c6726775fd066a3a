import type { AuditEvent, AuditRecord } from './audit-event.ts';
import type { AuditLog } from './audit-log.ts';

/**
 * Where an engine's components drop audit events: `record` returns at once and never throws. The engine's
 * operator actions call it after acting (an API request or a control command, never a market event), and
 * the write happens after the caller's turn of the event loop, so no audit write ever sits on the trading
 * path.
 */
export interface AuditRecorder {
  record(event: AuditEvent): void;
}

export interface BackgroundAuditOptions {
  /** Each stored record (e.g. to log its seq and hash: a copy of the head outside the database). */
  readonly onRecorded?: (record: AuditRecord) => void;
  /**
   * A record that could not be written (database down, a bad event). Must be loud: log it and raise an
   * alert. Trading goes on: the audit trail must not be able to stop a kill switch.
   */
  readonly onFailure: (event: AuditEvent, error: unknown) => void;
}

/**
 * An AuditRecorder that writes to an AuditLog in the background, one record after the other, in the order
 * they were recorded.
 *
 * @example
 * const audit = new BackgroundAudit(log, { onFailure: (e, err) => logger.error(`audit ${e.action} not recorded: ${err}`) });
 * audit.record({ actor: 'token', origin: 'ip:127.0.0.1', action: 'kill', result: AUDIT_OK });
 * await audit.close(); // writes what is queued, then closes the log
 */
export class BackgroundAudit implements AuditRecorder {
  private readonly log: AuditLog;
  private readonly o: BackgroundAuditOptions;
  private queue: AuditEvent[] = [];
  private draining: Promise<void> | undefined;
  private failed = 0;
  private written = 0;

  constructor(log: AuditLog, o: BackgroundAuditOptions) {
    this.log = log;
    this.o = o;
  }

  /** Records that could not be written so far. */
  get failures(): number {
    return this.failed;
  }

  /** Records written so far. */
  get recorded(): number {
    return this.written;
  }

  record(event: AuditEvent): void {
    this.queue.push(event);
    this.draining ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
  }

  /** Resolves once everything recorded so far was written (or failed). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Write what is queued, then close the log. */
  async close(): Promise<void> {
    await this.flush();
    await this.log.close();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const event = this.queue.shift()!;
      try {
        const rec = await this.log.record(event);
        this.written++;
        this.safely(() => this.o.onRecorded?.(rec));
      } catch (err) {
        this.failed++;
        this.safely(() => this.o.onFailure(event, err));
      }
    }
    this.draining = undefined;
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch {
      // A broken logger must not stop the trail.
    }
  }
}
