import { Socket, connect as tcpConnect } from 'node:net';
import { KeelError, type Secret } from '../../model/index.ts';
import { Backoff } from '../net/index.ts';
import { FixFramer, encodeFix, fixTime, printable, type FixField, type FixMessage } from './wire.ts';
import type { SessionStore } from './session-store.ts';
import { resendPlan } from './resend.ts';
import { HeartbeatMonitor } from './heartbeat.ts';

export type BeginString = 'FIX.4.2' | 'FIX.4.4';

export interface FixSessionOptions {
  readonly host: string;
  readonly port: number;
  readonly beginString: BeginString;
  readonly senderCompId: string;
  readonly targetCompId: string;
  /** Username (553) and Password (554) on the Logon, when the counterparty wants them. */
  readonly username?: string;
  readonly password?: Secret;
  readonly heartbeatSeconds: number;
  readonly store: SessionStore;
  /** Start this process's first logon with both numbers at 1 and ResetSeqNumFlag (a counterparty that reset its session). */
  readonly resetOnLogon?: boolean;
  readonly connectTimeoutMs: number;
  readonly logonTimeoutMs: number;
  readonly reconnect: { readonly baseMs: number; readonly maxMs: number; readonly maxAttempts?: number; readonly random?: () => number };
  /** Every application message, in sequence order, exactly once (resent ones carry PossDupFlag). */
  readonly onApp: (m: FixMessage) => void;
  /** Up after each logon (and once a resend it asked for has caught up), down on each loss. */
  readonly onState: (up: boolean, reason: string) => void;
  readonly onGiveUp: (reason: string) => void;
  /** One line per event worth keeping; messages appear with credentials redacted. */
  readonly log: (line: string) => void;
  /** Log every message in and out (redacted). */
  readonly trace?: boolean;
  /**
   * Whether a stored application message may go out again when the counterparty asks (false: gap-filled
   * instead, e.g. an order too old to be sent late). Default: always.
   */
  readonly resendable?: (msgType: string, body: readonly FixField[], origSendingTime: string | undefined) => boolean;
  readonly now?: () => number;
}

type Phase = 'down' | 'connecting' | 'logon-sent' | 'up' | 'logout-sent' | 'closed';

/**
 * A FIX 4.2/4.4 initiator session: TCP, Logon, heartbeats and TestRequest, sequence numbers checked both ways
 * and persisted in the store, ResendRequest and SequenceReset-GapFill in both directions, Logout, and reconnect
 * with backoff. Application messages go out through `send()` and come in through `onApp`, in order.
 *
 * A gap in the counterparty's numbers asks for a resend of the missing range; messages after the gap wait until
 * it is filled, so the adapter sees ExecutionReports in the order the venue sent them. A number lower than
 * expected without PossDupFlag means one side lost its state: the session logs out (FIX's rule) rather than
 * guess, and says so.
 *
 * @example
 * const s = new FixSession({ host, port, beginString: 'FIX.4.2', senderCompId: 'KEEL', targetCompId: 'EXECUTOR', ... });
 * await s.connect();
 * s.send('D', [[11, 'sma-1'], [55, 'ORCL'], ...]);
 */
export class FixSession {
  private readonly o: FixSessionOptions;
  private socket: Socket | undefined;
  private phase: Phase = 'down';
  private readonly backoff: Backoff;
  private failures = 0;
  private readonly heartbeat: HeartbeatMonitor;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Messages after a gap, waiting for the resend to fill it. */
  private readonly waiting = new Map<number, FixMessage>();
  /** Their ResendRequests already answered (one beyond a gap is answered at once, not again in turn). */
  private readonly answered = new Set<number>();
  /** The end of the range asked for in a ResendRequest still being answered (0: none). */
  private resendUntil = 0;
  private logonWaiter: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private caughtUpWaiters: Array<() => void> = [];
  private readonly now: () => number;
  /** Why the counterparty logged us out or refused the logon (its Text, 58). */
  private logoutText: string | undefined;
  private resetDone = false;
  /** close() was called: the end of the connection is ours, nothing to report or reconnect. */
  private closing = false;

