import { formatPreflight } from '../../compliance/index.ts';
import { parseFlags, required } from '../args.ts';
import { preflightFor } from '../preflight-run.ts';
import { loadConfigWithSecrets } from '../vault-args.ts';

export const PREFLIGHT_HELP = `keel preflight --config keel.yaml [--backups DIR] [--kill-test-journal FILE]...
  The pre-go-live checklist (docs/compliance.md), one PASS or FAIL line each:
    limits set           an order-size limit and a loss breaker in risk:
    kill switch tested   a kill in the audit trail within preflight.killSwitchTestedWithinDays (default 30)
                         of the config's journal or a --kill-test-journal (a paper drill)
    backups verified     the newest X.verify.json in --backups DIR (or backup.to) says ok, within
                         preflight.backupVerifiedWithinHours (default 26)
    clock in sync        chronyc tracking / timedatectl: synchronised, offset within clock.hardLimitMs
    alerts reachable     every alerts.channels host accepts a connection (nothing is sent)
  keel live runs the same checklist and refuses to start unless it passes or --override-preflight REASON
  is given (journaled). Exit status: 0 every check passed, 1 one failed, 2 bad arguments.
  (secret:NAME values come from the vault: --vault FILE, --passphrase-file FILE as for keel paper)
`;

/** `keel preflight --config keel.yaml`. */
export async function preflightCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, {
    config: { type: 'string' }, backups: { type: 'string' }, 'kill-test-journal': { type: 'string', multiple: true },
    vault: { type: 'string' }, 'passphrase-file': { type: 'string' }, help: { type: 'boolean', short: 'h' },
  } as const, 'preflight');
  if (v.help) { process.stdout.write(PREFLIGHT_HELP); return 0; }
  const path = required(v.config, '--config', 'e.g. --config keel.yaml');
  const { config } = await loadConfigWithSecrets(path, { vault: v.vault, passphraseFile: v['passphrase-file'] });
  const result = await preflightFor(config, path, { backups: v.backups, killTestJournals: v['kill-test-journal'] });
  process.stdout.write(formatPreflight(result));
  return result.pass ? 0 : 1;
}
