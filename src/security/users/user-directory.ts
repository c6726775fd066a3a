import { timingSafeEqual } from 'node:crypto';
import { KeelError, Secret } from '../../model/index.ts';
import { openVault, reopenVault, type OpenVault } from '../vault/vault.ts';
import { fingerprintOf, sameFingerprint, type FileFingerprint } from '../vault/vault-file.ts';
import { apiTokenId, tokenDigest } from './api-token.ts';
import { hashPassword, passwordMatches } from './password.ts';
import { rolesGrant, type Permission } from './roles.ts';
import type { Principal } from './principal.ts';
import type { StoredToken, StoredUser } from './stored-user.ts';
import { matchTotp } from './totp.ts';
import { summarizeUser, type UserSummary } from './user-store.ts';

export interface UserDirectoryOptions {
  /** How often the vault file is checked for changes, ms (default 250: a revocation takes effect within ~1 s). */
  readonly pollMs?: number;
  /** After every reload attempt: the server may log it, or alert when the directory became unavailable. */
  readonly onReload?: (r: { readonly ok: true } | { readonly ok: false; readonly error: KeelError }) => void;
}

interface Loaded {
  readonly users: ReadonlyMap<string, StoredUser>;
  /** token id → holder and record. */
  readonly tokens: ReadonlyMap<string, { readonly user: StoredUser; readonly token: StoredToken }>;
}

/** A digest to compare against when a token's id is unknown, so that path costs what a known one does. */
const NO_DIGEST = Buffer.alloc(32);

/**
 * The users of a vault, for the API server: who may log in, with which password, token and TOTP code, and what
 * their roles let them do. Read-only: users are changed with `keel users` (which writes the vault), and the
 * directory follows the file, re-reading it within `pollMs` of a change, with the key it derived at open
 * (the passphrase itself is not kept).
 *
 * Fails closed: if the vault cannot be read after a change (deleted, damaged, re-keyed with
 * `keel secrets rotate-key`), every check answers "no" until it can, because the change may have been a
 * revocation. Rate limiting and lockout belong to the server (it counts failures per user and address).
 *
 * TOTP replay protection is kept in memory: a code once accepted is refused for the rest of its window in
 * this process. A restart forgets it (a code seen before a restart could be replayed within 90 s after).
 *
 * @example
 * const users = await UserDirectory.open('keel.vault', passphrase);
 * const who = users.authenticateToken(bearer);            // Principal | undefined
 * if (who && users.hasPermission(who, 'risk.kill') && users.verifyTotp(who.user, code)) { … }
 * users.close();
 */
export class UserDirectory {
  readonly path: string;
  #vault: OpenVault;
  #loaded: Loaded;
  #error: KeelError | undefined;
  /** The file as last read (or last failed to read; undefined while it is missing). */
  #fingerprint: FileFingerprint | undefined;
  readonly #lastTotpStep = new Map<string, { readonly secret: string; readonly step: number }>();
  readonly #timer: NodeJS.Timeout;
  #polling = false;
  #dummyHash: Promise<string> | undefined;
  readonly #onReload: UserDirectoryOptions['onReload'];

  private constructor(vault: OpenVault, o: UserDirectoryOptions) {
    this.path = vault.path;
    this.#vault = vault;
    this.#loaded = index(vault);
    this.#fingerprint = vault.fingerprint;
    this.#onReload = o.onReload;
    this.#timer = setInterval(() => void this.#poll(), o.pollMs ?? 250);
    this.#timer.unref();
  }

  /** Open the vault (a KeelError if it cannot be: missing, wrong passphrase, damaged) and follow it. */
  static async open(path: string, passphrase: Secret, o: UserDirectoryOptions = {}): Promise<UserDirectory> {
    return new UserDirectory(await openVault(path, passphrase), o);
  }

  /** A directory over a vault already opened (the engine opened it to resolve `secret:` references). */
  static fromVault(vault: OpenVault, o: UserDirectoryOptions = {}): UserDirectory {
    return new UserDirectory(vault, o);
  }

  /** `ready`, or `unavailable` with the reason (every check then says no). */
  status(): { readonly state: 'ready' } | { readonly state: 'unavailable'; readonly error: KeelError } {
    return this.#error === undefined ? { state: 'ready' } : { state: 'unavailable', error: this.#error };
  }

