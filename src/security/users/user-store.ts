import { KeelError } from '../../model/index.ts';
import { NAME_PATTERN } from '../vault/secret-name.ts';
import type { VaultContents } from '../vault/vault-contents.ts';
import type { Role } from './roles.ts';
import type { StoredToken, StoredUser } from './stored-user.ts';

/**
 * The `users` namespace of a vault's contents: pure functions from contents to contents (the caller hashes
 * passwords and makes tokens first, and writes the result with `updateVault`).
 */

/** A user name: as a secret name (letters, digits, `_`, `.`, `-`), so it needs no quoting in a log line. */
export function checkUserName(name: string, field = 'user'): string {
  if (!NAME_PATTERN.test(name)) throw new KeelError('BAD_USER_NAME', 'must be letters, digits, _ . - (1 to 128 characters)', { field, value: name });
  return name;
}

/** The stored user `name`; a KeelError if there is none. */
export function userEntry(c: VaultContents, name: string, field = 'user'): StoredUser {
  checkUserName(name, field);
  const u = c.users.get(name);
  if (u === undefined) throw new KeelError('USER_NOT_FOUND', 'is not a user in the vault', { field, value: name, hint: 'keel users list shows them' });
  return u;
}

function withUser(c: VaultContents, u: StoredUser): VaultContents {
  const users = new Map(c.users);
  users.set(u.name, u);
  return { ...c, users };
}

/** Add a user; refuses a name already taken (use set-password, reset-totp or set-roles to change one). */
export function addUser(c: VaultContents, u: { name: string; roles: readonly Role[]; passwordHash: string; totpSecret: string }, now: Date): VaultContents {
  checkUserName(u.name);
  if (c.users.has(u.name)) throw new KeelError('USER_EXISTS', 'is already a user; nothing was changed', { field: 'user', value: u.name, hint: 'keel users set-password / reset-totp / set-roles change one' });
  const at = now.toISOString();
  return withUser(c, { name: u.name, roles: [...u.roles], passwordHash: u.passwordHash, totpSecret: u.totpSecret, tokens: [], createdAt: at, updatedAt: at });
}

/** Remove a user and with it every token it held. */
export function removeUser(c: VaultContents, name: string): VaultContents {
  userEntry(c, name);
  const users = new Map(c.users);
  users.delete(name);
  return { ...c, users };
}

export function setUserRoles(c: VaultContents, name: string, roles: readonly Role[], now: Date): VaultContents {
  return withUser(c, { ...userEntry(c, name), roles: [...roles], updatedAt: now.toISOString() });
}

export function setPasswordHash(c: VaultContents, name: string, passwordHash: string, now: Date): VaultContents {
  return withUser(c, { ...userEntry(c, name), passwordHash, updatedAt: now.toISOString() });
}

export function setTotpSecret(c: VaultContents, name: string, totpSecret: string, now: Date): VaultContents {
  // A new seed starts a new history of used steps.
  const { lastTotpStep: _old, ...u } = userEntry(c, name);
  return withUser(c, { ...u, totpSecret, updatedAt: now.toISOString() });
}

/** Record a new token (its hash) for a user. */
export function addToken(c: VaultContents, name: string, t: { id: string; sha256: string; label: string }, now: Date): VaultContents {
  const u = userEntry(c, name);
  // A label is for people reading `keel users list`: one short line.
  if (t.label.length > 100 || /[\u0000-\u001f\u007f]/.test(t.label)) throw new KeelError('BAD_TOKEN_LABEL', 'must be one line of at most 100 characters', { field: '--label', value: t.label });
  const token: StoredToken = { id: t.id, sha256: t.sha256, label: t.label, createdAt: now.toISOString() };
  return withUser(c, { ...u, tokens: [...u.tokens, token], updatedAt: now.toISOString() });
}

/** The user holding token `id`, and the token's record; a KeelError if no user has it. */
export function tokenEntry(c: VaultContents, id: string): { user: StoredUser; token: StoredToken } {
  for (const user of c.users.values()) {
    const token = user.tokens.find((t) => t.id === id);
    if (token) return { user, token };
  }
  throw new KeelError('TOKEN_NOT_FOUND', 'is not a token in the vault', { field: 'token id', value: id, hint: 'keel users list shows token ids' });
}

/** Mark token `id` revoked (kept, so the list shows when); revoking twice is refused, naming when it was. */
export function revokeToken(c: VaultContents, id: string, now: Date): VaultContents {
  const { user, token } = tokenEntry(c, id);
  if (token.revokedAt !== undefined) throw new KeelError('TOKEN_REVOKED', `was already revoked at ${token.revokedAt}`, { field: 'token id', value: id });
  const tokens = user.tokens.map((t) => (t.id === id ? { ...t, revokedAt: now.toISOString() } : t));
  return withUser(c, { ...user, tokens, updatedAt: now.toISOString() });
}

/** What may be shown about a user: no hash, no seed. */
export interface UserSummary {
  readonly name: string;
  readonly roles: readonly Role[];
  readonly tokens: readonly { readonly id: string; readonly label: string; readonly createdAt: string; readonly revokedAt?: string }[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function summarizeUser(u: StoredUser): UserSummary {
  return {
    name: u.name, roles: [...u.roles], createdAt: u.createdAt, updatedAt: u.updatedAt,
    tokens: u.tokens.map((t) => ({ id: t.id, label: t.label, createdAt: t.createdAt, ...(t.revokedAt ? { revokedAt: t.revokedAt } : {}) })),
  };
}

/** Every user, sorted by name. */
export function listUsers(c: VaultContents): UserSummary[] {
  return [...c.users.values()].map(summarizeUser).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Remember that `name`'s TOTP code for `step` was used (a `keel users` step-up): a code works once, so a step at
 * or before this one is refused from now on, in this process and the next. A user no longer there is left out.
 */
export function recordTotpUse(c: VaultContents, name: string, step: number): VaultContents {
  const u = c.users.get(name);
  return u === undefined ? c : withUser(c, { ...u, lastTotpStep: Math.max(step, u.lastTotpStep ?? 0) });
}