  constructor(o: FixSessionOptions) {
    this.o = o;
    this.now = o.now ?? Date.now;
    this.backoff = new Backoff({ baseMs: o.reconnect.baseMs, maxMs: o.reconnect.maxMs, random: o.reconnect.random });
    this.heartbeat = new HeartbeatMonitor({
      seconds: o.heartbeatSeconds, now: this.now,
      heartbeat: () => { if (this.phase === 'up') this.write('0', [], false); },
      testRequest: (id) => { if (this.phase === 'up') this.write('1', [[112, id]], false); },
      onDead: (why) => { this.log(why); this.socket?.destroy(new Error(why)); },
    });
  }

  get loggedOn(): boolean {
    return this.phase === 'up';
  }

  /** "FIX.4.2:KEEL->EXECUTOR". */
  get id(): string {
    return `${this.o.beginString}:${this.o.senderCompId}->${this.o.targetCompId}`;
  }

  /**
   * Connect and log on; resolves once logged on and caught up (any gap the logon revealed filled). Rejects with
   * one line when the counterparty cannot be reached, refuses the logon, or does not answer it.
   */
  connect(): Promise<void> {
    const p = new Promise<void>((resolve, reject) => { this.logonWaiter = { resolve, reject }; });
    this.open();
    return p;
  }

  /** Resolves when no resend is outstanding (immediately when caught up). */
  caughtUp(): Promise<void> {
    if (this.resendUntil === 0 && this.waiting.size === 0) return Promise.resolve();
    return new Promise((r) => this.caughtUpWaiters.push(r));
  }

  /**
   * Send an application message (NewOrderSingle, OrderCancelRequest, …): numbered, stored for resends and
   * made durable before it is written. Returns its sequence number, or undefined when not logged on (nothing
   * was sent nor numbered).
   */
  send(msgType: string, body: readonly FixField[]): number | undefined {
    if (this.phase !== 'up') return undefined;
    return this.write(msgType, body, true);
  }

  /** Log out (waiting briefly for the answer) and stop; no reconnect. */
  async close(): Promise<void> {
    const wasUp = this.phase === 'up';
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    if (wasUp && this.socket) {
      this.phase = 'logout-sent';
      this.write('5', [], false);
      const s = this.socket;
      await new Promise<void>((r) => { const t = setTimeout(r, 2000); s.once('close', () => { clearTimeout(t); r(); }); });
    }
    this.phase = 'closed';
    this.heartbeat.stop();
    this.socket?.destroy();
    this.socket = undefined;
  }

  /** Cut the connection without a Logout (tests: a network failure); the session reconnects. */
  drop(): void {
    this.socket?.destroy();
  }

  private open(): void {
    if (this.phase === 'closed') return;
    this.phase = 'connecting';
    this.logoutText = undefined;
    const socket = tcpConnect({ host: this.o.host, port: this.o.port });
    this.socket = socket;
    socket.setNoDelay(true);
    const connectTimer = setTimeout(() => socket.destroy(new Error(`no TCP connection within ${this.o.connectTimeoutMs} ms`)), this.o.connectTimeoutMs);
    const framer = new FixFramer((m) => this.receive(m), (why) => this.log(`garbled message ignored: ${why}`));
    let failure: string | undefined;
    socket.on('connect', () => {
      clearTimeout(connectTimer);
      this.phase = 'logon-sent';
      const fields: FixField[] = [[98, '0'], [108, String(this.o.heartbeatSeconds)]];
      if (this.o.username !== undefined) fields.push([553, this.o.username]);
      if (this.o.password !== undefined) fields.push([554, this.o.password.reveal()]);
      if (this.o.resetOnLogon && !this.resetDone) {
        this.resetDone = true;
        this.o.store.resetSequences();
        fields.push([141, 'Y']);
      }
      // Logon is never stored (it holds the password); a resend of its number is a gap-fill.
      this.write('A', fields, false);
      setTimeout(() => {
        if (this.socket === socket && this.phase === 'logon-sent') {
          failure = `no Logon answer within ${this.o.logonTimeoutMs} ms`;
          socket.destroy();
        }
      }, this.o.logonTimeoutMs).unref();
    });
    socket.on('data', (chunk: Buffer) => framer.push(chunk));
    socket.on('error', (e) => { failure ??= e.message; });
    socket.on('close', () => {
      clearTimeout(connectTimer);
      if (this.socket !== socket) return;
      this.socket = undefined;
      const beforeLogon = this.phase === 'logon-sent';
      this.lost(failure ?? (this.logoutText !== undefined ? `logged out by ${this.o.targetCompId}: ${this.logoutText}`
        : beforeLogon ? `the counterparty closed the connection without answering the Logon (does it know SenderCompID ${this.o.senderCompId} / TargetCompID ${this.o.targetCompId} for ${this.o.beginString}, and the password?)`
          : 'connection closed by the counterparty'));
    });
  }

