import type { Clock } from '../../kernel/index.ts';
import type { Bar, Instrument, MarketEvent, Quote, TradeTick } from '../../model/index.ts';
import { parseValidatorConfig, type ValidatorConfig, type ValidatorConfigInput } from './live-config.ts';
import { alwaysOpen, type LiveStatusEvent, type MarketHours } from './live-status.ts';
import { addMove, describeMove, isSpike, type MoveStats } from './spike-rule.ts';
import { LIVE_VALIDATOR_COUNTERS, type LiveCheckReason, type LiveValidatorCounter, type LiveValidatorCounters, type Verdict } from './verdict.ts';

/**
 * Per-event checks on a live stream, per instrument. A batch file can be judged as a whole (validate.ts); a
 * live stream must be judged one message at a time, before the strategy acts on it. Each event gets a
 * verdict with a reason a trader can read:
 *
 * - **drop**: not a market fact (non-positive or non-finite values, off the tick grid, crossed quote, bar
 *   with high < low, stamped in the future beyond the allowed clock skew, out of order, a duplicate, a spike
 *   that reverted);
 * - **flag**: passed on but counted (a locked quote, an event released by a confirmed level shift);
 * - **hold**: a suspect spike, kept back until the next `confirmations` events show whether the market
 *   really moved there (then all are released in order) or came straight back (then the spike is dropped);
 * - **accept**.
 *
 * Ordering is per instrument and per stream: ticks (trades and quotes) and bars are separate streams,
 * because a bar is stamped with its open time and arrives after its close, behind the ticks of its interval.
 * Staleness (no accepted event within `maxAgeMs` while the market is open) is checked on a timer by
 * `checkStale`. Every outcome is counted per reason, in total and per instrument.
 */

/** Where the validator sends what passes, and (optionally) what did not and status changes. */
export interface LiveValidatorOutput {
  onValid(event: MarketEvent): void;
  /** Every verdict other than a plain accept, including the deferred drop or release of held events. */
  onIssue?(event: MarketEvent, verdict: Verdict): void;
  onStatus?(status: LiveStatusEvent): void;
}

export interface LiveValidatorOptions {
  readonly clock: Clock;
  readonly output: LiveValidatorOutput;
  readonly config?: ValidatorConfigInput;
  /** The instruments expected: events for others are dropped; tick-grid checks use their price tick. */
  readonly instruments?: readonly Instrument[];
  readonly isMarketOpen?: MarketHours;
}

/** Health of one instrument, for `/readyz` and metrics. */
export interface InstrumentHealth {
  readonly instrumentId: string;
  /** Local time since the last accepted (or held) event; since start when none yet. */
  readonly lastEventAgeMs: number;
  readonly lastEventTs: number | undefined;
  readonly stale: boolean;
  /** Events held as a suspect spike, awaiting confirmation. */
  readonly held: number;
  readonly counters: Readonly<LiveValidatorCounters>;
}

const TICKS = 0;
const BARS = 1;
// A price within this many ticks of a grid point is on the grid (float noise on a decimal like 45.34 is ~1e-15).
const GRID_TOLERANCE = 1e-6;

interface StreamState extends MoveStats {
  lastTs: number;
  lastTrade: TradeTick | undefined;
  lastQuote: Quote | undefined;
  lastBar: Bar | undefined;
  held: MarketEvent[];
  heldLevel: number;
  confirmations: number;
}

interface InstrumentState {
  readonly id: string;
  readonly instrument: Instrument | undefined;
  lastArrival: number;
  lastEventTs: number | undefined;
  stale: boolean;
  readonly streams: [StreamState, StreamState];
  readonly counters: LiveValidatorCounters;
}

const ACCEPT: Verdict = Object.freeze({ action: 'accept', reason: 'ok', message: 'ok' });

/**
 * The live validator. One instance per data source; `check` runs on every event.
 *
 * @example
 * const v = new LiveValidator({ clock, output: { onValid: (e) => kernelQueue.push(e) }, instruments: [es] });
 * v.check({ type: 'quote', instrumentId: 'ES', ts: clock.now(), bid: 4501, ask: 4500, bidSize: 1, askSize: 1 });
 * // { action: 'drop', reason: 'crossed-quote', message: 'ES quote at …: bid 4501 is above ask 4500' }
 */
