import { userInfo } from 'node:os';
import { AUDIT_OK, openAuditLog, type AuditAction, type AuditDetails, type AuditLog } from '../security/index.ts';

/** The flags of `keel users` that put its changes in a journal's audit trail. */
export const USERS_AUDIT_FLAGS = { journal: { type: 'string' }, 'journal-schema': { type: 'string' } } as const;

export const USERS_AUDIT_HELP = `  --journal FILE|URL        also record the change in this journal's audit trail (else KEEL_AUDIT_JOURNAL):
                            user.add, user.remove, role.change, token.issue, token.revoke, mfa.enrol, by cli:<you>
  --journal-schema S        PostgreSQL: the journal's schema (default keel)
`;

/**
 * The audit trail a `keel users` change goes to, opened *before* the vault is changed (a wrong journal is
 * refused while nothing has changed yet), or undefined when none is named. The vault lives apart from any
 * journal, so the change is recorded in the trail of the engine it is for (`--journal`, KEEL_AUDIT_JOURNAL).
 *
 * @example
 * const trail = await usersAuditTrail(v);
 * // … updateVault …
 * await trail?.record('user.add', 'alice', { roles: 'trader,risk' });
 */
export async function usersAuditTrail(v: { journal?: string; 'journal-schema'?: string }): Promise<UsersAuditTrail | undefined> {
  const journal = v.journal ?? process.env.KEEL_AUDIT_JOURNAL;
  if (journal === undefined || journal === '') return undefined;
  return new UsersAuditTrail(await openAuditLog({ journal, schema: v['journal-schema'] }));
}

export class UsersAuditTrail {
  readonly #log: AuditLog;
  #closed = false;
  #admin: string | undefined;

  constructor(log: AuditLog) {
    this.#log = log;
  }

  /** The admin whose TOTP step-up authorised the change: the actor, instead of the OS user. */
  actAs(admin: string): void {
    this.#admin = admin;
  }

  /** Record one change (who: `user:<admin>` after a step-up, with the OS user in the details, else `cli:<os user>`; from `cli`) and close the trail. */
  async record(action: AuditAction, target: string, details: AuditDetails = {}): Promise<void> {
    try {
      const actor = this.#admin === undefined ? `cli:${osUser()}` as const : `user:${this.#admin}` as const;
      const who = this.#admin === undefined ? details : { ...details, osUser: osUser() };
      await this.#log.record({ actor, origin: 'cli', action, target, result: AUDIT_OK, details: who });
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#log.close();
  }
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}
