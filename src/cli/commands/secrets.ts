import { KeelError } from '../../model/index.ts';
import {
  checkSecretName, initVault, listSecrets, openVault, removeSecret, rotateVaultKey, secretEntry, setSecret, updateVault,
} from '../../security/index.ts';
import { parseFlags } from '../args.ts';
import { secretInput, vaultPassphrase, vaultPathFrom, VAULT_FLAGS, VAULT_FLAGS_HELP } from '../vault-args.ts';

export const SECRETS_HELP = `keel secrets: the encrypted vault for credentials (docs/security.md)

  keel secrets init                 create an empty vault (mode 0600); asks for a new passphrase twice
  keel secrets set NAME             store a secret; the value comes from stdin or a prompt, never argv:
                                      printf '%s' "$ALPACA_SECRET" | keel secrets set ALPACA_SECRET
  keel secrets get NAME [--reveal]  whether NAME is set; --reveal prints its value (for scripts)
  keel secrets list                 the names (never the values, never the users)
  keel secrets remove NAME          delete a secret
  keel secrets rotate-key           re-encrypt under a new passphrase and salt, atomically
                                    (new passphrase: --new-passphrase-file FILE, KEEL_VAULT_NEW_PASSPHRASE[_FILE]
                                    or the prompt)
${VAULT_FLAGS_HELP}
  A run config names a secret as secret:NAME (keel.yaml: venue.secret: secret:ALPACA_SECRET).
`;

const OPTIONS = { ...VAULT_FLAGS, reveal: { type: 'boolean' }, 'new-passphrase-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

/** `keel secrets init|set|get|list|remove|rotate-key`. */
export async function secretsCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseFlags(argv, OPTIONS, 'secrets', 3);
  const [verb, name, extra] = positionals;
  if (extra !== undefined) {
    throw new KeelError('BAD_ARGUMENT', verb === 'set' ? 'is refused: a secret value is never taken from the command line, where ps shows it to every user' : `unexpected argument for keel secrets ${verb}`, {
      field: 'argument', value: verb === 'set' ? '(the value)' : extra, hint: verb === 'set' ? `pipe it in: printf '%s' "$VALUE" | keel secrets set ${name}` : 'see keel secrets --help',
    });
  }
  if (v.help || verb === undefined || verb === 'help') { process.stdout.write(SECRETS_HELP); return 0; }
  const path = vaultPathFrom(v);
  const needName = (): string => {
    if (name === undefined) throw new KeelError('MISSING_ARGUMENT', 'is required', { field: 'NAME', hint: `keel secrets ${verb} NAME` });
    return name;
  };
  const noName = () => {
    if (name !== undefined) throw new KeelError('BAD_ARGUMENT', `unexpected argument for keel secrets ${verb}`, { field: 'argument', value: name });
  };
  switch (verb) {
    case 'init': {
      noName();
      await initVault(path, await vaultPassphrase(v, { confirm: true, question: 'new vault passphrase: ' }));
      process.stdout.write(`created ${path} (empty, mode 0600): keep the passphrase safe, nothing can open the vault without it\n`);
      return 0;
    }
    case 'set': {
      const n = needName();
      checkSecretName(n); // refuse a bad name before asking for anything
      const passphrase = await vaultPassphrase(v);
      // Opened first, so a wrong passphrase is refused before the value is typed.
      const existed = (await openVault(path, passphrase)).contents.secrets.has(n);
      const value = await secretInput(`value of ${n}`, { multiline: true });
      await updateVault(path, passphrase, (c) => setSecret(c, n, value, new Date()));
      process.stdout.write(`${existed ? 'replaced' : 'set'} ${n} in ${path}\n`);
      return 0;
    }
    case 'get': {
      const n = needName();
      const { contents } = await openVault(path, await vaultPassphrase(v));
      const s = secretEntry(contents, n);
      if (v.reveal) process.stdout.write(`${s.value.reveal()}\n`);
      else process.stdout.write(`${n} is set (updated ${s.updatedAt}); add --reveal to print its value\n`);
      return 0;
    }
    case 'list': {
      noName();
      const { contents } = await openVault(path, await vaultPassphrase(v));
      const rows = listSecrets(contents);
      process.stdout.write(rows.length === 0 ? `no secrets in ${path}\n` : rows.map((r) => `${r.name}  (updated ${r.updatedAt})`).join('\n') + '\n');
      return 0;
    }
    case 'remove': {
      const n = needName();
      await updateVault(path, await vaultPassphrase(v), (c) => removeSecret(c, n));
      process.stdout.write(`removed ${n} from ${path}\n`);
      return 0;
    }
    case 'rotate-key': {
      noName();
      const passphrase = await vaultPassphrase(v, { question: 'current vault passphrase: ' });
      await openVault(path, passphrase); // refuse a wrong one before asking for the new one
      const next = await vaultPassphrase(v, {
        variable: 'KEEL_VAULT_NEW_PASSPHRASE', file: v['new-passphrase-file'], flag: '--new-passphrase-file', confirm: true, question: 'new vault passphrase: ',
      });
      await rotateVaultKey(path, passphrase, next);
      process.stdout.write(`re-encrypted ${path} under the new passphrase (new salt); the old passphrase no longer opens it\n`);
      return 0;
    }
    default:
      throw new KeelError('BAD_ARGUMENT', 'is not a secrets command', { field: 'keel secrets', value: verb, hint: 'init, set, get, list, remove or rotate-key' });
  }
}
