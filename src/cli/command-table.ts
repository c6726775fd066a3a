/** What a command module gives once loaded: its usage and the function that runs it. */
export interface LoadedCommand {
  /** What `keel NAME --help` prints. */
  readonly help: string;
  run(argv: string[]): Promise<number> | number;
}

/**
 * One `keel` subcommand: its line in `keel --help` and how to load it. Commands are loaded on demand, so
 * `keel backtest` never compiles the HTTP server, the venue adapters or the journal drivers.
 */
export interface CliCommand {
  readonly name: string;
  /** The overview line(s) in `keel --help`. */
  readonly summary: string;
  load(): Promise<LoadedCommand>;
}

/** Every subcommand, in the order `keel --help` lists them. */
export const COMMANDS: readonly CliCommand[] = [
  {
    name: 'backtest', summary: 'keel backtest --strategy sma-cross --data FILE [...]   run a backtest',
    load: async () => { const m = await import('./commands/backtest.ts'); return { help: m.BACKTEST_HELP, run: m.backtestCommand }; },
  },
  {
    name: 'optimize', summary: 'keel optimize --strategy S --data FILE --grid a=1..9:2 [...]   parameter search with overfitting diagnostics',
    load: async () => { const m = await import('./commands/optimize.ts'); return { help: m.OPTIMIZE_HELP, run: m.optimizeCommand }; },
  },
  {
    name: 'walkforward', summary: 'keel walkforward ... --train 3y --test 6m               optimise per window, trade the next out of sample',
    load: async () => { const m = await import('./commands/walkforward.ts'); return { help: m.WALKFORWARD_HELP, run: m.walkforwardCommand }; },
  },
  {
    name: 'check-lookahead', summary: 'keel check-lookahead --strategy S --data FILE          does the strategy peek at future bars?',
    load: async () => { const m = await import('./commands/check-lookahead.ts'); return { help: m.CHECK_LOOKAHEAD_HELP, run: m.checkLookaheadCommand }; },
  },
  {
    name: 'worker', summary: 'keel worker --queue redis://127.0.0.1:6379              run optimisation trials from a job queue',
    load: async () => { const m = await import('./commands/worker.ts'); return { help: m.WORKER_HELP, run: m.workerCommand }; },
  },
  {
    name: 'paper',
    summary: 'keel paper --strategy sma-cross --venue HOST:PORT --journal FILE   trade against a venue, journaled\n'
      + 'keel paper --config keel.yaml                          the same from a run config (Alpaca, ccxt or the sim venue)',
    load: async () => { const m = await import('./commands/paper.ts'); return { help: m.PAPER_HELP, run: m.paperCommand }; },
  },
  {
    name: 'live', summary: 'keel live --config keel.yaml --confirm-account ID      real money, after explicit confirmation',
    load: async () => { const m = await import('./commands/paper.ts'); return { help: m.LIVE_HELP, run: m.liveCommand }; },
  },
  {
    name: 'analyze', summary: 'keel analyze equity.csv [--out metrics.json]           metrics of any equity curve',
    load: async () => { const m = await import('./commands/analyze.ts'); return { help: m.ANALYZE_HELP, run: m.analyzeCommand }; },
  },
  {
    name: 'analyze-live', summary: 'keel analyze-live --journal FILE --backtest-config keel.yaml   live or paper vs a backtest of the same market, trade by trade',
    load: async () => { const m = await import('./commands/analyze-live.ts'); return { help: m.ANALYZE_LIVE_HELP, run: m.analyzeLiveCommand }; },
  },
  {
    name: 'data', summary: 'keel data validate FILE                                check a data file and list its problems',
    load: async () => { const m = await import('./commands/data.ts'); return { help: m.DATA_HELP, run: m.dataCommand }; },
  },
  {
    name: 'strategies', summary: 'keel strategies                                        built-in strategies and their parameters',
    load: async () => { const m = await import('./commands/strategies.ts'); return { help: m.STRATEGIES_HELP, run: m.strategiesCommand }; },
  },
  {
    name: 'venue',
    summary: 'keel venue --api alpaca --data FILE --keys ID:SECRET   a local venue speaking Alpaca\'s API (docs/venue-server.md)\n'
      + 'keel venue --data FILE --port 7400 [--bar-ms 20]       the simulated venue server, Keel\'s own protocol (tests)',
    load: async () => { const m = await import('./commands/venue.ts'); return { help: m.VENUE_HELP, run: m.venueCommand }; },
  },
  {
    name: 'alert', summary: 'keel alert test CHANNEL --config keel.yaml             send a test alert through a configured channel',
    load: async () => { const m = await import('./commands/alert.ts'); return { help: m.ALERT_HELP, run: m.alertCommand }; },
  },
  {
    name: 'serve', summary: 'keel serve --journal FILE [--port 7070]                the dashboard and API over a journal, read-only',
    load: async () => { const m = await import('./commands/serve.ts'); return { help: m.SERVE_HELP, run: m.serveCommand }; },
  },
  {
    name: 'state', summary: 'keel state --journal FILE                              positions, open orders, last events of a journal',
    load: async () => { const m = await import('./commands/journal.ts'); return { help: m.JOURNAL_HELP, run: m.stateCommand }; },
  },
  {
    name: 'versions', summary: 'keel versions --journal FILE [--json]                  which strategy versions ran when (code, git, params, config)',
    load: async () => { const m = await import('./commands/versions.ts'); return { help: m.VERSIONS_HELP, run: m.versionsCommand }; },
  },
  {
    name: 'deploy', summary: 'keel deploy shadow|promote|rollback|status --api URL    staged rollout of a new strategy version',
    load: async () => { const m = await import('./commands/deploy.ts'); return { help: m.DEPLOY_HELP, run: m.deployCommand }; },
  },
  {
    name: 'reconcile', summary: 'keel reconcile --journal FILE --venue HOST:PORT        compare a journal with its venue and print the report',
    load: async () => { const m = await import('./commands/journal.ts'); return { help: m.JOURNAL_HELP, run: m.reconcileCommand }; },
  },
  {
    name: 'drill', summary: 'keel drill --config keel.yaml                          DR drill: restore the latest backup, reconcile, RTO/RPO',
    load: async () => { const m = await import('./commands/drill.ts'); return { help: m.DRILL_HELP, run: m.drillCommand }; },
  },
  {
    name: 'backup', summary: 'keel backup --journal FILE|postgres://... --to DIR     online, checksummed copy of a journal',
    load: async () => { const m = await import('./commands/backup.ts'); return { help: m.BACKUP_HELP, run: m.backupCommand }; },
  },
  {
    name: 'restore', summary: 'keel restore --from BACKUP.json --journal NEW          verify a backup and rebuild its journal at a new place',
    load: async () => { const m = await import('./commands/backup.ts'); return { help: m.BACKUP_HELP, run: m.restoreCommand }; },
  },
  {
    name: 'kill', summary: 'keel kill --control DIR [--flatten] [--reason TEXT]    kill switch: cancel all, halt',
    load: async () => { const m = await import('./commands/control.ts'); return { help: m.CONTROL_HELP, run: m.killCommand }; },
  },
  {
    name: 'rearm', summary: 'keel rearm --control DIR --reason TEXT                 trade again after a halt',
    load: async () => { const m = await import('./commands/control.ts'); return { help: m.CONTROL_HELP, run: m.rearmCommand }; },
  },
  {
    name: 'limits', summary: 'keel limits --api URL --file risk.yaml --reason TEXT   new risk limits on a running engine',
    load: async () => { const m = await import('./commands/limits.ts'); return { help: m.LIMITS_HELP, run: m.limitsCommand }; },
  },
  {
    name: 'status', summary: 'keel status --control DIR                              an engine\'s trading state',
    load: async () => { const m = await import('./commands/control.ts'); return { help: m.CONTROL_HELP, run: m.statusCommand }; },
  },
  {
    name: 'secrets', summary: 'keel secrets init|set|get|list|remove|rotate-key       the encrypted vault for credentials',
    load: async () => { const m = await import('./commands/secrets.ts'); return { help: m.SECRETS_HELP, run: m.secretsCommand }; },
  },
  {
    name: 'users', summary: 'keel users add|list|token|revoke-token|...             API users, roles, tokens and TOTP',
    load: async () => { const m = await import('./commands/users.ts'); return { help: m.USERS_HELP, run: m.usersCommand }; },
  },
  {
    name: 'audit', summary: 'keel audit verify|head|export --journal FILE           the tamper-evident audit trail',
    load: async () => { const m = await import('./commands/audit.ts'); return { help: m.AUDIT_HELP, run: m.auditCommand }; },
  },
  {
    name: 'preflight', summary: 'keel preflight --config keel.yaml                      the pre-go-live checklist keel live requires',
    load: async () => { const m = await import('./commands/preflight.ts'); return { help: m.PREFLIGHT_HELP, run: m.preflightCommand }; },
  },
  {
    name: 'records', summary: 'keel records export|prune --journal FILE --from --to  order records (MiFID II RTS 6/25, SEC 15c3-5) and their retention',
    load: async () => { const m = await import('./commands/records.ts'); return { help: m.RECORDS_HELP, run: m.recordsCommand }; },
  },
  {
    name: 'tls', summary: 'keel tls self-signed --out DIR [--host NAME,IP]        a key and certificate for the API\'s HTTPS',
    load: async () => { const m = await import('./commands/tls.ts'); return { help: m.TLS_HELP, run: m.tlsCommand }; },
  },
];

/** `keel --help`: one overview line per command, then how to get each command's own usage. */
export function overviewHelp(): string {
  return `keel: one strategy from backtest to paper to live trading

${COMMANDS.map((c) => c.summary.split('\n').map((l) => `  ${l}`).join('\n')).join('\n')}

  keel COMMAND --help (or keel help COMMAND) prints a command's options.
`;
}

/**
 * Whether argv asks for help: `--help` or `-h` anywhere before a `--`. Checked before the command parses its
 * flags, so every command answers `--help` with its usage and exit 0, even a long-running server.
 */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}
