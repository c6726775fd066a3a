import { limitPriceOf, stopPriceOf } from '../../model/index.ts';
import type { RiskConfig } from '../config.ts';
import { fmtPrice } from './format.ts';
import type { PreTradeCheck } from './review.ts';

// Float slack when comparing a distance to the band: 0.29% of 100 ticks is 28.999999999999996 in floats.
const EPS = 1e-9;

/**
 * Fat-finger collar: a limit or stop price must be within the band around a fresh reference price (last
 * trade, quote mid or bar close); the band is the wider of `pct` percent and `ticks` ticks. Without a fresh
 * reference nothing can be checked, so the order is refused (fail safe), market orders included.
 *
 * A modification is checked on the prices it changes only: a resting order the market moved away from can
 * still be resized. A market order made larger needs the fresh reference, like a new one.
 */
export function priceCollarCheck(config: RiskConfig): PreTradeCheck {
  return {
    name: 'price-collar',
    check({ order: o, book, rules, strategyLimits, now, replaces, grows }) {
      const collar = rules.priceCollar ?? strategyLimits.priceCollar ?? config.account.priceCollar;
      if (collar === undefined) return undefined;
      const newLimit = replaces !== undefined && limitPriceOf(o) !== limitPriceOf(replaces.order);
      const newStop = replaces !== undefined && stopPriceOf(o) !== stopPriceOf(replaces.order);
      if (replaces !== undefined && !newLimit && !newStop && !(o.type === 'market' && grows)) return undefined;
      const inst = book.instrument;
      const age = now - book.refTs;
      if (!(age <= collar.maxReferenceAgeMs)) {
        const last = Number.isNaN(book.refTs) ? 'no market data yet' : `last data ${Math.round(age / 1000)} s ago`;
        return `No fresh ${inst.id} reference price within ${collar.maxReferenceAgeMs / 1000} s (${last}); the order cannot be priced safely`;
      }
      if (o.type === 'market') return undefined;
      // Mids can sit between ticks: keep half-tick resolution and drop float noise.
      const ref = Math.round((book.refPrice / inst.tickSize) * 2) / 2;
      const band = Math.max(collar.pct !== undefined ? (ref * collar.pct) / 100 : 0, collar.ticks ?? 0);
      const prices = o.type === 'limit' ? [['limit', o.limitPrice] as const] : o.type === 'stop' ? [['stop', o.stopPrice] as const]
        : [['stop', o.stopPrice] as const, ['limit', o.limitPrice] as const];
      for (const [what, p] of prices) {
        if (replaces !== undefined && !(what === 'limit' ? newLimit : newStop)) continue;
        if (Math.abs(p - ref) > band + EPS) {
          const pct = (Math.abs(p - ref) / ref) * 100;
          const limit = [collar.pct !== undefined ? `${collar.pct}%` : '', collar.ticks !== undefined ? `${collar.ticks} ticks` : ''].filter(Boolean).join(' or ');
          return `${what[0].toUpperCase()}${what.slice(1)} price ${fmtPrice(inst, p)} is ${pct.toFixed(2)}% from the reference ${fmtPrice(inst, ref)}, outside the collar of ${limit}`;
        }
      }
      return undefined;
    },
  };
}
