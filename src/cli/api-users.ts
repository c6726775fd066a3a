import { existsSync } from 'node:fs';
import { KeelError } from '../model/index.ts';
import type { RunConfig } from '../runtime/index.ts';
import { UserDirectory, type OpenVault } from '../security/index.ts';
import { configVaultPath, openConfigVault, type VaultChoice } from './vault-args.ts';

/** What `keel paper/live --config` gives the API server about users, sessions, lockout and four-eyes. */
export interface ApiUsers {
  readonly directory: UserDirectory | undefined;
  readonly sessions: { idleMs: number; maxMs: number };
  readonly lockout: { attempts: number; addressAttempts: number; lockMs: number };
  readonly fourEyesRearmMs: number | undefined;
}

/**
 * The API's users, from the run config's vault: users rule whenever that vault holds any (the vault is the one
 * already opened for `secret:` references, so the passphrase is asked once); `security.users: true` opens it
 * even without references and refuses a vault without users. Four-eyes needs users. Checked before anything
 * connects, like the rest of the config.
 *
 * @example const users = await apiUsersFor(cfg, 'keel.yaml', {}, resolved.vault, (l) => log.warn(l), (t, d) => view.addAlert('critical', 'security', t, d));
 */
export async function apiUsersFor(
  cfg: RunConfig, configPath: string, o: VaultChoice, opened: OpenVault | undefined, log: (line: string) => void, alert: (title: string, detail: string) => void = () => {},
): Promise<ApiUsers> {
  const s = cfg.security;
  let vault = opened;
  if (vault === undefined && s.users === true) {
    const path = configVaultPath(cfg, configPath, o);
    // Before asking for a passphrase: there may be nothing to open.
    if (!existsSync(path)) {
      throw new KeelError('NO_USERS', `is true, but the vault ${path} does not exist; nothing was started`, {
        field: `${cfg.source}: security.users`, hint: 'keel secrets init, then keel users add NAME --role …',
      });
    }
    vault = await openConfigVault(path, o);
  }
  const hasUsers = vault !== undefined && vault.contents.users.size > 0;
  if (s.users === true && !hasUsers) {
    throw new KeelError('NO_USERS', `is true, but the vault ${vault!.path} holds no users; nothing was started`, {
      field: `${cfg.source}: security.users`, hint: 'keel users add NAME --role viewer|trader|risk|admin',
    });
  }
  if (s.rearm.fourEyes && !hasUsers) {
    throw new KeelError('NO_USERS', 'needs users: a second risk user confirms a re-arm, and without users there is none; nothing was started', {
      field: `${cfg.source}: security.rearm.fourEyes`, hint: 'keel users add NAME --role risk (two of them), and name secrets from that vault or set security.users: true',
    });
  }
  let failing = false;
  const directory = hasUsers && vault ? UserDirectory.fromVault(vault, {
    // The directory fails closed when the vault cannot be re-read: say so once, and once when it recovers.
    onReload: (r) => {
      if (!r.ok && !failing) {
        log(`users: the vault cannot be read (${r.error.message}): every API request is refused until it can`);
        alert('users: the vault cannot be read', `${r.error.message}; every API request is refused until it can (restart with the new passphrase after keel secrets rotate-key)`);
      }
      if (r.ok && failing) log('users: the vault can be read again');
      failing = !r.ok;
    },
  }) : undefined;
  return {
    directory,
    sessions: { idleMs: s.session.idleMinutes * 60_000, maxMs: s.session.maxHours * 3_600_000 },
    lockout: { attempts: s.lockout.attempts, addressAttempts: s.lockout.addressAttempts, lockMs: s.lockout.minutes * 60_000 },
    fourEyesRearmMs: s.rearm.fourEyes ? s.rearm.windowMinutes * 60_000 : undefined,
  };
}
