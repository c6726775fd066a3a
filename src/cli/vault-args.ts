import { dirname, isAbsolute, resolve } from 'node:path';
import { KeelError, Secret } from '../model/index.ts';
import { openVault, resolvePassphrase, resolveVaultPath, type OpenVault, type PassphraseVariable } from '../security/index.ts';
import { loadRunConfig, resolveRunSecrets, type ResolvedRunSecrets, type RunConfig } from '../runtime/index.ts';
import { terminalPrompt } from './prompt.ts';
import { rememberSecrets } from './failure-scrub.ts';

/** The flags every vault command takes. */
export const VAULT_FLAGS = {
  vault: { type: 'string' }, 'passphrase-file': { type: 'string' },
} as const;

export const VAULT_FLAGS_HELP = `  --vault FILE              the vault (default: KEEL_VAULT, else keel.vault in the current folder)
  --passphrase-file FILE    the passphrase, from a file (else KEEL_VAULT_PASSPHRASE_FILE, KEEL_VAULT_PASSPHRASE,
                            or a prompt on the terminal); never on the command line, where ps shows it
`;

export function vaultPathFrom(v: { vault?: string }): string {
  return resolveVaultPath(v.vault);
}

/** The vault passphrase from the flags, the environment or the terminal. */
export function vaultPassphrase(v: { 'passphrase-file'?: string }, o: { confirm?: boolean; variable?: PassphraseVariable; file?: string; question?: string; flag?: string } = {}): Promise<Secret> {
  return resolvePassphrase({ file: 'file' in o ? o.file : v['passphrase-file'], prompt: terminalPrompt() }, { confirm: o.confirm, variable: o.variable, question: o.question, flag: o.flag });
}

/**
 * A secret value or password: from stdin when it is not a terminal (a pipe or a file: one trailing newline is
 * dropped), else from a no-echo prompt (asked twice when `confirm`). Never from argv.
 */
export async function secretInput(what: string, o: { confirm?: boolean; multiline?: boolean } = {}): Promise<Secret> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    let text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
    if (!o.multiline) text = text.split(/\r?\n/)[0];
    if (text === '') throw new KeelError('EMPTY_VALUE', 'was empty on stdin; nothing was changed', { field: what, hint: `e.g. printf '%s' "$VALUE" | keel …` });
    return new Secret(text);
  }
  const prompt = terminalPrompt();
  if (prompt === undefined) throw new KeelError('EMPTY_VALUE', 'is needed on stdin or at a terminal', { field: what });
  const first = await prompt(`${what}: `);
  if (first === '') throw new KeelError('EMPTY_VALUE', 'was empty; nothing was changed', { field: what });
  if (o.confirm && (await prompt(`${what} again: `)) !== first) {
    throw new KeelError('EMPTY_VALUE', 'was not typed the same twice; nothing was changed', { field: what });
  }
  return new Secret(first);
}

/** `--vault` and `--passphrase-file` of a command that reads a run config. */
export interface VaultChoice {
  readonly vault?: string;
  readonly passphraseFile?: string;
}

/** The vault a run config uses: `--vault`, else its `vault:` (relative to the file), else KEEL_VAULT, else keel.vault. */
export function configVaultPath(cfg: RunConfig, configPath: string, o: VaultChoice): string {
  const fromConfig = cfg.vault === undefined ? undefined : isAbsolute(cfg.vault) ? cfg.vault : resolve(dirname(resolve(configPath)), cfg.vault);
  return o.vault ?? fromConfig ?? resolveVaultPath(undefined);
}

/** Open that vault, with the passphrase from `--passphrase-file`, the environment or the terminal. */
export async function openConfigVault(path: string, o: VaultChoice): Promise<OpenVault> {
  return openVault(path, await vaultPassphrase({ 'passphrase-file': o.passphraseFile }));
}

/**
 * Load a run config and resolve its `secret:NAME` values. The vault is `--vault`, else the config's `vault:`
 * (relative to the config file), else KEEL_VAULT, else keel.vault in the current folder; it is opened, and its
 * passphrase asked for, only when the config names a secret.
 */
export async function loadConfigWithSecrets(configPath: string, o: VaultChoice): Promise<ResolvedRunSecrets> {
  return resolveConfigSecrets(loadRunConfig(configPath), configPath, o);
}

/** As `loadConfigWithSecrets`, for a config already loaded (and checked). */
export async function resolveConfigSecrets(cfg: RunConfig, configPath: string, o: VaultChoice): Promise<ResolvedRunSecrets> {
  const path = configVaultPath(cfg, configPath, o);
  const resolved = await resolveRunSecrets(cfg, { path, open: () => openConfigVault(path, o) });
  rememberSecrets(resolved.secrets); // so that a failure's last line cannot quote them either
  return resolved;
}
