import { notional, roundDiv, type Fill, type Instrument, type Money } from '../model/index.ts';
import type { FillEffect } from './position.ts';

/** A finished round trip, exact; converted to floats only when reported. */
export interface RoundTrip {
  readonly instrumentId: string;
  readonly side: 'long' | 'short';
  readonly entryTs: number;
  readonly exitTs: number;
  readonly entryLots: number;
  readonly exitLots: number;
  /** Largest absolute position during the trip. */
  readonly maxLots: number;
  readonly entryNotional: Money;
  readonly exitNotional: Money;
  readonly realized: Money;
  readonly fees: Money;
  readonly entryEvent: number;
  readonly exitEvent: number;
}

/** A round trip still open in one instrument (what a snapshot keeps). */
export interface OpenTrip {
  side: 'long' | 'short';
  entryTs: number;
  entryLots: number;
  exitLots: number;
  maxLots: number;
  entryNotional: Money;
  exitNotional: Money;
  realized: Money;
  fees: Money;
  entryEvent: number;
}

/**
 * Groups fills into round trips: a trip opens when a position leaves zero and closes when it returns to
 * zero. A fill that flips the position closes one trip and opens the next; its fee is split between them
 * in proportion to the lots.
 */
export class RoundTripTracker {
  readonly closed: RoundTrip[] = [];
  private readonly open = new Map<string, OpenTrip>();

  /** Feed every fill with its effect on the position; `eventIndex` counts market events processed so far. */
  onFill(inst: Instrument, fill: Fill, effect: FillEffect, eventIndex: number): void {
    const closing = effect.closedLots;
    const opening = fill.quantity - closing;
    const closeFee = closing === fill.quantity ? fill.fee : roundDiv(fill.fee * BigInt(closing), BigInt(fill.quantity));
    const openFee = fill.fee - closeFee;
    if (closing > 0) {
      const trip = this.open.get(inst.id);
      if (!trip) throw new Error(`closing fill without an open trip in ${inst.id}`);
      trip.exitLots += closing;
      trip.exitNotional += notional(inst, fill.price, closing);
      trip.realized += effect.realized;
      trip.fees += closeFee;
      if (effect.lotsAfter === 0 || Math.sign(effect.lotsAfter) !== Math.sign(effect.lotsBefore)) {
        this.closed.push({ instrumentId: inst.id, ...trip, exitTs: fill.ts, exitEvent: eventIndex });
        this.open.delete(inst.id);
      }
    }
    if (opening > 0) {
      let trip = this.open.get(inst.id);
      if (!trip) {
        trip = {
          side: fill.side === 'buy' ? 'long' : 'short', entryTs: fill.ts, entryLots: 0, exitLots: 0, maxLots: 0,
          entryNotional: 0n, exitNotional: 0n, realized: 0n, fees: 0n, entryEvent: eventIndex,
        };
        this.open.set(inst.id, trip);
      }
      trip.entryLots += opening;
      trip.entryNotional += notional(inst, fill.price, opening);
      trip.fees += openFee;
    }
    const trip = this.open.get(inst.id);
    if (trip) trip.maxLots = Math.max(trip.maxLots, Math.abs(effect.lotsAfter));
  }

  /** The trip still open in an instrument, if any. */
  openTrip(instrumentId: string): Readonly<OpenTrip> | undefined {
    return this.open.get(instrumentId);
  }

  /** Trips still open, by instrument id, for an engine snapshot. */
  openTrips(): Array<{ readonly instrumentId: string; readonly trip: OpenTrip }> {
    return [...this.open].map(([instrumentId, trip]) => ({ instrumentId, trip: { ...trip } }));
  }

  /** Put a snapshot's open trips back (a restart; closed trips stay in the journal's history). */
  restoreOpenTrips(trips: ReadonlyArray<{ readonly instrumentId: string; readonly trip: OpenTrip }>): void {
    for (const t of trips) this.open.set(t.instrumentId, { ...t.trip });
  }
}
