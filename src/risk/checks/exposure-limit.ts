import type { AssetClass, Money } from '../../model/index.ts';
import type { ExposureLimits, RiskConfig } from '../config.ts';
import type { ExposureBook } from '../exposure-book.ts';
import type { ExposureChange } from '../valuation.ts';
import { fmtMoney } from './format.ts';
import { accountChangeOf, changeOf, type OrderUnderReview, type PreTradeCheck } from './review.ts';

const hasCaps = (l: ExposureLimits | undefined): l is ExposureLimits =>
  l !== undefined && (l.maxGrossExposure !== undefined || l.maxNetExposure !== undefined);

/** Deny when a cap is exceeded after the order and the order makes that measure worse. */
function breach(limits: ExposureLimits, c: ExposureChange, r: OrderUnderReview, scope: string): string | undefined {
  const inst = r.book.instrument;
  const over = (cap: Money | undefined, before: Money, after: Money, what: string) =>
    cap !== undefined && after > cap && after > before
      ? `${scope} ${what} exposure would reach ${fmtMoney(inst, after)} (now ${fmtMoney(inst, before)}), above the limit of ${fmtMoney(inst, cap)}`
      : undefined;
  return over(limits.maxGrossExposure, c.grossBefore, c.grossAfter, 'gross') ?? over(limits.maxNetExposure, c.netBefore, c.netAfter, 'net');
}

/**
 * Gross and net exposure caps for the account, each strategy and each asset class, valued at reference
 * prices and counting working orders as if they filled.
 */
export function exposureLimitCheck(config: RiskConfig, exposure: ExposureBook): PreTradeCheck {
  const classes = Object.keys(config.assetClasses) as AssetClass[];
  const account = hasCaps(config.account) ? config.account : undefined;
  return {
    name: 'exposure-limit',
    check(r) {
      const strategy = hasCaps(r.strategyLimits) ? r.strategyLimits : undefined;
      const cls = classes.length > 0 ? config.assetClasses[r.book.instrument.assetClass] : undefined;
      if (account === undefined && strategy === undefined && !hasCaps(cls)) return undefined;
      if (r.book.refTicks === 0 && !(r.priceTicks > 0)) {
        return r.reducing ? undefined : `No reference price to value the ${r.order.instrumentId} order against the exposure limits`;
      }
      let reason: string | undefined;
      if (account !== undefined) reason = breach(account, accountChangeOf(r, exposure), r, 'Account');
      // The common setups (one strategy; one asset class) make these the account's own books: reuse its figure.
      if (reason === undefined && strategy !== undefined) {
        const c = exposure.strategies.size === 1 ? accountChangeOf(r, exposure) : changeOf(r, r.strategy.lines);
        reason = breach(strategy, c, r, `Strategy ${r.order.strategyId}`);
      }
      if (reason === undefined && hasCaps(cls)) {
        const books = exposure.byAssetClass.get(r.book.instrument.assetClass) ?? [];
        const c = books.length === exposure.instrumentList.length ? accountChangeOf(r, exposure) : changeOf(r, books);
        reason = breach(cls, c, r, `Asset class ${r.book.instrument.assetClass}`);
      }
      return reason;
    },
  };
}
