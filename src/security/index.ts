/**
 * Security (DESIGN.md `security/`, issue 13): the secrets vault, the users who may operate Keel, the audit
 * trail, TLS and the API's network rules (docs/security.md).
 *
 * - **Vault** (`vault/`): one encrypted file (AES-256-GCM, key from the passphrase by argon2id), mode 0600,
 *   written atomically, holding the secrets run configs name with `secret:NAME` and the users. `openVault`,
 *   `updateVault` with the pure `setSecret`/`removeSecret`, `rotateVaultKey`; `resolvePassphrase` finds the
 *   passphrase (file, environment, terminal).
 * - **Users** (`users/`): roles and permissions as data (`ROLE_PERMISSIONS`), argon2id password hashes, API
 *   tokens stored as SHA-256, TOTP seeds; `UserDirectory` is what the API server authenticates against.
 */
export {
  initVault, openVault, reopenVault, updateVault, rotateVaultKey, checkNewPassphrase, MIN_PASSPHRASE_LENGTH, type OpenVault,
} from './vault/vault.ts';
export { EMPTY_CONTENTS, type VaultContents, type StoredSecret } from './vault/vault-contents.ts';
export { setSecret, removeSecret, secretEntry, listSecrets, MIN_SECRET_VALUE_LENGTH } from './vault/secrets.ts';
export { checkSecretName, NAME_PATTERN } from './vault/secret-name.ts';
export { secretRefName, SECRET_REF_PREFIX } from './vault/secret-ref.ts';
export { resolvePassphrase, resolveVaultPath, type PassphraseSources, type PassphraseVariable } from './vault/passphrase.ts';
export { DEFAULT_KDF, KDF_LIMITS, VaultKey, type KdfParams } from './vault/kdf.ts';
export { FORMAT_VERSION, HEADER_BYTES, MAGIC } from './vault/vault-format.ts';
export type { VaultCrashPoint } from './vault/crash-point.ts';

export {
  ROLES, PERMISSIONS, ROLE_PERMISSIONS, MFA_PERMISSIONS, permissionsOf, rolesGrant, requiresMfa, parseRoles, type Role, type Permission,
} from './users/roles.ts';
export type { Principal } from './users/principal.ts';
export type { StoredUser, StoredToken } from './users/stored-user.ts';
export { UserDirectory, type UserDirectoryOptions } from './users/user-directory.ts';
export {
  addUser, removeUser, setUserRoles, setPasswordHash, setTotpSecret, recordTotpUse, addToken, revokeToken, tokenEntry, userEntry, listUsers, summarizeUser,
  checkUserName, type UserSummary,
} from './users/user-store.ts';
export { newApiToken, apiTokenId, tokenDigest, TOKEN_PREFIX } from './users/api-token.ts';
export { hashPassword, passwordMatches, checkNewPassword, MIN_PASSWORD_LENGTH, PASSWORD_HASH } from './users/password.ts';
export {
  newTotpSecret, totpUri, totpCode, totpStep, matchTotp, base32, TOTP_PERIOD_SECONDS, TOTP_DIGITS, TOTP_WINDOW_STEPS, type TotpVariant,
} from './users/totp.ts';

// The audit trail (`audit/`: hash-chained records in the journal database), TLS certificates (`tls/`) and the
// API's network rules (`access/`: allow-list, bind rule).
export * from './audit/index.ts';
export * from './tls/index.ts';
export * from './access/index.ts';
