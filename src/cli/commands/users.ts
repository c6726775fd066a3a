import { renderUnicodeCompact } from 'uqr';
import { KeelError } from '../../model/index.ts';
import {
  addToken, addUser, checkNewPassword, checkUserName, hashPassword, listUsers, newApiToken, newTotpSecret, openVault, parseRoles,
  removeUser, revokeToken, setPasswordHash, setTotpSecret, setUserRoles, tokenEntry, totpUri, updateVault, userEntry, type VaultContents,
} from '../../security/index.ts';
import { parseFlags, required } from '../args.ts';
import { USERS_AUDIT_FLAGS, USERS_AUDIT_HELP, usersAuditTrail } from '../users-audit.ts';
import { adminStepUp, STEP_UP_FLAGS, STEP_UP_HELP, withStepUp, type StepUp } from '../admin-step-up.ts';
import { secretInput, vaultPassphrase, vaultPathFrom, VAULT_FLAGS, VAULT_FLAGS_HELP } from '../vault-args.ts';

export const USERS_HELP = `keel users: who may operate Keel through its API and dashboard (kept in the vault; docs/security.md)

  keel users add NAME --role ROLE[,ROLE]   add a user; asks for the password (or reads it from stdin) and
                                           prints the TOTP seed once, for an authenticator app
  keel users list                          users, roles, token ids (never hashes or seeds)
  keel users token NAME [--label L]        a new API token for NAME, printed once (only its hash is kept)
  keel users revoke-token TOKEN_ID         revoke a token (a UserDirectory following the vault drops it within ~1 s)
  keel users set-password NAME             a new password for NAME
  keel users reset-totp NAME               a new TOTP seed for NAME, printed once
  keel users set-roles NAME --role ROLE[,ROLE]   replace NAME's roles
  keel users remove NAME                   remove NAME and every token it held

  Roles (a user may hold several; each grants only its own actions):
    viewer  read the views, the dashboard and the stream
    trader  read; pause and resume trading; cancel orders
    risk    read; kill switch, re-arm, change limits
    admin   read; manage users and secrets
${VAULT_FLAGS_HELP}${STEP_UP_HELP}${USERS_AUDIT_HELP}`;

