import { KeelError, type Secret } from '../../model/index.ts';
import { checkSecretName } from './secret-name.ts';
import type { StoredSecret, VaultContents } from './vault-contents.ts';

/**
 * The `secrets` namespace of a vault's contents: pure functions from contents to contents (the caller writes
 * them with `updateVault`). Times are ISO strings from the `now` given.
 */

/** Shortest secret value: the log scrubber cannot replace shorter literals by value (ops/logs/secret-scrubber.ts). */
export const MIN_SECRET_VALUE_LENGTH = 6;

/** Add or replace secret `name`. @example setSecret(contents, 'ALPACA_SECRET', new Secret(v), new Date()) */
export function setSecret(c: VaultContents, name: string, value: Secret, now: Date): VaultContents {
  checkSecretName(name);
  const v = value.reveal();
  if (v.length < MIN_SECRET_VALUE_LENGTH) {
    throw new KeelError('SECRET_TOO_SHORT', `is ${v.length} characters; a secret needs at least ${MIN_SECRET_VALUE_LENGTH} so that it can be scrubbed from logs`, { field: `secret ${name}` });
  }
  const at = now.toISOString();
  const secrets = new Map(c.secrets);
  secrets.set(name, { value, createdAt: c.secrets.get(name)?.createdAt ?? at, updatedAt: at });
  return { ...c, secrets };
}

/** Remove secret `name`; a KeelError if there is none. */
export function removeSecret(c: VaultContents, name: string): VaultContents {
  secretEntry(c, name);
  const secrets = new Map(c.secrets);
  secrets.delete(name);
  return { ...c, secrets };
}

/** The stored secret `name`; a KeelError naming it (never guessing close names' values) if it is not there. */
export function secretEntry(c: VaultContents, name: string, field = 'secret name'): StoredSecret {
  checkSecretName(name, field);
  const s = c.secrets.get(name);
  if (s === undefined) {
    throw new KeelError('SECRET_NOT_FOUND', 'is not in the vault', { field, value: name, hint: c.secrets.size ? 'keel secrets list shows the names' : 'the vault holds no secrets yet: keel secrets set NAME' });
  }
  return s;
}

/** Names and times of the secrets, sorted by name (no values). */
export function listSecrets(c: VaultContents): { name: string; createdAt: string; updatedAt: string }[] {
  return [...c.secrets].map(([name, s]) => ({ name, createdAt: s.createdAt, updatedAt: s.updatedAt })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
