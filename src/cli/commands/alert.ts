import { KeelError } from '../../model/index.ts';
import { channelFrom } from '../../ops/index.ts';
import { loadConfigWithSecrets } from '../vault-args.ts';
import { parseFlags, required } from '../args.ts';

export const ALERT_HELP = `keel alert test CHANNEL --config keel.yaml   send a test alert through one configured channel
  (secret:NAME values come from the vault: --vault FILE, --passphrase-file FILE as for keel paper)
`;

/** `keel alert test CHANNEL --config keel.yaml`: one test alert through the named channel, one line of result. */
export async function alertCommand(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseFlags(argv, { config: { type: 'string' }, vault: { type: 'string' }, 'passphrase-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const, 'alert', 2);
  if (v.help) { process.stdout.write(ALERT_HELP); return 0; }
  const [verb, name] = positionals;
  if (verb !== 'test') throw new KeelError('BAD_ARGUMENT', 'is not an alert command', { field: 'keel alert', value: verb, hint: 'keel alert test CHANNEL --config keel.yaml' });
  const { config: cfg } = await loadConfigWithSecrets(required(v.config, '--config', 'e.g. --config keel.yaml'), { vault: v.vault, passphraseFile: v['passphrase-file'] });
  const channels = cfg.alerts?.channels ?? [];
  const c = channels.find((x) => x.name === name);
  if (c === undefined) {
    throw new KeelError('UNKNOWN_CHANNEL', `is not a channel in ${cfg.source}`, { field: 'CHANNEL', value: name ?? '', hint: channels.length ? `configured: ${channels.map((x) => x.name).join(', ')}` : 'the file has no alerts.channels' });
  }
  try {
    await channelFrom(c).send({ key: `test:${Date.now()}`, severity: 'info', title: 'Keel test alert', detail: `keel alert test ${c.name}: this channel works`, ts: Date.now(), state: 'firing' });
  } catch (e) {
    throw new KeelError('ALERT_NOT_DELIVERED', `did not take the test alert: ${(e as Error).message}`, { field: `channel ${c.name} (${c.type})` });
  }
  process.stdout.write(`test alert delivered to ${c.name} (${c.type})\n`);
  return 0;
}
