import { readFile } from 'node:fs/promises';
import { KeelError, Secret } from '../../model/index.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** Where a passphrase may come from; the first that is given wins, in this order. */
export interface PassphraseSources {
  /** `--passphrase-file FILE` (or `--new-passphrase-file`). */
  readonly file?: string;
  /** Default process.env: `<PREFIX>_FILE`, then `<PREFIX>` (KEEL_VAULT_PASSPHRASE_FILE, KEEL_VAULT_PASSPHRASE). */
  readonly env?: Env;
  /** A no-echo prompt on the terminal, when there is one (the CLI passes it; a server never does). */
  readonly prompt?: (question: string) => Promise<string>;
}

/** The environment variable names: `KEEL_VAULT_PASSPHRASE` for the vault's, `KEEL_VAULT_NEW_PASSPHRASE` for rotate-key's new one. */
export type PassphraseVariable = 'KEEL_VAULT_PASSPHRASE' | 'KEEL_VAULT_NEW_PASSPHRASE';

/**
 * The vault passphrase from `--passphrase-file`, `KEEL_VAULT_PASSPHRASE_FILE`, `KEEL_VAULT_PASSPHRASE` or the
 * terminal, in that order. A file's one trailing newline is not part of it. `confirm` asks twice at a
 * prompt (a new passphrase mistyped would lock the vault for good). Never from the command line: argv is
 * visible to every user of the machine (`ps`).
 *
 * @example const passphrase = await resolvePassphrase({ file: flags['passphrase-file'], prompt: ttyPrompt });
 */
export async function resolvePassphrase(s: PassphraseSources, o: { variable?: PassphraseVariable; question?: string; confirm?: boolean; flag?: string } = {}): Promise<Secret> {
  const env = s.env ?? process.env;
  const variable = o.variable ?? 'KEEL_VAULT_PASSPHRASE';
  const flag = o.flag ?? '--passphrase-file';
  const file = s.file ?? nonEmpty(env[`${variable}_FILE`]);
  if (file !== undefined) {
    const field = s.file !== undefined ? flag : `${variable}_FILE`;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new KeelError('NO_PASSPHRASE', `cannot be read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { field, value: file });
    }
    const p = text.replace(/\r?\n$/, '');
    if (p === '') throw new KeelError('NO_PASSPHRASE', 'is empty', { field, value: file });
    return new Secret(p);
  }
  const fromEnv = env[variable];
  if (fromEnv !== undefined && fromEnv !== '') return new Secret(fromEnv);
  if (s.prompt === undefined) {
    throw new KeelError('NO_PASSPHRASE', `is needed: set ${variable}, ${variable}_FILE or ${flag} FILE, or run in a terminal to be asked`, { field: variable === 'KEEL_VAULT_PASSPHRASE' ? 'vault passphrase' : 'new vault passphrase' });
  }
  const question = o.question ?? 'vault passphrase: ';
  const first = await s.prompt(question);
  if (first === '') throw new KeelError('NO_PASSPHRASE', 'was empty', { field: question.replace(/:\s*$/, '') });
  if (o.confirm) {
    const again = await s.prompt(`${question.replace(/:\s*$/, '')} again: `);
    if (again !== first) throw new KeelError('NO_PASSPHRASE', 'was not typed the same twice; nothing was changed', { field: question.replace(/:\s*$/, '') });
  }
  return new Secret(first);
}

/** The vault file: `--vault`, else `KEEL_VAULT`, else `keel.vault` in the current folder. */
export function resolveVaultPath(flag: string | undefined, env: Env = process.env): string {
  return nonEmpty(flag) ?? nonEmpty(env.KEEL_VAULT) ?? 'keel.vault';
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
