export * from './sma.ts';
export * from './rsi.ts';
export * from './bollinger.ts';
export * from './atr.ts';
export * from './stdev.ts';
