/** Positions, cash, realised and unrealised PnL, exposure, equity, and round-trip trades. */
export * from './position.ts';
export * from './portfolio.ts';
export * from './round-trips.ts';