  private lost(reason: string): void {
    const was = this.phase;
    this.heartbeat.stop();
    this.waiting.clear();
    this.answered.clear();
    this.resendUntil = 0;
    if (was === 'closed' || this.closing) { this.phase = 'closed'; return; }
    if (this.logonWaiter) {
      // The first connect: one clear line, no retries (a wrong host or CompID will not fix itself).
      const w = this.logonWaiter;
      this.logonWaiter = undefined;
      this.phase = 'closed';
      w.reject(new KeelError('FIX_LOGON', `FIX session ${this.id} to ${this.o.host}:${this.o.port} failed: ${reason}`, { field: 'fix.host', value: `${this.o.host}:${this.o.port}` }));
      return;
    }
    this.phase = 'down';
    if (was === 'up' || was === 'logout-sent') this.o.onState(false, `FIX session ${this.id} down: ${reason}`);
    else this.log(`FIX session ${this.id}: reconnect failed: ${reason}`);
    this.failures++;
    if (this.o.reconnect.maxAttempts !== undefined && this.failures > this.o.reconnect.maxAttempts) {
      this.phase = 'closed';
      this.o.onGiveUp(`FIX session ${this.id}: gave up after ${this.failures} failed connections: ${reason}`);
      return;
    }
    this.reconnectTimer = setTimeout(() => this.open(), this.backoff.next());
  }

  private receive(m: FixMessage): void {
    if (this.phase === 'closed' || this.phase === 'down') return; // after our final Logout: nothing more to act on
    this.heartbeat.heard();
    if (this.o.trace) this.log(`<< ${printable(m.raw)}`);
    if (m.get(49) !== this.o.targetCompId || m.get(56) !== this.o.senderCompId) {
      this.log(`message from ${m.get(49)} to ${m.get(56)} ignored: this session is ${this.o.senderCompId} -> ${this.o.targetCompId}`);
      return;
    }
    if (this.phase === 'logon-sent') {
      if (m.msgType === '5') { this.logoutText = m.get(58) ?? 'no reason given'; this.socket?.end(); return; }
      if (m.msgType !== 'A') { this.log(`message ${m.msgType} before the Logon answer ignored`); return; }
      if (!this.loggedOnNow(m)) return;
      this.sequenced(m);
      // Up once any gap the Logon revealed is filled: the adapter then sees what it missed before anything new.
      const w = this.logonWaiter;
      this.logonWaiter = undefined;
      void this.caughtUp().then(() => {
        if (this.phase !== 'up') return;
        this.o.onState(true, `FIX session ${this.id} logged on`);
        w?.resolve();
      });
      return;
    }
    this.sequenced(m);
  }

