import { Secret } from '../../src/model/index.ts';
import {
  UserDirectory, addToken, addUser, hashPassword, initVault, newApiToken, newTotpSecret, openVault, revokeToken, totpCode, updateVault,
  type Role, type VaultContents,
} from '../../src/security/index.ts';
import { FAST_KDF, PASSPHRASE, tempFolder } from '../security/vault-helpers.ts';

/** One user of the test vault: password, TOTP seed, an API token. */
export interface TestUser {
  readonly name: string;
  readonly roles: readonly Role[];
  readonly password: string;
  readonly seed: string;
  readonly token: string;
  readonly tokenId: string;
}

/** The users a server test signs in as: one per role, a second risk user (four-eyes) and one holding every role. */
export const ROLE_USERS: ReadonlyArray<readonly [string, readonly Role[]]> = [
  ['vera', ['viewer']], ['tom', ['trader']], ['rita', ['risk']], ['rob', ['risk']], ['ada', ['admin']], ['max', ['viewer', 'trader', 'risk', 'admin']],
];

export interface TestUsers {
  readonly path: string;
  readonly directory: UserDirectory;
  readonly users: Readonly<Record<string, TestUser>>;
  /** The current TOTP code of a user (`stepOffset` steps of 30 s ahead: a code not used yet). */
  code(name: string, stepOffset?: number): string;
  revoke(name: string): Promise<void>;
  close(): void;
}

/** A real vault (cheapest KDF) with `ROLE_USERS`, and a UserDirectory following it. */
export async function testUsers(list = ROLE_USERS): Promise<TestUsers> {
  const t = tempFolder('keel-api-users-');
  const path = t.path('keel.vault');
  await initVault(path, PASSPHRASE, { kdf: FAST_KDF });
  const users: Record<string, TestUser> = {};
  let c: VaultContents = (await openVault(path, PASSPHRASE)).contents;
  const now = new Date();
  for (const [name, roles] of list) {
    const password = `${name}-password-0123`;
    const seed = newTotpSecret();
    c = addUser(c, { name, roles, passwordHash: await hashPassword(new Secret(password)), totpSecret: seed }, now);
    const tok = newApiToken();
    c = addToken(c, name, { id: tok.id, sha256: tok.sha256, label: 'test' }, now);
    users[name] = { name, roles, password, seed, token: tok.token.reveal(), tokenId: tok.id };
  }
  const final = c;
  await updateVault(path, PASSPHRASE, () => final);
  const directory = await UserDirectory.open(path, PASSPHRASE, { pollMs: 50 });
  return {
    path, directory, users,
    code: (name, stepOffset = 0) => totpCode(users[name].seed, Date.now() + stepOffset * 30_000),
    revoke: async (name) => {
      await updateVault(path, PASSPHRASE, (v) => revokeToken(v, users[name].tokenId, new Date()));
      await directory.reload();
    },
    close: () => { directory.close(); t.remove(); },
  };
}
