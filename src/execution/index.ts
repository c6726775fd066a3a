/** Order state machine, the OMS and routing of approved orders to venues. */
export * from './order-state.ts';
export * from './order-manager.ts';
export * from './venue-port.ts';
export * from './execution-engine.ts';
export * from './write-ahead.ts';
export * from './reconcile.ts';
