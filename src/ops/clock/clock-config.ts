import * as z from 'zod';

/**
 * The `clock:` section of the run config. MiFID II RTS 25 asks algorithmic traders to keep their clocks within
 * 1 ms of UTC (100 µs for high-frequency trading): past `alertMs` the `clock_drift` alert fires; past
 * `hardLimitMs` (or with no synchronised source at all) `keel preflight` fails and `keel live` refuses to start.
 *
 * @example
 * clock: { alertMs: 1, hardLimitMs: 100, checkEverySeconds: 60 }
 */
export const clockConfigSchema = z.object({
  alertMs: z.number({ error: 'must be milliseconds, e.g. 1' }).positive({ error: 'must be more than 0 ms' }).default(1),
  hardLimitMs: z.number({ error: 'must be milliseconds, e.g. 100' }).positive({ error: 'must be more than 0 ms' }).default(100),
  checkEverySeconds: z.number({ error: 'must be seconds, e.g. 60' }).int({ error: 'must be whole seconds' }).min(1, { error: 'must be 1 s or more' }).default(60),
  /** Where the offset comes from, tried in this order. */
  sources: z.array(z.enum(['chrony', 'timedatectl'], { error: 'must be chrony or timedatectl' }), { error: 'must be a list: chrony, timedatectl' })
    .min(1, { error: 'must name at least one source' }).default(['chrony', 'timedatectl']),
}).strict().refine((c) => c.hardLimitMs >= c.alertMs, { error: 'hardLimitMs must be at least alertMs', path: ['hardLimitMs'] });
export type ClockConfig = z.output<typeof clockConfigSchema>;

export const DEFAULT_CLOCK_CONFIG: ClockConfig = clockConfigSchema.parse({});
