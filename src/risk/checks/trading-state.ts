import type { TradingStateMachine } from '../trading-state.ts';
import type { PreTradeCheck } from './review.ts';

/** ACTIVE lets everything through; REDUCING only orders that bring a position toward zero; HALTED nothing. */
export function tradingStateCheck(state: TradingStateMachine): PreTradeCheck {
  return {
    name: 'trading-state',
    check({ reducing }) {
      const s = state.state;
      if (s === 'ACTIVE') return undefined;
      if (s === 'HALTED') return `Trading is HALTED (${state.reason}); only cancels are accepted until an operator re-arms`;
      if (!reducing) return `Trading is REDUCING (${state.reason}); only orders that reduce a position are accepted`;
      return undefined;
    },
  };
}