export class LiveValidator {
  readonly config: ValidatorConfig;
  private readonly clock: Clock;
  private readonly output: LiveValidatorOutput;
  private readonly isMarketOpen: MarketHours;
  private readonly states = new Map<string, InstrumentState>();
  /** Only these instruments are accepted; undefined: any instrument, learned as it appears. */
  private readonly known: boolean;
  private readonly startedAt: number;
  private readonly alpha: number;
  readonly counters: LiveValidatorCounters = newCounters();

  constructor(o: LiveValidatorOptions) {
    this.config = parseValidatorConfig(o.config ?? {});
    this.clock = o.clock;
    this.output = o.output;
    this.isMarketOpen = o.isMarketOpen ?? alwaysOpen;
    this.startedAt = o.clock.now();
    this.alpha = 2 / (this.config.spike.window + 1);
    this.known = o.instruments !== undefined;
    for (const inst of o.instruments ?? []) this.states.set(inst.id, newState(inst.id, inst, this.startedAt));
  }

  /**
   * Judge one event; what passes (now, or later when a held spike is confirmed) goes to `output.onValid`.
   *
   * @example
   * const verdict = validator.check(trade);
   * if (verdict.action === 'drop') log.warn(verdict.message);
   */
  check(e: MarketEvent): Verdict {
    const now = this.clock.now();
    let st = this.states.get(e.instrumentId);
    if (st === undefined) {
      if (this.known) return this.reject(undefined, e, 'unknown-instrument', 'is not a subscribed instrument');
      st = newState(e.instrumentId, undefined, this.startedAt);
      this.states.set(e.instrumentId, st);
    }
    if (!Number.isFinite(e.ts)) return this.reject(st, e, 'bad-timestamp', `timestamp ${e.ts} is not a finite epoch ms`);
    const problem = this.valueProblem(st, e);
    if (problem !== undefined) return problem;
    let flag: LiveCheckReason | undefined;
    if (e.type === 'quote' && e.bid === e.ask) {
      if (this.config.lockedQuotes === 'drop') return this.reject(st, e, 'locked-quote', `bid equals ask ${e.ask} (a locked market)`);
      flag = 'locked-quote';
    }
    // A stamp from the future would become the instrument's "last time", and every good event after it
    // would then look out of order: refuse it before it can poison the ordering check.
    if (e.ts > now + this.config.maxClockSkewMs) {
      return this.reject(st, e, 'future-timestamp',
        `is ${e.ts - now} ms ahead of the local clock (limit ${this.config.maxClockSkewMs} ms): clock skew or a bad stamp`);
    }
    const stream = st.streams[e.type === 'bar' ? BARS : TICKS];
    if (e.ts < stream.lastTs) {
      return this.reject(st, e, 'out-of-order', `is ${stream.lastTs - e.ts} ms before the last event (${iso(stream.lastTs)})`);
    }
    if (this.isDuplicate(stream, e)) return this.reject(st, e, 'duplicate', `repeats the previous ${e.type} exactly`);
    return this.judgePrice(st, stream, e, now, flag);
  }

  /**
   * Report instruments with no accepted event within `maxAgeMs` while their market is open; call on a timer.
   *
   * @example
   * timers.every(250, () => validator.checkStale());
   */
  checkStale(): void {
    const now = this.clock.now();
    const maxAge = this.config.maxAgeMs;
    for (const st of this.states.values()) {
      if (st.stale) continue;
      const age = now - st.lastArrival;
      if (age <= maxAge || !this.isMarketOpen(st.id, now)) continue;
      st.stale = true;
      this.count(st, 'stale');
      const seen = st.lastEventTs === undefined ? 'no event received' : `last event ${(age / 1000).toFixed(1)} s ago`;
      this.output.onStatus?.({
        type: 'instrument.stale', ts: now, instrumentId: st.id, ageMs: age,
        reason: `${st.id} market data is stale: ${seen} (limit ${maxAge / 1000} s)`,
      });
    }
  }

