/** The synchronous core: clocks, seeded randomness, the event queue, the message bus and the run loop. */
export * from './clock.ts';
export * from './random.ts';
export * from './event-queue.ts';
export * from './message-bus.ts';
export * from './kernel.ts';
