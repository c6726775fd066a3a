import { KeelError } from '../model/index.ts';
import { BACKTEST_HELP, backtestCommand } from './commands/backtest.ts';
import { LIVE_HELP, PAPER_HELP, liveCommand, paperCommand } from './commands/paper.ts';
import { simVenueCommand } from '../venues/sim-server/index.ts';
import { JOURNAL_HELP, reconcileCommand, stateCommand } from './commands/journal.ts';
import { ANALYZE_HELP, analyzeCommand } from './commands/analyze.ts';
import { DATA_HELP, dataCommand } from './commands/data.ts';
import { strategiesCommand } from './commands/strategies.ts';
import { CONTROL_HELP, killCommand, rearmCommand, statusCommand } from './commands/control.ts';
import { backupCommand, restoreCommand } from './commands/backup.ts';
import { ALERT_HELP, alertCommand } from './commands/alert.ts';
import { serveCommand } from './commands/serve.ts';

const HELP = `keel: one strategy from backtest to paper to live trading

  keel backtest --strategy sma-cross --data FILE [...]   run a backtest (keel backtest --help)
  keel paper --strategy sma-cross --venue HOST:PORT --journal FILE   trade against a venue, journaled (keel paper --help)
  keel paper --config keel.yaml                          the same from a run config (Alpaca, ccxt or the sim venue)
  keel live --config keel.yaml --confirm-account ID      real money, after explicit confirmation (keel live --help)
  keel analyze equity.csv [--out metrics.json]           metrics of any equity curve
  keel data validate FILE                                check a data file and list its problems
  keel strategies                                        built-in strategies and their parameters
  keel venue --api alpaca --data FILE --keys ID:SECRET   a local venue speaking Alpaca's API (docs/venue-server.md)
  keel venue --data FILE --port 7400 [--bar-ms 20]       the simulated venue server, Keel's own protocol (tests)
  keel alert test CHANNEL --config keel.yaml            send a test alert through a configured channel
  keel serve --journal FILE [--port 7070]                the dashboard and API over a journal, read-only
  keel state --journal FILE                              positions, open orders, last events of a journal
  keel reconcile --journal FILE --venue HOST:PORT        compare a journal with its venue and print the report
  keel backup --journal FILE|postgres://... --to DIR     online, checksummed copy of a journal (keel backup --help)
  keel restore --from BACKUP.json --journal NEW          verify a backup and rebuild its journal at a new place
  keel kill --control DIR [--flatten] [--reason TEXT]    kill switch: cancel all, halt (keel kill --help)
  keel rearm --control DIR --reason TEXT                 trade again after a halt
  keel status --control DIR                              an engine's trading state

${BACKTEST_HELP}
${ANALYZE_HELP}
${DATA_HELP}
${CONTROL_HELP}
${PAPER_HELP}
${LIVE_HELP}
${ALERT_HELP}${JOURNAL_HELP}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'backtest': return backtestCommand(rest);
    case 'analyze': return analyzeCommand(rest);
    case 'data': return dataCommand(rest);
    case 'strategies': return strategiesCommand();
    case 'paper': return paperCommand(rest);
    case 'live': return liveCommand(rest);
    case 'alert': return alertCommand(rest);
    case 'serve': return serveCommand(rest);
    case 'venue': {
      // --api alpaca: the Alpaca-compatible server; otherwise (or --api keel) the sim protocol server.
      const api = rest.find((a, i) => rest[i - 1] === '--api') ?? rest.find((a) => a.startsWith('--api='))?.slice(6);
      // Loaded on demand: the server's HTTP stack is not needed by any other command.
      if (api === 'alpaca') return (await import('../venues/alpaca-server/index.ts')).alpacaVenueCommand(rest);
      if (api !== undefined && api !== 'keel') throw new KeelError('BAD_ARGUMENT', 'must be alpaca or keel', { field: '--api', value: api });
      await simVenueCommand(rest.filter((a, i) => a !== '--api' && rest[i - 1] !== '--api' && !a.startsWith('--api=')));
      return new Promise<number>(() => {}); // serves until SIGTERM or SIGINT
    }
    case 'state': return stateCommand(rest);
    case 'reconcile': return reconcileCommand(rest);
    case 'backup': return backupCommand(rest);
    case 'restore': return restoreCommand(rest);
    case 'kill': return killCommand(rest);
    case 'rearm': return rearmCommand(rest);
    case 'status': return statusCommand(rest);
    case undefined: case 'help': case '--help': case '-h': process.stdout.write(HELP); return 0;
    case '--version': case 'version': process.stdout.write('keel 0.1.0\n'); return 0;
    default:
      throw new KeelError('UNKNOWN_COMMAND', 'is not a keel command', { field: 'command', value: command, hint: 'try keel --help' });
  }
}

/**
 * Every failure is one line on stderr and a non-zero exit. User errors (KeelError) say what to fix; an error
 * from a strategy's own code names where it was thrown; anything else is a Keel bug, and KEEL_DEBUG=1 shows
 * the stack.
 */
function reportFailure(err: unknown): number {
  if (err instanceof KeelError) {
    process.stderr.write(`keel: ${err.message}\n`);
    return 2;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  if (process.env.KEEL_DEBUG) process.stderr.write(`${e.stack}\n`);
  const where = /\((?:file:\/\/)?([^()]+?:\d+):\d+\)/.exec(e.stack?.split('\n').slice(1).find((l) => !l.includes('/src/') && !l.includes('node:')) ?? '');
  process.stderr.write(`keel: ${e.name}: ${e.message}${where ? ` (at ${where[1]})` : ''}${process.env.KEEL_DEBUG ? '' : ' — set KEEL_DEBUG=1 for the stack'}\n`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.exitCode = reportFailure(err); },
);
