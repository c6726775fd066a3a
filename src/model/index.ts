/** Value types shared by every part of Keel: instruments, fixed-point prices and quantities, money, market data, orders, events. */
export * from './errors.ts';
export * from './decimal.ts';
export * from './money.ts';
export * from './instrument.ts';
export * from './market.ts';
export * from './order.ts';
export * from './events.ts';
export * from './lifecycle.ts';
export * from './time-zones.ts';
export * from './json.ts';
export * from './config-file.ts';
export * from './secret.ts';