  /** The Logon answer: up, unless its number is below ours (then FIX says log out, never guess). */
  private loggedOnNow(m: FixMessage): boolean {
    this.phase = 'up';
    this.failures = 0;
    this.backoff.reset();
    this.heartbeat.start();
    const theirs = m.seqNum;
    const expected = this.o.store.nextIn;
    this.log(`FIX session ${this.id} logged on (our next ${this.o.store.nextOut}, theirs ${theirs}, expected ${expected})`);
    if (m.get(141) === 'Y' && theirs === 1 && expected !== 1) {
      // The counterparty reset both sides' numbers on this logon (ResetSeqNumFlag).
      this.log(`${this.o.targetCompId} reset the sequence numbers on logon`);
      this.o.store.setNextIn(1);
      return true;
    }
    if (theirs < expected) {
      this.fatal(`MsgSeqNum too low: expected ${expected}, received ${theirs}`);
      return false;
    }
    return true;
  }

  /** Sequence checks and dispatch (the Logon answer included: its number counts). */
  private sequenced(m: FixMessage): void {
    const expected = this.o.store.nextIn;
    const possDup = m.get(43) === 'Y';
    if (m.msgType === '4' && m.get(123) !== 'Y') {
      // SequenceReset-Reset: the number jumps regardless of ours (used by counterparties recovering from disaster).
      const to = Number(m.get(36));
      if (Number.isInteger(to) && to >= expected) { this.o.store.setNextIn(to); this.log(`SequenceReset to ${to}`); this.drain(); }
      else this.log(`SequenceReset to ${m.get(36)} ignored: below the expected ${expected}`);
      return;
    }
    if (m.seqNum > expected) {
      this.waiting.set(m.seqNum, m);
      if (this.resendUntil === 0) {
        this.resendUntil = m.seqNum - 1;
        this.log(`gap: expected ${expected}, received ${m.seqNum}; ResendRequest ${expected}..${m.seqNum - 1}`);
        this.write('2', [[7, String(expected)], [16, '0']], false);
      }
      if (m.msgType === '2' && !this.answered.has(m.seqNum)) { this.answered.add(m.seqNum); this.answerResend(m); } // at once, gap or not
      return;
    }
    if (m.seqNum < expected) {
      if (possDup) return; // already processed
      this.fatal(`MsgSeqNum too low: expected ${expected}, received ${m.seqNum}`);
      return;
    }
    this.handle(m);
    this.drain();
  }

  /** Handle waiting messages whose turn has come. */
  private drain(): void {
    for (;;) {
      const next = this.waiting.get(this.o.store.nextIn);
      if (!next) break;
      this.waiting.delete(next.seqNum);
      this.handle(next);
    }
    // Waiting messages the gap-fill jumped over are duplicates now.
    for (const seq of [...this.waiting.keys()]) if (seq < this.o.store.nextIn) this.waiting.delete(seq);
    if (this.resendUntil !== 0 && this.o.store.nextIn > this.resendUntil) {
      this.resendUntil = 0;
      if (this.waiting.size > 0) {
        // Another hole behind the one just filled: ask again.
        const first = Math.min(...this.waiting.keys());
        this.resendUntil = first - 1;
        this.write('2', [[7, String(this.o.store.nextIn)], [16, String(first - 1)]], false);
        return;
      }
      this.log(`resend complete: next expected ${this.o.store.nextIn}`);
      for (const w of this.caughtUpWaiters.splice(0)) w();
    }
  }

