import { KeelError, parseMoney } from '../../model/index.ts';
import { loadStrategy, parseParamString, resolveParams, strategyVersion } from '../../strategy/index.ts';
import { strategyIdentity } from '../../lifecycle/index.ts';
import { SocketVenue } from '../../venues/index.ts';
import type { Journal } from '../../store/index.ts';
import { openJournalArg } from '../journal-arg.ts';
import { parseSizing } from '../../backtest/index.ts';
import { runPaperEngine } from '../../runtime/index.ts';
import { parseFlags, required } from '../args.ts';
import { feeModelFromFlags } from '../fees-and-slippage.ts';
import { readFileSync } from 'node:fs';
import { parseRiskConfig } from '../../risk/index.ts';
import { runConfigured } from './run-configured.ts';
import { parseRole } from './ha-role.ts';
import { endReport, logEngineEvents, sessionLogger, startReport } from '../session-output.ts';

export const PAPER_HELP = `keel paper: trade a strategy against a venue, journaled (restart-safe)

  --config keel.yaml        everything from a run config (strategy, venue: sim, alpaca, ccxt, fix or ib, journal,
                            risk; see docs/run-config.md); the flags below are for the sim venue server

  --strategy NAME|FILE      as keel backtest
  --params a=1,b=2          strategy parameters
  --venue HOST:PORT         the simulated venue server (keel venue --data FILE --port N)
  --account ID              the account at the venue (default paper)
  --journal FILE|URL        the journal: a SQLite file (created if missing) or postgres://user@host/db
                            (with --journal-schema S, default keel). A restart with the same journal
                            replays it and reconciles with the venue before trading
  --cash 100000             starting cash on a fresh journal (must match the venue's account)
  --sizing all-in|units:N|percent:P   entry size (default units:1)
  --commission-pct P ...    the venue's fee schedule (as keel backtest), for buying-power estimates
  --risk FILE               risk limits (YAML, docs/risk-config.md)
  --external flag|adopt     orders and fills at the venue the journal does not know: flag them (default;
                            trade REDUCING, or HALTED if positions differ) or adopt them under strategy
                            "external"
  --snapshot-every N        save an engine snapshot every N journaled events (default 100000; 0: only
                            at start-up and at the end); a restart replays only the journal after it
  --quiet                   print only the reconciliation verdicts and errors
  --vault FILE              with --config: the vault for secret:NAME values (wins over the config's vault:)
  --passphrase-file FILE    its passphrase (else KEEL_VAULT_PASSPHRASE[_FILE] or a prompt; docs/security.md)
  --role active|standby     with --config and a PostgreSQL journal: one node of an active/standby pair.
                            The active holds the leader lease; the standby follows the journal and takes
                            over when the lease expires (docs/high-availability.md). SQLite is refused
`;

const OPTIONS = {
  strategy: { type: 'string' }, params: { type: 'string' }, venue: { type: 'string' }, account: { type: 'string' }, journal: { type: 'string' },
  'journal-schema': { type: 'string' }, cash: { type: 'string' }, sizing: { type: 'string' }, risk: { type: 'string' },
  'commission-pct': { type: 'string' }, 'commission-per-unit': { type: 'string' }, 'commission-min': { type: 'string' },
  'commission-max-pct': { type: 'string' }, 'maker-bps': { type: 'string' }, 'taker-bps': { type: 'string' },
  'snapshot-every': { type: 'string' }, external: { type: 'string' }, config: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  vault: { type: 'string' }, 'passphrase-file': { type: 'string' }, role: { type: 'string' },
} as const;

