import type { TradingStateMachine } from '../trading-state.ts';
import type { PreTradeCheck } from './review.ts';

/**
 * ACTIVE lets everything through; REDUCING only orders that bring a position toward zero, and modifications
 * that do not enlarge an order (a smaller size or a new price adds no risk); HALTED nothing, modifications
 * included: only cancels.
 */
export function tradingStateCheck(state: TradingStateMachine): PreTradeCheck {
  return {
    name: 'trading-state',
    check({ reducing, grows, replaces }) {
      const s = state.state;
      if (s === 'ACTIVE') return undefined;
      if (s === 'HALTED') return `Trading is HALTED (${state.reason}); only cancels are accepted until an operator re-arms`;
      if (reducing || !grows) return undefined;
      return replaces === undefined
        ? `Trading is REDUCING (${state.reason}); only orders that reduce a position are accepted`
        : `Trading is REDUCING (${state.reason}); a modification may not enlarge an order unless the order only reduces a position`;
    },
  };
}
