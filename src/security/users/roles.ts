import { KeelError } from '../../model/index.ts';

/**
 * Roles and what each lets a user do, as data the API server checks every request against. A user holds one
 * or more roles and may do what any of them grants (the union): desks separate duties, so `admin` manages
 * users and secrets but is not a `risk` user unless given that role too, and a `risk` user can halt trading
 * without being able to add users.
 *
 * | role | may |
 * | --- | --- |
 * | viewer | read: every view, the dashboard, the stream |
 * | trader | read, pause/resume trading, cancel orders |
 * | risk | read, kill switch, re-arm, change limits, staged rollout (shadow, promote, rollback) |
 * | admin | read, manage users, manage secrets |
 */
export const ROLES = ['viewer', 'trader', 'risk', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = ['read', 'trade.pause', 'trade.cancel', 'risk.kill', 'risk.rearm', 'risk.limits', 'strategy.deploy', 'users.manage', 'secrets.manage'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: { readonly [R in Role]: readonly Permission[] } = Object.freeze({
  viewer: ['read'],
  trader: ['read', 'trade.pause', 'trade.cancel'],
  risk: ['read', 'risk.kill', 'risk.rearm', 'risk.limits', 'strategy.deploy'],
  admin: ['read', 'users.manage', 'secrets.manage'],
});

/**
 * Actions that must be confirmed with a TOTP code on top of the login (issue 13: kill, re-arm, limit changes,
 * user changes; secrets too). The server asks for the code; `UserDirectory.verifyTotp` checks it.
 */
export const MFA_PERMISSIONS: readonly Permission[] = Object.freeze(['risk.kill', 'risk.rearm', 'risk.limits', 'users.manage', 'secrets.manage']);

/**
 * Every permission the roles grant together.
 *
 * @example permissionsOf(['trader', 'risk']).has('risk.kill') // true
 */
export function permissionsOf(roles: readonly Role[]): ReadonlySet<Permission> {
  return new Set(roles.flatMap((r) => ROLE_PERMISSIONS[r]));
}

/** Whether any of `roles` grants `permission`. @example rolesGrant(['admin'], 'risk.kill') // false */
export function rolesGrant(roles: readonly Role[], permission: Permission): boolean {
  return roles.some((r) => ROLE_PERMISSIONS[r].includes(permission));
}

/** Whether doing `permission` needs a TOTP code as well. */
export function requiresMfa(permission: Permission): boolean {
  return MFA_PERMISSIONS.includes(permission);
}

/**
 * Roles from `--role trader,risk`: known names, at least one, no repeats (order kept); a KeelError naming the
 * field and the bad value otherwise.
 *
 * @example parseRoles('trader,risk') // ['trader', 'risk']
 */
export function parseRoles(text: string, field = '--role'): Role[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new KeelError('BAD_ROLE', 'must name at least one role', { field, value: text, hint: `roles: ${ROLES.join(', ')}` });
  const out: Role[] = [];
  for (const n of names) {
    if (!(ROLES as readonly string[]).includes(n)) throw new KeelError('BAD_ROLE', 'is not a role', { field, value: n, hint: `roles: ${ROLES.join(', ')}` });
    if (!out.includes(n as Role)) out.push(n as Role);
  }
  return out;
}
