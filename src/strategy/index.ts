/** The Strategy API: base class, parameters, context types, indicators, examples and the loader. */
export * from './params.ts';
export * from './context.ts';
export * from './strategy.ts';
export * from './registry.ts';
export * from './host.ts';
export * from './indicators/index.ts';