const OPTIONS = { ...VAULT_FLAGS, ...USERS_AUDIT_FLAGS, ...STEP_UP_FLAGS, role: { type: 'string' }, label: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

/** `keel users add|list|token|revoke-token|set-password|reset-totp|set-roles|remove`. */
export async function usersCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseFlags(argv, OPTIONS, 'users', 2);
  const [verb, arg] = positionals;
  if (v.help || verb === undefined || verb === 'help') { process.stdout.write(USERS_HELP); return 0; }
  const path = vaultPathFrom(v);
  const name = (field = 'NAME'): string => checkUserName(required(arg, field, `keel users ${verb} ${field}`), field);
  const now = new Date();
  // Opened before anything changes: a journal that cannot be written refuses the command while nothing is lost.
  const trail = verb === 'list' ? undefined : await usersAuditTrail(v);
  try {
    return await run();
  } finally {
    await trail?.close().catch(() => {});
  }

  async function run(): Promise<number> {
    // The passphrase is asked for after the command's own flags are checked, once; every change but list is then
    // made by an admin with their TOTP code (once the vault has an admin), checked before anything is asked or changed.
    // One open (one key derivation) serves the checks; the change itself is written by updateVault.
    let opened: Promise<{ passphrase: Awaited<ReturnType<typeof vaultPassphrase>>; contents: VaultContents; stepUp: StepUp | undefined }> | undefined;
    const ready = () => (opened ??= (async () => {
      const passphrase = await vaultPassphrase(v);
      const { contents } = await openVault(path, passphrase);
      const stepUp = verb === 'list' ? undefined : await adminStepUp(contents, v);
      if (stepUp !== undefined) trail?.actAs(stepUp.admin);
      return { passphrase, contents, stepUp };
    })());
    const stored = async () => (await ready()).contents;
    const update = async (change: Parameters<typeof withStepUp>[1]) => {
      const { passphrase, stepUp } = await ready();
      await updateVault(path, passphrase, withStepUp(stepUp, change));
    };
    switch (verb) {
      case 'add': {
        const user = name();
        const roles = parseRoles(required(v.role, '--role', 'e.g. --role trader,risk'));
        if ((await stored()).users.has(user)) {
          throw new KeelError('USER_EXISTS', 'is already a user; nothing was changed', { field: 'user', value: user, hint: 'keel users set-password / reset-totp / set-roles change one' });
        }
        const password = await secretInput(`password for ${user}`, { confirm: true });
        checkNewPassword(password, `password for ${user}`);
        const passwordHash = await hashPassword(password);
        const totpSecret = newTotpSecret();
        await update((c) => addUser(c, { name: user, roles, passwordHash, totpSecret }, now));
        await trail?.record('user.add', user, { roles: roles.join(',') });
        process.stdout.write(`added user ${user} (${roles.join(', ')}) to ${path}\n${totpLines(user, totpSecret)}`);
        return 0;
      }
      case 'list': {
        const users = listUsers(await stored());
        if (users.length === 0) { process.stdout.write(`no users in ${path}\n`); return 0; }
        for (const u of users) {
          process.stdout.write(`${u.name}  roles: ${u.roles.join(',')}  created ${u.createdAt}\n`);
          for (const t of u.tokens) process.stdout.write(`  token ${t.id}${t.label ? ` "${t.label}"` : ''}  created ${t.createdAt}${t.revokedAt ? `  REVOKED ${t.revokedAt}` : ''}\n`);
        }
        return 0;
      }
      case 'token': {
        const user = name();
        const token = newApiToken();
        await update((c) => addToken(c, user, { id: token.id, sha256: token.sha256, label: v.label ?? '' }, now));
        await trail?.record('token.issue', user, { tokenId: token.id, label: v.label ?? '' });
        process.stdout.write(`API token ${token.id} for ${user} (shown once; only its hash is kept; revoke with keel users revoke-token ${token.id}):\n${token.token.reveal()}\n`);
        return 0;
      }
      case 'revoke-token': {
        const id = required(arg, 'TOKEN_ID', 'keel users list shows token ids');
        let holder = '';
        await update((c) => { holder = tokenEntry(c, id).user.name; return revokeToken(c, id, now); });
        await trail?.record('token.revoke', holder, { tokenId: id });
        process.stdout.write(`revoked token ${id} of ${holder}\n`);
        return 0;
      }
      case 'set-password': {
        const user = name();
        userEntry(await stored(), user);
        const password = await secretInput(`new password for ${user}`, { confirm: true });
        checkNewPassword(password, `password for ${user}`);
        const passwordHash = await hashPassword(password);
        await update((c) => setPasswordHash(c, user, passwordHash, now));
        await trail?.record('user.password', user);
        process.stdout.write(`set a new password for ${user}\n`);
        return 0;
      }
      case 'reset-totp': {
        const user = name();
        const totpSecret = newTotpSecret();
        await update((c) => setTotpSecret(c, user, totpSecret, now));
        await trail?.record('mfa.enrol', user, { reset: true });
        process.stdout.write(`new TOTP seed for ${user}; the old one no longer works\n${totpLines(user, totpSecret)}`);
        return 0;
      }
      case 'set-roles': {
        const user = name();
        const roles = parseRoles(required(v.role, '--role', 'e.g. --role trader,risk'));
        let before = '';
        await update((c) => { before = userEntry(c, user).roles.join(','); return setUserRoles(c, user, roles, now); });
        await trail?.record('role.change', user, { from: before, to: roles.join(',') });
        process.stdout.write(`${user} now has roles ${roles.join(', ')}\n`);
        return 0;
      }
      case 'remove': {
        const user = name();
        await update((c) => removeUser(c, user));
        await trail?.record('user.remove', user);
        process.stdout.write(`removed user ${user} and its tokens\n`);
        return 0;
      }
      default:
        throw new KeelError('BAD_ARGUMENT', 'is not a users command', { field: 'keel users', value: verb, hint: 'add, list, token, revoke-token, set-password, reset-totp, set-roles or remove' });
    }
  }
}

/** The seed as an authenticator app takes it: a QR code on a terminal, the otpauth:// URI and the base32 text. */
function totpLines(user: string, secret: string): string {
  const uri = totpUri(user, secret);
  const qr = process.stdout.isTTY ? `${renderUnicodeCompact(uri, { border: 2 })}\n` : '';
  return `TOTP for ${user}: add it to an authenticator app now, it is not shown again\n${qr}  ${uri}\n  secret: ${secret}\n`;
}