  /** Per-instrument health, sorted by instrument id. @example validator.health().filter((h) => h.stale) */
  health(): InstrumentHealth[] {
    const now = this.clock.now();
    const out: InstrumentHealth[] = [];
    for (const st of this.states.values()) {
      out.push({
        instrumentId: st.id, lastEventAgeMs: now - st.lastArrival, lastEventTs: st.lastEventTs, stale: st.stale,
        held: st.streams[TICKS].held.length + st.streams[BARS].held.length, counters: { ...st.counters },
      });
    }
    return out.sort((a, b) => (a.instrumentId < b.instrumentId ? -1 : a.instrumentId > b.instrumentId ? 1 : 0));
  }

  /** Non-finite or non-positive values, off-grid prices, crossed quotes, inconsistent bars. */
  private valueProblem(st: InstrumentState, e: MarketEvent): Verdict | undefined {
    switch (e.type) {
      case 'trade':
        return this.priceProblem(st, e, 'price', e.price) ?? this.sizeProblem(st, e, 'size', e.size, true);
      case 'quote': {
        const p = this.priceProblem(st, e, 'bid', e.bid) ?? this.priceProblem(st, e, 'ask', e.ask)
          ?? this.sizeProblem(st, e, 'bid size', e.bidSize, false) ?? this.sizeProblem(st, e, 'ask size', e.askSize, false);
        if (p !== undefined) return p;
        if (e.bid > e.ask) return this.reject(st, e, 'crossed-quote', `bid ${e.bid} is above ask ${e.ask}`);
        return undefined;
      }
      case 'bar': {
        const p = this.priceProblem(st, e, 'open', e.open) ?? this.priceProblem(st, e, 'high', e.high)
          ?? this.priceProblem(st, e, 'low', e.low) ?? this.priceProblem(st, e, 'close', e.close)
          ?? this.sizeProblem(st, e, 'volume', e.volume, false);
        if (p !== undefined) return p;
        if (e.high < e.low || e.high < Math.max(e.open, e.close) || e.low > Math.min(e.open, e.close)) {
          return this.reject(st, e, 'bad-bar', `high ${e.high} / low ${e.low} do not contain open ${e.open} and close ${e.close}`);
        }
        return undefined;
      }
    }
  }

  private priceProblem(st: InstrumentState, e: MarketEvent, field: string, v: number): Verdict | undefined {
    if (!Number.isFinite(v)) return this.reject(st, e, 'not-a-number', `${field} ${v} is not a finite number`);
    if (v <= 0) return this.reject(st, e, 'non-positive-price', `${field} ${v} must be positive`);
    const inst = st.instrument;
    if (inst !== undefined) {
      const t = v / inst.tickSize;
      if (Math.abs(t - Math.round(t)) > GRID_TOLERANCE) {
        return this.reject(st, e, 'off-grid', `${field} ${v} is not on ${inst.id}'s tick grid of ${inst.priceTick}`);
      }
    }
    return undefined;
  }

  /** Trade sizes must be positive; quote sizes and bar volume may be 0 (unknown / no trades). */
  private sizeProblem(st: InstrumentState, e: MarketEvent, field: string, v: number, positive: boolean): Verdict | undefined {
    if (!Number.isFinite(v)) return this.reject(st, e, 'not-a-number', `${field} ${v} is not a finite number`);
    if (positive ? v <= 0 : v < 0) return this.reject(st, e, 'non-positive-size', `${field} ${v} must be ${positive ? 'positive' : 'zero or more'}`);
    return undefined;
  }

