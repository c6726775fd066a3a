import * as z from 'zod';
import { KeelError, Secret } from '../../model/index.ts';
import { storedUserSchema, type StoredUser } from '../users/stored-user.ts';

/**
 * What a vault holds once decrypted: two namespaces, `secrets` (what `keel secrets` manages and run configs
 * name with `secret:NAME`) and `users` (what `keel users` manages). `keel secrets list` shows only the first;
 * a secret and a user may share a name. Values are `Secret`s in memory, so printing the contents leaks nothing.
 */
export interface VaultContents {
  readonly secrets: ReadonlyMap<string, StoredSecret>;
  readonly users: ReadonlyMap<string, StoredUser>;
}

export interface StoredSecret {
  readonly value: Secret;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const EMPTY_CONTENTS: VaultContents = Object.freeze({ secrets: new Map(), users: new Map() });

const FORMAT = 'keel-vault-contents';

const documentSchema = z.object({
  format: z.literal(FORMAT),
  v: z.literal(1),
  secrets: z.array(z.object({ name: z.string().min(1), value: z.string(), createdAt: z.string(), updatedAt: z.string() })),
  users: z.array(storedUserSchema),
});

/** The JSON text sealed into the file (arrays, not objects keyed by name: a name is never an object key). */
export function encodeContents(c: VaultContents): string {
  return JSON.stringify({
    format: FORMAT, v: 1,
    secrets: [...c.secrets].map(([name, s]) => ({ name, value: s.value.reveal(), createdAt: s.createdAt, updatedAt: s.updatedAt })),
    users: [...c.users.values()],
  });
}

/** The contents from decrypted text; a KeelError naming the file if it is not what this keel writes. */
export function decodeContents(text: string, path: string): VaultContents {
  let doc: z.output<typeof documentSchema>;
  try {
    doc = documentSchema.parse(JSON.parse(text));
  } catch {
    // Authenticated, so written by a keel: a different layout means a different keel wrote it.
    throw new KeelError('VAULT_VERSION', 'decrypts, but its contents are not in the layout this keel reads', { field: 'vault', value: path, hint: 'use the keel that wrote it' });
  }
  return {
    secrets: new Map(doc.secrets.map((s) => [s.name, { value: new Secret(s.value), createdAt: s.createdAt, updatedAt: s.updatedAt }])),
    users: new Map(doc.users.map((u) => [u.name, u as StoredUser])),
  };
}
