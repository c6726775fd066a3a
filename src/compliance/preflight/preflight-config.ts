import * as z from 'zod';

/**
 * The `preflight:` section of the run config: how recent a kill-switch test and a verified backup must be for
 * `keel preflight` (and so `keel live`) to pass.
 *
 * @example
 * preflight: { killSwitchTestedWithinDays: 7, backupVerifiedWithinHours: 26 }
 */
export const preflightConfigSchema = z.object({
  killSwitchTestedWithinDays: z.number({ error: 'must be a number of days, e.g. 30' }).int({ error: 'must be whole days' }).min(1, { error: 'must be 1 day or more' }).default(30),
  backupVerifiedWithinHours: z.number({ error: 'must be a number of hours, e.g. 26' }).positive({ error: 'must be more than 0 hours' }).default(26),
  /** How long an alert channel's host may take to accept a connection. */
  alertConnectTimeoutMs: z.number({ error: 'must be milliseconds' }).int({ error: 'must be whole milliseconds' }).min(1, { error: 'must be 1 ms or more' }).default(3000),
}).strict();
export type PreflightConfig = z.output<typeof preflightConfigSchema>;
