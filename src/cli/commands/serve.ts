import { KeelError } from '../../model/index.ts';
import { JournalView } from '../../runtime/index.ts';
import { checkBindRule, loadServerTls, parseAllowList, UserDirectory } from '../../security/index.ts';
import { startApiServer } from '../../server/index.ts';
import { dashboardPlugin } from '../../web/index.ts';
import { openJournalArg } from '../journal-arg.ts';
import { numberFlag, parseFlags, required } from '../args.ts';
import { VAULT_FLAGS, VAULT_FLAGS_HELP, vaultPassphrase, vaultPathFrom } from '../vault-args.ts';

export const SERVE_HELP = `keel serve --journal FILE|postgres://… [--account paper] [--port 7070] [--host 127.0.0.1] [--journal-schema S]
           [--tls-cert FILE --tls-key FILE] [--allow CIDR,...] [--users [--vault FILE] [--passphrase-file FILE]]
    the dashboard and the HTTP API over a journal, read-only: a finished session, or one another process is
    writing (followed every second). /backtest opens backtest results. Actions are refused: act through the
    running engine's own API or keel kill --control. --users authenticates the vault's users (sign-in page,
    tokens, roles: every view needs read); without it the views are open, on loopback only. --tls-cert and
    --tls-key serve HTTPS (a --host beyond loopback needs them and --users); --allow accepts only those
    addresses (docs/security.md).
${VAULT_FLAGS_HELP}`;

/** `keel serve`: the dashboard and API over a journal alone, without an engine (docs/api.md, "keel serve"). */
export async function serveCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, {
    journal: { type: 'string' }, 'journal-schema': { type: 'string' }, account: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' },
    'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, 'tls-ca': { type: 'string' }, allow: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    users: { type: 'boolean' }, ...VAULT_FLAGS,
  } as const, 'serve');
  if (v.help) { process.stdout.write(SERVE_HELP); return 0; }
  const port = numberFlag(v.port ?? '7070', '--port', { integer: true, min: 0, max: 65535 })!;
  if ((v['tls-cert'] === undefined) !== (v['tls-key'] === undefined)) {
    throw new KeelError('MISSING_ARGUMENT', 'is required with --tls-cert and --tls-key: give both', { field: v['tls-cert'] === undefined ? '--tls-cert' : '--tls-key' });
  }
  const tls = v['tls-cert'] === undefined ? undefined : loadServerTls({ cert: v['tls-cert'], key: v['tls-key']!, ...(v['tls-ca'] === undefined ? {} : { ca: v['tls-ca'] }) }, '--tls');
  const allow = v.allow === undefined ? undefined : parseAllowList(v.allow.split(','), '--allow');
  // Users are opened (and the passphrase asked for) before the bind rule, which depends on them.
  const users = v.users ? await UserDirectory.open(vaultPathFrom(v), await vaultPassphrase(v)) : undefined;
  if (users && users.users().length === 0) {
    users.close();
    throw new KeelError('NO_USERS', `is set, but the vault ${users.path} holds no users`, { field: '--users', hint: 'keel users add NAME --role viewer' });
  }
  checkBindRule({ host: v.host ?? '127.0.0.1', tls: tls !== undefined, token: Boolean(process.env.KEEL_API_TOKEN), usersConfigured: users !== undefined, field: '--host' });
  // Read-only: it may watch the journal of a running engine (SQLite WAL readers never block the writer).
  const journal = await openJournalArg(required(v.journal, '--journal', 'e.g. --journal run/journal.sqlite'), { schema: v['journal-schema'], mustExist: true, readOnly: true });
  try {
    const view = await JournalView.open(journal, v.account ?? 'paper');
    const api = await startApiServer({ engine: view, token: users ? undefined : process.env.KEEL_API_TOKEN, auth: users && { users }, host: v.host ?? '127.0.0.1', port, tls, allow, dashboard: dashboardPlugin, log: (l) => process.stderr.write(`${l}\n`) });
    process.stdout.write(`${api.url}\nserving ${journal.location} (account ${v.account ?? 'paper'}, ${view.events} events), read-only\n`);
    await new Promise<void>((resolve) => {
      let busy = false;
      const timer = setInterval(() => {
        if (busy) return;
        busy = true;
        void view.refresh().finally(() => { busy = false; });
      }, 1000);
      const stop = () => { clearInterval(timer); resolve(); };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    await api.close();
    return 0;
  } finally {
    users?.close();
    await journal.close();
  }
}
