import { JournalView } from '../../runtime/index.ts';
import { startApiServer } from '../../server/index.ts';
import { dashboardPlugin } from '../../web/index.ts';
import { openJournalArg } from '../journal-arg.ts';
import { numberFlag, parseFlags, required } from '../args.ts';

export const SERVE_HELP = `keel serve --journal FILE|postgres://… [--account paper] [--port 7070] [--host 127.0.0.1] [--journal-schema S]
    the dashboard and the HTTP API over a journal, read-only: a finished session, or one another process is
    writing (followed every second). /backtest opens backtest results. Actions are refused: act through the
    running engine's own API or keel kill --control.
`;

/** `keel serve`: the dashboard and API over a journal alone, without an engine (docs/api.md, "keel serve"). */
export async function serveCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, {
    journal: { type: 'string' }, 'journal-schema': { type: 'string' }, account: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  } as const, 'serve');
  if (v.help) { process.stdout.write(SERVE_HELP); return 0; }
  const port = numberFlag(v.port ?? '7070', '--port', { integer: true, min: 0, max: 65535 })!;
  // Read-only: it may watch the journal of a running engine (SQLite WAL readers never block the writer).
  const journal = await openJournalArg(required(v.journal, '--journal', 'e.g. --journal run/journal.sqlite'), { schema: v['journal-schema'], mustExist: true, readOnly: true });
  try {
    const view = await JournalView.open(journal, v.account ?? 'paper');
    const api = await startApiServer({ engine: view, token: process.env.KEEL_API_TOKEN, host: v.host ?? '127.0.0.1', port, dashboard: dashboardPlugin, log: (l) => process.stderr.write(`${l}\n`) });
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
    await journal.close();
  }
}
