export * from './sma.ts';
export * from './rsi.ts';
export * from './bollinger.ts';
