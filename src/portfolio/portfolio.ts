import {
  KeelError, lastPriceOf, moneyToNumber, roundToTicks,
  type Fill, type Instrument, type MarketEvent, type Money,
} from '../model/index.ts';
import type { MarketEventHandler } from '../kernel/index.ts';
import { applyFill, newPosition, unrealizedPnl, type FillEffect, type Position } from './position.ts';

/** The exact ledger, as a snapshot keeps it (DESIGN.md "Persistence and recovery"). */
export interface LedgerState {
  readonly cash: Money;
  readonly tradedNotional: Money;
  readonly positions: ReadonlyArray<{
    readonly instrumentId: string;
    readonly lots: number;
    readonly costBasis: Money;
    readonly realizedPnl: Money;
    readonly commissions: Money;
    /** Last mark; null before the first (JSON has no NaN). */
    readonly lastPrice: number | null;
  }>;
}

/**
 * Cash and positions of one account, in one currency. The ledger (cash, lots, cost basis, realised PnL,
 * commissions) is exact; equity and exposure are floats computed from the last marks for reporting.
 */
export class Portfolio implements MarketEventHandler {
  readonly currency: string;
  readonly initialCash: Money;
  private cashExact: Money;
  /** Float copy of the cash, refreshed on every fill so marking each bar needs no bigint work. */
  private cashFloat: number;
  private readonly positions = new Map<string, Position>();
  private readonly positionList: Position[] = [];
  private tradedNotional: Money = 0n;

  constructor(opts: { instruments: readonly Instrument[]; initialCash: Money; currency?: string }) {
    this.currency = opts.currency ?? opts.instruments[0]?.quoteCurrency ?? 'USD';
    for (const inst of opts.instruments) {
      if (inst.quoteCurrency !== this.currency) {
        throw new KeelError('CURRENCY_MISMATCH', `is quoted in ${inst.quoteCurrency}, the account in ${this.currency}`, { field: `instrument ${inst.id}` });
      }
      const p = newPosition(inst);
      this.positions.set(inst.id, p);
      this.positionList.push(p);
    }
    this.initialCash = opts.initialCash;
    this.cashExact = opts.initialCash;
    this.cashFloat = moneyToNumber(opts.initialCash);
  }

  get cash(): Money {
    return this.cashExact;
  }

  get cashNumber(): number {
    return this.cashFloat;
  }

  position(instrumentId: string): Position {
    const p = this.positions.get(instrumentId);
    if (!p) throw new KeelError('UNKNOWN_INSTRUMENT', 'is not in this portfolio', { field: 'instrumentId', value: instrumentId });
    return p;
  }

  allPositions(): readonly Position[] {
    return this.positionList;
  }

  /** Book a fill: position, cash (notional and fee), commissions. */
  applyFill(fill: Fill): FillEffect {
    const pos = this.position(fill.instrumentId);
    const effect = applyFill(pos, fill);
    this.cashExact += effect.cashDelta - fill.fee;
    this.cashFloat = moneyToNumber(this.cashExact);
    this.tradedNotional += effect.cashDelta < 0n ? -effect.cashDelta : effect.cashDelta;
    if (Number.isNaN(pos.lastPrice)) pos.lastPrice = fill.price * pos.instrument.tickSize;
    return effect;
  }

  /** Mark positions to the last price seen. */
  onMarketEvent(e: MarketEvent): void {
    const p = this.positions.get(e.instrumentId);
    if (p !== undefined) p.lastPrice = lastPriceOf(e);
  }

  /** Equity (cash + marked positions), float. */
  equity(): number {
    let eq = this.cashFloat;
    const list = this.positionList;
    for (let i = 0; i < list.length; i++) {
      const p = list[i];
      if (p.lots !== 0) eq += p.lots * p.instrument.lotSizeNumber * p.lastPrice * p.instrument.multiplierNumber;
    }
    return eq;
  }

  /** Exact equity: positions marked at their last price rounded to the tick grid. */
  equityExact(): Money {
    let eq = this.cashExact;
    for (const p of this.positionList) {
      if (p.lots === 0) continue;
      const ticks = roundToTicks(p.instrument, p.lastPrice, 'nearest');
      eq += BigInt(p.lots) * BigInt(ticks) * p.instrument.notionalUnit;
    }
    return eq;
  }

  /** Sum of |position value|, float. */
  grossExposure(): number {
    let g = 0;
    for (const p of this.positionList) {
      if (p.lots !== 0) g += Math.abs(p.lots * p.instrument.lotSizeNumber * p.lastPrice * p.instrument.multiplierNumber);
    }
    return g;
  }

  /** True when any position is open. */
  hasExposure(): boolean {
    const list = this.positionList;
    for (let i = 0; i < list.length; i++) if (list[i].lots !== 0) return true;
    return false;
  }

  realizedPnl(): Money {
    let r = 0n;
    for (const p of this.positionList) r += p.realizedPnl;
    return r;
  }

  commissions(): Money {
    let c = 0n;
    for (const p of this.positionList) c += p.commissions;
    return c;
  }

  unrealizedPnl(): number {
    let u = 0;
    for (const p of this.positionList) u += unrealizedPnl(p);
    return u;
  }

  /** Total |notional| traded, exact. */
  get turnoverNotional(): Money {
    return this.tradedNotional;
  }

  /** The exact ledger, for an engine snapshot; positions never traded are left out. */
  ledgerState(): LedgerState {
    const positions = [];
    for (const p of this.positionList) {
      if (p.lots === 0 && p.costBasis === 0n && p.realizedPnl === 0n && p.commissions === 0n) continue;
      positions.push({
        instrumentId: p.instrument.id, lots: p.lots, costBasis: p.costBasis, realizedPnl: p.realizedPnl, commissions: p.commissions,
        lastPrice: Number.isNaN(p.lastPrice) ? null : p.lastPrice,
      });
    }
    return { cash: this.cashExact, tradedNotional: this.tradedNotional, positions };
  }

  /** Put a snapshot's ledger back (a restart); the portfolio must be fresh, with the same instruments. */
  restoreLedger(state: LedgerState): void {
    for (const s of state.positions) {
      const p = this.position(s.instrumentId);
      p.lots = s.lots;
      p.costBasis = s.costBasis;
      p.realizedPnl = s.realizedPnl;
      p.commissions = s.commissions;
      p.lastPrice = s.lastPrice ?? NaN;
    }
    this.cashExact = state.cash;
    this.cashFloat = moneyToNumber(state.cash);
    this.tradedNotional = state.tradedNotional;
  }
}