  /** Every user (no hashes, no seeds), sorted by name. */
  users(): UserSummary[] {
    if (this.#error) return [];
    return [...this.#loaded.users.values()].map(summarizeUser).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  user(name: string): UserSummary | undefined {
    const u = this.#current(name);
    return u && summarizeUser(u);
  }

  /**
   * The principal if `password` is `user`'s password, else undefined. An unknown user costs the same argon2id
   * verification as a known one, so timing does not tell which user names exist.
   */
  async verifyPassword(user: string, password: string | Secret): Promise<Principal | undefined> {
    const text = password instanceof Secret ? password.reveal() : password;
    const u = this.#current(user);
    if (u === undefined) {
      this.#dummyHash ??= hashPassword(new Secret('keel: no such user, same cost'));
      await passwordMatches(await this.#dummyHash, text);
      return undefined;
    }
    if (!(await passwordMatches(u.passwordHash, text))) return undefined;
    // The vault may have changed while argon2 ran: answer from the record as it is now.
    const now = this.#current(user);
    return now && now.passwordHash === u.passwordHash ? { user: now.name, roles: [...now.roles], via: 'password' } : undefined;
  }

  /** The principal for an API token (`Authorization: Bearer keel_…`), or undefined if it is unknown, malformed or revoked. */
  authenticateToken(token: string): Principal | undefined {
    if (this.#error) return undefined;
    const digest = tokenDigest(token);
    const id = apiTokenId(token);
    const entry = id === undefined ? undefined : this.#loaded.tokens.get(id);
    const stored = entry ? Buffer.from(entry.token.sha256, 'hex') : NO_DIGEST;
    const equal = timingSafeEqual(digest, stored);
    if (!entry || !equal || entry.token.revokedAt !== undefined) return undefined;
    return { user: entry.user.name, roles: [...entry.user.roles], via: 'token', tokenId: entry.token.id };
  }

  /**
   * Whether `code` is `user`'s current TOTP code (±1 step of `now`) and not one already accepted: a code is
   * accepted once, and so is any code for an earlier step after it.
   */
  verifyTotp(user: string, code: string, now = Date.now()): boolean {
    const u = this.#current(user);
    if (u === undefined) return false;
    const last = this.#lastTotpStep.get(u.name);
    // A new seed (keel users reset-totp) starts a new history.
    // Steps the CLI's step-ups used are in the vault (lastTotpStep); those this process accepted, here.
    const seen = last && last.secret === u.totpSecret ? last.step : undefined;
    const afterStep = seen === undefined ? u.lastTotpStep : u.lastTotpStep === undefined ? seen : Math.max(seen, u.lastTotpStep);
    const step = matchTotp(u.totpSecret, code, now, { afterStep });
    if (step === undefined) return false;
    this.#lastTotpStep.set(u.name, { secret: u.totpSecret, step });
    return true;
  }

  /**
   * Whether the principal may do `permission` now: the user still exists, the token (if it came with one) is not
   * revoked, and one of the user's current roles grants it.
   */
  hasPermission(principal: Principal, permission: Permission): boolean {
    const u = this.#current(principal.user);
    if (u === undefined) return false;
    if (principal.via === 'token') {
      const t = principal.tokenId === undefined ? undefined : this.#loaded.tokens.get(principal.tokenId);
      if (t === undefined || t.user.name !== u.name || t.token.revokedAt !== undefined) return false;
    }
    return rolesGrant(u.roles, permission);
  }

  /** Re-read the vault now if it changed (the timer does this every `pollMs`); resolves once done. */
  async reload(): Promise<void> {
    const fp = await fingerprintOf(this.path);
    // Nothing new since the last attempt (a success, or a failure that would only repeat itself).
    const seen = this.#fingerprint;
    if (fp === undefined ? seen === undefined : seen !== undefined && sameFingerprint(fp, seen)) return;
    try {
      if (fp === undefined) throw new KeelError('VAULT_NOT_FOUND', 'has disappeared', { field: 'vault', value: this.path });
      const vault = await reopenVault(this.path, this.#vault.key);
      this.#vault = vault;
      this.#loaded = index(vault);
      this.#fingerprint = vault.fingerprint;
      this.#error = undefined;
      for (const name of this.#lastTotpStep.keys()) if (!vault.contents.users.has(name)) this.#lastTotpStep.delete(name);
      this.#onReload?.({ ok: true });
    } catch (e) {
      if (!(e instanceof KeelError)) throw e;
      this.#error = e;
      this.#fingerprint = fp;
      this.#onReload?.({ ok: false, error: e });
    }
  }

  /** Stop following the file. */
  close(): void {
    clearInterval(this.#timer);
  }

  async #poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      await this.reload();
    } finally {
      this.#polling = false;
    }
  }

  #current(name: string): StoredUser | undefined {
    return this.#error ? undefined : this.#loaded.users.get(name);
  }
}

function index(v: OpenVault): Loaded {
  const tokens = new Map<string, { user: StoredUser; token: StoredToken }>();
  for (const user of v.contents.users.values()) for (const token of user.tokens) tokens.set(token.id, { user, token });
  return { users: v.contents.users, tokens };
}
