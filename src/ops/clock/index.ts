/** Clock discipline (MiFID II RTS 25): the local clock's offset from UTC, its metric, alert and hard limit. */
export * from './clock-config.ts';
export * from './clock-reading.ts';
export * from './measure-clock.ts';
export * from './clock-watch.ts';
