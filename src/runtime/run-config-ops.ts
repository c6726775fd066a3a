import * as z from 'zod';
import { section } from '../model/index.ts';
import { parseDuration } from '../risk/index.ts';

/**
 * The operations sections of the run config: `ha` (active/standby on a PostgreSQL journal), `backup`
 * (scheduled, verified backups while trading) and `escalation` (who is paged for what). Kept apart from
 * run-config.ts, which holds the trading sections.
 */

/** A duration: "500ms", "3s", "15m", "1h", "1d", or a bare number of milliseconds. */
function duration(what: string) {
  return z.union([z.string(), z.number()], { error: `must be ${what}, e.g. 3s or 500ms` }).transform((v, ctx) => {
    const parsed = parseDuration(v);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: "custom", message: parsed.problem.message });
    return z.NEVER;
  });
}

/** `ha:` the leader lease of an active/standby pair (docs/high-availability.md). */
export const haConfigSchema = section({
  /** This node's name in the lease and the dashboard; default host:pid. */
  node: z.string({ error: 'must be a node name' }).regex(/^[\w.:@-]{1,100}$/, { error: 'must be 1 to 100 letters, digits or . : @ - _' }).optional(),
  /** How long a lease lasts without renewal: the longest a dead active keeps the standby waiting. */
  lease: duration('a lease duration').default(3000),
  /** How often the active renews it (well under the lease, so that one slow renewal does not lose it). */
  renewEvery: duration('a renewal interval').default(500),
  /** How often the standby looks at the lease and the journal's tail. */
  pollEvery: duration('a polling interval').default(200),
  /** Alert (standby_lag) when a standby is this many events behind the active... */
  maxLagEvents: z.number({ error: 'must be a whole number of events' }).int({ error: 'must be a whole number of events' }).min(1, { error: 'must be 1 or more' }).default(1000),
  /** ...or has not reported for this long. */
  maxSilence: duration('a duration').default(5000),
}, 'node, lease, renewEvery, pollEvery, maxLagEvents and maxSilence').superRefine((ha, ctx) => {
  if (ha.renewEvery * 2 > ha.lease) ctx.addIssue({ code: 'custom', message: `must be at most half the lease (${ha.lease} ms), so one late renewal does not lose it`, path: ['renewEvery'] });
});

export type HaConfig = z.output<typeof haConfigSchema>;

/** `backup:` scheduled backups of the journal while trading, each restored and verified (docs/disaster-recovery.md). */
export const backupConfigSchema = section({
  /** How often. */
  every: duration('a backup interval'),
  /** The backup folder (relative to the run config). */
  to: z.string({ error: 'is required: a backup folder, e.g. backups' }).min(1, { error: 'must be a backup folder' }),
  /** The newest backups of this journal to keep. */
  keep: z.number({ error: 'must be a whole number of backups' }).int({ error: 'must be a whole number of backups' }).min(1, { error: 'must be 1 or more' }).default(7),
  /** Restore each backup into a scratch place, replay it and compare fingerprints (writes X.verify.json beside it). */
  verify: z.boolean({ error: 'must be true or false' }).default(true),
}, 'every, to, keep and verify');

export type BackupConfig = z.output<typeof backupConfigSchema>;

const contact = section({
  name: z.string({ error: 'is required: who this is' }).min(1, { error: 'must be a name' }),
  role: z.string({ error: 'must be a role, e.g. primary on-call' }).optional(),
  phone: z.string({ error: 'must be a phone number' }).optional(),
  email: z.string({ error: 'must be an email address' }).optional(),
  channel: z.string({ error: "must be an alert channel's name" }).optional(),
}, 'name, role, phone, email and channel');

/**
 * `escalation:` who is paged for what, printed into the runbooks' incident template and shown next to an
 * alert's runbook link: `contacts` by name, then per alert (`kill_switch`, `failover`, ... or `default`) the
 * names to page in order, with how long to wait for an acknowledgement before the next.
 */
export const escalationConfigSchema = section({
  contacts: z.array(contact, { error: 'must be a list of contacts' }).min(1, { error: 'must list at least one contact' }),
  policies: z.record(z.string(), section({
    page: z.array(z.string(), { error: 'must be a list of contact names' }).min(1, { error: 'must name at least one contact' }),
    ackWithin: duration('a duration').default(900_000),
  }, 'page and ackWithin'), { error: 'must map alert names to a page list' }).default({}),
}, 'contacts and policies').superRefine((e, ctx) => {
  const names = new Set(e.contacts.map((c) => c.name));
  for (const [alert, p] of Object.entries(e.policies)) {
    for (const [i, n] of p.page.entries()) {
      if (!names.has(n)) ctx.addIssue({ code: 'custom', message: `is not one of the contacts (${[...names].join(', ')})`, path: ['policies', alert, 'page', i] });
    }
  }
});

export type EscalationConfig = z.output<typeof escalationConfigSchema>;
