import type { AssetClass, Money } from '../../model/index.ts';
import type { ExposureLimits, RiskConfig } from '../config.ts';
import type { ExposureBook, InstrumentBook, StrategyBook } from '../exposure-book.ts';
import { exposureChange, refTicksOf, type ExposureLine } from '../valuation.ts';
import { fmtMoney } from './format.ts';
import type { OrderUnderReview, PreTradeCheck } from './review.ts';

function accountLine(b: InstrumentBook): ExposureLine {
  return { instrument: b.instrument, lots: b.lots, openBuyLots: b.openBuyLots, openSellLots: b.openSellLots, refTicks: refTicksOf(b.instrument, b.refPrice) };
}

function strategyLine(s: StrategyBook, b: InstrumentBook): ExposureLine {
  const id = b.instrument.id;
  return {
    instrument: b.instrument, lots: s.lots.get(id) ?? 0, openBuyLots: s.openBuyLots.get(id) ?? 0, openSellLots: s.openSellLots.get(id) ?? 0,
    refTicks: refTicksOf(b.instrument, b.refPrice),
  };
}

/** Deny when a cap is exceeded after the order and the order makes that measure worse. */
function breach(limits: ExposureLimits | undefined, lines: ExposureLine[], r: OrderUnderReview, scope: string): string | undefined {
  if (limits === undefined || (limits.maxGrossExposure === undefined && limits.maxNetExposure === undefined)) return undefined;
  const at = lines.findIndex((l) => l.instrument === r.book.instrument);
  if (at < 0) return undefined;
  if (lines[at].refTicks === 0) {
    if (!(r.priceTicks > 0)) return r.reducing ? undefined : `No reference price to value the ${r.order.instrumentId} order against ${scope}'s exposure limits`;
    lines[at] = { ...lines[at], refTicks: Math.round(r.priceTicks) };
  }
  const buy = r.order.side === 'buy' ? r.lots : 0;
  const c = exposureChange(lines, at, buy, r.order.side === 'sell' ? r.lots : 0);
  const ccy = r.book.instrument;
  const check = (cap: Money | undefined, before: Money, after: Money, what: string) =>
    cap !== undefined && after > cap && after > before
      ? `${scope} ${what} exposure would reach ${fmtMoney(ccy, after)} (now ${fmtMoney(ccy, before)}), above the limit of ${fmtMoney(ccy, cap)}`
      : undefined;
  return check(limits.maxGrossExposure, c.grossBefore, c.grossAfter, 'gross') ?? check(limits.maxNetExposure, c.netBefore, c.netAfter, 'net');
}

/**
 * Gross and net exposure caps for the account, each strategy and each asset class, valued at reference
 * prices and counting working orders as if they filled.
 */
export function exposureLimitCheck(config: RiskConfig, exposure: ExposureBook): PreTradeCheck {
  const classes = Object.keys(config.assetClasses) as AssetClass[];
  return {
    name: 'exposure-limit',
    check(r) {
      const all = exposure.instrumentList;
      const reason = breach(config.account, all.map(accountLine), r, 'Account')
        ?? breach(r.strategyLimits, all.map((b) => strategyLine(r.strategy, b)), r, `Strategy ${r.order.strategyId}`);
      if (reason !== undefined || classes.length === 0) return reason;
      const cls = r.book.instrument.assetClass;
      const limits = config.assetClasses[cls];
      if (limits === undefined) return undefined;
      return breach(limits, all.filter((b) => b.instrument.assetClass === cls).map(accountLine), r, `Asset class ${cls}`);
    },
  };
}