  /** A resent message: the same trade or quote again, or a second bar for the same interval. */
  private isDuplicate(stream: StreamState, e: MarketEvent): boolean {
    switch (e.type) {
      case 'trade': {
        const l = stream.lastTrade;
        return this.config.duplicateTrades === 'drop' && l !== undefined && l.ts === e.ts && l.price === e.price && l.size === e.size;
      }
      case 'quote': {
        const l = stream.lastQuote;
        return l !== undefined && l.ts === e.ts && l.bid === e.bid && l.ask === e.ask && l.bidSize === e.bidSize && l.askSize === e.askSize;
      }
      case 'bar':
        return stream.lastBar !== undefined && stream.lastBar.ts === e.ts;
    }
  }

  /** The spike rule with its confirmation window; the event has passed every other check. */
  private judgePrice(st: InstrumentState, stream: StreamState, e: MarketEvent, now: number, flag: LiveCheckReason | undefined): Verdict {
    const price = priceOf(e);
    const held = stream.held;
    if (held.length === 0) {
      if (stream.lastGood === stream.lastGood && isSpike(this.config.spike, stream, price, stream.lastGood)) {
        if (this.config.spike.confirmations === 0) {
          this.pass(st, stream, e, now, price, false);
          return this.flagged(st, e, 'level-shift', `${describeMove(this.config.spike, stream, price, stream.lastGood)}; accepted at once (confirmations: 0)`);
        }
        return this.hold(st, stream, e, now, price);
      }
      this.pass(st, stream, e, now, price, true);
      return flag === undefined ? ACCEPT : this.flagged(st, e, flag, 'bid equals ask (a locked market)');
    }
    if (!isSpike(this.config.spike, stream, price, stream.lastGood)) {
      // Back at the old level: what was held was a bad print (or a flash that no one could trade).
      this.dropHeld(st, stream, `reverted: ${e.type} at ${iso(e.ts)} is back near the last good price ${stream.lastGood}`);
      this.pass(st, stream, e, now, price, true);
      return flag === undefined ? ACCEPT : this.flagged(st, e, flag, 'bid equals ask (a locked market)');
    }
    if (isSpike(this.config.spike, stream, price, stream.heldLevel)) {
      // Far from both levels: the first suspect was not confirmed; this one becomes the new suspect.
      this.dropHeld(st, stream, `not confirmed: ${e.type} at ${iso(e.ts)} moved on to ${price}`);
      return this.hold(st, stream, e, now, price);
    }
    held.push(e);
    stream.heldLevel = price;
    this.touch(st, stream, e, now);
    if (++stream.confirmations < this.config.spike.confirmations) {
      this.count(st, 'spike-suspect');
      const verdict: Verdict = {
        action: 'hold', reason: 'spike-suspect',
        message: `${describe(e)}: near the suspect level ${stream.heldLevel} (${stream.confirmations}/${this.config.spike.confirmations} confirmations)`,
      };
      this.output.onIssue?.(e, verdict);
      return verdict;
    }
    return this.release(st, stream);
  }

  private hold(st: InstrumentState, stream: StreamState, e: MarketEvent, now: number, price: number): Verdict {
    const message = `${describe(e)}: ${describeMove(this.config.spike, stream, price, stream.lastGood)}; held until ${this.config.spike.confirmations} more events confirm it`;
    stream.held.push(e);
    stream.heldLevel = price;
    stream.confirmations = 0;
    this.touch(st, stream, e, now);
    this.count(st, 'spike-suspect');
    const verdict: Verdict = { action: 'hold', reason: 'spike-suspect', message };
    this.output.onIssue?.(e, verdict);
    return verdict;
  }

  /** The new level is confirmed: deliver every held event, in order, as a flagged level shift. */
  private release(st: InstrumentState, stream: StreamState): Verdict {
    const held = stream.held;
    const from = stream.lastGood;
    const to = priceOf(held[held.length - 1]);
    // The jump itself stays out of the rolling mean (it would make the next real spike look normal);
    // the moves between the confirming events go in.
    for (let i = 1; i < held.length; i++) addMove(stream, this.alpha, priceOf(held[i]), priceOf(held[i - 1]));
    stream.lastGood = to;
    stream.held = [];
    stream.confirmations = 0;
    const message = `level shift from ${from} to ${to} confirmed by ${held.length - 1} events`;
    let last: Verdict = ACCEPT;
    for (let i = 0; i < held.length; i++) {
      last = this.flagged(st, held[i], 'level-shift', `${describe(held[i])}: ${message}`);
      this.count(st, 'accepted');
      this.output.onValid(held[i]);
    }
    return last;
  }