export async function paperCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, OPTIONS, 'paper');
  if (v.help) { process.stdout.write(PAPER_HELP); return 0; }
  const role = parseRole(v.role);
  if (v.config !== undefined) return runConfigured('paper', v.config, { quiet: v.quiet, vault: v.vault, passphraseFile: v['passphrase-file'], role });
  if (role !== undefined) throw new KeelError('BAD_ARGUMENT', 'needs --config (the pair shares one run config and its PostgreSQL journal)', { field: '--role', value: role });
  const loaded = await loadStrategy(required(v.strategy, '--strategy', 'e.g. --strategy sma-cross'));
  const params = resolveParams(loaded.cls.params, v.params ? parseParamString(v.params) : {}, loaded.name);
  const venueArg = required(v.venue, '--venue', 'e.g. --venue 127.0.0.1:7400');
  const m = /^([^:]+):(\d+)$/.exec(venueArg);
  if (!m) throw new KeelError('BAD_ARGUMENT', 'must be HOST:PORT', { field: '--venue', value: venueArg });
  const journalPath = required(v.journal, '--journal', 'e.g. --journal run/journal.sqlite');
  const risk = v.risk !== undefined ? parseRiskConfig(readRisk(v.risk), v.risk) : undefined;
  const fees = feeModelFromFlags(v);
  const snapshotEvery = v['snapshot-every'] === undefined ? undefined : Number(v['snapshot-every']);
  if (snapshotEvery !== undefined && !(Number.isSafeInteger(snapshotEvery) && snapshotEvery >= 0)) {
    throw new KeelError('BAD_ARGUMENT', 'must be a whole number of events, 0 or more', { field: '--snapshot-every', value: v['snapshot-every'] });
  }
  const journal: Journal = await openJournalArg(journalPath, { schema: v['journal-schema'] });
  const account = v.account ?? 'paper';
  let venue: SocketVenue;
  try {
    venue = await SocketVenue.connect(m[1], Number(m[2]), account);
  } catch (err) {
    await journal.close();
    throw new KeelError('VENUE_UNREACHABLE', `cannot be reached: ${(err as Error).message}`, { field: '--venue', value: venueArg });
  }
  const strategyId = loaded.file ? loaded.file.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '') : loaded.name;
  // SIGTERM / Ctrl-C: stop trading, journal what is pending, reconcile and snapshot, then exit.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const log = sessionLogger(v.quiet);
  try {
    const summary = await runPaperEngine({
      account, strategyId, strategyClass: loaded.cls, params, strategyVersion: strategyVersion(loaded, params), identity: strategyIdentity({ strategyId, loaded, params }),
      instrument: venue.instrument, initialCash: parseMoney(v.cash ?? '100000', '--cash'), sizing: parseSizing(v.sizing ?? 'units:1'),
      fees, risk, journal, venue, snapshotEvery, external: parseExternal(v.external), signal: stop.signal,
      // Orders and fills as they flow, one log line each; the reports on stdout at start-up and at the stop.
      onHandle: (h) => { logEngineEvents(h, venue.instrument, log); },
      onTrading: (reconciliation, start) => process.stdout.write(startReport(reconciliation, start, v.quiet)),
      log: { info: (msg) => log.info({ strategyId }, msg), warn: (msg) => log.warn({ strategyId }, msg) },
    });
    if (summary.snapshotSkipped) log.warn(`warning: ${summary.snapshotSkipped}`);
    process.stdout.write(endReport(summary));
    return summary.final.mismatch ? 1 : 0;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await venue.close();
    await journal.close();
  }
}

/** `--external flag|adopt` (keel paper, keel reconcile). */
export function parseExternal(value: string | undefined): 'flag' | 'adopt' {
  if (value === undefined || value === 'flag' || value === 'adopt') return value ?? 'flag';
  throw new KeelError('BAD_ARGUMENT', 'must be flag or adopt', { field: '--external', value });
}

function readRisk(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new KeelError('BAD_RISK_CONFIG', `cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { field: '--risk', value: path });
  }
}

export const LIVE_HELP = `keel live --config keel.yaml --confirm-account ID: trade with real money

  Refuses to start unless the config's live.account, --confirm-account and the venue's own account id all
  match, the venue is a live one (not a paper endpoint, sandbox or simulator), and a risk section is
  configured. Prints the venue, account and risk limits before trading; starts REDUCING (or HALTED) when the
  start-up reconciliation finds anything it cannot explain. Stop with SIGTERM or Ctrl-C.
  Runs keel preflight first (limits, kill-switch test, verified backups, clock, alert channels) and refuses
  to start unless every check passes; --override-preflight REASON starts anyway and journals the failed
  checks with the reason and who overrode them. The clock's hard limit (clock.hardLimitMs) is never
  overridden. --backups DIR and --kill-test-journal FILE as for keel preflight.
  --vault FILE and --passphrase-file FILE as for keel paper --config.
  --role active|standby as for keel paper --config (active/standby on a PostgreSQL journal).
`;

export async function liveCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, {
    config: { type: 'string' }, 'confirm-account': { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    vault: { type: 'string' }, 'passphrase-file': { type: 'string' }, role: { type: 'string' },
    'override-preflight': { type: 'string' }, backups: { type: 'string' }, 'kill-test-journal': { type: 'string', multiple: true },
  } as const, 'live');
  if (v.help) { process.stdout.write(LIVE_HELP); return 0; }
  return runConfigured('live', required(v.config, '--config', 'e.g. --config keel.yaml'), {
    confirmAccount: v['confirm-account'], quiet: v.quiet, vault: v.vault, passphraseFile: v['passphrase-file'], role: parseRole(v.role),
    preflight: { override: v['override-preflight'], backups: v.backups, killTestJournals: v['kill-test-journal'] },
  });
}
