/**
 * Every kind of audit event Keel records, with what it means (docs/security.md prints this list). The list is
 * the type: `record({ action: 'kill', … })` compiles, a typo does not. To add an action, add a line here
 * (dotted lower-case names; `<thing>.<verb>` for changes, `<verb>.failed` for refused attempts) and document
 * what its `target` and `details` hold.
 */
export const AUDIT_ACTIONS = {
  // Sessions and tokens (server authentication).
  'login': 'a user signed in (API token or dashboard session); target: the user',
  'login.failed': 'a sign-in was refused (wrong password, unknown user, locked out); target: the name given',
  'logout': 'a dashboard session ended; target: the user',
  'mfa.failed': 'a TOTP code was refused (missing, wrong or reused) for a dangerous action; target: the action',
  'access.denied': 'an authenticated request was refused: a permission it lacks, or a failed CSRF check; target: the route; details: permission',
  'lockout': 'a user name or an address was locked out after repeated failed sign-ins or TOTP codes; target: the name or ip:<address>; details: scope, until',
  'token.issue': 'an API token was issued; target: the user; details: tokenId, label (the token itself is never recorded)',
  'token.revoke': 'an API token was revoked; target: the user',
  // Operator actions on a running engine.
  'kill': 'the kill switch was pulled; details: flatten, reason',
  'rearm': 'trading was re-armed after a halt; details: reason',
  'rearm.request': 'a risk user asked to re-arm under four-eyes; a second risk user must confirm; details: reason, expiresAt',
  'pause': 'a strategy was paused; target: the strategy',
  'resume': 'a strategy was resumed; target: the strategy',
  'cancel': 'an order was canceled by an operator; target: the client order id',
  'cancel-all': 'every working order was canceled by an operator',
  'limits.change': 'risk limits were changed on a running engine; details: reason, changed (the sections), from and to (YAML)',
  'rollout.shadow': 'a new strategy version was deployed as a shadow; target: its strategy file or name',
  'rollout.promote': 'a rollout was promoted (shadow to canary, canary to full); target: the candidate version id',
  'rollout.rollback': 'a rollout was rolled back to the live version; target: the candidate version id',
  // Configuration and secrets.
  'config.load': 'an engine started with a run config; target: the file; details: its SHA-256 (never its contents)',
  'secret.read': 'a secret was read from the vault; target: its name (never its value)',
  'secret.write': 'a secret was stored or replaced in the vault; target: its name',
  'secret.remove': 'a secret was removed from the vault; target: its name',
  'vault.rotate-key': 'the vault was re-encrypted under a new key',
  // Users and roles.
  'user.add': 'a user was created; target: the user; details: roles',
  'user.remove': 'a user was removed; target: the user',
  'user.password': 'a user\'s password was set anew; target: the user (never the password)',
  'role.change': 'a user\'s roles changed; target: the user; details: from, to',
  'mfa.enrol': 'a user enrolled a TOTP authenticator; target: the user',
} as const satisfies Readonly<Record<string, string>>;

/** An audit event's kind: one of `AUDIT_ACTIONS`' keys. */
export type AuditAction = keyof typeof AUDIT_ACTIONS;

/**
 * Whether `s` is an action this Keel knows (a record written by a newer Keel may carry one it does not; it is
 * read and verified all the same).
 *
 * @example isAuditAction('kill') // true
 */
export function isAuditAction(s: string): s is AuditAction {
  return Object.hasOwn(AUDIT_ACTIONS, s);
}