  private dropHeld(st: InstrumentState, stream: StreamState, why: string): void {
    const held = stream.held;
    stream.held = [];
    stream.confirmations = 0;
    for (let i = 0; i < held.length; i++) this.reject(st, held[i], 'spike', `dropped as a spike, ${why}`);
  }

  /** Accept: remember it and hand it on. */
  private pass(st: InstrumentState, stream: StreamState, e: MarketEvent, now: number, price: number, countMove: boolean): void {
    if (countMove && stream.lastGood === stream.lastGood) addMove(stream, this.alpha, price, stream.lastGood);
    stream.lastGood = price;
    this.touch(st, stream, e, now);
    st.counters.accepted++;
    this.counters.accepted++;
    this.output.onValid(e);
  }

  /** An event passed the ordering checks (accepted or held): it sets the stream's time and freshness. */
  private touch(st: InstrumentState, stream: StreamState, e: MarketEvent, now: number): void {
    stream.lastTs = e.ts;
    if (e.type === 'trade') stream.lastTrade = e;
    else if (e.type === 'quote') stream.lastQuote = e;
    else stream.lastBar = e;
    if (st.stale) {
      st.stale = false;
      this.output.onStatus?.({ type: 'instrument.fresh', ts: now, instrumentId: st.id, staleForMs: now - st.lastArrival });
    }
    st.lastArrival = now;
    st.lastEventTs = e.ts;
  }

  /** Count a flag and report it (`accepted` is counted where the event is handed on). */
  private flagged(st: InstrumentState, e: MarketEvent, reason: LiveCheckReason, message: string): Verdict {
    const verdict: Verdict = { action: 'flag', reason, message: message.startsWith(e.instrumentId) ? message : `${describe(e)}: ${message}` };
    this.count(st, reason as LiveValidatorCounter);
    this.count(st, 'flagged');
    this.output.onIssue?.(e, verdict);
    return verdict;
  }

  private reject(st: InstrumentState | undefined, e: MarketEvent, reason: LiveCheckReason, why: string): Verdict {
    const verdict: Verdict = { action: 'drop', reason, message: `${describe(e)}: ${why}` };
    if (st !== undefined) {
      st.counters[reason as LiveValidatorCounter]++;
      st.counters.dropped++;
    }
    this.counters[reason as LiveValidatorCounter]++;
    this.counters.dropped++;
    this.output.onIssue?.(e, verdict);
    return verdict;
  }

  private count(st: InstrumentState, name: LiveValidatorCounter): void {
    st.counters[name]++;
    this.counters[name]++;
  }
}

function newCounters(): LiveValidatorCounters {
  const c = {} as LiveValidatorCounters;
  for (const k of LIVE_VALIDATOR_COUNTERS) c[k] = 0;
  return c;
}

function newStream(): StreamState {
  return {
    lastTs: -Infinity, lastTrade: undefined, lastQuote: undefined, lastBar: undefined,
    lastGood: NaN, meanMove: 0, moves: 0, held: [], heldLevel: NaN, confirmations: 0,
  };
}

function newState(id: string, instrument: Instrument | undefined, now: number): InstrumentState {
  return { id, instrument, lastArrival: now, lastEventTs: undefined, stale: false, streams: [newStream(), newStream()], counters: newCounters() };
}

/** The price the spike rule watches: trade price, quote mid, bar close. */
function priceOf(e: MarketEvent): number {
  return e.type === 'trade' ? e.price : e.type === 'quote' ? (e.bid + e.ask) / 2 : e.close;
}

function describe(e: MarketEvent): string {
  return `${e.instrumentId} ${e.type} at ${iso(e.ts)}`;
}

function iso(ts: number): string {
  return Number.isFinite(ts) && Math.abs(ts) < 8.64e15 ? new Date(ts).toISOString() : String(ts);
}
