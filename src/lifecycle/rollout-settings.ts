import { z } from 'zod';

/**
 * The run config's `rollout:` section (docs/run-config.md, docs/lifecycle.md). Everything has a default, so a
 * run without the section can still take `keel deploy` commands.
 *
 * @example
 * rollout:
 *   canary: { fraction: 0.25, maxLoss: 500 }
 *   onRollback: flatten
 *   auto: { promoteAtAgreementPct: 90, minDecisions: 10 }
 */
export const rolloutSettingsSchema = z.strictObject({
  canary: z.strictObject({
    /** Share of the live size (units sizing) and of the account's cash (its sub-ledger) the canary trades with. */
    fraction: z.number({ error: 'must be a number in (0, 1]' }).gt(0, { error: 'must be more than 0' }).max(1, { error: 'must be at most 1 (the whole size)' }).default(0.25),
    /** Loss in the account currency after which the canary is rolled back automatically. */
    maxLoss: z.number({ error: 'must be an amount in the account currency' }).positive({ error: 'must be more than 0' }).optional(),
  }).default({ fraction: 0.25 }),
  /** At a rollback from canary: close the canary's position (`flatten`) or leave it in the account (`handover`). */
  onRollback: z.enum(['flatten', 'handover'], { error: 'must be flatten or handover' }).default('flatten'),
  /** Promote from shadow to canary automatically once the shadow agreed on this share of at least `minDecisions` decisions. */
  auto: z.strictObject({
    promoteAtAgreementPct: z.number({ error: 'must be a percent' }).min(0, { error: 'must be 0 to 100' }).max(100, { error: 'must be 0 to 100' }).optional(),
    minDecisions: z.number().int().positive().default(10),
  }).optional(),
  /** Start this version in shadow when the engine starts (else `keel deploy shadow`). */
  candidate: z.strictObject({ name: z.string().min(1), params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}) }).optional(),
});

export type RolloutSettings = z.output<typeof rolloutSettingsSchema>;

export const DEFAULT_ROLLOUT_SETTINGS: RolloutSettings = rolloutSettingsSchema.parse({});
