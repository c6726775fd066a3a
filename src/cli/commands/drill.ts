import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { KeelError, parseMoney } from '../../model/index.ts';
import { loadStrategy, parseParamString, resolveParams, strategyVersion } from '../../strategy/index.ts';
import { parseSizing } from '../../backtest/index.ts';
import { connectConfiguredVenue, drillHtml, drillSummary, latestBackup, loadRunConfig, runPaperEngine, type DrillReport } from '../../runtime/index.ts';
import { restoreBackup, type RestoreTarget } from '../../store/backup/index.ts';
import { percentFee } from '../../venues/index.ts';
import { openJournalArg } from '../journal-arg.ts';
import { parseFlags, required } from '../args.ts';
import { resolveConfigSecrets } from '../vault-args.ts';

export const DRILL_HELP = `keel drill --config keel.yaml: a disaster-recovery drill, end to end, against the configured venue

  Takes the latest backup (of backup.to in the config, or --from DIR|MANIFEST), restores it to a new place,
  starts a fresh engine on it that reconciles with the venue (recovering from the venue what the backup
  lacked; it places no order), and prints the RTO (time to trading again) and the RPO (journal events after
  the backup, and what reconciliation had to recover from the venue). Writes drill.json and drill.html.

  --from DIR|FILE     the backup folder or one backup's .json manifest (default: backup.to of the config)
  --journal FILE|URL  where to restore (default DIR/journal.sqlite of --out); must hold no journal
  --schema S          its PostgreSQL schema, with a postgres:// --journal
  --out DIR           where the report goes (default drills/drill-<UTC time> beside the config)
  --vault FILE, --passphrase-file FILE   as for keel paper --config
  Exit status: 0 the drill passed (reconciled in agreement), 1 it ran but did not pass, 2 refused.
`;

const OPTIONS = {
  config: { type: 'string' }, from: { type: 'string' }, journal: { type: 'string' }, schema: { type: 'string' }, out: { type: 'string' },
  vault: { type: 'string' }, 'passphrase-file': { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

/**
 * `keel drill`: restore → fresh engine → reconcile with the venue, timed. The restored journal is new (the
 * live one is only read, for the RPO), and the engine stops after its start-up reconciliation: a drill
 * proves the way back without trading beside the live engine.
 */
export async function drillCommand(argv: string[]): Promise<number> {
  const { values: v } = parseFlags(argv, OPTIONS, 'drill');
  if (v.help) { process.stdout.write(DRILL_HELP); return 0; }
  const configPath = required(v.config, '--config', 'e.g. --config keel.yaml');
  const here = dirname(resolve(configPath));
  const local = (p: string) => (isAbsolute(p) || /^[a-z]+:\/\//.test(p) ? p : resolve(here, p));
  const checked = loadRunConfig(configPath);
  const fromArg = v.from ?? checked.backup?.to;
  if (fromArg === undefined) {
    throw new KeelError('BACKUP_NOT_FOUND', 'is required: the config has no backup section', { field: '--from', hint: 'add backup: { every: 1h, to: backups } to the config, or pass --from DIR' });
  }
  // The live journal, read only, for what the backup lacks (it may be gone: that is what drills rehearse).
  const liveEventsAfter = (m: { lastSeq: number }) => openJournalArg(local(checked.journal), { schema: checked.journalSchema, readOnly: true, mustExist: true })
    .then(async (j) => { try { return (await j.lastSeq()) - m.lastSeq; } finally { await j.close(); } })
    .catch(() => null);

  const startedAt = new Date();
  const t0 = performance.now();
  const phases: Array<{ name: string; ms: number }> = [];
  const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const s = performance.now();
    try { return await fn(); } finally { phases.push({ name, ms: Math.round(performance.now() - s) }); }
  };
  const { manifestPath, manifest } = latestBackup(v.from === undefined ? local(fromArg) : fromArg, v.from === undefined ? `${checked.source}: backup.to` : '--from');
  const eventsAfterBackup = await liveEventsAfter(manifest);
  const out = v.out ?? join(here, 'drills', `drill-${startedAt.toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z')}`);
  mkdirSync(out, { recursive: true });
  const target: RestoreTarget = v.journal === undefined ? { kind: 'sqlite', path: join(out, 'journal.sqlite') }
    : /^postgres(ql)?:\/\//.test(v.journal) ? { kind: 'postgres', connection: { url: v.journal }, schema: v.schema ?? 'keel_drill' } : { kind: 'sqlite', path: v.journal };
  const { config: cfg } = await resolveConfigSecrets(checked, configPath, { vault: v.vault, passphraseFile: v['passphrase-file'] });
  const restored = await phase('restore', () => restoreBackup({ from: manifestPath, into: target }));

  const loaded = await loadStrategy(cfg.strategy.name.includes('/') || /\.[jt]s$/.test(cfg.strategy.name) ? local(cfg.strategy.name) : cfg.strategy.name);
  const params = resolveParams(loaded.cls.params, parseParamString(Object.entries(cfg.strategy.params).map(([k, x]) => `${k}=${String(x)}`).join(',')), loaded.name);
  const venue = await phase('connect venue', () => connectConfiguredVenue(cfg, { log: () => {} }));
  let report: DrillReport;
  try {
    const journal = await phase('open journal', () => openJournalArg(target.kind === 'sqlite' ? target.path : target.connection!.url!, target.kind === 'postgres' ? { schema: target.schema } : {}));
    try {
      const strategyId = loaded.file ? loaded.file.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '') : loaded.name;
      // Adopt what the venue did after the backup (the orders and fills the restore lacks), as an operator
      // recovering a lost journal would; reconcile only: a drill never trades beside the live engine.
      const summary = await phase('replay and reconcile', () => runPaperEngine({
        account: cfg.account, strategyId, strategyClass: loaded.cls, params, strategyVersion: strategyVersion(loaded, params),
        instrument: venue.instrument, initialCash: parseMoney(cfg.cash, `${cfg.source}: cash`), sizing: parseSizing(cfg.sizing),
        fees: cfg.commissionPct === undefined ? undefined : percentFee(cfg.commissionPct), risk: cfg.risk, journal, venue: venue.session,
        snapshotEvery: 0, external: 'adopt', reconcileOnly: true,
      }));
      const rec = summary.reconciliation;
      report = {
        kind: 'keel-dr-drill', version: 1, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), config: resolve(configPath),
        backup: { file: manifest.file, createdAt: manifest.createdAt, lastSeq: manifest.lastSeq, events: manifest.events, sha256: manifest.sha256, ageMs: startedAt.getTime() - Date.parse(manifest.createdAt) },
        restoredTo: restored.target, rtoMs: Math.round(performance.now() - t0), phases,
        rpo: { eventsAfterBackup, reportsApplied: rec.plan.applied, ordersAdopted: rec.plan.adopted.length, externalFills: rec.plan.externalFills.length },
        reconciliation: { verdict: rec.verdict, lines: rec.lines }, ok: rec.verdict === 'ACTIVE',
      };
    } finally {
      await journal.close();
    }
  } finally {
    await venue.session.close();
  }
  writeFileSync(join(out, 'drill.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(out, 'drill.html'), drillHtml(report));
  process.stdout.write(drillSummary(report) + `  report    ${join(out, 'drill.json')} and drill.html\n`);
  return report.ok ? 0 : 1;
}
