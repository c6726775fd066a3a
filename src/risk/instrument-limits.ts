import { KeelError, decimalsOf, parseScaled, type Instrument, type Money } from '../model/index.ts';
import type { InstrumentLimits, PriceCollar, RiskConfig } from './config.ts';
import { compileSessions, type CompiledSessions } from './local-time.ts';

/** One instrument's limits with quantities converted to lots and account defaults filled in. */
export interface InstrumentRules {
  readonly maxOrderLots: number | undefined;
  readonly maxOrderNotional: Money | undefined;
  readonly maxPositionLots: number | undefined;
  readonly maxPositionNotional: Money | undefined;
  readonly maxOpenOrders: number | undefined;
  readonly minLots: number | undefined;
  readonly maxLots: number | undefined;
  readonly minNotional: Money | undefined;
  readonly allowShort: boolean;
  /** The instrument's own collar; strategy and account collars are the fallbacks. */
  readonly priceCollar: PriceCollar | undefined;
  readonly sessions: CompiledSessions | undefined;
}

/**
 * Resolve an instrument's limits against its lot size. A quantity that is not a whole number of lots is a
 * config error (a limit of 0.0015 BTC on a 0.001 lot would silently mean 0.001).
 */
export function instrumentRules(inst: Instrument, config: RiskConfig): InstrumentRules {
  const l: InstrumentLimits = config.instruments[inst.id] ?? {};
  const lots = (q: string | undefined, key: string): number | undefined => {
    if (q === undefined) return undefined;
    const field = `risk instruments.${inst.id}.${key}`;
    const units = decimalsOf(q) <= inst.sizeDecimals ? parseScaled(q, inst.sizeDecimals, field) : -1n;
    if (units < 0n || units % BigInt(inst.lotUnits) !== 0n) {
      throw new KeelError('BAD_RISK_CONFIG', `is not a whole number of ${inst.id}'s lot size ${inst.lotSize}`, { field, value: q });
    }
    return Number(units / BigInt(inst.lotUnits));
  };
  const sessions = l.sessions ?? config.account.sessions;
  return {
    maxOrderLots: lots(l.maxOrderQuantity, 'maxOrderQuantity'),
    maxOrderNotional: l.maxOrderNotional,
    maxPositionLots: lots(l.maxPositionQuantity, 'maxPositionQuantity'),
    maxPositionNotional: l.maxPositionNotional,
    maxOpenOrders: l.maxOpenOrders,
    minLots: lots(l.minQuantity, 'minQuantity'),
    maxLots: lots(l.maxQuantity, 'maxQuantity'),
    minNotional: l.minNotional,
    allowShort: l.allowShort ?? config.account.allowShort ?? true,
    priceCollar: l.priceCollar,
    sessions: sessions && compileSessions(sessions),
  };
}
