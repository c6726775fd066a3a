/**
 * Keel's public API for strategy authors: `import { Strategy, param, Sma } from 'keel'`.
 * Everything else is reachable through the folders' own index files.
 */
export { Strategy, param, Sma, Rsi, Bollinger, Atr, Stdev, BUILT_IN_STRATEGIES, resolveParams, parseParamString } from './strategy/index.ts';
export type { ParamSpec, ParamSchema, ParamValues, OrderSpec, PositionView, PortfolioView, OrderView, FillView, TradingContext, StrategyClass } from './strategy/index.ts';
export { riskPerTradeSize, volatilityTargetSize, fixedNotionalSize, capByFraction, type LotSpec, type RiskPerTradeInput, type VolatilityTargetInput, type AtrTargetInput, type StdevTargetInput, type FixedNotionalInput, type CapByFractionInput } from './risk/index.ts';
export type { Bar, Quote, TradeTick, MarketEvent, Instrument, OrderSide, OrderType, TimeInForce, OrderStatus } from './model/index.ts';
export { KeelError, defineInstrument } from './model/index.ts';
export { runBacktest, buildResult, computeMetrics, renderReport } from './backtest/index.ts';
export type { BacktestResult, BacktestSpec, Metrics, TradeRecord } from './backtest/index.ts';
export { loadMarketData, validateMarketData } from './data/index.ts';