  /** One message whose number is the expected one. */
  private handle(m: FixMessage): void {
    const store = this.o.store;
    if (m.msgType === '4') {
      // GapFill: the numbers up to NewSeqNo-1 carried nothing to process.
      const to = Number(m.get(36));
      if (Number.isInteger(to) && to > m.seqNum) store.setNextIn(to);
      else { this.log(`SequenceReset-GapFill to ${m.get(36)} at ${m.seqNum} is not forward; ignored`); store.setNextIn(m.seqNum + 1); }
      return;
    }
    switch (m.msgType) {
      case 'A': break; // the Logon answer: numbered, nothing else to do
      case '0':
        this.heartbeat.answered(m.get(112));
        break;
      case '1': this.write('0', [[112, m.get(112) ?? '']], false); break;
      case '2':
        if (!this.answered.delete(m.seqNum)) this.answerResend(m);
        break;
      case '5':
        store.setNextIn(m.seqNum + 1);
        if (this.phase !== 'logout-sent') {
          this.logoutText = m.get(58) ?? 'no reason given';
          this.write('5', [], false);
        }
        this.socket?.end();
        return;
      default:
        // Application messages (and session Rejects, which answer one of ours): the adapter's. Durable order:
        // handled first, then the number advances; a crash between them replays the message (PossDup-safe).
        this.o.onApp(m);
    }
    store.setNextIn(m.seqNum + 1);
  }

  /** Answer their ResendRequest: our stored application messages again (PossDupFlag), gap-fills for the rest. */
  private answerResend(m: FixMessage): void {
    const steps = resendPlan(this.o.store, Number(m.get(7)), Number(m.get(16)));
    this.log(`ResendRequest ${m.get(7)}..${m.get(16)} from ${this.o.targetCompId}: ${steps.length === 0 ? 'nothing to resend' : `${steps.filter((x) => x.kind === 'message').length} message(s) again`}`);
    for (const x of steps) {
      if (x.kind === 'gap-fill') this.writeRaw(this.frame('4', [[123, 'Y'], [36, String(x.to)]], x.from, true));
      else if (this.o.resendable && !this.o.resendable(x.msgType, x.body, x.origSendingTime)) this.writeRaw(this.frame('4', [[123, 'Y'], [36, String(x.seq + 1)]], x.seq, true));
      else this.writeRaw(this.frame(x.msgType, [[122, x.origSendingTime ?? fixTime(this.now())], ...x.body], x.seq, true));
    }
  }

  private frame(msgType: string, body: readonly FixField[], seq: number, possDup = false): string {
    const header: FixField[] = [[35, msgType], [49, this.o.senderCompId], [56, this.o.targetCompId], [34, String(seq)]];
    if (possDup) header.push([43, 'Y']);
    header.push([52, fixTime(this.now())]);
    return encodeFix(this.o.beginString, [...header, ...body]);
  }

  private write(msgType: string, body: readonly FixField[], keep: boolean): number {
    let seq = 0;
    const raw = this.o.store.takeOut((s) => { seq = s; return this.frame(msgType, body, s); }, keep);
    this.writeRaw(raw);
    return seq;
  }

  private writeRaw(raw: string): void {
    this.heartbeat.sent();
    if (this.o.trace) this.log(`>> ${printable(raw)}`);
    this.socket?.write(Buffer.from(raw, 'latin1'));
  }

  /** Log out with a reason and drop the connection (sequence numbers that cannot be reconciled). */
  /**
   * Log out with a reason and stop for good (sequence numbers that cannot be reconciled): reconnecting would
   * only meet the same numbers again. At start-up connect() rejects; later the session gives up (onDisconnect).
   */
  private fatal(reason: string): void {
    if (this.phase === 'closed') return;
    this.log(`FIX session ${this.id}: ${reason}; logging out`);
    this.write('5', [[58, reason]], false);
    this.phase = 'closed';
    this.heartbeat.stop();
    const hint = 'the counterparty and this store disagree on sequence numbers; if the counterparty reset its session, set resetOnLogon once or remove the store (after checking every order at the venue)';
    const w = this.logonWaiter;
    this.logonWaiter = undefined;
    if (w) w.reject(new KeelError('FIX_SEQUENCE', `FIX session ${this.id}: ${reason}`, { field: 'fix.store', value: this.o.store.path, hint }));
    else this.o.onGiveUp(`FIX session ${this.id}: ${reason}; stopped (${hint})`);
    const s = this.socket;
    setTimeout(() => s?.destroy(), 200).unref();
  }

  private log(line: string): void {
    this.o.log(line);
  }
}
