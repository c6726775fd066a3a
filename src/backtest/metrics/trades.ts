/**
 * Statistics of closed round-trip trades. A trade with pnl exactly 0 (a scratch) is neither a win nor a
 * loss, but it still counts as a trade, so it lowers the win rate.
 */

export interface TradeStats {
  readonly trades: number;
  /** wins / trades; null without trades. */
  readonly winRate: number | null;
  /** gross profit / |gross loss|; null without a losing trade (the ratio would be infinite or 0/0). */
  readonly profitFactor: number | null;
  /** Mean pnl of the winning trades; null without wins. */
  readonly averageWin: number | null;
  /** Mean pnl of the losing trades (negative); null without losses. */
  readonly averageLoss: number | null;
}

/**
 * Win rate, profit factor and average win/loss of trades whose pnl is net of fees.
 *
 * @example
 * tradeStats([{ pnl: 30 }, { pnl: -10 }, { pnl: 0 }]);
 * // { trades: 3, winRate: 1/3, profitFactor: 3, averageWin: 30, averageLoss: -10 }
 */
export function tradeStats(trades: ReadonlyArray<{ readonly pnl: number }>): TradeStats {
  let wins = 0;
  let losses = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  for (const { pnl } of trades) {
    if (!Number.isFinite(pnl)) throw new Error(`trade pnl must be a finite number, got ${pnl}`);
    if (pnl > 0) {
      wins++;
      grossProfit += pnl;
    } else if (pnl < 0) {
      losses++;
      grossLoss += pnl;
    }
  }
  return {
    trades: trades.length,
    winRate: trades.length > 0 ? wins / trades.length : null,
    profitFactor: losses > 0 ? grossProfit / -grossLoss : null,
    averageWin: wins > 0 ? grossProfit / wins : null,
    averageLoss: losses > 0 ? grossLoss / losses : null,
  };
}
