import { parse as parseYaml } from 'yaml';
import { KeelError } from '../../model/index.ts';
import { readRiskFile } from '../backtest-options.ts';
import { parseFlags, required } from '../args.ts';
import { API_FLAGS, API_FLAGS_HELP, postAction } from '../api-action.ts';
import { textFlag, timeoutFlag } from './control.ts';

export const LIMITS_HELP = `keel limits: put new risk limits in force on a running engine, through its HTTP API

  keel limits --api URL --token-file F --file risk.yaml --reason TEXT [--totp CODE] [--cacert FILE]
      FILE holds the new risk section: the section itself (account:, strategies:, instruments:,
      assetClasses:) or a keel.yaml whose risk: key is taken. It replaces the order limits whole (a
      limit it leaves out is no longer checked); breakers and killSwitch change only with a restart.
      The file is checked here first (one line naming the key and value), then by the engine. Needs a
      risk user and a TOTP code; journaled and audited with the limits before and after. The change
      lasts for the run: put the same limits in keel.yaml to keep them after a restart.
${API_FLAGS_HELP}  --timeout T      how long to wait for the engine's answer: 500ms, 10s, 1m (default 10s)
  Exit status: 0 changed, 1 refused or no answer, 2 bad arguments or a bad file.
`;

const OPTIONS = { ...API_FLAGS, file: { type: 'string' }, reason: { type: 'string' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

/** `keel limits --api URL --file risk.yaml --reason TEXT`: a live limit change, as the user whose token it is. */
export async function limitsCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, OPTIONS, 'limits');
  if (v.help) { process.stdout.write(LIMITS_HELP); return 0; }
  const api = required(v.api, '--api', "the engine's API, e.g. --api https://127.0.0.1:7070");
  const file = required(v.file, '--file', 'a YAML file with the new risk section, e.g. --file risk.yaml');
  const reason = textFlag(required(v.reason, '--reason', 'say why, e.g. --reason "size limit for the new account"'), '--reason');
  const risk = readRiskSection(file);
  const a = await postAction({ ...v, api, timeout: timeoutFlag(v.timeout) }, '/api/risk/limits', { risk, reason });
  if (a.status === 200) { process.stdout.write(`${a.message}\n`); return 0; }
  process.stderr.write(`keel: limit change refused by the API (${a.status}): ${a.message}\n`);
  return 1;
}

/** The risk section of `file` as an object, validated as keel.yaml's would be (a bad file is one line, exit 2). */
function readRiskSection(file: string): Record<string, unknown> {
  const { text } = readRiskFile(file, '--file');
  const doc = parseYaml(text) as Record<string, unknown> | null;
  const section = doc !== null && typeof doc === 'object' && 'risk' in doc ? doc.risk : doc;
  if (section === null || typeof section !== 'object' || Array.isArray(section)) throw new KeelError('BAD_ARGUMENT', 'holds no risk section', { field: '--file', value: file });
  return section as Record<string, unknown>;
}
